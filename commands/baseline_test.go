package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// readReport reads a JSON report a run wrote to a file.
func readReport(t *testing.T, path string) report.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.DecodeJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func byCode(t *testing.T, r report.Report, code string) (report.Finding, bool) {
	return reporttest.Find(t, r.Checks, code, "")
}

// apiHarness is a harness logged in to a fake Platform API that serves
// acme-prod.
func apiHarness(t *testing.T) (*herokutest.Server, *harness) {
	api := fakeAPI(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	return api, h
}

// TestBaselineAndFailOnNewOnEveryCheckingCommand: the flags are shared
// (CONTRACT.md), so every checking command lists them and reads them
// before it checks anything.
func TestBaselineAndFailOnNewOnEveryCheckingCommand(t *testing.T) {
	logs := filepath.Join(t.TempDir(), "app.log")
	os.WriteFile(logs, []byte(strings.Join(sampleLogs, "\n")+"\n"), 0o644)
	missing := filepath.Join(t.TempDir(), "last.json")
	for _, c := range []struct {
		cmd  string
		args []string
	}{
		{"diagnose", []string{"--demo"}},
		{"pg-health", []string{"--database-url", "postgres://u:pw@127.0.0.1:1/db"}},
		{"certs-check", []string{"127.0.0.1:1"}},
		{"dns-check", []string{"--resolver", "127.0.0.1:1", "example.com"}},
		{"logs-check", []string{"--logs-file", logs}},
	} {
		h := newHarness(t)
		if code := h.run(c.cmd, "--help"); code != 0 || !strings.Contains(h.out.String(), "--baseline FILE") || !strings.Contains(h.out.String(), "new (only problems new since --baseline)") {
			t.Errorf("%s --help: exit %d, no --baseline or --fail-on new:\n%s", c.cmd, code, h.out.String())
		}
		code := h.run(append([]string{c.cmd, "--fail-on", "new"}, c.args...)...)
		if code != 3 || !strings.Contains(h.errOut.String(), "--fail-on new needs --baseline FILE") {
			t.Errorf("%s --fail-on new without a baseline: exit %d, %q", c.cmd, code, h.errOut.String())
		}
		code = h.run(append([]string{c.cmd, "--baseline", missing, "--format", "json"}, c.args...)...)
		if code != 3 || strings.Count(h.errOut.String(), "\n") != 1 || !strings.Contains(h.errOut.String(), "--baseline "+missing+" does not exist") || h.out.Len() != 0 {
			t.Errorf("%s --baseline of a missing file: exit %d, stderr %q, stdout %d bytes", c.cmd, code, h.errOut.String(), h.out.Len())
		}
	}
}

// TestBaselineThatCannotBeComparedExits3: one line, exit 3, no report, and
// the --output file left as it was.
func TestBaselineThatCannotBeComparedExits3(t *testing.T) {
	_, h := apiHarness(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json", "-o", good); code != 2 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	goodBytes, _ := os.ReadFile(good)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	cases := []struct {
		name, path, want string
	}{
		{"malformed", write("bad.json", `{"schema_version": 1, "checks": [`), "is not a heroku-checkup JSON report"},
		{"a text report", write("last.txt", "heroku-checkup 1.2.3 · acme-prod\n"), "is not a heroku-checkup JSON report"},
		{"another schema version", write("v2.json", strings.Replace(string(goodBytes), `"schema_version": 1`, `"schema_version": 2`, 1)),
			"has schema_version 2 and this heroku-checkup writes 1"},
		{"another app set", write("other.json", strings.Replace(string(goodBytes), `"acme-prod"`, `"acme-staging"`, 1)),
			"is a report of acme-staging, not of acme-prod"},
		{"a directory", dir, "is a directory"},
	}
	out := filepath.Join(dir, "out.json")
	os.WriteFile(out, []byte("previous"), 0o644)
	for _, c := range cases {
		code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json", "--baseline", c.path, "-o", out)
		msg := h.errOut.String()
		if code != 3 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "--baseline "+c.path) || !strings.Contains(msg, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", c.name, code, msg, c.want)
		}
		if b, _ := os.ReadFile(out); string(b) != "previous" {
			t.Errorf("%s: the --output file was replaced", c.name)
		}
	}
}

// TestBaselineIsTheOutputFile: --baseline last.json -o last.json, the one
// cron line that keeps its own history. The first run starts it (the file
// does not exist yet), the next ones read it before replacing it. Two runs
// of the sandbox give the same fingerprints.
func TestBaselineIsTheOutputFile(t *testing.T) {
	last := filepath.Join(t.TempDir(), "last.json")
	// Without the demo's real servers: each run seeds a fresh PostgreSQL,
	// whose sessions have other pids (subjects), by nature.
	args := []string{"diagnose", "--demo", "--demo-servers=false", "--format", "json", "--fail-on", "new", "--baseline", last, "-o", last}
	h := newHarness(t)
	if code := h.run(args...); code != 2 {
		t.Fatalf("first run, everything is new (the demo has criticals): exit %d\n%s", code, h.errOut.String())
	}
	first := readReport(t, last)
	c, ok := first.Changes()
	if !ok || !c.Since.GeneratedAt.IsZero() || len(c.Ongoing) != 0 || len(c.Resolved) != 0 || len(c.New) != len(first.Problems())+first.Summary.Info {
		t.Fatalf("first run of a history: %+v", c)
	}
	if code := h.run(args...); code != 0 {
		t.Fatalf("second run, nothing new: exit %d\n%s", code, h.errOut.String())
	}
	second := readReport(t, last)
	c, _ = second.Changes()
	if !c.Since.GeneratedAt.Equal(first.GeneratedAt) || c.Since.Version != "1.2.3-test" || len(c.New) != 0 || len(c.Resolved) != 0 || len(c.Ongoing) != len(first.Problems())+first.Summary.Info {
		t.Errorf("second run: since %v (first was %v), %d new, %d resolved, %d ongoing", c.Since.GeneratedAt, first.GeneratedAt, len(c.New), len(c.Resolved), len(c.Ongoing))
	}
	fp := map[string]string{}
	for _, f := range first.Checks {
		fp[f.App+" "+f.Check+" "+f.Subject+" "+f.Code] = f.Fingerprint
	}
	for _, f := range second.Checks { // the demo has two apps: the same check of each has its own fingerprint
		if want := fp[f.App+" "+f.Check+" "+f.Subject+" "+f.Code]; f.Fingerprint != want {
			t.Errorf("%s %s %s %s: fingerprint %s, the first run's was %s", f.App, f.Check, f.Subject, f.Code, f.Fingerprint, want)
		}
	}
	if len(first.Checks) != len(second.Checks) {
		t.Errorf("%d checks, then %d", len(first.Checks), len(second.Checks))
	}
	// The same history in text, to stdout, still compares.
	if code := h.run("diagnose", "--demo", "--demo-servers=false", "--baseline", last); code != 2 || !strings.Contains(h.out.String(), "Changed since") || !strings.Contains(h.out.String(), "nothing new, nothing resolved") {
		t.Errorf("text against the history: exit %d\n%s", code, h.out.String())
	}
}

// TestBaselineChangesOnTheFakeAPI fixes one problem and makes another
// between two runs, and checks each change and --fail-on new both ways.
func TestBaselineChangesOnTheFakeAPI(t *testing.T) {
	api, h := apiHarness(t)
	dir := t.TempDir()
	before, after := filepath.Join(dir, "before.json"), filepath.Join(dir, "after.json")
	platform := []string{"diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json"}
	if code := h.run(append(platform, "-o", before)...); code != 2 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}

	app := apiApp(api, "acme-prod")
	app.Dynos[1].State = "up"  // web.2 no longer crashed
	app.App.Maintenance = true // a new warning
	if code := h.run(append(platform, "--baseline", before, "--fail-on", "new", "-o", after)...); code != 1 {
		t.Fatalf("a new warning, --fail-on new: exit %d, want 1\n%s", code, h.errOut.String())
	}
	r := readReport(t, after)
	if f, ok := byCode(t, r, "DYNO_CRASHED"); !ok || f.Change != report.ChangeResolved || f.Status != report.StatusOK || f.PreviousStatus != report.StatusCritical || !strings.Contains(f.Summary, "web.2 crashed") {
		t.Errorf("the crashed dyno, fixed: %+v", f)
	}
	if f, ok := byCode(t, r, "MAINTENANCE_MODE"); !ok || f.Change != report.ChangeNew {
		t.Errorf("maintenance mode, new: %+v", f)
	}
	if f, ok := byCode(t, r, "RELEASE_FAILED"); !ok || f.Change != report.ChangeOngoing {
		t.Errorf("the failed release, ongoing: %+v", f)
	}

	// Nothing changes in a third run: --fail-on new passes while
	// --fail-on warning still fails on the same report.
	if code := h.run(append(platform, "--baseline", after, "--fail-on", "new")...); code != 0 {
		t.Errorf("nothing new, --fail-on new: exit %d, want 0\n%s", code, h.out.String())
	}
	if code := h.run(append(platform, "--baseline", after)...); code != 1 {
		t.Errorf("nothing new, --fail-on warning: exit %d, want 1", code)
	}
	// A new critical: exit 2.
	app.Dynos[0].State = "crashed"
	if code := h.run(append(platform, "--baseline", after, "--fail-on", "new")...); code != 2 {
		t.Errorf("a new crashed dyno, --fail-on new: exit %d, want 2", code)
	}
	if code := h.run("diagnose", "-a", "acme-prod", "--only", "platform", "--format", "markdown", "--baseline", after); code != 2 ||
		!strings.Contains(h.out.String(), "## Changed since") || !strings.Contains(h.out.String(), "| new | ✖ critical | web.1 |") {
		t.Errorf("markdown against the baseline: exit %d\n%s", code, h.out.String())
	}
}

// TestOneOffDynoKeepsItsFingerprint: the nightly job's dyno is
// scheduler.4821 one night and scheduler.7310 the next; the problem (and
// its fingerprint) is the same.
func TestOneOffDynoKeepsItsFingerprint(t *testing.T) {
	line := func(dyno string) string {
		return `2026-11-23T03:00:12.000000+00:00 heroku[` + dyno + `]: source=` + dyno + ` dyno=heroku.123456789.3f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8 sample#load_avg_1m=0.90 sample#memory_total=497.00MB sample#memory_rss=490.00MB sample#memory_cache=7.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB`
	}
	dir := t.TempDir()
	first, second, baseline := filepath.Join(dir, "1.log"), filepath.Join(dir, "2.log"), filepath.Join(dir, "last.json")
	os.WriteFile(first, []byte(line("scheduler.4821")+"\n"), 0o644)
	os.WriteFile(second, []byte(line("scheduler.7310")+"\n"), 0o644)
	h := newHarness(t)
	if code := h.run("logs-check", "-a", "acme-prod", "--logs-file", first, "--format", "json", "-o", baseline); code != 1 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	if code := h.run("logs-check", "-a", "acme-prod", "--logs-file", second, "--format", "json", "--baseline", baseline, "--fail-on", "new"); code != 0 {
		t.Errorf("the same job near its quota again: exit %d, want 0 (nothing new)", code)
	}
	r := h.report()
	f, ok := reporttest.Find(t, r.Checks, "MEMORY_NEAR_QUOTA", "scheduler.7310")
	was, _ := reporttest.Find(t, readReport(t, baseline).Checks, "MEMORY_NEAR_QUOTA", "scheduler.4821")
	if !ok || f.Change != report.ChangeOngoing || f.Fingerprint != was.Fingerprint || was.Fingerprint == "" {
		t.Errorf("scheduler.7310: %+v; scheduler.4821 was %s", f, was.Fingerprint)
	}
	for _, g := range r.Checks {
		if g.Change == report.ChangeResolved {
			t.Errorf("resolved: %+v", g)
		}
	}
}
