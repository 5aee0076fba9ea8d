package commands

import (
	"net/url"
	"strings"
	"testing"

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
	code := h.run("pg-health", "-a", "acme-prod", "--format", "json")
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
	code := h.run("pg-health", "--database-url", u.String(), "--resolver", z.Addr, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, h.out.String())
	}
	if f, ok := reporttest.FindCheck(t, h.report().Checks, "postgres.connection"); !ok || f.Status != "ok" {
		t.Errorf("connection through the resolver's answer: %+v", f)
	}
}
