package checkup

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/internal/safe"
	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// PostgresPart checks every Postgres database of an app (each *_URL config
// var holding a postgres URL: the primary, followers, attached databases),
// or the one --database-url names; one job, one session per database. With
// the Data API, each Heroku Postgres add-on is also read as Heroku Data
// runs it (pg:info, backups, maintenance), beside the session.
type PostgresPart struct {
	DatabaseURL string // --database-url: this database instead of the app's
	Plan        string // --plan for --database-url
	Session     pgcheck.Session
	Thresholds  pgcheck.Thresholds
	Now         func() time.Time
	Timeout     time.Duration // per database (default 30s)
	// Data reads the add-ons from Heroku's Data API; nil leaves them out.
	Data *heroku.DataClient
	// Unavailable maps an app to why it has nothing to check here and how
	// to include it (the demo without PostgreSQL or redis-server): one
	// skipped finding for that app.
	Unavailable map[string]string
}

func (p *PostgresPart) Category() report.Category { return report.CategoryPostgres }
func (p *PostgresPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResConfigVars, platform.ResAddOns, platform.ResFormation}
}

// dbJob is what a database's job needs beyond its target.
type dbJob struct {
	target    pgcheck.Target
	addon     *platform.PostgresAddOn
	formation []pgcheck.Process
	vars      map[string]string
}

// TargetJobs builds one job per database.
func (p *PostgresPart) TargetJobs(targets []pgcheck.Target) []runner.Job {
	dbs := make([]dbJob, len(targets))
	for i, t := range targets {
		dbs[i] = dbJob{target: t}
	}
	return p.jobs(dbs, nil)
}

func (p *PostgresPart) jobs(dbs []dbJob, shared *appData) []runner.Job {
	timeout := or(p.Timeout, 30*time.Second)
	th := p.Thresholds
	if th == (pgcheck.Thresholds{}) {
		th = pgcheck.DefaultThresholds
	}
	now := orNow(p.Now)
	var jobs []runner.Job
	for _, db := range dbs {
		t := db.target
		jobs = append(jobs, runner.Job{Name: "postgres " + t.Name, Check: "postgres.connection", Category: report.CategoryPostgres,
			App: t.App, Subject: t.Name, Timeout: timeout,
			Run: func(ctx context.Context) (runner.Result, error) {
				var h *pgcheck.Heroku
				var g safe.Group // a panic in the Data API's reading is the job's, not the process's
				if p.Data != nil && db.addon != nil && shared != nil {
					// A third of the job's time at most: a hung Data API costs its
					// own findings (unknown), never the session's.
					dctx, cancel := context.WithTimeout(ctx, dataShare(ctx, timeout))
					g.Go(func() { defer cancel(); h = shared.addon(dctx, p.Data, *db.addon) })
				}
				s := pgcheck.Collect(ctx, t, p.Session)
				g.Wait()
				s.Heroku, s.Formation, s.BudgetVars = h, db.formation, db.vars
				return runner.Findings(pgcheck.Judge(s, th, now())...), nil
			}})
	}
	return jobs
}

func (p *PostgresPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	skip := func(subject, summary string) []runner.Job {
		return skipJob("postgres", report.CategoryPostgres, s.Name, subject, summary)
	}
	if p.DatabaseURL != "" {
		return p.TargetJobs([]pgcheck.Target{{Name: pgcheck.DatabaseURLSubject, URL: p.DatabaseURL, App: s.Name, Plan: p.Plan}}), nil
	}
	if why := p.Unavailable[s.Name]; why != "" {
		return skip("DATABASE_URL", why), nil
	}
	if !s.Has(platform.ResConfigVars) {
		return nil, s.Err(platform.ResConfigVars)
	}
	addons := map[string]*platform.PostgresAddOn{}
	for _, a := range s.PostgresAddOns() {
		for _, v := range a.ConfigVars {
			addons[v] = &a
		}
	}
	vars := s.ReadConfigVars()
	budget := map[string]string{}
	for _, n := range pgcheck.BudgetVarNames {
		if v := vars[n]; v != nil {
			budget[n] = *v
		}
	}
	var formation []pgcheck.Process
	for _, f := range s.Formation {
		formation = append(formation, pgcheck.Process{Type: f.Type, Quantity: f.Quantity, Command: f.Command})
	}
	var dbs []dbJob
	for name, v := range vars {
		if v == nil || !strings.HasSuffix(name, "_URL") || !pgcheck.IsPostgresURL(*v) {
			continue
		}
		db := dbJob{target: pgcheck.Target{Name: name, URL: *v, App: s.Name}, addon: addons[name], formation: formation, vars: budget}
		if db.addon != nil {
			db.target.Plan = db.addon.Plan
		}
		dbs = append(dbs, db)
	}
	sort.Slice(dbs, func(i, j int) bool { return dbs[i].target.Name < dbs[j].target.Name })
	if len(dbs) == 0 {
		return skip(s.Name, "no Postgres database: no *_URL config var holds a postgres:// URL"), nil
	}
	appID := ""
	if s.App != nil {
		appID = s.App.ID
	}
	return p.jobs(dbs, &appData{app: s.Name, appID: appID}), nil
}

// appData is what the Data API says per app (the transfers and the
// maintenances of all its add-ons), read once for all its databases.
type appData struct {
	app, appID string

	transfersOnce sync.Once
	transfers     []heroku.Transfer
	transfersErr  error
	maintOnce     sync.Once
	maint         []heroku.Maintenance
	maintErr      error
}

// addon reads one add-on as pg:info, pg:backups:schedules, pg:backups and
// data:maintenances do (data:pg:info for the Advanced tier).
func (d *appData) addon(ctx context.Context, c *heroku.DataClient, a platform.PostgresAddOn) *pgcheck.Heroku {
	h := &pgcheck.Heroku{Addon: a.Name, AddonID: a.ID, Plan: a.Plan, Attachments: a.ConfigVars, Errs: map[string]error{}}
	if pgcheck.IsAdvanced(a.Plan) {
		adv, err := c.AdvancedInfo(ctx, a.ID)
		if err != nil {
			h.Errs["database"] = err
			return h
		}
		h.Advanced = adv
		return h
	}
	db, err := c.Database(ctx, a.ID)
	if err != nil {
		h.Errs["database"] = err
		if heroku.DataStatus(err) == 404 {
			return h // unknown to the Data API: nothing more to ask it
		}
	} else {
		h.Database = db
	}
	if h.Schedules, err = c.TransferSchedules(ctx, a.ID); err != nil {
		h.Errs["schedules"] = err
	}
	d.transfersOnce.Do(func() { d.transfers, d.transfersErr = c.Transfers(ctx, d.app) })
	if d.transfersErr != nil {
		h.Errs["transfers"] = d.transfersErr
	}
	uuids := map[string]bool{}
	for _, s := range h.Schedules {
		uuids[s.UUID] = s.UUID != ""
	}
	for _, t := range d.transfers {
		if !t.IsBackup() {
			continue
		}
		if (t.Schedule != nil && uuids[t.Schedule.UUID]) || slices.Contains(a.ConfigVars, t.FromName+"_URL") {
			h.Backups = append(h.Backups, t)
		}
	}
	if d.appID != "" {
		d.maintOnce.Do(func() { d.maint, d.maintErr = c.Maintenances(ctx, d.appID) })
		if d.maintErr != nil {
			h.Errs["maintenances"] = d.maintErr
		}
		h.Maint = d.maint
	}
	return h
}

// dataShare is how long the Data API reads of a job may take: a third of
// what is left of the job, so the SQL session's findings survive a hung
// Data API.
func dataShare(ctx context.Context, timeout time.Duration) time.Duration {
	left := timeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < left {
		left = time.Until(dl)
	}
	return max(left/3, 50*time.Millisecond)
}

// skipJob is a part's one job when there is nothing to check: a skipped
// finding of its connection check saying why.
func skipJob(name string, cat report.Category, app, subject, summary string) []runner.Job {
	return []runner.Job{{Name: name + " " + app, Check: name + ".connection", Category: cat, App: app, Subject: subject,
		Run: func(context.Context) (runner.Result, error) {
			return runner.Findings(report.Finding{Status: report.StatusSkipped, Summary: summary}), nil
		}}}
}
