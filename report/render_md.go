package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RedactionNotice ends every Markdown report: a support engineer reading an
// attachment must know that REDACTED is deliberate.
const RedactionNotice = "Secrets (API tokens, config var values, passwords in URLs) were redacted from this report; they appear as `" + Redacted + "`."

// mdCell is a value in a table cell: literal, one line, no | that would
// end the cell.
func mdCell(s string) string { return MarkdownText(s) }

// mdTable writes a table of values, each escaped by mdCell.
func mdTable(ew *errWriter, header []string, rows [][]string) { mdCells(ew, header, rows, mdCell) }

// mdCells writes a table whose cells cell turns into Markdown: mdCell for
// values, or the identity for cells the caller wrote as Markdown itself
// (the catalogue's `CODE` and [title](docs)).
func mdCells(ew *errWriter, header []string, rows [][]string, cell func(string) string) {
	cells := make([]string, len(header))
	for i, h := range header {
		cells[i] = mdCell(h)
	}
	ew.printf("| %s |\n", strings.Join(cells, " | "))
	ew.printf("|%s\n", strings.Repeat("---|", len(header)))
	for _, row := range rows {
		cells := make([]string, len(header))
		for i := range header {
			if i < len(row) {
				cells[i] = cell(row[i])
			}
		}
		ew.printf("| %s |\n", strings.Join(cells, " | "))
	}
}

// fence picks a fence longer than any backtick run inside the text.
func fence(s string) string {
	f := "```"
	for strings.Contains(s, f) {
		f += "`"
	}
	return f
}

// renderMarkdown writes a support-ticket attachment. r is neutralised
// (Render); every value is also escaped for Markdown here, wherever it
// stands: headings, paragraphs, Fix and Docs lines, tables; code and
// evidence sit in fences longer than any backtick run inside them.
func renderMarkdown(w io.Writer, r Report) error {
	ew := &errWriter{w: w}
	md := MarkdownText
	title := "heroku-checkup report"
	if a := appsLabel(r.Apps); a != "" {
		title += ": " + md(a)
	}
	ew.printf("# %s\n\n", title)
	ver := r.Tool
	if r.Version != "" {
		ver += " " + r.Version
	}
	ew.printf("Generated %s by %s in %s.\n\n", timeLabel(r.GeneratedAt), md(ver), formatDuration(r.Duration))
	ew.printf("**Status: %s**\n\n", strings.ToUpper(string(r.Status)))
	for _, n := range r.Notes {
		ew.printf("> Note: %s\n\n", md(n))
	}
	multiApp := len(r.Apps) > 1

	if c, ok := r.Changes(); ok {
		ew.printf("## %s\n\n", md(c.since()))
		if !c.Since.GeneratedAt.IsZero() {
			by := "heroku-checkup"
			if c.Since.Version != "" {
				by += " " + c.Since.Version
			}
			ew.printf("Compared with the report %s wrote at %s: %s.\n\n", md(by), timeLabel(c.Since.GeneratedAt), c.counts())
		} else {
			ew.printf("There was no previous report to compare with: %s.\n\n", c.counts())
		}
		if fs := c.listed(); len(fs) > 0 {
			header := []string{"Change", "Status", "Subject", "Check", "Code", "Summary"}
			if multiApp {
				header = []string{"Change", "Status", "App", "Subject", "Check", "Code", "Summary"}
			}
			rows := make([][]string, 0, len(fs))
			for _, f := range fs {
				st := statusMark(f.Status) + " " + string(f.Status) + was(f)
				row := []string{string(f.Change), st, f.Subject, f.Check, f.Code, f.Summary}
				if multiApp {
					row = []string{string(f.Change), st, f.App, f.Subject, f.Check, f.Code, f.Summary}
				}
				rows = append(rows, row)
			}
			mdTable(ew, header, rows)
			ew.printf("\n")
		}
	}

	rows := make([][]string, 0, len(Statuses))
	for _, st := range Statuses {
		rows = append(rows, []string{statusMark(st) + " " + string(st), fmt.Sprint(r.Summary.Count(st))})
	}
	mdTable(ew, []string{"Status", "Checks"}, rows)
	ew.printf("\n")

	for _, c := range r.CategoriesPresent() {
		fs := current(r.ByCategory(c))
		if len(fs) == 0 {
			continue
		}
		ew.printf("## %s\n\n", md(c.Title()))
		header := []string{"Status", "Subject", "Check", "Code", "Summary"}
		if multiApp {
			header = []string{"Status", "App", "Subject", "Check", "Code", "Summary"}
		}
		rows := make([][]string, 0, len(fs))
		for _, f := range fs {
			row := []string{statusMark(f.Status) + " " + string(f.Status), f.Subject, f.Check, f.Code, f.Summary}
			if multiApp {
				row = []string{statusMark(f.Status) + " " + string(f.Status), f.App, f.Subject, f.Check, f.Code, f.Summary}
			}
			rows = append(rows, row)
		}
		mdTable(ew, header, rows)
		ew.printf("\n")
		for _, f := range fs {
			if !f.Status.IsProblem() {
				continue
			}
			where := md(f.Subject)
			if multiApp && f.App != "" {
				where = md(f.App) + " · " + where
			}
			change := ""
			if f.Change != "" {
				change = " · " + md(string(f.Change)+was(f))
			}
			ew.printf("### %s %s · %s · %s%s\n\n", statusMark(f.Status), f.Status, where, md(f.Code), change)
			ew.printf("%s\n\n", markdownBlock(f.Summary))
			if f.Detail != "" {
				ew.printf("%s\n\n", markdownBlock(f.Detail))
			}
			if f.Remedy != "" {
				ew.printf("**Fix:** %s\n\n", md(f.Remedy))
			}
			if f.Docs != "" {
				ew.printf("Docs: %s\n\n", markdownLink(f.Docs))
			}
			if len(f.Data) > 0 {
				b, err := json.MarshalIndent(f.Data, "", "  ")
				if err == nil {
					// JSON escapes C0 controls; Lines writes the rest (C1,
					// bidi) as \u escapes, which keep it the same JSON.
					ev := Lines(string(b))
					fc := fence(ev)
					ew.printf("Evidence:\n\n%sjson\n%s\n%s\n\n", fc, ev, fc)
				}
			}
		}
	}

	renderReleasesMarkdown(ew, r, md)

	for _, s := range r.Sections {
		ew.printf("## %s\n\n", md(s.Title))
		if len(s.Header) == 0 {
			fc := fence(s.Text)
			ew.printf("%s\n%s\n%s\n\n", fc, strings.TrimRight(s.Text, "\n"), fc)
			continue
		}
		mdTable(ew, s.Header, s.Rows)
		ew.printf("\n")
	}
	ew.printf("---\n\n%s\n", RedactionNotice)
	return ew.err
}
