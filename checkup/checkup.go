// Package checkup is the engine: for each app it reads the Platform API
// into a snapshot and runs the parts it is given (the platform rules, logs,
// DNS, TLS, Postgres), each part as soon as the resources it needs are in,
// all of an app's jobs under one bound, one report for one or many apps.
// The families (platform, dnscheck, sslcheck, pgcheck, logcheck) know
// nothing of it; the parts here adapt each family to the engine.
package checkup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/internal/safe"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// Part is one category of the checkup, plugged in by the command that
// wires the families. It is a SnapshotPart, an EarlyPart, or both.
type Part interface {
	Category() report.Category
}

// SnapshotPart's jobs are built from the app's snapshot.
type SnapshotPart interface {
	Part
	// Needs lists the Platform API resources the jobs are built from.
	Needs() []platform.Resource
	// Jobs returns the jobs for one app. It is called as soon as the
	// resources of Needs are in, while the other reads may still run.
	Jobs(ctx context.Context, s *platform.Snapshot) ([]runner.Job, error)
}

// EarlyPart's jobs need no snapshot to start (the log session), so they
// start at once, concurrently with the API reads. They get the snapshot
// being read (nil when there is no app: a saved log file), and may wait in
// it for a resource while they work (the log session waits for the app's
// generation while its request is on its way).
type EarlyPart interface {
	Part
	EarlyJobs(app string, s *platform.Snapshot) []runner.Job
}

// ParseParts reads comma-separated --only or --skip values: the names of
// report.Categories.
func ParseParts(values []string) ([]report.Category, error) {
	var out []report.Category
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if strings.TrimSpace(p) == "" {
				continue
			}
			c, err := report.ParseCategory(p)
			if err != nil {
				return nil, fmt.Errorf("unknown part %q (want one of %s)", strings.TrimSpace(p), report.CategoryNames(", "))
			}
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// SelectParts applies --only and --skip to report.Categories.
func SelectParts(only, skip []report.Category) []report.Category {
	parts := slices.Clone(report.Categories)
	if len(only) > 0 {
		parts = slices.DeleteFunc(parts, func(c report.Category) bool { return !slices.Contains(only, c) })
	}
	return slices.DeleteFunc(parts, func(c report.Category) bool { return slices.Contains(skip, c) })
}

// Options of a run.
type Options struct {
	Apps []string
	// CallTimeout bounds each Platform API read (default 15s).
	CallTimeout time.Duration
	// AppLimit is how many apps are checked at once (default 10); JobLimit
	// how many jobs of one app run at once (default 64). Together they bound
	// the run's concurrency at AppLimit*JobLimit.
	AppLimit, JobLimit int
	// MissingAppIsFinding says what a 404 on an app means: with apps named
	// by the user it stops the run (exit 3); with apps listed from a team it
	// is a finding.
	MissingAppIsFinding bool
}

// Deps are what a run talks to.
type Deps struct {
	API      platform.API
	Redactor *report.Redactor
	Runner   runner.Runner
	Parts    []Part // in report order; each runs for every app
}

// Run checks every app and returns their findings and tables, apps in
// order. A setup error (bad token, unknown app) stops it; any other failure
// is a finding. With several apps, each app's tables are titled with it.
func Run(ctx context.Context, deps Deps, opts Options) (runner.Result, error) {
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
	results := make([]runner.Result, len(opts.Apps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.AppLimit)
	for i, app := range opts.Apps {
		g.Go(func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("checking %s: %w", app, safe.Error(p))
				}
			}()
			res, err := runApp(gctx, deps, opts, app)
			if err != nil {
				return err
			}
			if len(opts.Apps) > 1 {
				for j := range res.Sections {
					res.Sections[j].Title = app + ": " + res.Sections[j].Title
				}
			}
			results[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return runner.Result{}, err
	}
	var out runner.Result
	for _, res := range results {
		out.Add(res)
	}
	return out, nil
}

func runApp(ctx context.Context, deps Deps, opts Options, app string) (runner.Result, error) {
	need := []platform.Resource{platform.ResApp}
	for _, p := range deps.Parts {
		// Early parts may name resources they read while they work (the
		// logs part, the releases).
		if sp, ok := p.(interface{ Needs() []platform.Resource }); ok {
			for _, r := range sp.Needs() {
				if !slices.Contains(need, r) {
					need = append(need, r)
				}
			}
		}
	}

	// Jobs that need no snapshot start now, beside the API reads.
	snap := platform.StartCollect(ctx, deps.API, app, need, callTimeout(ctx, opts.CallTimeout))
	results := make([]runner.Result, len(deps.Parts))
	early := make([]runner.Result, len(deps.Parts))
	ectx, cancelEarly := context.WithCancel(ctx)
	defer cancelEarly()
	var wg sync.WaitGroup
	for i, p := range deps.Parts {
		if ep, ok := p.(EarlyPart); ok {
			if jobs := ep.EarlyJobs(app, snap); len(jobs) > 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						if p := recover(); p != nil {
							early[i] = partPanic(ep.Category(), app, p)
						}
					}()
					early[i] = deps.Runner.Run(ectx, jobs)
				}()
			}
		}
	}

	if err := snap.Wait(ctx, platform.ResApp); err == nil {
		if err := snap.Err(platform.ResApp); err != nil {
			if setup := heroku.Classify(err, fmt.Sprintf("app %q", app)); heroku.IsSetupError(setup) {
				var nf *heroku.NotFoundError
				if !(opts.MissingAppIsFinding && errors.As(setup, &nf)) {
					cancelEarly()
					wg.Wait()
					return runner.Result{}, setup
				}
			}
		}
	}

	// Each part starts as soon as the resources it needs are in, all of
	// the app's jobs sharing one bound.
	r := deps.Runner
	r.Sem = make(chan struct{}, max(deps.Runner.Limit, 1))
	var pwg sync.WaitGroup
	for i, p := range deps.Parts {
		sp, ok := p.(SnapshotPart)
		if !ok {
			continue
		}
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			defer func() {
				if v := recover(); v != nil {
					results[i] = partPanic(sp.Category(), app, v)
				}
			}()
			results[i] = runPart(ctx, r, sp, snap, app)
		}()
	}
	pwg.Wait()
	wg.Wait()
	snap.Wait(ctx, need...)
	if cv := snap.ReadConfigVars(); cv != nil {
		deps.Redactor.AddConfigVars(cv)
	}
	// Early findings last, as they always came; tables in part order.
	var out runner.Result
	for _, res := range results {
		out.Findings = append(out.Findings, res.Findings...)
	}
	for _, res := range early {
		out.Findings = append(out.Findings, res.Findings...)
		out.Timelines = append(out.Timelines, res.Timelines...)
	}
	for i := range deps.Parts {
		out.Sections = report.MergeSections(out.Sections, early[i].Sections)
		out.Sections = report.MergeSections(out.Sections, results[i].Sections)
	}
	return out, nil
}

// partPanic is a part that panicked outside its jobs (building them): one
// CHECK_ERROR finding about the app, the rest of the run carrying on.
func partPanic(cat report.Category, app string, p any) runner.Result {
	return runner.Findings(codes.CheckError.Raise(app, report.Finding{Check: string(cat), Category: cat, App: app, Subject: app,
		Summary: fmt.Sprintf("the %s part failed: %v", cat, safe.Error(p))}))
}

// runPart waits for what a part needs, builds its jobs and runs them; a
// part that cannot start is one unknown finding about the app.
func runPart(ctx context.Context, r runner.Runner, p SnapshotPart, snap *platform.Snapshot, app string) runner.Result {
	cat := p.Category()
	if err := snap.Wait(ctx, p.Needs()...); err != nil {
		summary := "the Platform API did not answer before the run's --timeout"
		if cause := context.Cause(ctx); errors.Is(cause, context.Canceled) {
			summary = fmt.Sprintf("the Platform API had not answered when the run was cut short: %v", cause)
		}
		return runner.Findings(codes.Timeout.Raise(app, report.Finding{Check: string(cat), Category: cat, App: app, Subject: app,
			Summary: summary}))
	}
	js, err := p.Jobs(ctx, snap)
	if err != nil {
		return runner.Findings(runner.ErrorCode(err).Raise(app, report.Finding{Check: string(cat), Category: cat, App: app, Subject: app,
			Summary: err.Error()}))
	}
	for j := range js {
		if js[j].App == "" {
			js[j].App = app
		}
	}
	return r.Run(ctx, js)
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
