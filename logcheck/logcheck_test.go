package logcheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func routerLine(ts, at, code, method, path string, connect, service, status int, dyno string) string {
	codePart := ""
	if code != "" {
		codePart = fmt.Sprintf(` code=%s desc="%s"`, code, codes.Heroku(code).Title)
	}
	return fmt.Sprintf(`%s heroku[router]: at=%s%s method=%s path="%s" host=www.acme.example request_id=6e1d9a84-9f2c-4a4e-9b0b-7d1f3c2e5a10 fwd="203.0.113.9" dyno=%s connect=%dms service=%dms status=%d bytes=1548 protocol=https`,
		ts, at, codePart, method, path, dyno, connect, service, status)
}

func analyse(lines ...string) *Stats {
	a := NewAnalyzer()
	for _, l := range lines {
		a.Line([]byte(l))
	}
	return a.Stats()
}

func TestParseRouterLine(t *testing.T) {
	s := analyse(routerLine("2026-11-23T09:50:01.123456+00:00", "error", "H12", "GET", "/users/123?page=2", 1, 30000, 503, "web.2"))
	if s.RouterLines != 1 || s.Status[503] != 1 || s.UnreadLines() != 0 {
		t.Fatalf("router line: %+v", s)
	}
	c := s.Codes["H12"]
	if c == nil || c.Count != 1 || c.Desc != "Request timeout" || !slices.Equal(c.Dynos, []string{"web.2"}) {
		t.Errorf("H12: %+v", c)
	}
	if want := time.Date(2026, 11, 23, 9, 50, 1, 123456000, time.UTC); !c.First.Equal(want) {
		t.Errorf("time %v", c.First)
	}
	p := s.Paths["GET /users/:id"]
	if p == nil || p.Hist.Max() != 30000 || p.Errors != 1 {
		t.Errorf("path stat: %+v (paths %v)", p, s.Paths)
	}
}

func TestParsePlatformLines(t *testing.T) {
	s := analyse(
		"2026-11-23T09:50:01+00:00 heroku[web.1]: source=web.1 dyno=heroku.123.abc sample#load_avg_1m=0.42 sample#memory_total=530.25MB sample#memory_rss=512.00MB sample#memory_cache=18.25MB sample#memory_swap=18.25MB sample#memory_pgpgin=0pages sample#memory_pgpgout=0pages sample#memory_quota=512.00MB",
		"2026-11-23T09:50:02+00:00 heroku[web.1]: Process running mem=530M(103.5%)",
		"2026-11-23T09:50:02+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)",
		"2026-11-23T09:51:00+00:00 heroku[web.2]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch",
		"2026-11-23T09:52:00+00:00 heroku[logplex]: Error L10 (output buffer overflow): 7 messages dropped since 2026-11-23T09:51:00+00:00.",
		"2026-11-23T09:53:00+00:00 heroku[web.2]: State changed from up to crashed",
		"2026-11-23T09:53:01+00:00 heroku[web.2]: State changed from crashed to starting",
		"2026-11-23T09:53:02+00:00 heroku[web.2]: Process exited with status 137",
		"2026-11-23T09:53:03+00:00 app[web.1]: Completed 200 OK in 12ms",
	)
	m := s.Dynos["web.1"]
	if m == nil || m.MaxTotal != 530.25 || m.Quota != 512 || m.MaxSwap != 18.25 || m.MaxLoad != 0.42 {
		t.Errorf("runtime metrics: %+v", m)
	}
	for _, code := range []string{"R14", "R10", "L10"} {
		if s.Codes[code] == nil {
			t.Errorf("%s not counted: %v", code, s.Codes)
		}
	}
	if s.Codes["R10"].Desc != "Boot timeout" || s.Codes["L10"].Dynos[0] != "logplex" {
		t.Errorf("R10/L10 details: %+v %+v", s.Codes["R10"], s.Codes["L10"])
	}
	if st := s.States["web.2"]; st == nil || st.Crashed != 1 || st.CrashRestarts != 1 || st.Exits[ExitKilled] != 1 || st.ExitStatuses[137] != 1 {
		t.Errorf("states: %+v", st)
	}
	if m := s.Dynos["web.1"]; m.Running != 1 || m.MaxShare < 1.035 {
		t.Errorf("Process running mem=530M(103.5%%) is memory evidence: %+v", m)
	}
	if s.AppLines != 1 || s.UnreadLines() != 0 || s.Lines != 9 {
		t.Errorf("lines %d app %d not understood %d", s.Lines, s.AppLines, s.UnreadLines())
	}
}

func TestMalformedLinesAreCountedNotFatal(t *testing.T) {
	s := analyse(
		"garbage without structure",
		`2026-11-23T09:50:01+00:00 heroku[router]: at=info method=GET path="/unterminated`,
		`2026-11-23T09:50:01+00:00 heroku[router]: at=info method=GET "=oops`,
		"2026-11-23T09:50:01+00:00 heroku[web.1]: source=web.1 sample#memory_total=bad",
		routerLine("2026-11-23T09:50:02+00:00", "info", "", "GET", "/", 0, 12, 200, "web.1"),
	)
	// The cut line keeps nothing countable (no status, no code); the
	// metrics line has no readable sample; the garbage has no prefix.
	if s.UnreadLines() != 4 || s.RouterLines != 1 || s.Status[200] != 1 {
		t.Errorf("not understood %d (%v), router %d: a bad line must not stop the next", s.UnreadLines(), s.Unread, s.RouterLines)
	}
}

func TestPapertrailAndGzip(t *testing.T) {
	tsv := strings.Join([]string{
		"700594297938165774\t2026-11-23 09:50:01\t2026-11-23 09:50:01\t42\tacme-prod\t54.1.2.3\tLocal3\tInfo\theroku/router\tat=error code=H10 desc=\"App crashed\" method=GET path=\"/\" host=acme.example dyno=web.1 connect=0ms service=0ms status=503 bytes=0",
		"700594297938165775\t2026-11-23 09:50:02\t2026-11-23 09:50:02\t42\tacme-prod\t54.1.2.3\tLocal3\tInfo\theroku/web.1\tError R14 (Memory quota exceeded)",
		"700594297938165776\t2026-11-23 09:50:03\t2026-11-23 09:50:03\t42\tacme-prod\t54.1.2.3\tLocal3\tInfo\tapp/web.1\tStarted GET \"/\"",
	}, "\n") + "\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(tsv))
	zw.Close()
	for name, in := range map[string][]byte{"plain": []byte(tsv), "gzip": gz.Bytes()} {
		s, err := Read(context.Background(), bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if s.Codes["H10"] == nil || s.Codes["R14"] == nil || s.AppLines != 1 || s.Status[503] != 1 {
			t.Errorf("%s: codes %v app %d", name, s.Codes, s.AppLines)
		}
		if !s.First.Equal(time.Date(2026, 11, 23, 9, 50, 1, 0, time.UTC)) {
			t.Errorf("%s: first %v", name, s.First)
		}
	}
}

func TestLongLineIsSkipped(t *testing.T) {
	in := routerLine("2026-11-23T09:50:01+00:00", "info", "", "GET", "/a", 0, 5, 200, "web.1") + "\n" +
		"2026-11-23T09:50:01+00:00 app[web.1]: " + strings.Repeat("x", chunkSize*2) + "\n" +
		routerLine("2026-11-23T09:50:02+00:00", "info", "", "GET", "/b", 0, 5, 200, "web.1") + "\n"
	s, err := Read(context.Background(), strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.RouterLines != 2 || s.Unread[ReasonTooLong] != 1 || s.Lines != 3 {
		t.Errorf("router %d, too long %d, lines %d", s.RouterLines, s.Unread[ReasonTooLong], s.Lines)
	}
}

func TestNormalizePath(t *testing.T) {
	cases := map[string]string{
		"/users/123":                "/users/:id",
		"/users/123/orders/456?x=1": "/users/:id/orders/:id",
		"/orders/3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f": "/orders/:uuid",
		"/commits/9f8e7d6c5b4a3f2e1d0c":                "/commits/:hash",
		"/reset/aB3dE5fG7hI9jK1lM3nO5pQ":               "/reset/:token",
		"/assets/application.css":                      "/assets/application.css",
		"/":                                            "/",
		"":                                             "/",
		"/api/v2/items/":                               "/api/v2/items/",
		// Real paths of the corpus (sockjs-socketio.txt, websocket.txt, router-modern.txt).
		"/sockjs/649/elwp7owd/websocket":                   "/sockjs/:id/:session/websocket",
		"/sockjs/707/2g8tflc_/websocket":                   "/sockjs/:id/:session/websocket",
		"/sockjs/462/z802ar88/xhr":                         "/sockjs/:id/:session/xhr",
		"/sockjs/info?cb=t_zor3nb0i":                       "/sockjs/info",
		"/socket.io/1/websocket/11652186541056559304":      "/socket.io/:id/websocket/:session",
		"/socket.io/1/xhr-polling/aBcD3fGh":                "/socket.io/:id/xhr-polling/:session",
		"/socket.io/?EIO=3&transport=websocket&sid=29528d": "/socket.io/",
		"/1020076156:AAGFJbM9JYO0VMt8zoSjeHPXK_C8v8taD-k":  "/:token",
		"/wiki/Special:Random":                             "/wiki/Special:Random",
		"/websocket":                                       "/websocket",
	}
	for in, want := range cases {
		if got := string(NormalizePath(nil, []byte(in))); got != want {
			t.Errorf("NormalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestHistogramError checks the stated error bound against exact quantiles.
func TestHistogramError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	var vals []uint32
	for range 100000 {
		v := uint32(r.ExpFloat64() * 300)
		h.Add(v)
		vals = append(vals, v)
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		exact := vals[int(q*float64(len(vals)))-1]
		got := h.Quantile(q)
		if got < exact || float64(got) > float64(exact)*(1+1.0/32)+1 {
			t.Errorf("q%.3f: got %d, exact %d (bound 3.1%%)", q, got, exact)
		}
	}
	if h.Max() != vals[len(vals)-1] {
		t.Errorf("max %d, want %d", h.Max(), vals[len(vals)-1])
	}
	for _, v := range []uint32{0, 63, 64, 65, 127, 128, 1000, 30000, 1 << 30, 1<<31 + 5, ^uint32(0)} {
		b := bucketOf(v)
		if b < 0 || b >= histBuckets {
			t.Fatalf("bucket of %d = %d", v, b)
		}
		if v < 1<<31 && upperBound(b) < v {
			t.Errorf("upper bound of the bucket of %d is %d", v, upperBound(b))
		}
	}
}

func TestRouterLineDoesNotAllocate(t *testing.T) {
	a := NewAnalyzer()
	line := []byte(routerLine("2026-11-23T09:50:01.123456+00:00", "info", "", "GET", "/users/123", 1, 42, 200, "web.1"))
	a.Line(line) // the first line creates the path's row
	allocs := testing.AllocsPerRun(1000, func() { a.Line(line) })
	if allocs != 0 {
		t.Errorf("%.1f allocations per router line, want 0", allocs)
	}
}

func TestMain(m *testing.M) { reporttest.Main(m, "logcheck") }

func TestRules(t *testing.T) {
	base := func(n, service, connect, status int) []string {
		var out []string
		for i := range n {
			out = append(out, routerLine(fmt.Sprintf("2026-11-23T09:%02d:%02d+00:00", 10+i/60, i%60), "info", "", "GET", fmt.Sprintf("/items/%d", i), connect, service, status, "web.1"))
		}
		return out
	}
	runtime := func(total, swap string) string {
		return "2026-11-23T09:50:01+00:00 heroku[web.1]: source=web.1 sample#load_avg_1m=0.1 sample#memory_total=" + total + "MB sample#memory_rss=100.00MB sample#memory_swap=" + swap + "MB sample#memory_quota=512.00MB"
	}
	cases := []struct {
		name    string
		lines   []string
		code    string
		subject string
		status  report.Status
	}{
		{"H12 few", append(base(100, 50, 0, 200), routerLine("2026-11-23T09:59:00+00:00", "error", "H12", "GET", "/slow", 0, 30000, 503, "web.1")), "H12", "H12", report.StatusWarning},
		{"H12 many", append(base(40, 50, 0, 200), slices.Repeat([]string{routerLine("2026-11-23T09:59:00+00:00", "error", "H12", "GET", "/slow", 0, 30000, 503, "web.1")}, 5)...), "H12", "H12", report.StatusCritical},
		{"H10", append(base(30, 50, 0, 200), routerLine("2026-11-23T09:59:00+00:00", "error", "H10", "GET", "/", 0, 0, 503, "web.2")), "H10", "H10", report.StatusCritical},
		{"H27 is info", append(base(30, 50, 0, 200), routerLine("2026-11-23T09:59:00+00:00", "info", "H27", "GET", "/", 0, 0, 499, "web.2")), "H27", "H27", report.StatusInfo},
		{"slow", base(50, 2500, 0, 200), codes.SlowRequests.ID, "router", report.StatusWarning},
		{"very slow", base(50, 8000, 0, 200), codes.SlowRequests.ID, "router", report.StatusCritical},
		{"queueing", base(50, 20, 300, 200), codes.RequestQueueing.ID, "router", report.StatusWarning},
		{"5xx", append(base(95, 20, 0, 200), base(5, 20, 0, 500)...), codes.ErrorRate5xx.ID, "router", report.StatusCritical},
		{"near quota", []string{runtime("480.00", "0.00")}, codes.MemoryNearQuota.ID, "web.1", report.StatusWarning},
		{"over quota", []string{runtime("530.00", "0.00")}, codes.MemoryNearQuota.ID, "web.1", report.StatusCritical},
		{"swap", []string{runtime("400.00", "20.00")}, codes.MemorySwap.ID, "web.1", report.StatusWarning},
		{"no line at all", nil, codes.LogsEmpty.ID, "logs", report.StatusInfo},
		{"flapping", []string{
			"2026-11-23T09:50:00+00:00 heroku[web.2]: State changed from up to crashed",
			"2026-11-23T09:50:10+00:00 heroku[web.2]: State changed from crashed to starting",
			"2026-11-23T09:51:00+00:00 heroku[web.2]: State changed from up to crashed",
			"2026-11-23T09:51:10+00:00 heroku[web.2]: State changed from crashed to starting",
			"2026-11-23T09:52:00+00:00 heroku[web.2]: State changed from crashed to starting",
		}, codes.DynoRestarting.ID, "web.2", report.StatusWarning},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := Judge(analyse(c.lines...), "acme-prod", DefaultThresholds)
			f, ok := reporttest.Find(t, fs, c.code, c.subject)
			if !ok {
				var got []string
				for _, f := range fs {
					got = append(got, f.Code+"/"+f.Subject)
				}
				t.Fatalf("no %s on %s; got %v", c.code, c.subject, got)
			}
			if f.Status != c.status {
				t.Errorf("status %s, want %s: %s", f.Status, c.status, f.Summary)
			}
		})
	}
}

func TestCleanLogsGiveNoProblem(t *testing.T) {
	var lines []string
	for i := range 200 {
		lines = append(lines, routerLine(fmt.Sprintf("2026-11-23T09:%02d:%02d+00:00", 10+i/60, i%60), "info", "", "GET", "/", 0, 40+i%20, 200, "web.1"))
	}
	lines = append(lines, "2026-11-23T09:50:01+00:00 heroku[web.1]: source=web.1 sample#memory_total=200.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB")
	fs := Judge(analyse(lines...), "acme-prod", DefaultThresholds)
	reporttest.AllOK(t, fs)
	if len(fs) < 3 {
		t.Errorf("clean logs still say what was verified: %d findings", len(fs))
	}
	router, _ := reporttest.Find(t, fs, "", "router")
	sv := router.Data["service_ms"].(map[string]any)
	if sv["p50"].(uint32) < 40 || sv["max"].(uint32) != 59 {
		t.Errorf("percentiles: %v", sv)
	}
}

func TestSessionThatNeverEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, routerLine("2026-11-23T09:50:01+00:00", "error", "H12", "GET", "/", 0, 30000, 503, "web.1"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s, err := ReadSession(ctx, srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Truncated || s.Codes["H12"] == nil {
		t.Errorf("truncated %v, codes %v", s.Truncated, s.Codes)
	}
	fs := Judge(s, "acme-prod", DefaultThresholds)
	if f, ok := reporttest.Find(t, fs, codes.Timeout.ID, ""); !ok || f.Status != report.StatusUnknown {
		t.Errorf("no TIMEOUT finding: %+v", fs)
	}
	if _, ok := reporttest.Find(t, fs, "H12", "H12"); !ok {
		t.Error("the lines received before the deadline must still be judged")
	}
}

// TestParallelMatchesSerial: the workers' merged statistics are those of one
// reader, for the same input.
func TestParallelMatchesSerial(t *testing.T) {
	var b strings.Builder
	for i := range 60000 {
		code, status, service := "", 200, 20+i%300
		if i%97 == 0 {
			code, status, service = "H12", 503, 30000
		}
		b.WriteString(routerLine(fmt.Sprintf("2026-11-23T%02d:%02d:%02d+00:00", 10+i/3600%10, i/60%60, i%60), "info", code, "GET", fmt.Sprintf("/items/%d", i), i%5, service, status, fmt.Sprintf("web.%d", 1+i%3)))
		b.WriteByte('\n')
		if i%50 == 0 {
			b.WriteString("2026-11-23T10:00:00+00:00 heroku[web.2]: source=web.2 sample#memory_total=" + fmt.Sprint(100+i%400) + ".00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB\n")
		}
	}
	in := b.String()
	one, err := ReadParallel(context.Background(), strings.NewReader(in), 1)
	if err != nil {
		t.Fatal(err)
	}
	four, err := ReadParallel(context.Background(), strings.NewReader(in), 4)
	if err != nil {
		t.Fatal(err)
	}
	a := Judge(one, "x", DefaultThresholds)
	c := Judge(four, "x", DefaultThresholds)
	if fmt.Sprint(a) != fmt.Sprint(c) {
		t.Errorf("serial and parallel differ:\n%v\n%v", a, c)
	}
	if one.Lines != 61200 || one.Codes["H12"].Count != 619 {
		t.Errorf("lines %d, H12 %d", one.Lines, one.Codes["H12"].Count)
	}
}

// TestLogLinearTop: every bucket of both layouts is reachable (the last
// finite power of two ends one before the open-ended top bucket), and a
// percentile that falls in the top bucket is the largest value, not a
// bound below it.
func TestLogLinearTop(t *testing.T) {
	for _, l := range []struct{ sub, maxExp, n int }{{histSubBits, histMaxExp, histBuckets}, {sketchSubBits, sketchMaxExp, sketchBuckets}} {
		if b := logLinear(1<<l.maxExp-1, l.sub, l.maxExp, l.n); b != l.n-2 {
			t.Errorf("sub %d: 2^%d-1 in bucket %d of %d, want the one before the top", l.sub, l.maxExp, b, l.n)
		}
		if b := logLinear(1<<l.maxExp, l.sub, l.maxExp, l.n); b != l.n-1 {
			t.Errorf("sub %d: 2^%d in bucket %d of %d, want the top", l.sub, l.maxExp, b, l.n)
		}
	}
	var s Sketch
	s.Add(100)
	s.Add(900000) // 15 minutes: past 2^18 ms
	if got := s.Quantile(0.99); got != 900000 {
		t.Errorf("sketch p99 %d, want the largest value 900000", got)
	}
	if got := s.Quantile(0.5); got != 103 {
		t.Errorf("sketch p50 %d, want 100's bucket's bound 103", got)
	}
	var h Histogram
	h.Add(1<<31 + 12345)
	if got := h.Quantile(0.5); got != 1<<31+12345 {
		t.Errorf("histogram p50 %d, want the value itself", got)
	}
}
