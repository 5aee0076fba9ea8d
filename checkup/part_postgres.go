package checkup

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// PostgresPart checks every Postgres database of an app (each *_URL config
// var holding a postgres URL: the primary, followers, attached databases),
// or the one --database-url names; one job, one session per database.
type PostgresPart struct {
	DatabaseURL string // --database-url: this database instead of the app's
	Plan        string // --plan for --database-url
	Session     pgcheck.Session
	Thresholds  pgcheck.Thresholds
	Now         func() time.Time
	Timeout     time.Duration // per database (default 30s)
	// Simulated: the app is the sandbox, whose config vars name hosts
	// beyond loopback; only --database-url may be checked.
	Simulated bool
}

func (p *PostgresPart) Category() report.Category { return report.CategoryPostgres }
func (p *PostgresPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResConfigVars, platform.ResAddOns}
}

// TargetJobs builds one job per database.
func (p *PostgresPart) TargetJobs(targets []pgcheck.Target) []runner.Job {
	timeout := or(p.Timeout, 30*time.Second)
	th := p.Thresholds
	if th == (pgcheck.Thresholds{}) {
		th = pgcheck.DefaultThresholds
	}
	now := orNow(p.Now)
	var jobs []runner.Job
	for _, t := range targets {
		jobs = append(jobs, runner.Job{Name: "postgres " + t.Name, Check: "postgres.connection", Category: report.CategoryPostgres,
			App: t.App, Subject: t.Name, Timeout: timeout,
			Run: func(ctx context.Context) (runner.Result, error) {
				s := pgcheck.Collect(ctx, t, p.Session)
				return runner.Findings(pgcheck.Judge(s, th, now())...), nil
			}})
	}
	return jobs
}

func (p *PostgresPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	if p.DatabaseURL != "" {
		return p.TargetJobs([]pgcheck.Target{{Name: pgcheck.DatabaseURLSubject, URL: p.DatabaseURL, App: s.Name, Plan: p.Plan}}), nil
	}
	skip := func(subject, summary string) []runner.Job {
		return []runner.Job{{Name: "postgres " + s.Name, Check: "postgres.connection", Category: report.CategoryPostgres, App: s.Name, Subject: subject,
			Run: func(context.Context) (runner.Result, error) {
				return runner.Findings(report.Finding{Status: report.StatusSkipped, Summary: summary}), nil
			}}}
	}
	if p.Simulated {
		return skip("DATABASE_URL", "the sandbox has no database: pass --database-url postgres://... to check a real Postgres"), nil
	}
	if !s.Has(platform.ResConfigVars) {
		return nil, s.Err(platform.ResConfigVars)
	}
	plans := map[string]string{}
	for _, a := range s.PostgresAddOns() {
		for _, v := range a.ConfigVars {
			plans[v] = a.Plan
		}
	}
	var targets []pgcheck.Target
	for name, v := range s.ConfigVars {
		if v == nil || !strings.HasSuffix(name, "_URL") || !pgcheck.IsPostgresURL(*v) {
			continue
		}
		targets = append(targets, pgcheck.Target{Name: name, URL: *v, App: s.Name, Plan: plans[name]})
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Name < targets[j].Name })
	if len(targets) == 0 {
		return skip(s.Name, "no Postgres database: no *_URL config var holds a postgres:// URL"), nil
	}
	return p.TargetJobs(targets), nil
}
