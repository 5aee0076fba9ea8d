package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonCode is the wire form of a catalogue entry (`codes --format json`,
// `explain --format json`).
type jsonCode struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	Status   Status   `json:"status"`
	Title    string   `json:"title"`
	Why      string   `json:"why"`
	Detects  string   `json:"detects"`
	Remedy   string   `json:"remedy"`
	Docs     string   `json:"docs"`
	Source   string   `json:"source"`
}

func toJSONCode(c *Code) jsonCode {
	return jsonCode{ID: c.ID, Category: c.Category, Status: c.Status, Title: c.Title, Why: c.Why, Detects: c.Detects,
		Remedy: c.RemedyFor("", ""), Docs: c.Docs, Source: c.Source}
}

// categoryLabel is an entry's category, or what a general code takes.
func categoryLabel(c *Code) string {
	if c.Category == "" {
		return "any"
	}
	return string(c.Category)
}

// RenderCode writes one entry, as `heroku-checkup explain CODE` prints it.
func RenderCode(w io.Writer, c *Code, format Format) error {
	ew := &errWriter{w: w}
	switch format {
	case FormatJSON:
		return writeJSON(w, toJSONCode(c))
	case FormatMarkdown:
		ew.printf("## %s: %s\n\n", mdText(c.ID), mdText(c.Title))
		ew.printf("Category: %s · default status: %s\n\n", categoryLabel(c), c.Status)
		for _, s := range codeSections(c) {
			text := mdText(s.text)
			if s.head == "Docs" {
				text = markdownLink(s.text)
			}
			ew.printf("**%s.** %s\n\n", s.head, text)
		}
		return ew.err
	case FormatText, "":
		ew.printf("%s  %s · %s\n%s\n", c.ID, c.Status, categoryLabel(c), c.Title)
		for _, s := range codeSections(c) {
			ew.printf("\n%s\n", s.head)
			for _, line := range wrap(s.text, 76) {
				ew.printf("  %s\n", line)
			}
		}
		return ew.err
	}
	return fmt.Errorf("unknown format %q", format)
}

type codeSection struct{ head, text string }

func codeSections(c *Code) []codeSection {
	out := []codeSection{{"Why it matters", c.Why}, {"How heroku-checkup detects it", c.Detects}, {"Remedy", c.RemedyFor("", "")}}
	if c.Docs != "" {
		out = append(out, codeSection{"Docs", c.Docs})
	}
	if c.Source != "" {
		out = append(out, codeSection{"Source", c.Source})
	}
	return out
}

// RenderCodes writes the catalogue, as `heroku-checkup codes` prints it; the
// Markdown table is also the README's.
func RenderCodes(w io.Writer, codes []*Code, format Format) error {
	switch format {
	case FormatJSON:
		out := struct {
			Codes []jsonCode `json:"codes"`
		}{Codes: make([]jsonCode, 0, len(codes))}
		for _, c := range codes {
			out.Codes = append(out.Codes, toJSONCode(c))
		}
		return writeJSON(w, out)
	case FormatMarkdown:
		ew := &errWriter{w: w}
		rows := make([][]string, 0, len(codes))
		for _, c := range codes {
			title := mdText(c.Title)
			if c.Docs != "" {
				title = fmt.Sprintf("[%s](%s)", title, c.Docs)
			}
			rows = append(rows, []string{"`" + c.ID + "`", mdText(categoryLabel(c)), mdText(string(c.Status)), title})
		}
		mdCells(ew, []string{"Code", "Category", "Default status", "Meaning"}, rows, func(s string) string { return s })
		return ew.err
	case FormatText, "":
		rows := make([][]string, 0, len(codes))
		for _, c := range codes {
			rows = append(rows, []string{c.ID, categoryLabel(c), string(c.Status), c.Title})
		}
		return writeTable(w, []string{"Code", "Category", "Default", "Meaning"}, rows, nil)
	}
	return fmt.Errorf("unknown format %q", format)
}

// mdText keeps the catalogue's words literal in Markdown: *.herokuapp.com
// is no emphasis, <larger plan> no HTML tag, [router] no link text.
var mdText = MarkdownText

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// wrap breaks text into lines of at most width runes at spaces (a longer
// word, such as a URL, gets a line of its own).
func wrap(text string, width int) []string {
	var lines []string
	var cur []string
	n := 0
	for _, word := range strings.Fields(text) {
		l := len([]rune(word))
		if n > 0 && n+1+l > width {
			lines = append(lines, strings.Join(cur, " "))
			cur, n = nil, 0
		}
		if n > 0 {
			n++
		}
		cur = append(cur, word)
		n += l
	}
	if len(cur) > 0 {
		lines = append(lines, strings.Join(cur, " "))
	}
	return lines
}
