package report

import (
	"bytes"
	"context"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/browser"
	"github.com/heroku-checkup/heroku-checkup/internal/golden"
)

// hostileTimeline is a timeline whose outside values (a release
// description, a dyno name, an event's text) hold markup and controls.
func hostileTimeline() Timeline {
	t := sampleTimeline()
	t.App = "acme-prod"
	t.Releases[0].Description = script + " " + osc52
	t.Releases[0].Comparison.Note = "note " + jsLink + csi
	t.Memory[1].Dyno = "web.2" + rlo + "<img src=https://evil.example/x.png>"
	t.Events[0].Text = "Deploy " + script + cr
	return t
}

// TestHostileHTMLGolden: the HTML report of hostile values, as a reader gets it.
func TestHostileHTMLGolden(t *testing.T) {
	r := hostileReport()
	var buf bytes.Buffer
	if err := Render(&buf, r, RenderOptions{Format: FormatHTML}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "report.hostile.html.golden", buf.Bytes())
	out := buf.String()
	for _, bad := range []string{"<script", "<img", "\x1b", "\u202e", `href="javascript`, "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("the HTML report holds %q raw", bad)
		}
	}
}

// TestHTMLInChromium opens HTML reports in headless Chromium: the report
// of sampleReport compared with its baseline, and the hostile one. Each
// must draw (its screenshot is not blank, and shows the 5xx red of the
// charts), ask the network for nothing but itself, log no console message
// or error, hold no script, show the hostile values as text, and print.
func TestHTMLInChromium(t *testing.T) {
	if _, err := browser.Find(); err != nil {
		t.Fatal(err)
	}
	hostile := hostileReport()
	dir := t.TempDir()
	for _, c := range []struct {
		name   string
		report Report
		texts  []string // shown as text
		order  bool     // in this order
	}{
		{"compared", comparedReport(t), []string{"Changed since 2026-11-23 09:00:00 UTC", "Timeline of acme-prod", "Requests per minute",
			"v42", "Releases: the router lines before and after each", "Problems (3)", "shop.acme.com"}, true},
		{"hostile", hostile, []string{"<script>alert(document.cookie)</script> \\x1b]52;c;", "web.2\\u202e",
			"release v42 failed: <script>alert(document.cookie)</script> [click here](javascript:alert(1))", "ok\\r✖ OVERWRITTEN"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".html")
			var buf bytes.Buffer
			if err := Render(&buf, c.report, RenderOptions{Format: FormatHTML}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			p, err := browser.Open(ctx, path, 1100)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Faults(color.RGBA{0xcf, 0x22, 0x2e, 0xff}) { // the 5xx red
				t.Error(f)
			}
			if len(p.Requests) > 0 && !strings.HasSuffix(p.Requests[0], "/"+c.name+".html") {
				t.Errorf("the page's request %q is not the file", p.Requests[0])
			}
			if p.SVGs < 3 || p.Charset != "UTF-8" || p.Height < 900 {
				t.Errorf("%d svg charts, charset %s, %d px high", p.SVGs, p.Charset, p.Height)
			}
			last := -1
			for _, want := range c.texts {
				i := strings.Index(p.Text, want)
				if i < 0 {
					t.Errorf("the page does not show %q", want)
				} else if c.order && i < last {
					t.Errorf("%q comes before what precedes it", want)
				}
				last = max(last, i)
			}
			if !bytes.HasPrefix(p.PDF, []byte("%PDF-")) || bytes.Count(p.PDF, []byte("/Type /Page")) < 2 {
				t.Errorf("the print is not a PDF of two pages or more (%d bytes)", len(p.PDF))
			}
			if os.Getenv("HEROKU_CHECKUP_KEEP_SCREENSHOTS") != "" {
				_ = os.WriteFile(filepath.Join(os.Getenv("HEROKU_CHECKUP_KEEP_SCREENSHOTS"), c.name+".png"), p.Screenshot, 0o644)
				_ = os.WriteFile(filepath.Join(os.Getenv("HEROKU_CHECKUP_KEEP_SCREENSHOTS"), c.name+".pdf"), p.PDF, 0o644)
			}
		})
	}
}
