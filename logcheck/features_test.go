package logcheck

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// corpusRange is lines from..to (from 1, inclusive) of a corpus file.
func corpusRange(t testing.TB, file string, from, to int) []string {
	t.Helper()
	return corpusLines(t, file)[from-1 : to]
}

// TestMemoryFromProcessRunning: the dyno manager's "Process running
// mem=1280M(250.0%)", written next to every R14 and R15, is memory evidence
// when there are no runtime metrics (issue 14: a report said "no runtime
// metrics" beside R15s).
func TestMemoryFromProcessRunning(t *testing.T) {
	fs := Judge(analyse(corpusLines(t, "r14-r15.txt")...), "acme-prod", DefaultThresholds)
	web, ok := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "web.1")
	if !ok || web.Status != report.StatusCritical || !strings.Contains(web.Summary, "1280 MB") || !strings.Contains(web.Summary, "(250%)") ||
		!strings.Contains(web.Summary, "Process running") {
		t.Errorf("web.1: %+v", web)
	}
	if w, ok := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "worker.1"); !ok || !strings.Contains(w.Summary, "237%") {
		t.Errorf("worker.1: %+v", w)
	}
	// Lines pasted without their prefix name no dyno, and still count.
	if u, ok := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "unnamed dyno"); !ok || !strings.Contains(u.Summary, "(118%)") {
		t.Errorf("unnamed: %+v", u)
	}
	for _, f := range fs {
		if f.Check == "logs.memory" && f.Status == report.StatusSkipped {
			t.Errorf("memory evidence was there: %s", f.Summary)
		}
	}
}

// TestPapertrailViewerOverQuota is issue 14's first example: a Papertrail
// export of an app at 236% of its memory quota with 698 MB of swap, read
// from the viewer's form (no year, two spaces after the colon).
func TestPapertrailViewerOverQuota(t *testing.T) {
	fs := Judge(analyse(corpusRange(t, "papertrail-viewer.txt", 1, 4)...), "acme-prod", DefaultThresholds)
	st := reporttest.Statuses(t, fs)
	if st["R14"] != report.StatusWarning || st[codes.MemoryNearQuota.ID] != report.StatusCritical || st[codes.MemorySwap.ID] == "" {
		t.Errorf("statuses %v", st)
	}
	m, _ := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "web.1")
	if !strings.Contains(m.Summary, "load average (1 min) up to 0.92") {
		t.Errorf("the load average line is read too: %s", m.Summary)
	}
	r14, _ := reporttest.Find(t, fs, "R14", "R14")
	if !strings.Contains(r14.Summary, "first Jan 08 10:55:11") || !strings.Contains(r14.Summary, "Papertrail's time zone") {
		t.Errorf("viewer times: %s", r14.Summary)
	}
}

// TestSyslogDrainOverQuota is the same over a drain: RFC 5424 frames after
// a receiver's timestamp (issue 14's second example, 110% and 258 MB of swap).
func TestSyslogDrainOverQuota(t *testing.T) {
	fs := Judge(analyse(corpusRange(t, "syslog-rfc5424.txt", 26, 32)...), "acme-prod", DefaultThresholds)
	m, ok := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "web.1")
	if !ok || m.Status != report.StatusCritical || !strings.Contains(m.Summary, "of its 1024 MB quota (111%)") || !strings.Contains(m.Summary, "7.52") {
		t.Errorf("memory: %+v", m)
	}
	if sw, ok := reporttest.Find(t, fs, codes.MemorySwap.ID, "web.1"); !ok || sw.Status != report.StatusCritical {
		t.Errorf("258 MB of swap on a 1024 MB quota: %+v", sw)
	}
	if in, _ := reporttest.FindCheck(t, fs, "logs.input"); in.Status != report.StatusOK || !strings.Contains(in.Summary, "RFC 5424 frames after a receiver's timestamp 7") {
		t.Errorf("input: %s", in.Summary)
	}
}

// TestQuotaPerSample: each sample is judged against the quota it came
// with, so a dyno resized in the window (standard-2x, then standard-1x) is
// not judged on its old peak against its new quota.
func TestQuotaPerSample(t *testing.T) {
	sample := func(ts, total, quota string) string {
		return "2026-11-23T09:" + ts + "+00:00 heroku[web.1]: source=web.1 dyno=heroku.1.2 sample#memory_total=" + total + "MB sample#memory_rss=1.00MB sample#memory_swap=0.00MB sample#memory_quota=" + quota + "MB"
	}
	fs := Judge(analyse(sample("50:00", "900.00", "1024.00"), sample("55:00", "400.00", "512.00")), "acme-prod", DefaultThresholds)
	reporttest.AllOK(t, fs)
	f, _ := reporttest.FindCheck(t, fs, "logs.memory")
	if !strings.Contains(f.Summary, "(88%)") {
		t.Errorf("share: %s", f.Summary)
	}
}

// TestLoadAverageLines: load averages come on their own lines (Dev Center's
// log-runtime-metrics), apart from the memory sample, and are read.
func TestLoadAverageLines(t *testing.T) {
	s := analyse(corpusRange(t, "runtime-metrics.txt", 1, 5)...)
	m := s.Dynos["web.1"]
	if m == nil || m.LoadSamples != 2 || m.Samples != 3 || s.UnreadLines() != 0 {
		t.Fatalf("web.1: %+v", m)
	}
	// A one-off dyno with only a load line gets no memory verdict.
	s = analyse(corpusLine(t, "runtime-metrics.txt", 11))
	fs := Judge(s, "acme-prod", DefaultThresholds)
	f, ok := reporttest.FindCheck(t, fs, "logs.memory")
	if !ok || f.Status != report.StatusOK || !strings.Contains(f.Summary, "no memory samples; load average (1 min) up to 0.48") {
		t.Errorf("load only: %+v", f)
	}
}

// TestLongLivedResponsesAreNotTimed: websocket upgrades (status 101, the
// connection's life as service=), client aborts (H27, 499) and idle
// connections (H15) stay out of the service-time percentiles and the
// slowest paths (issue 14: an upgrade of 83 minutes became the slowest
// path and the max).
func TestLongLivedResponsesAreNotTimed(t *testing.T) {
	lines := corpusLines(t, "websocket.txt")
	lines = append(lines, corpusLine(t, "syslog-rfc5424.txt", 10)) // H27 over a drain
	for i := range 30 {
		lines = append(lines, fmt.Sprintf(`2020-12-02T17:55:%02d.000000+00:00 heroku[router]: at=info method=GET path="/static/app.js" host=abtestcalculator.herokuapp.com request_id=a07d1d46-eeb0-4f56-b346-372e71abaa%02d fwd="86.26.169.205" dyno=web.1 connect=3ms service=%dms status=200 bytes=3704 protocol=https`, i, i, 20+i))
	}
	s := analyse(lines...)
	if s.Upgrades != 4 || s.Idle != 3 || s.Aborted != 1 || s.UpgradeMaxMS != 5037583 {
		t.Errorf("upgrades %d (max %d), idle %d, aborted %d", s.Upgrades, s.UpgradeMaxMS, s.Idle, s.Aborted)
	}
	if s.Service.Max() != 30001 { // the H12, which is a real wait
		t.Errorf("service max %d", s.Service.Max())
	}
	for _, p := range s.Paths {
		if strings.Contains(p.Path, "websocket") || strings.Contains(p.Path, "sockjs") {
			t.Errorf("an upgrade timed as a path: %s %s", p.Method, p.Path)
		}
	}
	fs := Judge(s, "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, codes.SlowRequests.ID, ""); ok {
		t.Errorf("websockets made the app slow: %s", f.Summary)
	}
	router, _ := reporttest.FindCheck(t, fs, "logs.router")
	if nt := router.Data["not_timed"].(map[string]any); nt["upgrades_101"] != 4 || nt["idle_h15_h28"] != 3 || nt["client_aborts_h27_499"] != 1 {
		t.Errorf("router evidence: %v", nt)
	}
}

// TestRouterCodes: code= becomes a report code only when it is Heroku's
// shape (issue 13 item 7); Markdown around a pasted code is taken off; a
// missing status is no status 0.
func TestRouterCodes(t *testing.T) {
	line := func(code, status string) string {
		return `2026-11-23T09:50:00.000000+00:00 heroku[router]: at=error code=` + code + ` desc="x" method=GET path="/" host=myapp.herokuapp.com fwd="203.0.113.5" dyno=web.1 connect=0ms service=5ms status=` + status + ` bytes=0`
	}
	for _, bad := range []string{`H99|a|b|<script>`, "H99\u202eevil", "H1234", "X10", "h12", `"H12`} {
		s := analyse(line(bad, "503"))
		if len(s.Codes) != 0 || s.Unread[ReasonBadCode]+s.UnreadLines() == 0 || s.RouterLines != 0 {
			t.Errorf("code=%q: codes %v, unread %v, router %d", bad, keysOf(s.Codes), s.Unread, s.RouterLines)
		}
	}
	for in, want := range map[string]string{"**H27**": "H27", "`H12`": "H12", "H42": "H42"} {
		s := analyse(line(in, "503"))
		if s.Codes[want] == nil || s.UnreadLines() != 0 {
			t.Errorf("code=%s: %v", in, keysOf(s.Codes))
		}
	}
	s := analyse(line("H24", ""))
	if s.Status[0] != 0 || s.NoStatus != 1 || s.RouterLines != 1 || s.Requests() != 0 {
		t.Errorf("status= is no status: %v, no status %d", statusCounts(s), s.NoStatus)
	}
	// 300 distinct well-formed codes: the table stops at its cap and counts the rest.
	var lines []string
	for i := range 300 {
		lines = append(lines, line(fmt.Sprintf("H%d", 100+i), "503"))
	}
	s = analyse(lines...)
	if len(s.Codes) != maxCodes || s.CodesDropped != 300-maxCodes {
		t.Errorf("codes %d, dropped %d", len(s.Codes), s.CodesDropped)
	}
	in, _ := reporttest.FindCheck(t, Judge(s, "acme-prod", DefaultThresholds), "logs.input")
	if !strings.Contains(in.Summary, "tables capped (44 codes") {
		t.Errorf("the cap is reported: %s", in.Summary)
	}
}

// TestWindowAcrossDays: first and last times carry their date when the
// logs span days (issue 14 item 9).
func TestWindowAcrossDays(t *testing.T) {
	fs := Judge(analyse(corpusRange(t, "r14-r15.txt", 3, 14)...), "acme-prod", DefaultThresholds)
	f, _ := reporttest.Find(t, fs, "R14", "R14")
	if !strings.Contains(f.Summary, "first 2015-03-03 00:29:31, last 2015-04-06 22:45:16 UTC") {
		t.Errorf("R14: %s", f.Summary)
	}
	fs = Judge(analyse(corpusRange(t, "r14-r15.txt", 6, 14)...), "acme-prod", DefaultThresholds)
	if f, _ := reporttest.Find(t, fs, "R14", "R14"); !strings.Contains(f.Summary, "first 22:43:47, last 22:45:16 UTC") {
		t.Errorf("one day: %s", f.Summary)
	}
}

// TestExitStatuses: 137 (SIGKILL), 143 (SIGTERM) and 1 (the app's own
// failure) are told apart; a crash loop names them.
func TestExitStatuses(t *testing.T) {
	s := analyse(corpusLines(t, "process-exit.txt")...)
	web := s.States["web.1"]
	if web == nil || web.ExitStatuses[143] < 5 || web.ExitStatuses[137] < 5 || web.ExitStatuses[1] < 2 || web.Killed < 4 {
		t.Fatalf("web.1: %+v", web)
	}
	if run := s.States["run.8192"]; run == nil || run.Restarts != 1 || run.ExitStatuses[143] != 1 {
		t.Errorf("Cycling of a one-off dyno: %+v", run)
	}
	// The fastlane crash loop alone: two crashes, status 1 each time.
	fs := Judge(analyse(corpusRange(t, "process-exit.txt", 92, 97)...), "acme-prod", DefaultThresholds)
	f, ok := reporttest.Find(t, fs, codes.DynoRestarting.ID, "web.1")
	if !ok || !strings.Contains(f.Summary, "2× status 1 (the app exited with an error)") {
		t.Errorf("crash loop: %+v", f)
	}
	// Restarts that follow SIGTERM (a deploy, the daily cycling) are no flapping.
	fs = Judge(analyse(corpusRange(t, "process-exit.txt", 9, 20)...), "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, codes.DynoRestarting.ID, ""); ok {
		t.Errorf("planned restarts flagged: %s", f.Summary)
	}
}

// TestPostgresMetrics: Heroku Postgres's metrics lines give pg-health's
// verdicts from the logs alone: cache hit rates under 99%, connections
// waiting on a lock.
func TestPostgresMetrics(t *testing.T) {
	fs := Judge(analyse(corpusLines(t, "heroku-postgres-metrics.txt")...), "acme-prod", DefaultThresholds)
	rose := "HEROKU_POSTGRESQL_ROSE_URL"
	if f, ok := reporttest.Find(t, fs, codes.PGCacheHitLow.ID, rose); !ok || f.Status != report.StatusWarning || !strings.Contains(f.Summary, "96.77%") ||
		f.Category != report.CategoryPostgres || !strings.Contains(f.Remedy, "postgresql-clear-67109") {
		t.Errorf("table cache: %+v", f)
	}
	if f, ok := reporttest.Find(t, fs, codes.PGIndexHitLow.ID, rose); !ok || !strings.Contains(f.Summary, "98.70%") {
		t.Errorf("index cache: %+v", f)
	}
	if f, ok := reporttest.FindCheck(t, fs, "logs.postgres"); !ok || f.Subject != "HEROKU_POSTGRESQL_AMBER_URL" && f.Subject != "HEROKU_POSTGRESQL_OLIVE_URL" && f.Subject != rose {
		t.Errorf("postgres: %+v", f)
	}
	var olive report.Finding
	for _, f := range fs {
		if f.Subject == "HEROKU_POSTGRESQL_OLIVE_URL" {
			olive = f
		}
	}
	if olive.Status != report.StatusOK || !strings.Contains(olive.Summary, "18 connections, table cache hit 99.99%") || !strings.Contains(olive.Summary, "no connection waiting on a lock") {
		t.Errorf("olive: %+v", olive)
	}
	// Written from corpus line 2, with connections waiting on a lock.
	waiting := strings.Replace(corpusLine(t, "heroku-postgres-metrics.txt", 2), "sample#waiting-connections=0", "sample#waiting-connections=3", 1)
	fs = Judge(analyse(waiting), "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, codes.PGBlockedQueries.ID, rose); !ok || !strings.Contains(f.Summary, "3 connections waiting on a lock") ||
		!strings.Contains(f.Remedy, "heroku pg:locks postgresql-clear-67109 -a acme-prod;") {
		t.Errorf("waiting: %+v", f)
	}
}

// TestRedisMetrics: Heroku Redis's lines are read into the add-on table.
func TestRedisMetrics(t *testing.T) {
	s := analyse(corpusLines(t, "heroku-redis-metrics.txt")...)
	r := s.Addons["REDIS"]
	if r == nil || r.Kind != "redis" || r.Samples != 3 || !r.Latest.Has(MetricEvictedKeys) || r.Latest.Val[MetricHitRate] != 0.7 || r.Worst.Val[MetricHitRate] != 0.0096774 {
		t.Fatalf("redis: %+v", r)
	}
	secs := Sections(s)
	if len(secs) == 0 || !strings.Contains(secs[len(secs)-1].Title, "Redis") {
		t.Errorf("sections: %+v", secs)
	}
	fs := Judge(s, "acme-prod", DefaultThresholds)
	if f, ok := reporttest.FindCheck(t, fs, "logs.redis"); !ok || f.Status != report.StatusOK || f.Category != report.CategoryRedis ||
		!strings.Contains(f.Summary, "REDIS_URL: 404 connections, hit rate 70.0%, no key evicted") {
		t.Errorf("redis: %+v", f)
	}
	// Written from corpus line 2, with keys evicted in a sample.
	evicting := strings.Replace(corpusLine(t, "heroku-redis-metrics.txt", 2), "sample#evicted-keys=0", "sample#evicted-keys=1873", 1)
	fs = Judge(analyse(evicting), "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, codes.RedisEvictions.ID, "REDIS_URL"); !ok || !strings.Contains(f.Summary, "1873 keys evicted") ||
		!strings.Contains(f.Remedy, "heroku redis:maxmemory redis-metric-98068 --policy allkeys-lru -a acme-prod") {
		t.Errorf("evictions: %+v", f)
	}
}

// TestAppSideTimeouts: the app's own timeouts beside the router's H12 and
// H13: rack-timeout by request id (here the request the app kept working
// on for 78 minutes after the router gave up), unicorn by dyno and time.
func TestAppSideTimeouts(t *testing.T) {
	fs := Judge(analyse(corpusRange(t, "rack-timeout.txt", 5, 8)...), "acme-prod", DefaultThresholds)
	f, ok := reporttest.Find(t, fs, "H12", "H12")
	if !ok || !strings.Contains(f.Summary, "rack-timeout saw 1 of them run on after the router gave up (up to 4732.089 s)") ||
		!strings.Contains(f.Remedy, "rack-timeout (timeout 15 s) did not stop these requests") {
		t.Errorf("rack-timeout: %+v", f)
	}
	fs = Judge(analyse(corpusRange(t, "unicorn-timeout.txt", 1, 6)...), "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, "H12", "H12"); !ok || !strings.Contains(f.Summary, "unicorn killed a timed-out worker on the same dyno within 5 s of 1 of them") {
		t.Errorf("unicorn: %+v", f)
	}
	// gunicorn's worker timeout closes the connection: H13 (written in the
	// shape gunicorn logs it).
	fs = Judge(analyse(
		`2025-02-18T10:21:22.452642+00:00 app[web.1]: [2025-02-18 10:21:22 +0000] [2] [CRITICAL] WORKER TIMEOUT (pid:14)`,
		`2025-02-18T10:21:22.709968+00:00 heroku[router]: at=error code=H13 desc="Connection closed without response" method=POST path="/notes/" host=example.herokuapp.com request_id=837e97f5-d33c-4548-ac08-cb1732bc2f5c fwd="203.0.113.7" dyno=web.1 connect=0ms service=30698ms status=503 bytes=0 protocol=https`,
	), "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, "H13", "H13"); !ok || !strings.Contains(f.Summary, "gunicorn killed a timed-out worker") {
		t.Errorf("gunicorn: %+v", f)
	}
}

// TestTablesAreCapped: a log of distinct outside values (dynos, paths)
// fills each table to its cap and counts the rest (issue 13 item 11).
func TestTablesAreCapped(t *testing.T) {
	var lines []string
	for i := range maxDynos + 100 {
		lines = append(lines, fmt.Sprintf("2026-11-23T09:50:01+00:00 heroku[web.%d]: source=web.%d sample#memory_total=100.00MB sample#memory_quota=512.00MB", i, i),
			fmt.Sprintf("2026-11-23T09:50:01+00:00 heroku[web.%d]: State changed from up to crashed", i))
	}
	s := analyse(lines...)
	if len(s.Dynos) != maxDynos || s.DynosDropped != 100 || len(s.States) != maxDynos || s.StatesDrop != 100 {
		t.Errorf("dynos %d dropped %d, states %d dropped %d", len(s.Dynos), s.DynosDropped, len(s.States), s.StatesDrop)
	}
	fs := Judge(s, "acme-prod", DefaultThresholds)
	if len(fs) > 40 {
		t.Errorf("%d findings for %d dynos within quota", len(fs), len(s.Dynos))
	}
	if f, ok := reporttest.FindCheck(t, fs, "logs.input"); !strings.Contains(f.Summary, "200 dynos") || !ok {
		t.Errorf("input: %s", f.Summary)
	}
	// Values kept as names are cut: the caps bound the tables in bytes.
	huge := strings.Repeat("w", 1<<20)
	s = analyse("2026-11-23T09:50:01+00:00 heroku[router]: at=error code=H12 desc=\""+huge+"\" method=GET path=\"/"+huge+"\" dyno="+huge+" connect=1ms service=30000ms status=503",
		"2026-11-23T09:50:01+00:00 heroku["+huge+"]: Error R14 (Memory quota exceeded)",
		"2026-11-23T09:50:01+00:00 heroku[web.1]: source="+huge+" sample#memory_total=100.00MB")
	if c := s.Codes["H12"]; c == nil || len(c.Desc) > maxDescBytes || len(c.Dynos[0]) > maxKeyBytes {
		t.Errorf("H12 kept %d bytes of desc and %d of dyno", len(c.Desc), len(c.Dynos[0]))
	}
	for k := range s.Paths {
		if len(k) > maxPathBytes+8 {
			t.Errorf("path key of %d bytes", len(k))
		}
	}
	for k := range s.Dynos {
		if len(k) > maxKeyBytes {
			t.Errorf("dyno key of %d bytes", len(k))
		}
	}
}
