package diagnose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// Part is one of CONTRACT.md's --only/--skip names; it equals the category.
type Part = report.Category

// ParseParts reads a comma-separated --only or --skip value.
func ParseParts(values []string) ([]Part, error) {
	var out []Part
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) == "" {
				continue
			}
			c, err := report.ParseCategory(p)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// SelectParts applies --only and --skip to the full list.
func SelectParts(only, skip []Part) []Part {
	parts := slices.Clone(report.Categories)
	if len(only) > 0 {
		parts = parts[:0]
		for _, c := range report.Categories {
			if slices.Contains(only, c) {
				parts = append(parts, c)
			}
		}
	}
	return slices.DeleteFunc(parts, func(c Part) bool { return slices.Contains(skip, c) })
}

// Check is a part of the checkup beyond the platform rules (logs, DNS, TLS,
// Postgres), plugged in by the command that wires the packages. Jobs are
// built from the app's snapshot; Sections render what the jobs collected.
type Check interface {
	Part() Part
	// Needs lists the Platform API resources the jobs are built from.
	Needs() []Resource
	// Jobs returns the jobs for one app. It is called as soon as the
	// resources of Needs are in, while the other reads may still run.
	Jobs(ctx context.Context, s *Snapshot) ([]runner.Job, error)
	Sections() []report.Section
}

// EarlyCheck is a Check whose jobs need no snapshot (the log session), so
// they start at once, concurrently with the API reads.
type EarlyCheck interface {
	Check
	EarlyJobs(app string) []runner.Job
}

// Options of a run.
type Options struct {
	Apps  []string
	Parts []Part
	Now   func() time.Time
	Certs CertThresholds
	// CallTimeout bounds each Platform API read (default 15s).
	CallTimeout time.Duration
	// AppLimit is how many apps are checked at once (default 10); JobLimit
	// how many jobs of one app run at once (default 64). Together they bound
	// the run's concurrency at AppLimit*JobLimit.
	AppLimit, JobLimit int
	// MissingApp says what a 404 on an app means: with apps named by the user
	// it stops the run (exit 3); with apps listed from a team it is a finding.
	MissingAppIsFinding bool
}

// Deps are what a run talks to.
type Deps struct {
	API      API
	Redactor *report.Redactor
	Runner   runner.Runner
	Checks   []Check
}

// Result of a run.
type Result struct {
	Findings []report.Finding
	Sections []report.Section
}

// Run checks every app and returns one list of findings. A setup error (bad
// token, unknown app) stops it; any other failure is a finding.
func Run(ctx context.Context, deps Deps, opts Options) (Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 15 * time.Second
	}
	if opts.AppLimit <= 0 {
		opts.AppLimit = 10
	}
	if opts.JobLimit > 0 {
		deps.Runner.Limit = opts.JobLimit
	} else if deps.Runner.Limit <= 0 {
		deps.Runner.Limit = 64
	}
	if opts.Certs == (CertThresholds{}) {
		opts.Certs = DefaultCertThresholds
	}
	results := make([][]report.Finding, len(opts.Apps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.AppLimit)
	for i, app := range opts.Apps {
		g.Go(func() error {
			fs, err := runApp(gctx, deps, opts, app)
			if err != nil {
				return err
			}
			results[i] = fs
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Result{}, err
	}
	var res Result
	for _, fs := range results {
		res.Findings = append(res.Findings, fs...)
	}
	for _, c := range deps.Checks {
		if slices.Contains(opts.Parts, c.Part()) {
			res.Sections = append(res.Sections, c.Sections()...)
		}
	}
	return res, nil
}

func (o Options) has(p Part) bool { return slices.Contains(o.Parts, p) }

func runApp(ctx context.Context, deps Deps, opts Options, app string) ([]report.Finding, error) {
	need := []Resource{ResApp}
	if opts.has(report.CategoryPlatform) {
		need = slices.Clone(AllResources)
	}
	var checks []Check
	for _, c := range deps.Checks {
		if opts.has(c.Part()) {
			checks = append(checks, c)
			for _, r := range c.Needs() {
				if !slices.Contains(need, r) {
					need = append(need, r)
				}
			}
		}
	}

	// Jobs that need no snapshot start now, beside the API reads.
	var early []runner.Job
	for _, c := range checks {
		if e, ok := c.(EarlyCheck); ok {
			early = append(early, e.EarlyJobs(app)...)
		}
	}
	ectx, cancelEarly := context.WithCancel(ctx)
	defer cancelEarly()
	var earlyFindings []report.Finding
	var wg sync.WaitGroup
	if len(early) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			earlyFindings = deps.Runner.Run(ectx, early)
		}()
	}

	snap := StartCollect(ctx, deps.API, app, need, callTimeout(ctx, opts.CallTimeout))
	if err := snap.Wait(ctx, ResApp); err == nil {
		if err := snap.Err(ResApp); err != nil {
			if setup := heroku.Classify(err, fmt.Sprintf("app %q", app)); heroku.IsSetupError(setup) {
				var nf *heroku.NotFoundError
				if !(opts.MissingAppIsFinding && errors.As(setup, &nf)) {
					cancelEarly()
					wg.Wait()
					return nil, setup
				}
			}
		}
	}

	// Each part starts as soon as the resources it needs are in, all of
	// the app's jobs sharing one bound.
	r := deps.Runner
	r.Sem = make(chan struct{}, max(deps.Runner.Limit, 1))
	type part struct {
		needs []Resource
		jobs  func() ([]runner.Job, error)
		cat   Part
	}
	var parts []part
	if opts.has(report.CategoryPlatform) {
		parts = append(parts, part{needs: AllResources, cat: report.CategoryPlatform, jobs: func() ([]runner.Job, error) {
			return []runner.Job{{Name: "platform " + app, Check: "platform", Category: report.CategoryPlatform, App: app, Subject: app,
				Run: func(context.Context) ([]report.Finding, error) {
					return PlatformRules(snap, opts.Now(), opts.Certs), nil
				}}}, nil
		}})
	}
	for _, c := range checks {
		parts = append(parts, part{needs: c.Needs(), cat: c.Part(), jobs: func() ([]runner.Job, error) { return c.Jobs(ctx, snap) }})
	}
	results := make([][]report.Finding, len(parts))
	var pwg sync.WaitGroup
	for i, p := range parts {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			if err := snap.Wait(ctx, p.needs...); err != nil {
				results[i] = []report.Finding{{Check: string(p.cat), Category: p.cat, App: app, Subject: app,
					Status: report.StatusUnknown, Code: report.CodeTimeout, Summary: "the Platform API did not answer before the run's --timeout"}}
				return
			}
			js, err := p.jobs()
			if err != nil {
				results[i] = []report.Finding{{Check: string(p.cat), Category: p.cat, App: app, Subject: app,
					Status: report.StatusUnknown, Code: runner.ErrorCode(err), Summary: err.Error()}}
				return
			}
			for j := range js {
				if js[j].App == "" {
					js[j].App = app
				}
			}
			results[i] = r.Run(ctx, js)
		}()
	}
	pwg.Wait()
	wg.Wait()
	snap.Wait(ctx, need...)
	if cv := snap.configVars(); cv != nil {
		deps.Redactor.AddConfigVars(cv)
	}
	var out []report.Finding
	for _, fs := range results {
		out = append(out, fs...)
	}
	return append(out, earlyFindings...), nil
}

// callTimeout leaves at least half of what remains of the run to the checks
// that need the API's answers, so one hung endpoint cannot eat the run.
func callTimeout(ctx context.Context, limit time.Duration) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		if half := time.Until(dl) / 2; half < limit {
			return max(half, 100*time.Millisecond)
		}
	}
	return limit
}
