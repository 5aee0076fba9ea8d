package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
)

// assertContractJSON holds a JSON report to schema/report.schema.json
// (every member, its type, the statuses, categories, codes and
// fingerprints docs/report.md allows), and its summary to its checks.
func assertContractJSON(t *testing.T, b []byte) {
	t.Helper()
	schematest.Validate(t, b)
	r, err := report.DecodeJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var counted report.Summary
	for _, f := range r.Checks {
		switch f.Status {
		case report.StatusOK:
			counted.OK++
		case report.StatusInfo:
			counted.Info++
		case report.StatusWarning:
			counted.Warning++
		case report.StatusCritical:
			counted.Critical++
		case report.StatusUnknown:
			counted.Unknown++
		case report.StatusSkipped:
			counted.Skipped++
		}
	}
	if counted != r.Summary {
		t.Errorf("summary %+v, the checks count %+v", r.Summary, counted)
	}
}

func fakeAPI(t *testing.T) *herokutest.Server {
	s := herokutest.New(t, herokutest.Options{Token: "test-token-123456"})
	t.Cleanup(s.Close)
	s.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
	return s
}

func TestDiagnosePlatformAgainstFakeAPI(t *testing.T) {
	api := fakeAPI(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (a crashed dyno)\nstderr: %s\nstdout: %s", code, h.errOut.String(), h.out.String())
	}
	assertContractJSON(t, h.out.Bytes())
	r := h.report()
	for _, want := range []struct{ code, subject string }{
		{"DYNO_CRASHED", "web.2"}, {"RELEASE_FAILED", "v42"}, {"NO_LOG_DRAIN", "log drains"},
		{"RUNTIME_METRICS_OFF", "log-runtime-metrics"}, {"PREBOOT_OFF", "preboot"},
	} {
		if _, ok := reporttest.Find(t, r.Checks, want.code, want.subject); !ok {
			t.Errorf("no %s for %s", want.code, want.subject)
		}
	}
	if r.Summary.OK == 0 {
		t.Error("ok checks must be listed too")
	}
	for _, s := range herokutest.SampleSecrets {
		if strings.Contains(h.out.String(), s) {
			t.Errorf("secret %q in the report", s)
		}
	}
	if h.errOut.Len() != 0 {
		t.Errorf("JSON run wrote to stderr (spinner?): %q", h.errOut.String())
	}
	for _, ua := range api.UserAgents() {
		if ua != "heroku-checkup/1.2.3-test" {
			t.Errorf("User-Agent %q", ua)
		}
	}
}

func TestSetupErrorsExit3WithOneLine(t *testing.T) {
	api := fakeAPI(t)
	dead := herokutest.New(t, herokutest.Options{})
	deadURL := dead.URL
	dead.Close()

	cases := []struct {
		name string
		env  map[string]string
		git  string
		args []string
		want string
	}{
		{"no token", map[string]string{"HEROKU_HOST": api.URL}, "", []string{"-a", "acme-prod"}, "run heroku login or set HEROKU_API_KEY"},
		{"bad token", map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": "wrong"}, "", []string{"-a", "acme-prod"}, "401"},
		{"unknown app", map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": "test-token-123456"}, "", []string{"-a", "nope"}, `app "nope" not found`},
		{"unreachable", map[string]string{"HEROKU_HOST": deadURL, "HEROKU_API_KEY": "x"}, "", []string{"-a", "acme-prod", "--timeout", "5s"}, "cannot reach the Heroku API"},
		{"no app", map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": "test-token-123456"}, "", nil, "no app given"},
		{"ambiguous app", map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": "test-token-123456"},
			"a\thttps://git.heroku.com/one.git (fetch)\nb\thttps://git.heroku.com/two.git (fetch)\n", nil, "several Heroku apps"},
		{"malformed HEROKU_HOST", map[string]string{"HEROKU_HOST": "http://", "HEROKU_API_KEY": "x"}, "", []string{"-a", "acme-x"}, "not a valid API host"},
		{"bad flag", nil, "", []string{"--format", "yaml"}, "--format must be text, json, markdown or html"},
		{"unknown flag", nil, "", []string{"--frobnicate"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			h.env = c.env
			h.git = c.git
			code := h.run(append([]string{"diagnose", "--format", "json"}, c.args...)...)
			if code != 3 {
				t.Fatalf("exit %d, want 3; stderr %q", code, h.errOut.String())
			}
			msg := h.errOut.String()
			if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, c.want) {
				t.Errorf("stderr must be one line containing %q, got %q", c.want, msg)
			}
			if h.out.Len() != 0 {
				t.Errorf("a failed run printed a report: %q", h.out.String())
			}
		})
	}
}

func TestOutputFileIsAtomicAndKeptOnFailure(t *testing.T) {
	api := fakeAPI(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	path := filepath.Join(t.TempDir(), "report.json")
	if code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json", "-o", path); code != 2 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	if h.out.Len() != 0 {
		t.Errorf("--output still printed to stdout: %q", h.out.String())
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	assertContractJSON(t, first)
	h.env["HEROKU_API_KEY"] = "wrong"
	if code := h.run("diagnose", "-a", "acme-prod", "--format", "json", "-o", path); code != 3 {
		t.Fatalf("bad token: exit %d", code)
	}
	second, _ := os.ReadFile(path)
	if string(first) != string(second) {
		t.Error("a failed run changed the previous report")
	}
}

func TestFailOn(t *testing.T) {
	api := fakeAPI(t)
	for _, c := range []struct {
		failOn string
		want   int
	}{{"warning", 2}, {"critical", 2}, {"never", 0}} {
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		h.env["HEROKU_API_KEY"] = "test-token-123456"
		if code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json", "--fail-on", c.failOn); code != c.want {
			t.Errorf("--fail-on %s: exit %d, want %d", c.failOn, code, c.want)
		}
	}
	// A warning-only app: exit 1 with warning, 0 with critical.
	f := herokutest.SampleApp("calm", time.Now())
	f.Dynos[1].State = "up"
	f.Releases = f.Releases[:2]
	f.LogDrains = herokutest.SampleLogDrains("calm")
	f.App.Maintenance = true // the one warning
	api.AddApp(f)
	for _, c := range []struct {
		failOn string
		want   int
	}{{"warning", 1}, {"critical", 0}} {
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		h.env["HEROKU_API_KEY"] = "test-token-123456"
		if code := h.run("diagnose", "-a", "calm", "--only", "platform", "--format", "json", "--fail-on", c.failOn); code != c.want {
			t.Errorf("warning-only app, --fail-on %s: exit %d, want %d\n%s", c.failOn, code, c.want, h.out.String())
		}
	}
}

func TestDiagnoseFlagsParse(t *testing.T) {
	h := newHarness(t)
	var got *DiagnoseOptions
	f := h.factory()
	app := NewApp(f)
	for _, c := range app.Commands {
		if c.Name == "diagnose" {
			*c = *newDiagnoseCommand(f, func(_ *cli.Context, o *DiagnoseOptions) error { got = o; return nil })
		}
	}
	err := app.Run([]string{"heroku-checkup", "diagnose", "-a", "one", "-a", "two", "--skip", "logs,postgres", "--format", "markdown",
		"-o", "r.md", "--timeout", "90s", "--fail-on", "critical", "--resolver", "127.0.0.1:5353", "--warn-days", "20", "--crit-days", "3",
		"--redis-url", "rediss://:pw-of-redis@127.0.0.1:6380", "--redis-insecure-skip-verify"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Apps, []string{"one", "two"}) || got.Format != report.FormatMarkdown || got.Output != "r.md" ||
		got.Timeout != 90*time.Second || got.FailOn != report.FailOnCritical || got.Resolver != "127.0.0.1:5353" ||
		got.Certs.WarnDays != 20 || got.Certs.CritDays != 3 || got.RedisURL != "rediss://:pw-of-redis@127.0.0.1:6380" || !got.RedisSkipVerify {
		t.Errorf("options: %+v", got)
	}
	if !slices.Equal(got.Parts, []report.Category{report.CategoryPlatform, report.CategoryDNS, report.CategoryTLS, report.CategoryRedis}) {
		t.Errorf("parts: %v", got.Parts)
	}
}

func TestHungAPIEndpointCostsOneCheck(t *testing.T) {
	api := fakeAPI(t)
	api.Hang(`/dynos$`)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	start := time.Now()
	code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json", "--timeout", "2s")
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("run took %v with --timeout 2s", took)
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 (worst is unknown)", code)
	}
	r := h.report()
	f, ok := reporttest.Find(t, r.Checks, "TIMEOUT", "dynos")
	if !ok || f.Status != report.StatusUnknown {
		t.Errorf("hung dynos endpoint not reported as TIMEOUT: %+v", r.Checks)
	}
	if _, ok := reporttest.Find(t, r.Checks, "RELEASE_FAILED", "v42"); !ok {
		t.Error("the other checks must still be reported")
	}
}

func TestVersion(t *testing.T) {
	h := newHarness(t)
	if code := h.run("version"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(h.out.String(), "heroku-checkup 1.2.3-test (commit abc1234, built 2026-11-23T00:00:00Z,") {
		t.Errorf("version: %q", h.out.String())
	}
}

func TestHelpListsCommands(t *testing.T) {
	h := newHarness(t)
	if code := h.run("--help"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"diagnose", "version", "EXIT CODES"} {
		if !strings.Contains(h.out.String(), c) {
			t.Errorf("--help lacks %s", c)
		}
	}
}

func TestDiagnoseTeamAndSeveralApps(t *testing.T) {
	api := fakeAPI(t)
	second := herokutest.SampleApp("acme-staging", time.Now())
	second.Dynos[1].State = "up"
	api.AddApp(second)
	api.AddTeam("acme", "acme-prod", "acme-staging")
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	for _, args := range [][]string{{"--team", "acme"}, {"-a", "acme-prod", "-a", "acme-staging"}} {
		code := h.run(append([]string{"diagnose", "--only", "platform", "--format", "json"}, args...)...)
		if code != 2 {
			t.Fatalf("%v: exit %d %s", args, code, h.errOut.String())
		}
		r := h.report()
		if !slices.Equal(r.Apps, []string{"acme-prod", "acme-staging"}) {
			t.Errorf("%v: apps %v", args, r.Apps)
		}
		if f, ok := reporttest.Find(t, r.Checks, "DYNO_CRASHED", "web.2"); !ok || f.App != "acme-prod" {
			t.Errorf("%v: the crash belongs to acme-prod: %+v", args, f)
		}
		for _, f := range r.Checks {
			if f.App == "acme-staging" && f.Code == "DYNO_CRASHED" {
				t.Errorf("%v: acme-staging has no crashed dyno", args)
			}
		}
	}
	// Every resource the platform rules need was read, for each app: no stub went unused.
	calls := api.Calls()
	for _, route := range []string{"GET /apps/{app}", "GET /apps/{app}/dynos", "GET /apps/{app}/formation", "GET /apps/{app}/releases",
		"GET /apps/{app}/domains", "GET /apps/{app}/sni-endpoints", "GET /apps/{app}/addons", "GET /apps/{app}/config-vars",
		"GET /apps/{app}/log-drains", "GET /apps/{app}/telemetry-drains", "GET /apps/{app}/features", "GET /stacks/{stack}", "GET /teams/{team}/apps"} {
		if calls[route] == 0 {
			t.Errorf("%s was never called", route)
		}
	}
	// The text report of several apps names the app on each problem, and says what the run cost.
	h.run("diagnose", "--only", "platform", "--team", "acme")
	if !strings.Contains(h.out.String(), "acme-prod web.2 · DYNO_CRASHED") || !strings.Contains(h.out.String(), "Platform API:") {
		t.Errorf("text report:\n%s", h.out.String())
	}
	if code := h.run("diagnose", "--team", "nope", "--format", "json"); code != 3 || !strings.Contains(h.errOut.String(), `team "nope" not found`) {
		t.Errorf("unknown team: exit %d %q", code, h.errOut.String())
	}
}
