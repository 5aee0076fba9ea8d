package commands

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/pgcheck/pgtest"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// TestPgHealthApp finds the app's databases in its config vars: every
// *_URL that is a postgres URL (a follower included), with the plan of the
// add-on that set it, and names each by its variable, never its URL.
func TestPgHealthApp(t *testing.T) {
	e := pgtest.Clean(t)
	api := fakeAPI(t)
	app := apiApp(api, "acme-prod")
	app.ConfigVars["DATABASE_URL"] = herokutest.Str(e.OwnerURL)
	app.ConfigVars["HEROKU_POSTGRESQL_ONYX_URL"] = herokutest.Str(e.OwnerURL)
	app.ConfigVars["REDIS_URL"] = herokutest.Str("rediss://:x@127.0.0.1:9")
	app.AddOns[0].ConfigVars = []string{"DATABASE_URL", "HEROKU_POSTGRESQL_ONYX_URL"}
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	// --fail-on critical: the installed server's major may be deprecated on
	// Heroku (15 is), a warning that is the machine's, not the test's.
	code := h.run("pg-health", "-a", "acme-prod", "--format", "json", "--fail-on", "critical")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, h.errOut.String(), h.out.String())
	}
	r := h.report()
	subjects := map[string]bool{}
	for _, f := range r.Checks {
		if f.Check == "postgres.connection" {
			subjects[f.Subject] = true
		}
		if f.Check == "postgres.plan" && !strings.Contains(f.Summary, "standard-0") {
			t.Errorf("plan from the add-on: %s", f.Summary)
		}
	}
	if !subjects["DATABASE_URL"] || !subjects["HEROKU_POSTGRESQL_ONYX_URL"] || len(subjects) != 2 {
		t.Errorf("databases checked: %v", subjects)
	}
	if strings.Contains(h.out.String(), e.OwnerURL) {
		t.Error("a database URL is in the report")
	}
}

// TestPgHealthResolvesThroughResolver: with --resolver, the database's host
// name is looked up there too, like every other lookup of the run.
func TestPgHealthResolvesThroughResolver(t *testing.T) {
	e := pgtest.Clean(t)
	z := sampleZone(t)
	z.MustAdd("db.internal.example. 60 IN A 127.0.0.1")
	u, _ := url.Parse(e.OwnerURL)
	u.Host = "db.internal.example:" + u.Port()
	h := newHarness(t)
	// The test server has no TLS and its URL says sslmode=disable: beyond
	// loopback (as db.internal.example is) that is a cleartext warning.
	code := h.run("pg-health", "--database-url", u.String(), "--resolver", z.Addr, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, h.out.String())
	}
	checks := h.report().Checks
	if f, ok := reporttest.FindCheck(t, checks, "postgres.connection"); !ok || f.Status != "ok" {
		t.Errorf("connection through the resolver's answer: %+v", f)
	}
	if f, ok := reporttest.FindCheck(t, checks, "postgres.tls"); !ok || f.Code != "PG_CLEARTEXT" {
		t.Errorf("a cleartext session to db.internal.example: %+v", f)
	}
}

// TestBadDatabaseURLIsUsage: a URL no session could be opened with is one
// line and exit 3, before anything runs, and never echoes the password.
func TestBadDatabaseURLIsUsage(t *testing.T) {
	for _, bad := range []string{"postgres://u:sekrit99@h:99999/db", "postgres://u:sekrit99@[::1/db", "postgresql://u:sekrit99@h:5432/db?sslmode=sometimes"} {
		for _, cmd := range [][]string{{"pg-health"}, {"diagnose", "--demo", "--only", "postgres"}} {
			h := newHarness(t)
			code := h.run(append(cmd, "--database-url", bad)...)
			line := h.errOut.String()
			if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, "--database-url") || strings.Contains(line, "sekrit99") {
				t.Errorf("%v --database-url %s: exit %d, stderr %q, stdout %q", cmd, bad, code, line, h.out.String())
			}
		}
	}
}

// TestPgHealthHerokuData reads the add-on from the fake Data API (the
// Heroku CLI's shapes) beside the real session: no backup schedule, the
// latest backup failed, maintenance in two days, and the formation's
// connection budget against pg:info's limit; the fake saw only GETs, and
// the database password appears nowhere.
func TestPgHealthHerokuData(t *testing.T) {
	e := pgtest.Clean(t)
	api := fakeAPI(t)
	data := herokutest.NewData(t, "test-token-123456")
	defer data.Close()
	app := apiApp(api, "acme-prod")
	app.ConfigVars["DATABASE_URL"] = herokutest.Str(e.OwnerURL)
	app.ConfigVars["RAILS_MAX_THREADS"] = herokutest.Str("5")
	app.ConfigVars["WEB_CONCURRENCY"] = herokutest.Str("4")
	app.Formation[0].Quantity = 6 // web: 6 x 4 x 5 = 120; worker: 1 x 1 x 5
	addon := app.AddOns[0]
	now := time.Now()
	data.AddDatabase(addon.ID, herokutest.PGInfo{AddonID: addon.ID, Name: addon.Name, Plan: "standard-0", PlanTitle: "Standard 0",
		Status: "Available", Version: "16.4", DataBytes: 9 << 20, ConnUsed: 4, ConnLimit: 120, ContinuousProtection: "Off",
		Host: "127.0.0.1", Port: 5432, User: "u", Password: "data-api-password-77", DB: "d", Created: now.Add(-100 * 24 * time.Hour)}.Body())
	data.AddTransfers("acme-prod", []any{
		herokutest.Backup(7, "DATABASE", now.Add(-30*time.Hour), now.Add(-30*time.Hour), now.Add(-29*time.Hour), true, ""),
		herokutest.Backup(8, "DATABASE", now.Add(-6*time.Hour), now.Add(-6*time.Hour), now.Add(-5*time.Hour), false, ""),
	})
	data.AddMaintenances(app.App.ID, map[string]any{"maintenances": []any{herokutest.MaintenanceEntry("heroku-postgresql", addon.Name, "standard-0",
		"DATABASE_URL", "pending", "Tuesdays 14:30 to 18:30 UTC", now.Add(48*time.Hour), now.Add(5*24*time.Hour))}})
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_DATA_HOST"] = data.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	if code := h.run("pg-health", "-a", "acme-prod", "--format", "json"); code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, h.errOut.String(), h.out.String())
	}
	got := reporttest.Codes(t, h.report().Checks)
	for code, want := range map[string]report.Status{
		codes.PGNoBackupSchedule.ID: report.StatusWarning, codes.PGBackupFailed.ID: report.StatusWarning,
		codes.PGMaintenanceScheduled.ID: report.StatusWarning, codes.PGConnectionBudget.ID: report.StatusCritical,
	} {
		if f, ok := got[code+"|DATABASE_URL"]; !ok || f.Status != want {
			t.Errorf("%s: %+v", code, f)
		}
	}
	if b := got[codes.PGConnectionBudget.ID+"|DATABASE_URL"]; !strings.Contains(b.Summary, "125 connections") {
		t.Errorf("budget: %s", b.Summary)
	}
	if strings.Contains(h.out.String(), "data-api-password-77") || strings.Contains(h.out.String(), e.OwnerURL) {
		t.Error("a password is in the report")
	}
	for _, route := range []string{"GET /client/v11/databases/{id}", "GET /client/v11/databases/{id}/transfer-schedules", "GET /client/v11/apps/{app}/transfers", "GET /data/maintenances/v1/apps/{app id}"} {
		if data.Calls()[route] != 1 {
			t.Errorf("%s: %d calls (%v)", route, data.Calls()[route], data.Calls())
		}
	}
}

// TestPgHealthHungDataAPI: a Data API that never answers costs its own
// checks (unknown) within the deadline; the SQL session's findings stand.
func TestPgHealthHungDataAPI(t *testing.T) {
	e := pgtest.Clean(t)
	api := fakeAPI(t)
	data := herokutest.NewData(t, "test-token-123456")
	defer data.Close()
	data.Hang(".")
	app := apiApp(api, "acme-prod")
	app.ConfigVars["DATABASE_URL"] = herokutest.Str(e.OwnerURL)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_DATA_HOST"] = data.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	start := time.Now()
	code := h.run("pg-health", "-a", "acme-prod", "--format", "json", "--timeout", "6s")
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("took %v, past --timeout", took)
	}
	if code != 3 {
		t.Errorf("exit %d, want 3 (unknown is the worst)", code)
	}
	fs := h.report().Checks
	if f, ok := reporttest.FindCheck(t, fs, "postgres.heroku"); !ok || f.Status != report.StatusUnknown || f.Code != codes.Timeout.ID {
		t.Errorf("the Data API's finding: %+v", f)
	}
	if f, ok := reporttest.FindCheck(t, fs, "postgres.connection"); !ok || f.Status != report.StatusOK {
		t.Errorf("the session's findings must stand: %+v", f)
	}
}
