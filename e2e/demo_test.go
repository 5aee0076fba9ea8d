package e2e

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/internal/herokucli"
	"github.com/heroku-checkup/heroku-checkup/sandbox"
)

// TestDemo runs `heroku-checkup diagnose --demo` as a user would on a fresh
// machine: no credentials, no network.
func TestDemo(t *testing.T) {
	r := run(t, nil, "diagnose", "--demo", "--format", "json")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2\nstderr: %s", r.code, r.stderr)
	}
	rep := decode(t, r)
	planted := []struct{ app, check, subject, status, code string }{
		{"acme-prod", "platform.dynos", "web.2", "critical", "DYNO_CRASHED"},
		{"acme-prod", "platform.restarts", "web.2", "warning", "DYNO_RESTARTING"},
		{"acme-prod", "platform.releases", "v42", "warning", "RELEASE_FAILED"},
		{"acme-prod", "platform.drains", "log drains", "warning", "NO_LOG_DRAIN"},
		{"acme-prod", "platform.features", "preboot", "info", "PREBOOT_OFF"},
		{"acme-prod", "platform.acm", "shop.acme-demo.example", "warning", "ACM_FAILING"},
		{"acme-prod", "platform.sni", "brachiosaurus-72731", "critical", "SNI_CERT_EXPIRING"},
		{"acme-prod", "logs.codes", "H12", "warning", "H12"},
		{"acme-prod", "logs.codes", "H10", "critical", "H10"},
		{"acme-prod", "logs.codes", "R14", "warning", "R14"},
		// Over its quota: the dyno manager's Process running mem=530M(103.5%) beside the R14.
		{"acme-prod", "logs.memory", "web.1", "critical", "MEMORY_NEAR_QUOTA"},
		{"acme-prod", "logs.router", "router", "warning", "SLOW_REQUESTS"},
		{"acme-prod", "dns.target", "shop.acme-demo.example", "warning", "DNS_CNAME_HEROKUAPP"},
		{"acme-prod", "tls.certificate", "shop.acme-demo.example", "critical", "CERT_HEROKU_WILDCARD"},
		{"acme-prod", "tls.certificate", "api.acme-demo.example", "critical", "CERT_EXPIRING"},
		// acme-edge, the Fir app: its pods judged by process type, no telemetry drain.
		{"acme-edge", "platform.dynos", "web", "critical", "DYNO_CRASHED"},
		{"acme-edge", "platform.drains", "log drains", "warning", "NO_LOG_DRAIN"},
		// Heroku Data (the sandbox's Data API) and the real PostgreSQL and
		// redis-server the demo starts for acme-prod (scripts/setup installs both).
		{"acme-prod", "postgres.heroku.backups", "DATABASE_URL", "warning", "PG_BACKUP_FAILED"},
		{"acme-prod", "postgres.heroku.backup_age", "DATABASE_URL", "warning", "PG_BACKUP_STALE"},
		{"acme-prod", "postgres.heroku.maintenance", "DATABASE_URL", "warning", "PG_MAINTENANCE_SCHEDULED"},
		{"acme-prod", "postgres.connection_budget", "DATABASE_URL", "critical", "PG_CONNECTION_BUDGET"},
		{"acme-prod", "postgres.connections", "DATABASE_URL", "critical", "PG_CONNECTIONS_HIGH"},
		{"acme-prod", "postgres.indexes", "public.big_val_b", "warning", "PG_DUPLICATE_INDEX"},
		{"acme-prod", "redis.memory", "REDIS_URL", "critical", "REDIS_MEMORY_HIGH"},
		{"acme-prod", "redis.evictions", "REDIS_URL", "warning", "REDIS_EVICTIONS"},
		{"acme-prod", "redis.clients", "REDIS_URL", "warning", "REDIS_CONNECTIONS_HIGH"},
		{"acme-prod", "redis.rejected", "REDIS_URL", "warning", "REDIS_REJECTED_CONNECTIONS"},
	}
	for _, p := range planted {
		found := false
		for _, f := range rep.Checks {
			if f.App == p.app && f.Check == p.check && f.Subject == p.subject && f.Code == p.code && f.Status == p.status {
				found = true
			}
		}
		if !found {
			t.Errorf("planted %s on %s of %s (%s) not reported", p.code, p.subject, p.app, p.status)
		}
	}
	healthy := []struct{ check, subject, status string }{
		{"dns.target", "www.acme-demo.example", "ok"}, {"dns.target", "acme-demo.example", "ok"},
		{"tls.certificate", "www.acme-demo.example", "ok"}, {"platform.stack", "heroku-24", "ok"},
		{"dns.target", "edge.acme-demo.example", "ok"}, {"tls.certificate", "edge.acme-demo.example", "ok"},
		{"platform.stack", "cnb", "skipped"}, {"platform.features", "features", "skipped"},
		{"logs.input", "logs", "ok"}, {"logs.postgres", "DATABASE_URL", "ok"},
	}
	for _, h := range healthy {
		f, ok := rep.find(h.check, h.subject)
		if !ok || f.Status != h.status {
			t.Errorf("%s %s should be %s: %+v", h.check, h.subject, h.status, f)
		}
	}
	for _, f := range rep.Checks {
		if f.Check == "platform.formation" && f.Status != "ok" {
			t.Errorf("%s's formation should be ok: %+v", f.App, f)
		}
		if f.App != sandbox.FirApp {
			continue
		}
		if strings.Contains(f.Summary, "1,500") {
			t.Errorf("a Fir app's finding speaks of Logplex's 1,500 lines: %+v", f)
		}
		// Its live session was read: quiet codes on Fir are no evidence of health.
		if f.Check == "logs.codes" && (f.Status != "ok" || !strings.Contains(f.Summary, "no evidence of health")) {
			t.Errorf("the Fir app's log codes: %+v", f)
		}
		if f.Check == "logs.input" && !strings.Contains(f.Summary, "live tail") {
			t.Errorf("the Fir app's log input: %+v", f)
		}
		for _, argv := range herokucli.Commands(f.Remedy) {
			if why := herokucli.FirIncompatible(argv); why != "" {
				t.Errorf("%s on %s of the Fir app: %s", f.Code, f.Subject, why)
			}
		}
	}
	if f, ok := rep.find("redis.connection", "REDIS_URL"); !ok || f.Status != "ok" || !strings.Contains(f.Summary, "not verified") {
		t.Errorf("the demo's Redis is Heroku-like: rediss:// with a self-signed certificate: %+v", f)
	}
	// Without its servers, each part says it was left out.
	bare := decode(t, run(t, nil, "diagnose", "--demo", "--demo-servers=false", "--only", "postgres,redis", "--format", "json"))
	for _, subject := range []string{"DATABASE_URL", "REDIS_URL"} {
		found := false
		for _, f := range bare.Checks {
			if f.Subject == subject && f.Status == "skipped" && strings.Contains(f.Summary, "without its servers") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: not skipped with its reason: %+v", subject, bare.Checks)
		}
	}

	md := run(t, nil, "diagnose", "--demo", "--format", "markdown")
	if md.code != 2 {
		t.Errorf("markdown: exit %d", md.code)
	}
	secrets := append([]string{sandbox.Token}, herokutest.SampleSecrets...)
	for _, out := range []string{r.stdout, md.stdout, md.stderr, r.stderr} {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("secret %q in the output", s)
			}
		}
	}
	if !strings.Contains(md.stdout, "simulated app") || !strings.Contains(md.stdout, "were redacted") {
		t.Error("markdown must say it is simulated and redacted")
	}

	text := run(t, nil, "diagnose", "--demo")
	if !strings.Contains(text.stdout, "→ heroku ps:restart --dyno-name web.2 -a acme-prod") || strings.Contains(text.stdout, "\x1b[") {
		t.Errorf("text report: remedy missing or colour when piped\n%s", text.stdout)
	}
	if text.stderr != "" {
		t.Errorf("a piped run wrote to stderr (spinner?): %q", text.stderr)
	}
}
