package logcheck

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// TestTimelineBucketsExact places crafted lines (out of order, across a
// gap, in other UTC offsets, without a timestamp) and checks every bucket.
func TestTimelineBucketsExact(t *testing.T) {
	at := func(min, sec int) time.Time {
		return t0.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	lines := []string{
		// 09:02: three requests, one 500, service 10, 20, 30 ms.
		routerLine(ts(at(2, 1)), "info", "", "GET", "/a", 0, 10, 200, "web.1"),
		routerLine(ts(at(2, 59)), "info", "", "GET", "/a", 0, 30, 500, "web.1"),
		// 09:00, after 09:02 in the file (out of order): an H12 and a 200.
		routerLine(ts(at(0, 30)), "error", "H12", "GET", "/slow", 0, 30000, 503, "web.2"),
		routerLine(ts(at(0, 31)), "info", "", "GET", "/a", 0, 5, 200, "web.1"),
		// 09:02 again, written in +02:00 (11:02 local).
		routerLine("2026-11-23T11:02:30.000000+02:00", "info", "", "GET", "/a", 0, 20, 200, "web.1"),
		// 09:05 (after a gap at 09:03 and 09:04), in Z: a client abort (not
		// timed, out of the release counts) and H80 (maintenance: counted,
		// out of the release counts).
		"2026-11-23T09:05:10Z heroku[router]: sock=client at=warning code=H27 desc=\"Client Request Interrupted\" method=POST path=\"/\" host=a.example fwd=1.2.3.4 dyno=web.1 connect=1ms service=0ms status=499 bytes=0",
		routerLine(ts(at(5, 20)), "error", "H80", "GET", "/", 0, 0, 503, ""),
		// No timestamp, and Papertrail's viewer time: counted, not placed.
		`heroku[router]: at=info method=GET path="/" host=a.example fwd=1.2.3.4 dyno=web.1 connect=1ms service=7ms status=200 bytes=1`,
		`Jan 08 10:55:11 myapp heroku/router:  at=info method=GET path="/" host=a.example fwd=1.2.3.4 dyno=web.1 connect=1ms service=7ms status=200 bytes=1`,
		// Memory at 09:01 and 09:02, and the dyno manager's line at 09:05.
		ts(at(1, 0)) + " heroku[web.1]: source=web.1 sample#memory_total=300.50MB sample#memory_rss=290.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB",
		ts(at(2, 0)) + " heroku[web.1]: source=web.1 sample#memory_total=410.25MB sample#memory_rss=400.00MB sample#memory_swap=1.50MB sample#memory_quota=512.00MB",
		ts(at(2, 30)) + " heroku[web.1]: source=web.1 sample#memory_total=405.00MB sample#memory_rss=395.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB",
		ts(at(5, 0)) + " heroku[web.2]: Process running mem=1024M(200.0%)",
		// Events: a deploy and its release, a restart, a crash, scaling, a config change.
		ts(at(1, 10)) + " app[api]: Deploy 2c3d4e5 by user ops@acme.example",
		ts(at(1, 10)) + " app[api]: Release v42 created by user ops@acme.example",
		ts(at(1, 20)) + " heroku[web.1]: Restarting",
		ts(at(1, 21)) + " heroku[web.1]: State changed from up to starting",
		ts(at(5, 40)) + " heroku[web.2]: State changed from up to crashed",
		ts(at(5, 50)) + " app[api]: Scaled to web@3:Standard-1X by user ops@acme.example",
		"heroku[api]: Set FOO config vars by ops@acme.example", // untimed
	}
	s := analyse(lines...)
	tl := s.Report("acme-prod", DefaultThresholds)
	if tl.BucketSeconds != 60 || len(tl.Buckets) != 6 || !tl.Buckets[0].T.Equal(t0) {
		t.Fatalf("buckets: %d of %ds from %s", len(tl.Buckets), tl.BucketSeconds, tl.Start())
	}
	type b struct{ req, e5, h, timed, crashes, restarts int }
	want := []b{
		{req: 2, e5: 1, h: 1, timed: 2},   // 09:00
		{restarts: 1},                     // 09:01
		{req: 3, e5: 1, timed: 3},         // 09:02
		{},                                // 09:03 (gap)
		{},                                // 09:04 (gap)
		{req: 2, e5: 1, h: 2, crashes: 1}, // 09:05: H27 (499) and H80 (503)
	}
	for i, w := range want {
		g := tl.Buckets[i]
		got := b{g.Requests, g.Status5xx, g.HErrors, g.Timed, g.Crashes, g.Restarts}
		if got != w {
			t.Errorf("bucket %s: %+v, want %+v", g.T.Format("15:04"), got, w)
		}
	}
	// Values under 32 ms are exact: 09:00 holds 30000 and 5, 09:02 holds 10, 20, 30.
	if g := tl.Buckets[2]; g.P50 != 20 || g.P95 != 30 {
		t.Errorf("09:02 p50 %v p95 %v, want 20 and 30", g.P50, g.P95)
	}
	if g := tl.Buckets[0]; g.P50 != 5 || g.P95 != 30000 {
		t.Errorf("09:00 p50 %v p95 %v, want 5 and 30000 (the maximum, exactly)", g.P50, g.P95)
	}
	if tl.Buckets[3].Timed != 0 {
		t.Error("a gap has no timed request")
	}
	if tl.Untimed != 3 {
		t.Errorf("untimed %d, want 3 (no timestamp, viewer time, the config line)", tl.Untimed)
	}
	wantMem := []report.DynoMemory{
		{Dyno: "web.1", Points: []report.MemoryPoint{
			{T: at(1, 0), TotalMB: 300.5, RSSMB: 290, SwapMB: 0, QuotaMB: 512},
			{T: at(2, 0), TotalMB: 410.25, RSSMB: 400, SwapMB: 1.5, QuotaMB: 512}}},
		{Dyno: "web.2", Points: []report.MemoryPoint{{T: at(5, 0), TotalMB: 1024, QuotaMB: 512}}},
	}
	if !reflect.DeepEqual(tl.Memory, wantMem) {
		t.Errorf("memory %+v\nwant %+v", tl.Memory, wantMem)
	}
	if len(tl.Releases) != 1 || tl.Releases[0].Version != 42 || !tl.Releases[0].At.Equal(at(1, 10)) || tl.Releases[0].Description != "Deploy 2c3d4e5" {
		t.Errorf("releases %+v", tl.Releases)
	}
	var kinds []string
	for _, e := range tl.Events {
		kinds = append(kinds, e.T.Format("15:04:05")+" "+e.Kind+" "+e.Dyno)
	}
	wantKinds := []string{"09:01:10 deploy ", "09:01:10 release ", "09:01:21 restart web.1", "09:05:40 crash web.2", "09:05:50 scale "}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("events %q\nwant %q", kinds, wantKinds)
	}
}

// TestTimelineAPIEventsOfTheCorpus reads the corpus's API lines (real,
// 2012-2024) as events and releases.
func TestTimelineAPIEventsOfTheCorpus(t *testing.T) {
	s := analyse(corpusLines(t, "api-events.txt")...)
	count := map[string]int{}
	for _, e := range s.Timeline.Changes {
		count[string(e.Kind)]++
	}
	want := map[string]int{"deploy": 5, "config": 2, "scale": 4, "rollback": 1, "release": 10}
	if !reflect.DeepEqual(count, want) {
		t.Errorf("events %v, want %v", count, want)
	}
	var vs []int
	for _, r := range s.Timeline.Releases {
		vs = append(vs, r.Version)
	}
	if !slices.Equal(vs, []int{1, 7, 7, 4, 1, 2, 3, 3, 6, 9}) {
		t.Errorf("releases %v", vs)
	}
	// v9 is the rollback's release; the 2024 v3's description is the
	// config change logged beside it (after it, at the same time).
	for _, r := range s.Timeline.releases() {
		switch {
		case r.Version == 9 && r.Description != "Rollback to v7":
			t.Errorf("v9: %q", r.Description)
		case r.Version == 3 && r.At.Year() == 2024 && !strings.HasPrefix(r.Description, "Set LANG, RACK_ENV"):
			t.Errorf("v3: %q", r.Description)
		}
	}
	if s.Timeline.Dynos[0].Kind != EventRestart || s.Timeline.Dynos[0].Dyno != "web.1" {
		t.Errorf("restart: %+v", s.Timeline.Dynos)
	}
}

// TestTimelineCoarsens: ten hours of minutes do not fit 360 buckets; they
// become 5-minute buckets, aligned on the clock, with every count kept.
func TestTimelineCoarsens(t *testing.T) {
	var lines []string
	for m := range 600 {
		for j := range 3 {
			status := 200
			if j == 0 && m%7 == 0 {
				status = 502
			}
			lines = append(lines, routerLine(ts(t0.Add(time.Duration(m)*time.Minute+time.Duration(j)*time.Second)), "info", "", "GET", "/", 0, 10+m%20, status, "web.1"))
		}
	}
	s := analyse(lines...)
	tl := s.Report("", DefaultThresholds)
	if tl.BucketSeconds != 300 || len(tl.Buckets) != 120 {
		t.Fatalf("%d buckets of %ds", len(tl.Buckets), tl.BucketSeconds)
	}
	total, e5 := 0, 0
	for i, b := range tl.Buckets {
		if !b.T.Equal(t0.Add(time.Duration(i) * 5 * time.Minute)) {
			t.Fatalf("bucket %d starts at %s", i, b.T)
		}
		if b.Requests != 15 {
			t.Errorf("bucket %d: %d requests, want 15", i, b.Requests)
		}
		total += b.Requests
		e5 += b.Status5xx
	}
	if total != 1800 || e5 != 86 {
		t.Errorf("%d requests, %d 5xx; want 1800 and 86", total, e5)
	}
	// A week: 30-minute buckets; a year: a day each. Never more than 360.
	for _, span := range []time.Duration{7 * 24 * time.Hour, 365 * 24 * time.Hour} {
		a := NewAnalyzer()
		for i := range 2000 {
			a.Line([]byte(routerLine(ts(t0.Add(span/2000*time.Duration(i))), "info", "", "GET", "/", 0, 10, 200, "web.1")))
		}
		tl := a.Stats().Report("", DefaultThresholds)
		if len(tl.Buckets) > maxBuckets || tl.BucketSeconds*len(tl.Buckets) < int(span.Seconds()) {
			t.Errorf("%s: %d buckets of %ds", span, len(tl.Buckets), tl.BucketSeconds)
		}
	}
}

// TestTimelineIgnoresBrokenYears: a timestamp of 1970 or 2200 is counted,
// not placed (it would stretch the buckets over centuries).
func TestTimelineIgnoresBrokenYears(t *testing.T) {
	s := analyse(
		routerLine(ts(t0), "info", "", "GET", "/", 0, 10, 200, "web.1"),
		routerLine("1970-01-01T00:00:00Z", "info", "", "GET", "/", 0, 10, 200, "web.1"),
		routerLine("2200-01-01T00:00:00Z", "info", "", "GET", "/", 0, 10, 200, "web.1"),
	)
	if tl := s.Report("", DefaultThresholds); len(tl.Buckets) != 1 || tl.BucketSeconds != 60 || tl.Untimed != 2 {
		t.Errorf("%d buckets of %ds, %d untimed", len(tl.Buckets), tl.BucketSeconds, tl.Untimed)
	}
}

// TestTimelineMergeIsExact: two analyses of interleaved halves of a log
// (as the parallel reader's workers make them), merged, give the
// timeline of one analysis of the whole, whatever the order of the lines.
func TestTimelineMergeIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 17))
	var lines []string
	for i := range 3000 {
		// Eight hours, shuffled: the halves need wider buckets at different moments.
		at := t0.Add(time.Duration(r.IntN(8*3600)) * time.Second)
		status := []int{200, 200, 200, 500, 404}[r.IntN(5)]
		lines = append(lines, routerLine(ts(at), "info", "", "GET", "/", 0, r.IntN(3000), status, fmt.Sprintf("web.%d", 1+i%3)))
		if i%10 == 0 {
			lines = append(lines, fmt.Sprintf("%s heroku[web.%d]: source=web.%d sample#memory_total=%d.00MB sample#memory_rss=1.00MB sample#memory_quota=512.00MB", ts(at), 1+(i/10)%20, 1+(i/10)%20, 100+i%300))
		}
	}
	whole := analyse(lines...)
	var a, b []string
	for i, l := range lines {
		if (i/100)%2 == 0 {
			a = append(a, l)
		} else {
			b = append(b, l)
		}
	}
	merged := analyse(a...)
	merged.Merge(analyse(b...))
	w, m := whole.Report("x", DefaultThresholds), merged.Report("x", DefaultThresholds)
	// Which dynos fill the 16 memory slots depends on which half saw them
	// first; the buckets do not.
	if !reflect.DeepEqual(w.Buckets, m.Buckets) {
		t.Errorf("merged buckets differ from the whole's")
	}
	if len(m.Memory) != maxTimelineDynos || m.Dropped == 0 {
		t.Errorf("%d dynos with memory, %d dropped: want %d and the rest counted", len(m.Memory), m.Dropped, maxTimelineDynos)
	}
	// The parallel reader gives the same buckets with one worker or four.
	in := strings.Join(slices.Repeat(lines, 1), "\n") + "\n"
	one, err := ReadParallel(context.Background(), strings.NewReader(in), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Report("x", DefaultThresholds).Buckets, w.Buckets) {
		t.Error("ReadParallel's buckets differ")
	}
}

// TestTimelineAllocatesPerBucketNotPerLine: a log over 300 minutes
// allocates its buckets once, at its first line, never per line or per
// bucket.
func TestTimelineAllocatesPerBucketNotPerLine(t *testing.T) {
	a := NewAnalyzer()
	var lines [][]byte
	for i := range 30000 {
		lines = append(lines, []byte(routerLine(ts(t0.Add(time.Duration(i)*600*time.Millisecond)), "info", "", "GET", "/users/123", 1, 42, 200, "web.1")))
	}
	a.Line(lines[0])
	i := 1
	allocs := testing.AllocsPerRun(len(lines)-2, func() { a.Line(lines[i]); i++ })
	if total := allocs * float64(len(lines)-2); total > 2 {
		t.Errorf("%.0f allocations for %d lines over 300 minutes, want none after the first line", total, len(lines))
	}
}

// traffic is a crafted stretch of router lines: perMin requests a minute
// for minutes minutes from start, the first fail of each minute a 500,
// the others' service time service(minute).
func traffic(start time.Time, minutes, perMin int, fail func(m int) int, service func(m, j int) int) []string {
	var out []string
	for m := range minutes {
		for j := range perMin {
			at := start.Add(time.Duration(m)*time.Minute + time.Duration(j)*time.Minute/time.Duration(perMin))
			status := 200
			if j < fail(m) {
				status = 500
			}
			out = append(out, routerLine(ts(at), "info", "", "GET", "/items/1", 1, service(m, j), status, "web.1"))
		}
	}
	return out
}

func deploy(at time.Time, v int, sha string) []string {
	return []string{
		ts(at) + " app[api]: Deploy " + sha + " by user ops@acme.example",
		ts(at) + fmt.Sprintf(" app[api]: Release v%d created by user ops@acme.example", v),
	}
}

func constant(n int) func(int) int  { return func(int) int { return n } }
func svc(ms int) func(int, int) int { return func(_, j int) int { return ms + j%7 } }
func releasesCheck(t *testing.T, fs []report.Finding) report.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Check == "logs.releases" && f.Subject == "releases" {
			return f
		}
	}
	t.Fatalf("no logs.releases summary among %d findings", len(fs))
	return report.Finding{}
}

// TestDeployRegression: a regression is found on a crafted bad deploy, and
// not on a harmless one, an improvement, one noisy minute, maintenance
// mode around a deploy, or too small a sample.
func TestDeployRegression(t *testing.T) {
	rel := t0.Add(30*time.Minute + 20*time.Second)
	before := func(fail int, ms int) []string { return traffic(t0, 30, 100, constant(fail), svc(ms)) }
	after := func(fail func(int) int, ms func(int, int) int) []string {
		return traffic(t0.Add(31*time.Minute), 30, 100, fail, ms)
	}
	run := func(lines ...[]string) []report.Finding {
		return Judge(analyse(slices.Concat(lines...)...), "acme-prod", DefaultThresholds)
	}

	t.Run("5xx up after a deploy", func(t *testing.T) {
		fs := run(before(1, 80), deploy(rel, 42, "2c3d4e5"), after(constant(8), svc(80)))
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42")
		if !ok {
			t.Fatalf("no DEPLOY_REGRESSION: %v", fs)
		}
		if f.Status != report.StatusCritical || f.Check != "logs.releases" {
			t.Errorf("%s %s, want critical logs.releases (5xx from 1%% to 8%%)", f.Status, f.Check)
		}
		for _, s := range []string{"heroku releases:info v42 -a acme-prod", "heroku releases:rollback v41 -a acme-prod"} {
			if !strings.Contains(f.Remedy, s) {
				t.Errorf("remedy %q lacks %q", f.Remedy, s)
			}
		}
		if !strings.Contains(f.Summary, "5xx 1.0% → 8.0%") || !strings.Contains(f.Summary, "Deploy 2c3d4e5") {
			t.Errorf("summary %q", f.Summary)
		}
		w := f.Data["window"].(map[string]any)
		b, a := w["before"].(map[string]any), w["after"].(map[string]any)
		if b["requests"] != 3000 || b["status_5xx"] != 30 || a["requests"] != 3000 || a["status_5xx"] != 240 || w["seconds"] != 1800 {
			t.Errorf("window %v", w)
		}
		if b["from"] != "2026-11-23T09:00:00Z" || b["to"] != "2026-11-23T09:30:00Z" || a["from"] != "2026-11-23T09:31:00Z" || a["to"] != "2026-11-23T10:01:00Z" {
			t.Errorf("window times %v .. %v, %v .. %v", b["from"], b["to"], a["from"], a["to"])
		}
		if !slices.Equal(f.Data["regressed"].([]string), []string{"5xx"}) {
			t.Errorf("regressed %v", f.Data["regressed"])
		}
	})

	t.Run("slower after a deploy", func(t *testing.T) {
		fs := run(before(0, 100), deploy(rel, 42, "2c3d4e5"), after(constant(0), svc(600)))
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42")
		if !ok || f.Status != report.StatusWarning || !strings.Contains(f.Summary, "p95 service time") {
			t.Fatalf("%v %+v", ok, f)
		}
	})

	t.Run("a little worse is a warning, much worse critical", func(t *testing.T) {
		fs := run(before(0, 100), deploy(rel, 42, "2c3d4e5"), after(constant(3), svc(100)))
		if f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42"); !ok || f.Status != report.StatusWarning {
			t.Errorf("0%% to 3%%: %v %s", ok, f.Status)
		}
		fs = run(before(0, 100), deploy(rel, 42, "2c3d4e5"), after(constant(0), svc(1500)))
		if f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42"); !ok || f.Status != report.StatusCritical {
			t.Errorf("p95 100 to 1500 ms: %v %s", ok, f.Status)
		}
	})

	quiet := func(t *testing.T, fs []report.Finding, verdict string) {
		t.Helper()
		if f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, ""); ok {
			t.Fatalf("DEPLOY_REGRESSION: %s", f.Summary)
		}
		f := releasesCheck(t, fs)
		rows := f.Data["releases"].([]any)
		if len(rows) != 1 || rows[0].(map[string]any)["verdict"] != verdict {
			t.Errorf("%s: %v", f.Summary, rows)
		}
	}
	t.Run("harmless deploy", func(t *testing.T) {
		// Same rate, random noise on both sides.
		r := rand.New(rand.NewPCG(1, 2))
		noisy := func(int) int { return r.IntN(4) }
		fs := run(traffic(t0, 30, 100, noisy, svc(90)), deploy(rel, 42, "2c3d4e5"), after(noisy, svc(95)))
		quiet(t, fs, report.VerdictNone)
		if f := releasesCheck(t, fs); f.Status != report.StatusOK {
			t.Errorf("releases check %s", f.Status)
		}
	})
	t.Run("improvement", func(t *testing.T) {
		quiet(t, run(before(6, 900), deploy(rel, 42, "2c3d4e5"), after(constant(0), svc(100))), report.VerdictImproved)
	})
	t.Run("one noisy minute", func(t *testing.T) {
		spike := func(m int) int {
			if m == 10 {
				return 90
			}
			return 1
		}
		fs := run(before(1, 80), deploy(rel, 42, "2c3d4e5"), after(spike, svc(80)))
		quiet(t, fs, report.VerdictNone)
		if f := releasesCheck(t, fs); !strings.Contains(fmt.Sprint(f.Data), "the rise is one minute's (09:41)") {
			t.Errorf("the note does not name the minute: %v", f.Data)
		}
	})
	t.Run("maintenance mode around a deploy", func(t *testing.T) {
		var h80 []string
		for i := range 300 {
			h80 = append(h80, routerLine(ts(rel.Add(time.Minute+time.Duration(i)*time.Second)), "error", "H80", "GET", "/", 0, 0, 503, ""))
		}
		quiet(t, run(before(0, 80), deploy(rel, 42, "2c3d4e5"), h80, after(constant(0), svc(80))), report.VerdictNone)
	})
	t.Run("two releases in one minute are compared as one", func(t *testing.T) {
		fs := run(before(1, 80), deploy(rel, 42, "2c3d4e5"), deploy(rel.Add(20*time.Second), 43, "3d4e5f6"), after(constant(8), svc(80)))
		// The later one carries the finding, and says v42 shared its minute.
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v43")
		if !ok || !strings.Contains(f.Summary, "released in the same minute as v42: compared as one") {
			t.Errorf("v43: %v %+v", ok, f)
		}
		if _, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42"); ok {
			t.Error("v42 compared on its own too")
		}
	})
	t.Run("too small a sample, in 5-minute buckets", func(t *testing.T) {
		// Seven hours of logs: 5-minute buckets; v42 ten minutes before
		// their end leaves two buckets after it, of the three needed.
		long := traffic(t0, 420, 2, constant(0), svc(80))
		end := t0.Add(410 * time.Minute)
		fs := run(long, deploy(end, 42, "2c3d4e5"))
		f := releasesCheck(t, fs)
		if !strings.Contains(fmt.Sprint(f.Data), "before another release or the logs' end (15 minutes needed)") || !strings.Contains(f.Summary, "5-minute buckets") {
			t.Errorf("%s %v", f.Summary, f.Data)
		}
	})
	t.Run("too small a sample", func(t *testing.T) {
		fs := run(traffic(t0, 30, 3, constant(0), svc(80)), deploy(rel, 42, "2c3d4e5"), traffic(t0.Add(31*time.Minute), 30, 3, constant(2), svc(80)))
		quiet(t, fs, report.VerdictTooSmall)
		if f := releasesCheck(t, fs); f.Status != report.StatusSkipped || !strings.Contains(fmt.Sprint(f.Data), "90 requests before and 90 after it (200 needed on each side)") {
			t.Errorf("%s %v", f.Status, f.Data)
		}
	})
	t.Run("too close to the logs' start", func(t *testing.T) {
		fs := run(traffic(t0, 2, 300, constant(0), svc(80)), deploy(t0.Add(2*time.Minute+10*time.Second), 42, "x"), after(constant(30), svc(80)))
		quiet(t, fs, report.VerdictTooSmall)
	})

	t.Run("the API's releases, a failed one skipped", func(t *testing.T) {
		s := analyse(slices.Concat(before(0, 80), after(constant(10), svc(80)))...)
		s.AddReleases([]Release{
			{Version: 40, At: t0.Add(-2 * time.Hour), Description: "Deploy aaaa"},
			{Version: 41, At: t0.Add(10 * time.Minute), Description: "Set FOO config vars", Failed: true},
			{Version: 42, At: rel, Description: "Deploy 9f8e7d6"},
		})
		fs := Judge(s, "acme-prod", DefaultThresholds)
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42")
		if !ok {
			t.Fatalf("no regression from the API's release: %v", fs)
		}
		// v41 failed (it never ran): the rollback goes to v40.
		if !strings.Contains(f.Remedy, "heroku releases:rollback v40 -a acme-prod") || f.Data["source"] != "platform api" {
			t.Errorf("%q %v", f.Remedy, f.Data["source"])
		}
		tl := s.Report("acme-prod", DefaultThresholds)
		if len(tl.Releases) != 1 || tl.Releases[0].Version != 42 || tl.Releases[0].Comparison == nil || tl.Releases[0].Comparison.Verdict != report.VerdictRegression {
			t.Errorf("timeline releases %+v (v40 is outside the window, v41 failed)", tl.Releases)
		}
	})

	t.Run("a release whose release phase failed, from the logs alone", func(t *testing.T) {
		// v42 failed (it never ran): the errors after it are v41's, and the
		// rollback from v41 goes to v40.
		failed := []string{
			ts(rel.Add(-10*time.Minute)) + " app[api]: Release v41 created by user ops@acme.example",
			ts(rel) + " app[api]: Release v42 created by user ops@acme.example",
			ts(rel.Add(40*time.Second)) + " app[api]: Release v42 command failed by user ops@acme.example",
		}
		fs := run(before(0, 80), failed, after(constant(9), svc(80)))
		if _, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42"); ok {
			t.Error("a failed release blamed")
		}
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v41")
		if !ok || !strings.Contains(f.Remedy, "heroku releases:rollback v40 -a acme-prod") {
			t.Errorf("v41: %v %q", ok, f.Remedy)
		}
	})

	t.Run("two releases, windows kept apart", func(t *testing.T) {
		// v42 is fine; v43, 20 minutes later, breaks: v42's after-window
		// stops before v43, and v43's before-window starts after v42.
		lines := slices.Concat(traffic(t0, 60, 100, func(m int) int {
			if m > 50 {
				return 10
			}
			return 0
		}, svc(80)), deploy(t0.Add(30*time.Minute+5*time.Second), 42, "aaaa111"), deploy(t0.Add(50*time.Minute+5*time.Second), 43, "bbbb222"))
		fs := Judge(analyse(lines...), "acme-prod", DefaultThresholds)
		if _, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v42"); ok {
			t.Error("v42 blamed for v43's errors")
		}
		f, ok := reporttest.Find(t, fs, codes.DeployRegression.ID, "v43")
		if !ok {
			t.Fatalf("v43 not found: %v", releasesCheck(t, fs).Data)
		}
		if f.Data["window"].(map[string]any)["seconds"] != 540 { // 9 minutes: v43's after-window is the rest of the logs
			t.Errorf("window %v", f.Data["window"])
		}
	})
}

// TestReleaseEventsAsLogged: a release's event is its line as written (a
// failed release phase says so, not "created"), and stays when the
// Platform API's list replaces the logs' releases of the same versions.
func TestReleaseEventsAsLogged(t *testing.T) {
	s := analyse(
		ts(t0)+" app[api]: Release v41 created by user ops@acme.example",
		ts(t0.Add(time.Minute))+" app[api]: Release v42 command failed by user ops@acme.example",
		routerLine(ts(t0.Add(2*time.Minute)), "info", "", "GET", "/", 1, 20, 200, "web.1"),
	)
	s.AddReleases([]Release{{Version: 41, At: t0, Description: "Deploy 2c3d4e5"}, {Version: 42, At: t0.Add(time.Minute), Failed: true}})
	var texts []string
	for _, e := range s.Report("acme-prod", DefaultThresholds).Events {
		if e.Kind == string(EventRelease) {
			texts = append(texts, e.Text)
		}
	}
	want := []string{"Release v41 created by user ops@acme.example", "Release v42 command failed by user ops@acme.example"}
	if !slices.Equal(texts, want) {
		t.Errorf("release events %q, want %q", texts, want)
	}
}

// TestNoWindowNoReleases: a log whose lines could not be placed (Papertrail
// viewer times have no year) has no window, so none of the API's releases
// is inside it.
func TestNoWindowNoReleases(t *testing.T) {
	s := analyse("Jan  8 10:55:11 acme-prod heroku/router: at=info method=GET path=\"/\" host=a dyno=web.1 connect=1ms service=5ms status=200 bytes=10")
	s.AddReleases([]Release{{Version: 7, At: t0.Add(-900 * time.Hour), Description: "Deploy 1a2b3c4"}})
	tl := s.Report("acme-prod", DefaultThresholds)
	if tl == nil || len(tl.Buckets) != 0 || len(tl.Releases) != 0 || tl.BucketSeconds != 60 {
		t.Fatalf("timeline %+v, want no buckets, no releases, 60-second buckets", tl)
	}
}

// TestTimelineEventCaps: restarts past maxDynoEvents are counted in their
// buckets and as dropped, not listed, in one timeline and across a merge.
func TestTimelineEventCaps(t *testing.T) {
	var a, b Timeline
	for i := range 200 {
		a.dynoEvent(t0.Add(time.Duration(i)*time.Second), EventRestart, []byte("web.1"), []byte("State changed from up to starting"))
	}
	for i := range 100 {
		b.dynoEvent(t0.Add(time.Duration(i)*time.Second), EventRestart, []byte("web.2"), []byte("State changed from up to starting"))
	}
	a.merge(&b)
	restarts := 0
	for i := range a.b {
		restarts += int(a.b[i].restarts)
	}
	if len(a.Dynos) != maxDynoEvents || a.EventsDropped != 300-maxDynoEvents || restarts != 300 {
		t.Errorf("%d listed, %d dropped, %d counted; want %d, %d, 300", len(a.Dynos), a.EventsDropped, restarts, maxDynoEvents, 300-maxDynoEvents)
	}
}
