package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strings"
	"time"
)

// The HTML report is one self-contained file: inline CSS, inline SVG
// charts, no script, no font, image or stylesheet to fetch (its Content
// Security Policy forbids every fetch, so not even a value that slipped
// through could load one), safe to attach to a ticket and to print. Every
// value goes through html/template, which escapes it for where it stands,
// after Render has redacted and neutralised it.

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Parse(htmlSource))

// htmlView is what the template shows: the report's values as strings,
// with nothing left to compute.
type htmlView struct {
	Tool, Title, Generated, Version, Duration string
	Status                                    Status
	StatusWord                                string
	Counts                                    []htmlCount
	Notes                                     []string
	MultiApp                                  bool
	Changes                                   *htmlChanges
	Timelines                                 []htmlTimeline
	Problems                                  []htmlProblem
	Categories                                []htmlCategory
	Sections                                  []Section
	Notice                                    string
}

type htmlCount struct {
	Status Status
	Mark   string
	N      int
}

type htmlChanges struct {
	Heading, Line string
	Rows          []htmlChange
}

type htmlChange struct {
	Change, Mark, Was, App, Subject, Check, Code, Summary string
	Status                                                Status
}

type htmlTimeline struct {
	App, Span, Untimed string
	Charts             []chart
	Releases           []htmlRelease
}

type htmlRelease struct {
	Label, At, Description, Window, Requests, E5xx, HErr, P95, Verdict, Note string
	Status                                                                   Status
}

type htmlProblem struct {
	Status                                                           Status
	Mark, StatusWord, Where, Code, Category, Change, Summary, Remedy string
	Detail                                                           []string
	Docs                                                             string
	DocsURL                                                          string // an https link, else empty (the docs are shown as text)
}

type htmlCategory struct {
	Title string
	Rows  []htmlRow
}

type htmlRow struct {
	Status                                   Status
	Mark, App, Subject, Check, Code, Summary string
}

// renderHTML writes r (redacted and neutralised by Render) as HTML.
func renderHTML(w io.Writer, r Report) error {
	v := htmlView{Tool: r.Tool, Title: "heroku-checkup report", Generated: timeLabel(r.GeneratedAt), Version: r.Tool,
		Duration: formatDuration(r.Duration), Status: r.Status, StatusWord: strings.ToUpper(string(r.Status)),
		Notes: r.Notes, MultiApp: len(r.Apps) > 1, Sections: r.Sections, Notice: RedactionNotice}
	if a := appsLabel(r.Apps); a != "" {
		v.Title += ": " + a
	}
	if r.Version != "" {
		v.Version += " " + r.Version
	}
	for _, st := range Statuses {
		v.Counts = append(v.Counts, htmlCount{Status: st, Mark: statusMark(st), N: r.Summary.Count(st)})
	}
	where := func(f Finding) string {
		if v.MultiApp && f.App != "" {
			return f.App + " · " + f.Subject
		}
		return f.Subject
	}
	if c, ok := r.Changes(); ok {
		hc := &htmlChanges{Heading: c.since() + ": " + c.counts()}
		if !c.Since.GeneratedAt.IsZero() {
			by := "heroku-checkup"
			if c.Since.Version != "" {
				by += " " + c.Since.Version
			}
			hc.Line = fmt.Sprintf("Compared with the report %s wrote at %s.", by, timeLabel(c.Since.GeneratedAt))
		} else {
			hc.Line = "There was no previous report to compare with: every problem is new."
		}
		for _, f := range c.listed() {
			hc.Rows = append(hc.Rows, htmlChange{Change: string(f.Change), Status: f.Status, Mark: statusMark(f.Status), Was: was(f),
				App: f.App, Subject: f.Subject, Check: f.Check, Code: f.Code, Summary: f.Summary})
		}
		v.Changes = hc
	}
	for i := range r.Timelines {
		if t := &r.Timelines[i]; len(t.Buckets) > 0 {
			v.Timelines = append(v.Timelines, htmlTimelineOf(t))
		}
	}
	for _, f := range r.Problems() {
		p := htmlProblem{Status: f.Status, Mark: statusMark(f.Status), StatusWord: strings.ToUpper(string(f.Status)), Where: where(f),
			Code: f.Code, Category: string(f.Category), Summary: f.Summary, Remedy: f.Remedy, Docs: f.Docs}
		if f.Change != "" {
			p.Change = " · " + string(f.Change) + was(f)
		}
		if f.Detail != "" {
			p.Detail = strings.Split(f.Detail, "\n")
		}
		if u, err := url.Parse(f.Docs); err == nil && u.Scheme == "https" && u.Host != "" {
			p.DocsURL = f.Docs // html/template escapes it as a URL in an attribute
		}
		v.Problems = append(v.Problems, p)
	}
	for _, c := range r.CategoriesPresent() {
		fs := current(r.ByCategory(c))
		if len(fs) == 0 {
			continue
		}
		hc := htmlCategory{Title: c.Title()}
		for _, f := range fs {
			hc.Rows = append(hc.Rows, htmlRow{Status: f.Status, Mark: statusMark(f.Status), App: f.App, Subject: f.Subject,
				Check: f.Check, Code: f.Code, Summary: f.Summary})
		}
		v.Categories = append(v.Categories, hc)
	}
	return htmlTemplate.Execute(w, v)
}

func htmlTimelineOf(t *Timeline) htmlTimeline {
	width := time.Duration(t.BucketSeconds) * time.Second
	h := htmlTimeline{App: t.App, Charts: charts(t),
		Span: fmt.Sprintf("%s to %s, %s of %s", timeLabel(t.Start()), timeLabel(t.End()), plural(len(t.Buckets), "bucket"), bucketWord(width))}
	if t.Untimed > 0 {
		h.Untimed = fmt.Sprintf("%d lines without a usable time counted, not placed", t.Untimed)
	}
	for _, rel := range t.Releases {
		h.Releases = append(h.Releases, releaseRow(rel))
	}
	return h
}

// releaseRow is one release's before → after figures, as the HTML and
// Markdown reports show them.
func releaseRow(rel Release) htmlRelease {
	row := htmlRelease{Label: rel.Label(), At: rel.At.UTC().Format("2006-01-02 15:04:05"), Description: rel.Description, Status: StatusOK}
	c := rel.Comparison
	if c == nil {
		row.Verdict = "not compared"
		return row
	}
	row.Verdict, row.Note, row.Status = c.Verdict, c.Note, c.Status
	if c.Verdict == VerdictRegression {
		row.Verdict = "regression (" + strings.Join(c.Regressed, ", ") + ")"
	}
	b, a := c.Before, c.After
	row.Window = fmt.Sprintf("%s–%s | %s–%s", b.From.UTC().Format("15:04"), b.To.UTC().Format("15:04"), a.From.UTC().Format("15:04"), a.To.UTC().Format("15:04"))
	row.Requests = fmt.Sprintf("%d → %d", b.Requests, a.Requests)
	row.E5xx = fmt.Sprintf("%s → %s", pctText(b.Rate5xx()), pctText(a.Rate5xx()))
	row.HErr = fmt.Sprintf("%s → %s", pctText(b.RateH()), pctText(a.RateH()))
	row.P95 = fmt.Sprintf("%s → %s", msOrDash(b), msOrDash(a))
	return row
}

func pctText(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func msOrDash(w Window) string {
	if w.Timed == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", w.P95)
}
