package report

import (
	"fmt"
	"io"
	"testing"
	"time"
)

// report50 is a 50-app report of the size diagnose makes.
func report50() Report {
	var fs []Finding
	for a := range 50 {
		app := fmt.Sprintf("acme-%02d", a)
		for _, f := range sampleFindings() {
			for d := range 8 {
				g := f
				g.App = app
				g.Subject = fmt.Sprintf("%s-%d", f.Subject, d)
				fs = append(fs, g)
			}
		}
	}
	apps := make([]string, 50)
	for i := range apps {
		apps[i] = fmt.Sprintf("acme-%02d", i)
	}
	return New(Meta{Version: "1.2.3", GeneratedAt: genTime, Apps: apps, Duration: 1600 * time.Millisecond}, fs)
}

func benchRender(b *testing.B, f Format) {
	r := report50()
	red := NewRedactor("s3cr3t-token-value")
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, r, RenderOptions{Format: f, Redactor: red}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender50AppsText(b *testing.B)     { benchRender(b, FormatText) }
func BenchmarkRender50AppsJSON(b *testing.B)     { benchRender(b, FormatJSON) }
func BenchmarkRender50AppsMarkdown(b *testing.B) { benchRender(b, FormatMarkdown) }

func BenchmarkRedactString(b *testing.B) {
	r := NewRedactor("s3cr3t-token-value", "another-config-value")
	s := "shop.acme.com is a CNAME to acme-prod.herokuapp.com, not to its DNS target mammoth-1234.herokudns.com (see heroku domains -a acme-prod)"
	b.ReportAllocs()
	for b.Loop() {
		r.String(s)
	}
}
