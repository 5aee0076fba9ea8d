package report

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Format is an output format of CONTRACT.md.
type Format string

const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
	FormatHTML     Format = "html"
)

// FormatNames are the values --format accepts, for help and completion.
var FormatNames = []string{string(FormatText), string(FormatJSON), string(FormatMarkdown), string(FormatHTML)}

// CatalogueFormatNames are the formats of explain and codes: the catalogue
// has no HTML page.
var CatalogueFormatNames = []string{string(FormatText), string(FormatJSON), string(FormatMarkdown)}

// ParseFormat accepts text, json, markdown (and md), html.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "text":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	case "html":
		return FormatHTML, nil
	}
	return "", fmt.Errorf("--format must be text, json, markdown or html, not %q", s)
}

// RenderOptions choose the format; Color applies to text only.
type RenderOptions struct {
	Format   Format
	Color    bool
	Redactor *Redactor // nil still removes every pattern-shaped secret
}

// Render writes r in the chosen format. It is the only way a report leaves
// the process, and it redacts first, so no format can skip redaction; the
// human formats then neutralise every outside value (neutral), while JSON
// keeps each exactly.
func Render(w io.Writer, r Report, opts RenderOptions) error {
	r = opts.Redactor.Report(r)
	switch opts.Format {
	case FormatJSON:
		return renderJSON(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, neutral(r))
	case FormatHTML:
		return renderHTML(w, neutral(r))
	case FormatText, "":
		return renderText(w, neutral(r), opts.Color)
	}
	return fmt.Errorf("unknown format %q", opts.Format)
}

// timeLabel is how the human renderers print a time.
func timeLabel(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// since is the "Changed since …" heading of the human renderers.
func (c Changes) since() string {
	if c.Since.GeneratedAt.IsZero() {
		return "Changed since no previous report (the first of this history)"
	}
	return "Changed since " + timeLabel(c.Since.GeneratedAt)
}

// counts is "2 new · 1 resolved · 3 ongoing", or says that nothing changed.
func (c Changes) counts() string {
	if len(c.New) == 0 && len(c.Resolved) == 0 {
		return fmt.Sprintf("nothing new, nothing resolved · %d ongoing", len(c.Ongoing))
	}
	return fmt.Sprintf("%d new · %d resolved · %d ongoing", len(c.New), len(c.Resolved), len(c.Ongoing))
}

// listed is what the human renderers list under "Changed since": the new
// findings, then the resolved ones.
func (c Changes) listed() []Finding { return append(slices.Clone(c.New), c.Resolved...) }

// was is " (was warning)" for a finding whose status changed since the
// baseline, or nothing.
func was(f Finding) string {
	if f.PreviousStatus == "" {
		return ""
	}
	return " (was " + string(f.PreviousStatus) + ")"
}

// current drops the resolved findings: the human renderers list them under
// "Changed since", not among the checks of this run.
func current(fs []Finding) []Finding {
	return slices.DeleteFunc(slices.Clone(fs), func(f Finding) bool { return f.Change == ChangeResolved })
}
