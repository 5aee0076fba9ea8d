package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// palette colours status words on a terminal; the zero palette prints plain text.
type palette struct{ on bool }

func (p palette) wrap(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) status(st Status, s string) string {
	switch st {
	case StatusCritical:
		return p.wrap("1;31", s)
	case StatusUnknown:
		return p.wrap("1;35", s)
	case StatusWarning:
		return p.wrap("33", s)
	case StatusInfo:
		return p.wrap("36", s)
	case StatusOK:
		return p.wrap("32", s)
	case StatusSkipped:
		return p.wrap("2", s)
	}
	return s
}

func (p palette) bold(s string) string { return p.wrap("1", s) }
func (p palette) dim(s string) string  { return p.wrap("2", s) }

// statusMark is a one-character sign that survives without colour.
func statusMark(st Status) string {
	switch st {
	case StatusCritical:
		return "✖"
	case StatusUnknown:
		return "?"
	case StatusWarning:
		return "!"
	case StatusInfo:
		return "i"
	case StatusOK:
		return "✓"
	case StatusSkipped:
		return "-"
	}
	return " "
}

// summaryLine is "2 critical · 1 unknown · 3 warning · 2 info · 31 ok · 0 skipped".
func summaryLine(s Summary) string {
	parts := make([]string, 0, len(Statuses))
	for _, st := range Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", s.Count(st), st))
	}
	return strings.Join(parts, " · ")
}

func appsLabel(apps []string) string {
	switch len(apps) {
	case 0:
		return ""
	case 1, 2, 3:
		return strings.Join(apps, ", ")
	}
	return fmt.Sprintf("%s and %d more apps", strings.Join(apps[:3], ", "), len(apps)-3)
}

func formatDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func renderText(w io.Writer, r Report, color bool) error {
	p := palette{on: color}
	ew := &errWriter{w: w}

	head := []string{r.Tool}
	if r.Version != "" {
		head[0] += " " + r.Version
	}
	if a := appsLabel(r.Apps); a != "" {
		head = append(head, a)
	}
	head = append(head, timeLabel(r.GeneratedAt), formatDuration(r.Duration))
	ew.printf("%s\n", p.dim(strings.Join(head, " · ")))
	ew.printf("%s  %s\n", p.status(r.Status, strings.ToUpper(string(r.Status))), summaryLine(r.Summary))
	for _, n := range r.Notes {
		ew.printf("%s\n", p.dim("note: "+n))
	}

	multiApp := len(r.Apps) > 1
	where := func(f Finding) string {
		if multiApp && f.App != "" {
			return f.App + " " + f.Subject
		}
		return f.Subject
	}
	if c, ok := r.Changes(); ok {
		ew.printf("\n%s\n", p.bold(c.since()+": "+c.counts()))
		for _, f := range c.listed() {
			about := string(f.Category)
			if f.PreviousStatus != "" {
				about += ", was " + string(f.PreviousStatus)
			}
			ew.printf("  %-9s %s %s %s · %s (%s)\n", strings.ToUpper(string(f.Change)), p.status(f.Status, statusMark(f.Status)),
				p.status(f.Status, fmt.Sprintf("%-9s", strings.ToUpper(string(f.Status)))), where(f), f.Code, about)
			ew.printf("            %s\n", f.Summary)
		}
	}

	if probs := r.Problems(); len(probs) > 0 {
		ew.printf("\n%s\n", p.bold(fmt.Sprintf("Problems (%d)", len(probs))))
		for _, f := range probs {
			change := ""
			if f.Change != "" {
				change = " · " + string(f.Change)
			}
			ew.printf("  %s %s  %s · %s (%s)%s\n", p.status(f.Status, statusMark(f.Status)),
				p.status(f.Status, strings.ToUpper(string(f.Status))), where(f), f.Code, f.Category, change)
			ew.printf("    %s\n", f.Summary)
			if f.Detail != "" {
				ew.printf("    %s\n", p.dim(f.Detail))
			}
			if f.Remedy != "" {
				ew.printf("    → %s\n", f.Remedy)
			}
			if f.Docs != "" {
				ew.printf("    %s\n", p.dim("docs: "+f.Docs))
			}
		}
	}

	for i := range r.Timelines {
		renderTimelineText(ew, p, &r.Timelines[i])
	}

	for _, c := range r.CategoriesPresent() {
		fs := current(r.ByCategory(c))
		if len(fs) == 0 {
			continue
		}
		ew.printf("\n%s\n", p.bold(c.Title()))
		header := []string{"Status", "Subject", "Check", "Summary"}
		if multiApp {
			header = []string{"Status", "App", "Subject", "Check", "Summary"}
		}
		rows := make([][]string, 0, len(fs))
		for _, f := range fs {
			st := p.status(f.Status, statusMark(f.Status)+" "+string(f.Status))
			summary := f.Summary
			if f.Code != "" {
				summary = f.Code + ": " + summary
			}
			row := []string{st, f.Subject, f.Check, summary}
			if multiApp {
				row = []string{st, f.App, f.Subject, f.Check, summary}
			}
			rows = append(rows, row)
		}
		ew.err = writeTable(ew, header, rows, ew.err)
	}

	for _, s := range r.Sections {
		ew.printf("\n%s\n", p.bold(s.Title))
		if len(s.Header) == 0 {
			ew.printf("%s", s.Text)
			if !strings.HasSuffix(s.Text, "\n") {
				ew.printf("\n")
			}
			continue
		}
		ew.err = writeTable(ew, s.Header, s.Rows, ew.err)
	}
	return ew.err
}

// writeTable draws one table; long cells wrap at word boundaries so a row
// stays readable in an 80-to-120-column terminal.
func writeTable(w io.Writer, header []string, rows [][]string, prev error) error {
	if prev != nil {
		return prev
	}
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(70),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(toAny(header)...)
	for _, row := range rows {
		if err := t.Append(toAny(row)...); err != nil {
			return err
		}
	}
	return t.Render()
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// errWriter keeps the first write error so rendering code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
