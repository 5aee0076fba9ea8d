package commands

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/redischeck/redistest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// TestRedisHealthApp finds the app's Redis through its Heroku Redis add-on
// (REDIS_URL and its TLS twin are one server), reads the add-on's
// redis:info from the Data API, and checks the real seeded server: every
// planted problem is found, the password is nowhere.
func TestRedisHealthApp(t *testing.T) {
	p := redistest.SeedProblems(t)
	api := fakeAPI(t)
	data := herokutest.NewData(t, "test-token-123456")
	defer data.Close()
	app := apiApp(api, "acme-prod")
	app.ConfigVars["REDIS_URL"] = herokutest.Str(p.URL())
	app.ConfigVars["REDIS_TLS_URL"] = herokutest.Str(strings.Replace(p.URL(), "redis://", "redis://", 1))
	app.AddOns[1].ConfigVars = []string{"REDIS_URL", "REDIS_TLS_URL"}
	data.AddRedis(app.AddOns[1].Name, app.AddOns[1].ID, herokutest.RedisInfo(app.AddOns[1].Name, app.AddOns[1].ID, "premium-0", "7.0.15", p.URL(), true))
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_DATA_HOST"] = data.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	code := h.run("redis-health", "-a", "acme-prod", "--format", "json")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", code, h.errOut.String(), h.out.String())
	}
	r := h.report()
	got := reporttest.Codes(t, r.Checks)
	for _, c := range []string{codes.RedisMemoryHigh.ID, codes.RedisEvictions.ID, codes.RedisConnectionsHigh.ID, codes.RedisRejectedConnections.ID} {
		f, ok := got[c+"|REDIS_TLS_URL"]
		if !ok {
			f, ok = got[c+"|REDIS_URL"]
		}
		if !ok || f.Category != report.CategoryRedis || !strings.Contains(f.Remedy, app.AddOns[1].Name) {
			t.Errorf("%s: %+v (all %v)", c, f, got)
		}
	}
	conn := 0
	for _, f := range r.Checks {
		if f.Check == "redis.connection" {
			conn++
		}
	}
	if conn != 1 {
		t.Errorf("REDIS_URL and REDIS_TLS_URL of one add-on are one server: %d connections", conn)
	}
	if strings.Contains(h.out.String(), p.Password) || strings.Contains(h.errOut.String(), p.Password) {
		t.Error("the Redis password is in the output")
	}
	if data.Calls()["GET /redis/v0/databases/{name}"] != 1 {
		t.Errorf("Data API calls: %v", data.Calls())
	}
}

func TestRedisHealthURL(t *testing.T) {
	srv, err := redistest.Start(redistest.Config{Password: "plain-pass-6ab2", MaxMemory: "64mb", MaxMemoryPolicy: "allkeys-lru"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := newHarness(t)
	if code := h.run("redis-health", "--redis-url", srv.URL(), "--format", "json"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, h.errOut.String(), h.out.String())
	}
	r := h.report()
	if f, ok := reporttest.FindCheck(t, r.Checks, "redis.connection"); !ok || f.Subject != "redis-url" || f.Status != report.StatusOK {
		t.Errorf("connection: %+v", f)
	}
	if strings.Contains(h.out.String(), "plain-pass-6ab2") {
		t.Error("the password is in the report")
	}
	// Nothing listens: one critical finding, exit 2, within the deadline.
	h = newHarness(t)
	if code := h.run("redis-health", "--redis-url", "redis://:gone-pass-1111@127.0.0.1:9", "--format", "json", "--timeout", "5s"); code != 2 {
		t.Fatalf("unreachable: exit %d", code)
	}
	if _, ok := reporttest.Find(t, h.report().Checks, codes.RedisUnreachable.ID, "redis-url"); !ok || strings.Contains(h.out.String()+h.errOut.String(), "gone-pass-1111") {
		t.Errorf("unreachable: %s %s", h.out.String(), h.errOut.String())
	}
}

// TestRedisHealthBadURL: a malformed --redis-url is one line and exit 3,
// without its password.
func TestRedisHealthBadURL(t *testing.T) {
	for _, u := range []string{"postgres://u:sekrit-pw-42@h/db", "redis://:sekrit-pw-42@host:99999", "redis://:sekrit-pw-42@"} {
		h := newHarness(t)
		if code := h.run("redis-health", "--redis-url", u); code != 3 {
			t.Errorf("%s: exit %d", u, code)
		}
		line := h.errOut.String()
		if strings.Count(line, "\n") != 1 || !strings.Contains(line, "--redis-url") || strings.Contains(line, "sekrit-pw-42") {
			t.Errorf("%s: stderr %q", u, line)
		}
	}
}
