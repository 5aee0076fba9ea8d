package e2e

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
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
	planted := []struct{ check, subject, status, code string }{
		{"platform.dynos", "web.2", "critical", "DYNO_CRASHED"},
		{"platform.restarts", "web.2", "warning", "DYNO_RESTARTING"},
		{"platform.releases", "v42", "warning", "RELEASE_FAILED"},
		{"platform.drains", "log drains", "warning", "NO_LOG_DRAIN"},
		{"platform.features", "preboot", "info", "PREBOOT_OFF"},
		{"platform.acm", "shop.acme-demo.example", "warning", "ACM_FAILING"},
		{"platform.sni", "brachiosaurus-72731", "critical", "SNI_CERT_EXPIRING"},
		{"logs.codes", "H12", "warning", "H12"},
		{"logs.codes", "H10", "critical", "H10"},
		{"logs.codes", "R14", "warning", "R14"},
		{"logs.memory", "web.1", "warning", "MEMORY_NEAR_QUOTA"},
		{"logs.router", "router", "warning", "SLOW_REQUESTS"},
		{"dns.target", "shop.acme-demo.example", "warning", "DNS_CNAME_HEROKUAPP"},
		{"tls.certificate", "shop.acme-demo.example", "critical", "CERT_HEROKU_WILDCARD"},
		{"tls.certificate", "api.acme-demo.example", "critical", "CERT_EXPIRING"},
	}
	for _, p := range planted {
		found := false
		for _, f := range rep.Checks {
			if f.Check == p.check && f.Subject == p.subject && f.Code == p.code && f.Status == p.status {
				found = true
			}
		}
		if !found {
			t.Errorf("planted %s on %s (%s) not reported", p.code, p.subject, p.status)
		}
	}
	healthy := []struct{ check, subject string }{
		{"dns.target", "www.acme-demo.example"}, {"dns.target", "acme-demo.example"},
		{"tls.certificate", "www.acme-demo.example"}, {"platform.stack", "heroku-24"}, {"platform.formation", "web"},
	}
	for _, h := range healthy {
		f, ok := rep.find(h.check, h.subject)
		if !ok || f.Status != "ok" {
			t.Errorf("%s %s should be ok: %+v", h.check, h.subject, f)
		}
	}
	if f, ok := rep.find("postgres.connection", "DATABASE_URL"); !ok || f.Status != "skipped" || !strings.Contains(f.Summary, "--database-url") {
		t.Errorf("postgres in the demo must be skipped with a hint: %+v", f)
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
