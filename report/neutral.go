package report

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Outside values (log fields, the Platform API's hostnames, dyno names,
// release descriptions, ACM reasons, Postgres query text, API error
// messages) are attacker-controlled: a terminal obeys the control
// sequences in them (OSC 52 writes the clipboard, OSC 8 hides a link, \r
// overwrites a line, U+202E reverses text) and a Markdown or HTML reader
// obeys their markup. They are neutralised once, where they enter
// rendering: Render does it for the text and Markdown reports, ExitCode for
// the stderr line, termui for the spinner; a future HTML renderer calls
// Line and then escapes (HTMLText). JSON keeps every value exactly.

// Line returns s safe to print on one line of a terminal or a document:
// every control character (C0, DEL, C1), every character that reorders or
// hides text (bidi controls and isolates, zero-width characters, line and
// paragraph separators) and every byte of invalid UTF-8 is written out as
// a visible escape (\n, \r, \t, \x1b, \u202e, \xff), so a newline in a value
// never splits a report line and nothing reaches the terminal raw.
func Line(s string) string { return neutralise(s, false) }

func neutralise(s string, keepTabs bool) string {
	if lineSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t' && keepTabs:
			b.WriteByte('\t')
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Lines is Line for each line of a preformatted text whose line breaks
// and tabs are its own (dig's answer sections, the evidence's JSON): they
// stay, a \r or a control inside a line does not.
func Lines(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = neutralise(p, true)
	}
	return strings.Join(parts, "\n")
}

func lineSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false // the slow path decides for anything not plain ASCII
		}
	}
	return true
}

// hidden: C1 controls (U+0080-U+009F, which some terminals obey as ESC
// sequences), bidi embeddings, overrides and isolates, marks that reorder
// text, zero-width characters and the Unicode line and paragraph separators.
func hidden(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c || r == 0x200e || r == 0x200f: // ALM, LRM, RLM
		return true
	case r >= 0x202a && r <= 0x202e: // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= 0x2066 && r <= 0x2069: // LRI, RLI, FSI, PDI
		return true
	case r == 0x200b || r == 0x200c || r == 0x2060 || r == 0xfeff: // zero-width space, non-joiner, word joiner, BOM
		return true
	case r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}

// mdEscaper writes text literally in Markdown, wherever it stands in a
// line or a table cell, and safely where Markdown becomes HTML: every
// character that can open emphasis, code, a link or an image, an autolink
// or raw HTML, an entity, a table cell or strikethrough is escaped (a !
// opens an image only before a [, which is). An underscore inside a word
// (SNI_CERT_EXPIRING) opens nothing and stays as it is.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "|", `\|`, "~", `\~`,
	"#", `\#`, "<", "&lt;", ">", "&gt;", "&", "&amp;")

// MarkdownText is s (an outside value, or text holding one) neutralised
// and escaped to read literally in Markdown: a release description's
// <script> tag, a [x](javascript:...) link or a hostname with a newline
// and a # stay text.
func MarkdownText(s string) string {
	s = mdEscaper.Replace(Line(s))
	if !strings.Contains(s, "_") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && !(i > 0 && i+1 < len(s) && wordByte(s[i-1]) && wordByte(s[i+1])) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// markdownBlock is MarkdownText for a value that starts a paragraph, where
// a leading -, +, =, a number and a dot, or indentation would open a list,
// a heading underline or a code block.
func markdownBlock(s string) string {
	s = MarkdownText(strings.TrimLeft(s, " "))
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=':
		return `\` + s
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') && (i+1 == len(s) || s[i+1] == ' ') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

// markdownLink is an autolink for an https URL that can be one, and
// escaped text for anything else (a javascript: URL stays text).
func markdownLink(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(s, " <>\"'`\\") || Line(s) != s {
		return MarkdownText(s)
	}
	return "<" + s + ">"
}

// HTMLText is s neutralised and escaped for HTML text or an attribute
// value, for renderers that do not go through html/template (which
// escapes on its own; pass it Line(s)).
func HTMLText(s string) string { return html.EscapeString(Line(s)) }

// neutral returns rep with every text value neutralised for the human
// formats: what the terminal or the reader sees is exactly the value,
// escapes visible, and nothing it could obey. Data is left alone: the
// Markdown report shows it as JSON, which escapes it, then neutralises it
// line by line.
func neutral(rep Report) Report {
	out := rep
	out.Version = Line(rep.Version)
	out.Apps = make([]string, len(rep.Apps))
	for i, a := range rep.Apps {
		out.Apps[i] = Line(a)
	}
	out.Checks = make([]Finding, len(rep.Checks))
	for i, f := range rep.Checks {
		f.Check, f.App, f.Subject, f.Code = Line(f.Check), Line(f.App), Line(f.Subject), Line(f.Code)
		f.Summary, f.Detail, f.Remedy, f.Docs = Line(f.Summary), Line(f.Detail), Line(f.Remedy), Line(f.Docs)
		// A baseline is a file from outside too: what it says was is shown as read.
		f.Change, f.PreviousStatus, f.Fingerprint = Change(Line(string(f.Change))), Status(Line(string(f.PreviousStatus))), Line(f.Fingerprint)
		out.Checks[i] = f
	}
	out.Sections = make([]Section, len(rep.Sections))
	for i, s := range rep.Sections {
		ns := Section{Title: Line(s.Title), Text: Lines(s.Text)}
		for _, h := range s.Header {
			ns.Header = append(ns.Header, Line(h))
		}
		for _, row := range s.Rows {
			nr := make([]string, len(row))
			for j, c := range row {
				nr[j] = Line(c)
			}
			ns.Rows = append(ns.Rows, nr)
		}
		out.Sections[i] = ns
	}
	if rep.Baseline != nil {
		b := *rep.Baseline
		b.Version = Line(b.Version)
		out.Baseline = &b
	}
	out.Notes = make([]string, len(rep.Notes))
	for i, n := range rep.Notes {
		out.Notes[i] = Line(n)
	}
	out.Timelines = make([]Timeline, len(rep.Timelines))
	for i, t := range rep.Timelines {
		out.Timelines[i] = t.mapText(Line)
	}
	return out
}
