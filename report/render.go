package report

import (
	"fmt"
	"io"
)

// Format is an output format of CONTRACT.md.
type Format string

const (
	FormatText     Format = "text"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// FormatNames are the values --format accepts, for help and completion.
var FormatNames = []string{string(FormatText), string(FormatJSON), string(FormatMarkdown)}

// ParseFormat accepts text, json, markdown (and md).
func ParseFormat(s string) (Format, error) {
	switch s {
	case "text":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("--format must be text, json or markdown, not %q", s)
}

// RenderOptions choose the format; Color applies to text only.
type RenderOptions struct {
	Format   Format
	Color    bool
	Redactor *Redactor // nil still removes every pattern-shaped secret
}

// Render writes r in the chosen format. It is the only way a report leaves
// the process, and it redacts first, so no format can skip redaction.
func Render(w io.Writer, r Report, opts RenderOptions) error {
	r = opts.Redactor.Report(r)
	switch opts.Format {
	case FormatJSON:
		return renderJSON(w, r)
	case FormatMarkdown:
		return renderMarkdown(w, r)
	case FormatText, "":
		return renderText(w, r, opts.Color)
	}
	return fmt.Errorf("unknown format %q", opts.Format)
}
