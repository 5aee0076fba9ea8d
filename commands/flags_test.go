package commands

import (
	"slices"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// withCommand runs the CLI with one command's work replaced by capture.
func withCommand(t *testing.T, cmd *cli.Command, args ...string) {
	t.Helper()
	h := newHarness(t)
	app := NewApp(h.factory())
	for i, c := range app.Commands {
		if c.Name == cmd.Name {
			app.Commands[i] = cmd
		}
	}
	if err := app.Run(Interspersed(app, append([]string{"heroku-checkup", cmd.Name}, args...))); err != nil {
		t.Fatalf("%s %v: %v", cmd.Name, args, err)
	}
}

func TestSubcommandFlagsParse(t *testing.T) {
	f := newHarness(t).factory()

	var pg *PgHealthOptions
	withCommand(t, newPgHealthCommand(f, func(_ *cli.Context, o *PgHealthOptions) error { pg = o; return nil }),
		"--database-url", "postgres://u:p@db.example.com:5432/d", "--plan", "standard-0", "--long-query", "2m", "--long-query-critical", "30m", "--format", "json")
	if pg.DatabaseURL != "postgres://u:p@db.example.com:5432/d" || pg.Plan != "standard-0" || pg.Thresholds.LongQueryWarn != 2*time.Minute ||
		pg.Thresholds.LongQueryCrit != 30*time.Minute || pg.Thresholds.ConnWarn != pgcheck.DefaultThresholds.ConnWarn || pg.Format != report.FormatJSON {
		t.Errorf("pg-health: %+v", pg)
	}

	var rh *RedisHealthOptions
	withCommand(t, newRedisHealthCommand(f, func(_ *cli.Context, o *RedisHealthOptions) error { rh = o; return nil }),
		"--redis-url", "rediss://:p@ec2-3-91-0-1.compute-1.amazonaws.com:20450", "--redis-insecure-skip-verify", "--format", "markdown")
	if rh.RedisURL != "rediss://:p@ec2-3-91-0-1.compute-1.amazonaws.com:20450" || !rh.SkipVerify || rh.Format != report.FormatMarkdown {
		t.Errorf("redis-health: %+v", rh)
	}

	var cc *CertsCheckOptions
	withCommand(t, newCertsCheckCommand(f, func(_ *cli.Context, o *CertsCheckOptions) error { cc = o; return nil }),
		"--warn-days", "21", "--crit-days", "3", "--ca-file", "/dev/null", "shop.example.com", "[::1]:8443", "10.0.0.1")
	if cc.WarnDays != 21 || cc.CritDays != 3 || cc.CAFile != "/dev/null" || len(cc.Hosts) != 3 ||
		cc.Hosts[0].Host != "shop.example.com" || cc.Hosts[0].Port != "443" || cc.Hosts[1].Host != "::1" || cc.Hosts[1].Port != "8443" {
		t.Errorf("certs-check: %+v", cc)
	}

	var dc *DNSCheckOptions
	withCommand(t, newDNSCheckCommand(f, func(_ *cli.Context, o *DNSCheckOptions) error { dc = o; return nil }),
		"--dig", "--resolver", "127.0.0.1:5353", "--fail-on", "critical", "example.com", "*.example.com")
	if !dc.Dig || dc.Resolver != "127.0.0.1:5353" || dc.FailOn != report.FailOnCritical || !slices.Equal(dc.Domains, []string{"example.com", "*.example.com"}) {
		t.Errorf("dns-check: %+v", dc)
	}

	var lc *LogsCheckOptions
	withCommand(t, newLogsCheckCommand(f, func(_ *cli.Context, o *LogsCheckOptions) error { lc = o; return nil }),
		"-a", "acme-prod", "--logs-file", "-", "-o", "report.md", "--format", "markdown", "--timeout", "10s")
	if lc.LogsFile != "-" || !slices.Equal(lc.Apps, []string{"acme-prod"}) || lc.Output != "report.md" || lc.Format != report.FormatMarkdown || lc.Timeout != 10*time.Second {
		t.Errorf("logs-check: %+v", lc)
	}
}

func TestSingleAppCommandsRefuseSeveralApps(t *testing.T) {
	h := newHarness(t)
	for _, cmd := range []string{"pg-health", "redis-health", "certs-check", "dns-check", "logs-check"} {
		if code := h.run(cmd, "-a", "one", "-a", "two"); code != 3 {
			t.Errorf("%s with two apps: exit %d", cmd, code)
		}
	}
}
