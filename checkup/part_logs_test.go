package checkup

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

func logsRun(t *testing.T, api *herokutest.Server, app string, part *LogsPart) ([]report.Finding, time.Duration) {
	t.Helper()
	u, _ := url.Parse(api.URL)
	client := heroku.New(heroku.Config{APIURL: u, Token: "tok"})
	part.API, part.HTTP = client, api.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Deps{API: client, Parts: []Part{part}, Runner: runner.Runner{}}, Options{Apps: []string{app}, CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings, time.Since(start)
}

// firApp is a Fir-generation app whose session streams these lines. No
// real Fir log line has been published (Dev Center says only that Fir's
// platform sources are heroku-router, heroku-runtime and heroku-api, and
// the API schema that dynos are named like web-1234abcde-123ab); these are
// written in the form heroku logs prints, with Fir's sources and names.
func firApp(name string, lines ...string) *herokutest.AppFixture {
	f := herokutest.SampleApp(name, time.Now())
	f.App.Generation.ID, f.App.Generation.Name = herokutest.ID("generation:fir"), "fir"
	f.LogLines = lines
	return f
}

// TestFirLogSession: a Fir app's session is opened as the Heroku CLI opens
// it (no lines, no tail, the CLI's Accept header), read as server-sent
// events for the tail window (it never ends), and that end is no timeout.
func TestFirLogSession(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	api.AddApp(firApp("acme-fir",
		`2026-11-23T09:50:01.123456+00:00 heroku-router[web-848cd4f64d-pvpr2]: at=error code=H12 desc="Request timeout" method=GET path="/reports/4411" host=acme-fir.example request_id=0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f fwd="203.0.113.9" dyno=web-848cd4f64d-pvpr2 connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
		`2026-11-23T09:50:02.000000+00:00 heroku-router: at=info method=GET path="/" host=acme-fir.example request_id=1c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f fwd="203.0.113.9" dyno=web-848cd4f64d-pvpr2 connect=1ms service=12ms status=200 bytes=900 protocol=https`,
		`2026-11-23T09:50:03.000000+00:00 app[web-848cd4f64d-pvpr2]: Completed 200 OK in 12ms`,
	))
	fs, took := logsRun(t, api, "acme-fir", &LogsPart{TailFor: 400 * time.Millisecond})
	var fir *herokutest.LogSessionRequest
	for _, r := range api.LogSessionRequests() {
		if strings.HasSuffix(r.Accept, "version=3.sdk") {
			fir = &r
		}
	}
	if fir == nil || len(fir.Body) != 0 {
		t.Fatalf("no session opened as the CLI opens a Fir app's: %+v", api.LogSessionRequests())
	}
	if took > 5*time.Second {
		t.Errorf("the live session was read for %s, not its window", took)
	}
	if f, ok := reporttest.Find(t, fs, "TIMEOUT", ""); ok {
		t.Errorf("the end of a live tail is no timeout: %s", f.Summary)
	}
	h12, ok := reporttest.Find(t, fs, "H12", "H12")
	if !ok || !strings.Contains(h12.Summary, "web-848cd4f64d-pvpr2") {
		t.Errorf("H12: %+v", h12)
	}
	in, _ := reporttest.FindCheck(t, fs, "logs.input")
	if in.Status != report.StatusOK || !strings.Contains(in.Summary, "3 lines read") || !strings.Contains(in.Summary, "a 400ms live tail: Fir apps keep no log history") {
		t.Errorf("input: %+v", in)
	}
}

// TestFirNoCodesIsNoHealth: on Fir some error codes and restart events are
// not emitted yet, so a window without codes says so.
func TestFirNoCodesIsNoHealth(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	api.AddApp(firApp("acme-fir", `2026-11-23T09:50:03.000000+00:00 app[web-848cd4f64d-pvpr2]: Completed 200 OK in 12ms`))
	fs, _ := logsRun(t, api, "acme-fir", &LogsPart{TailFor: 300 * time.Millisecond})
	f, ok := reporttest.FindCheck(t, fs, "logs.codes")
	if !ok || !strings.Contains(f.Summary, "no code is no evidence of health") {
		t.Errorf("codes: %+v", f)
	}
}

// TestShieldPrivateSpaceLogging: an app in a Shield space with Private
// Space Logging gets no log session by design; that is said, with where
// its logs go, not reported as an API error.
func TestShieldPrivateSpaceLogging(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	f := herokutest.SampleApp("acme-shield", time.Now())
	f.App.Space = &struct {
		ID     string `json:"id" url:"id,key"`
		Name   string `json:"name" url:"name,key"`
		Shield bool   `json:"shield" url:"shield,key"`
	}{ID: herokutest.ID("space:acme-vault"), Name: "acme-vault", Shield: true}
	f.LogSessionRefusal = &herokutest.Refusal{Status: 403, ID: "forbidden", Message: "Logs are not available for this app."}
	api.AddApp(f)
	fs, _ := logsRun(t, api, "acme-shield", &LogsPart{})
	s, ok := reporttest.FindCheck(t, fs, "logs.session")
	if !ok || s.Status != report.StatusSkipped || !strings.Contains(s.Summary, "Private Space Logging") ||
		!strings.Contains(s.Remedy, "heroku spaces:drains:get -s acme-vault") {
		t.Errorf("session: %+v", s)
	}
	for _, g := range fs {
		if g.Status == report.StatusUnknown {
			t.Errorf("a refusal by design reported as %s: %s", g.Code, g.Summary)
		}
	}
	// The same refusal outside a Shield space stays an error.
	f.App.Space = nil
	fs, _ = logsRun(t, api, "acme-shield", &LogsPart{})
	if g, ok := reporttest.FindCheck(t, fs, "logs.codes"); !ok || g.Status != report.StatusUnknown {
		t.Errorf("outside a Shield space: %+v", g)
	}
}

// TestCedarSessionUnchanged: a Cedar app's session is asked for 1,500
// lines, no tail, and read to its end.
func TestCedarSessionUnchanged(t *testing.T) {
	api := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer api.Close()
	f := herokutest.SampleApp("acme-prod", time.Now())
	f.LogLines = []string{`2026-11-23T09:50:01.123456+00:00 heroku[router]: at=info method=GET path="/" host=acme.example dyno=web.1 connect=1ms service=12ms status=200 bytes=900`}
	api.AddApp(f)
	fs, _ := logsRun(t, api, "acme-prod", &LogsPart{})
	reqs := api.LogSessionRequests()
	if len(reqs) != 1 || reqs[0].Body["lines"] != float64(1500) || reqs[0].Body["tail"] != false {
		t.Errorf("requests %+v", reqs)
	}
	if in, _ := reporttest.FindCheck(t, fs, "logs.input"); !strings.HasPrefix(in.Summary, "1 line read (heroku logs 1)") {
		t.Errorf("input: %s", in.Summary)
	}
}
