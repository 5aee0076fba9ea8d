package report

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
)

// sampleTimeline is 45 minutes of acme-prod's router lines: 5xx and p95 up
// after v42 (a regression), a gap of two minutes, two dynos' memory against
// a 512 MB quota, a restart and a crash.
func sampleTimeline() Timeline {
	start := genTime.Add(-50 * time.Minute)
	t := Timeline{App: "acme-prod", BucketSeconds: 60, Untimed: 2}
	for i := range 45 {
		b := Bucket{T: start.Add(time.Duration(i) * time.Minute), Requests: 90 + (i*37)%25, Timed: 88 + (i*37)%25}
		b.Status5xx, b.P50, b.P95 = 1, 40+float64(i%5), 180+float64((i*13)%40)
		if i >= 20 {
			b.Status5xx, b.HErrors, b.P95 = 6+i%3, i%2, 600+float64((i*17)%200)
		}
		if i == 31 || i == 32 { // a gap
			b = Bucket{T: b.T}
		}
		if i == 20 {
			b.Restarts = 1
		}
		if i == 38 {
			b.Crashes = 1
		}
		t.Buckets = append(t.Buckets, b)
	}
	for _, d := range []string{"web.1", "web.2"} {
		dm := DynoMemory{Dyno: d}
		for i := 0; i < 45; i += 3 {
			mb := 300 + float64(i)*4
			if d == "web.2" {
				mb = 200 + float64(i)
			}
			dm.Points = append(dm.Points, MemoryPoint{T: start.Add(time.Duration(i) * time.Minute), TotalMB: mb, RSSMB: mb - 10, QuotaMB: 512})
		}
		t.Memory = append(t.Memory, dm)
	}
	rel := start.Add(19*time.Minute + 40*time.Second)
	t.Releases = []Release{{Version: 42, At: rel, Description: "Deploy 2c3d4e5", Comparison: &Comparison{
		Verdict: VerdictRegression, Status: StatusCritical, Regressed: []string{"5xx", "p95"}, Note: "5xx 1.0% → 7.0%; p95 service time 199 → 787 ms",
		Before: Window{From: start.Add(10 * time.Minute), To: start.Add(19 * time.Minute), Requests: 900, Status5xx: 9, Timed: 880, P50: 42, P95: 199},
		After:  Window{From: start.Add(20 * time.Minute), To: start.Add(29 * time.Minute), Requests: 910, Status5xx: 64, HErrors: 4, Timed: 900, P50: 44, P95: 787}}}}
	t.Events = []Event{
		{T: rel, Kind: "deploy", Text: "Deploy 2c3d4e5 by user ops@acme.example"},
		{T: rel, Kind: "release", Text: "Release v42 created"},
		{T: rel.Add(3 * time.Second), Kind: "restart", Dyno: "web.1", Text: "State changed from up to starting"},
		{T: start.Add(38 * time.Minute), Kind: "crash", Dyno: "web.2", Text: "State changed from up to crashed"},
	}
	return t
}

// TestTimelineRoundTrip: the JSON report's timeline reads back as it was,
// and validates.
func TestTimelineRoundTrip(t *testing.T) {
	r := sampleReport()
	var buf bytes.Buffer
	if err := Render(&buf, r, RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, buf.Bytes())
	if !strings.Contains(buf.String(), `"p50_ms": null`) {
		t.Error("a gap's percentiles are not null")
	}
	back, err := DecodeJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Timelines, r.Timelines) {
		t.Errorf("read back:\n%+v\nwant\n%+v", back.Timelines, r.Timelines)
	}
}

// TestTimelineInTheHumanReports: the text report's sparkline marks the
// release under its column, the Markdown report has its before/after table.
func TestTimelineInTheHumanReports(t *testing.T) {
	var txt, md bytes.Buffer
	if err := Render(&txt, sampleReport(), RenderOptions{Format: FormatText}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(txt.String(), "\n")
	var reqs, marks string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "  requests  │"):
			reqs = l
		case strings.HasPrefix(l, "  releases  │"):
			marks = l
		}
	}
	if reqs == "" || marks == "" {
		t.Fatalf("no sparkline:\n%s", txt.String())
	}
	// 45 one-minute columns; v42 at minute 19; minutes 31 and 32 empty.
	cols := []rune(strings.TrimPrefix(reqs, "  requests  │"))
	if cols[31] != ' ' || cols[32] != ' ' || cols[30] == ' ' || cols[45] != '│' {
		t.Errorf("requests %q", reqs)
	}
	if m := []rune(strings.TrimPrefix(marks, "  releases  │")); m[19] != '▲' || strings.Count(marks, "▲") != 1 {
		t.Errorf("release marks %q", marks)
	}
	if !strings.Contains(txt.String(), "▲ v42 2026-11-23 09:29:40 Deploy 2c3d4e5 · REGRESSION (5xx, p95)") {
		t.Errorf("release line missing:\n%s", txt.String())
	}
	if err := Render(&md, sampleReport(), RenderOptions{Format: FormatMarkdown}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### v42 · 2026-11-23 09:29:40 UTC · Deploy 2c3d4e5", "| 5xx | 1.0% (9) | 7.0% (64) |",
		"| p95 service time (ms) | 199 | 787 |", "Verdict: **CRITICAL: regression** (5xx, p95)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
