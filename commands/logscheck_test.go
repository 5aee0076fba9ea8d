package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

var sampleLogs = []string{
	`2026-11-23T09:50:01.000000+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/reports/42" host=www.acme.example request_id=a1 fwd="203.0.113.9" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
	`2026-11-23T09:50:02.000000+00:00 heroku[router]: at=info method=GET path="/" host=www.acme.example request_id=a2 fwd="203.0.113.9" dyno=web.1 connect=1ms service=45ms status=200 bytes=1200 protocol=https`,
	`2026-11-23T09:50:03.000000+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)`,
	`2026-11-23T09:50:04.000000+00:00 app[web.1]: Completed 200 OK in 40ms (password=hunter2secret)`,
}

func TestLogsCheckFileAndStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(path, []byte(strings.Join(sampleLogs, "\n")+"\n"), 0o644)
	h := newHarness(t)
	code := h.run("logs-check", "--logs-file", path, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, h.errOut.String(), h.out.String())
	}
	assertContractJSON(t, h.out.Bytes())
	r := h.report()
	for _, c := range []string{"H12", "R14"} {
		if _, ok := reporttest.Find(t, r.Checks, c, c); !ok {
			t.Errorf("no %s", c)
		}
	}
	h.stdin = strings.Join(sampleLogs, "\n") + "\n"
	if code := h.run("logs-check", "--logs-file", "-", "--format", "json"); code != 1 {
		t.Errorf("stdin: exit %d", code)
	}
	if _, ok := reporttest.Find(t, h.report().Checks, "H12", "H12"); !ok {
		t.Error("stdin: no H12")
	}
	if code := h.run("logs-check", "--logs-file", filepath.Join(t.TempDir(), "missing.log")); code != 3 || !strings.Contains(h.errOut.String(), "--logs-file") {
		t.Errorf("missing file: exit %d, %q", code, h.errOut.String())
	}
}

func TestLogsCheckSession(t *testing.T) {
	api := fakeAPI(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	app := apiApp(api, "acme-prod")
	app.LogLines = sampleLogs
	code := h.run("logs-check", "-a", "acme-prod", "--format", "markdown")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, h.errOut.String(), h.out.String())
	}
	out := h.out.String()
	for _, want := range []string{"H12", "Request timeout", "Slowest paths", "/reports/:id"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if calls := api.Calls(); calls["POST /apps/{app}/log-sessions"] != 1 || calls["GET /log-stream/{app}"] != 1 {
		t.Errorf("log session not used: %v", calls)
	}
}

func TestHungLogSessionCostsOneCheck(t *testing.T) {
	api := fakeAPI(t)
	api.HangLogs()
	apiApp(api, "acme-prod").LogLines = sampleLogs
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	start := time.Now()
	code := h.run("diagnose", "-a", "acme-prod", "--only", "platform,logs", "--format", "json", "--timeout", "2s")
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %v with --timeout 2s", took)
	}
	if code != 2 {
		t.Errorf("exit %d", code)
	}
	r := h.report()
	if f, ok := reporttest.Find(t, r.Checks, codes.Timeout.ID, "log session"); !ok || f.Status != report.StatusUnknown {
		t.Errorf("never-ending session not reported as TIMEOUT")
	}
	if _, ok := reporttest.Find(t, r.Checks, "H12", "H12"); !ok {
		t.Error("lines received before the deadline must be judged")
	}
	if _, ok := reporttest.Find(t, r.Checks, "DYNO_CRASHED", "web.2"); !ok {
		t.Error("the platform checks must still be reported")
	}
}
