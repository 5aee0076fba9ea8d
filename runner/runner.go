// Package runner runs checks as named jobs: bounded concurrency, one
// deadline per job inside the run's deadline, every job's error recorded as
// an unknown finding while the others carry on, and results kept in job
// order so the report never depends on which check finished first.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/internal/safe"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// Job is one check on one subject. Its identity (check, category, app,
// subject) is stamped by the runner on every finding that leaves it empty:
// the job's rules state only what differs (another check's name, a dyno or
// an index as the subject).
type Job struct {
	Name     string // shown while running, e.g. "dns shop.acme.com"
	Check    string
	Category report.Category
	App      string
	Subject  string
	Timeout  time.Duration // 0: the runner's default
	Run      func(ctx context.Context) (Result, error)
}

// Result is what a job found: its findings, and its part of the report's
// tables (its rows of "Certificates", its log tables), so that nothing is
// kept on the side to be rendered later.
type Result struct {
	Findings []report.Finding
	Sections []report.Section
	// Timelines are the apps' log timelines (the logs part's).
	Timelines []report.Timeline
}

// Add appends o: findings and timelines in order, sections merged by title.
func (r *Result) Add(o Result) {
	r.Findings = append(r.Findings, o.Findings...)
	r.Sections = report.MergeSections(r.Sections, o.Sections)
	r.Timelines = append(r.Timelines, o.Timelines...)
}

// Findings is a Result of findings alone.
func Findings(fs ...report.Finding) Result { return Result{Findings: fs} }

// PermissionError marks a failure caused by missing privileges.
type PermissionError struct{ Err error }

func (e *PermissionError) Error() string { return e.Err.Error() }
func (e *PermissionError) Unwrap() error { return e.Err }

// Runner runs jobs.
type Runner struct {
	Limit int // jobs at once (default 8)
	// Sem, when set, bounds jobs across several concurrent Run calls (the
	// checks of one app starting as their inputs arrive) instead of Limit.
	Sem      chan struct{}
	Timeout  time.Duration // per job when the job sets none (default 20s)
	Progress termui.Progress
	Now      func() time.Time
}

// Run runs every job and returns their results in job order. It returns
// when every job has finished or the job's deadline passed: a job that
// ignores its context is abandoned, never waited for.
func (r Runner) Run(ctx context.Context, jobs []Job) Result {
	limit := r.Limit
	if limit <= 0 {
		limit = 8
	}
	progress := r.Progress
	if progress == nil {
		progress = termui.NoProgress{}
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	results := make([]Result, len(jobs))
	g := errgroup.Group{}
	if r.Sem == nil {
		g.SetLimit(limit)
	}
	for i, job := range jobs {
		if ctx.Err() != nil {
			results[i] = Findings(failed(job, context.Cause(ctx), 0, false))
			continue
		}
		g.Go(func() error {
			// runOne recovers the job's own panic; this one is the runner's
			// (a Progress, a clock): the job's finding all the same.
			defer func() {
				if p := recover(); p != nil {
					results[i] = Findings(failed(job, safe.Error(p), 0, true))
				}
			}()
			if r.Sem != nil {
				select {
				case r.Sem <- struct{}{}:
					defer func() { <-r.Sem }()
				case <-ctx.Done():
					results[i] = Findings(failed(job, context.Cause(ctx), 0, false))
					return nil
				}
			}
			results[i] = r.runOne(ctx, job, progress, now)
			return nil
		})
	}
	g.Wait()
	var out Result
	for _, res := range results {
		out.Add(res)
	}
	return out
}

type outcome struct {
	res Result
	err error
}

func (r Runner) runOne(parent context.Context, job Job, progress termui.Progress, now func() time.Time) Result {
	if parent.Err() != nil {
		return Findings(failed(job, context.Cause(parent), 0, false))
	}
	timeout := job.Timeout
	if timeout <= 0 {
		timeout = r.Timeout
	}
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	progress.Start(job.Name)
	defer progress.Done(job.Name)
	start := now()
	ch := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- outcome{err: fmt.Errorf("check panicked: %v", p)}
			}
		}()
		res, err := job.Run(ctx)
		ch <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-ch:
	case <-ctx.Done():
		// Give a well-behaved check a moment to return its own timeout finding.
		select {
		case o = <-ch:
		case <-time.After(50 * time.Millisecond):
			o = outcome{err: context.Cause(ctx)}
		}
	}
	took := now().Sub(start)
	if o.err != nil {
		if ctx.Err() != nil && !errors.Is(o.err, context.DeadlineExceeded) && !errors.Is(o.err, context.Canceled) {
			o.err = fmt.Errorf("%w: %v", ctx.Err(), o.err)
		}
		return Findings(failed(job, o.err, took, true))
	}
	for i := range o.res.Findings {
		f := &o.res.Findings[i]
		if f.Check == "" {
			f.Check = job.Check
		}
		if f.Category == "" {
			f.Category = job.Category
		}
		if f.App == "" {
			f.App = job.App
		}
		if f.Subject == "" {
			f.Subject = job.Subject
		}
		if f.Duration == 0 {
			f.Duration = took
		}
	}
	return o.res
}

// failed turns a job's error into its unknown finding. A job cut short by
// an interrupt (SIGINT, SIGTERM: the context's cause) says so, not that a
// deadline passed.
func failed(job Job, err error, took time.Duration, started bool) report.Finding {
	code, summary := ErrorCode(err), err.Error()
	switch code {
	case codes.Timeout:
		cut := errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
		switch {
		case cut && started:
			summary = fmt.Sprintf("%s was cut short before it finished: %v", job.Name, err)
		case cut:
			summary = fmt.Sprintf("%s: not started: %v", job.Name, err)
		case started:
			summary = fmt.Sprintf("%s did not finish within its deadline", job.Name)
		default:
			summary = fmt.Sprintf("%s: not started before the run's --timeout", job.Name)
		}
	case codes.PermissionDenied:
		summary = "permission denied: " + err.Error()
	}
	return code.Raise(job.App, report.Finding{
		Check: job.Check, Category: job.Category, App: job.App, Subject: job.Subject,
		Summary: summary, Duration: took, Data: map[string]any{"error": err.Error()},
	})
}

// ErrorCode is the general code of the catalogue for an error: a timeout,
// a permission, an API error, or CHECK_ERROR for anything else.
func ErrorCode(err error) *report.Code {
	var pe *PermissionError
	var large *heroku.ResponseTooLargeError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, os.ErrDeadlineExceeded):
		return codes.Timeout
	case errors.As(err, &pe), heroku.StatusCode(err) == 403:
		return codes.PermissionDenied
	case heroku.StatusCode(err) != 0, errors.As(err, &large):
		return codes.APIError
	}
	return codes.CheckError
}
