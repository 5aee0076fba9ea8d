package runner

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func ok(subject string) func(context.Context) (Result, error) {
	return func(context.Context) (Result, error) {
		return Findings(report.Finding{Status: report.StatusOK, Subject: subject, Summary: "fine"}), nil
	}
}

func TestMain(m *testing.M) { reporttest.Main(m, "runner") }

func TestRunKeepsJobOrderAndFillsDefaults(t *testing.T) {
	release := make(chan struct{})
	jobs := []Job{
		{Name: "slow", Check: "c.slow", Category: report.CategoryDNS, App: "a", Run: func(ctx context.Context) (Result, error) {
			<-release
			return Result{Findings: []report.Finding{{Status: report.StatusOK, Subject: "first"}},
				Sections: []report.Section{{Title: "T", Header: []string{"n"}, Rows: [][]string{{"1"}}}}}, nil
		}},
		{Name: "fast", Check: "c.fast", Category: report.CategoryTLS, App: "a", Run: func(ctx context.Context) (Result, error) {
			defer close(release) // finishes before "slow" can
			return Result{Findings: []report.Finding{{Status: report.StatusOK, Subject: "second"}},
				Sections: []report.Section{{Title: "T", Header: []string{"n"}, Rows: [][]string{{"2"}}}}}, nil
		}},
	}
	res := Runner{Limit: 2}.Run(context.Background(), jobs)
	got := res.Findings
	if len(got) != 2 || got[0].Subject != "first" || got[1].Subject != "second" {
		t.Fatalf("order = %+v", got)
	}
	if got[0].Check != "c.slow" || got[0].Category != report.CategoryDNS || got[0].App != "a" {
		t.Errorf("defaults not filled: %+v", got[0])
	}
	// The jobs' rows of one table make one table, in job order.
	if len(res.Sections) != 1 || len(res.Sections[0].Rows) != 2 || res.Sections[0].Rows[0][0] != "1" {
		t.Errorf("sections = %+v", res.Sections)
	}
}

func TestErrorsBecomeUnknownAndOthersCarryOn(t *testing.T) {
	jobs := []Job{
		{Name: "broken", Check: "x.broken", Subject: "s1", Run: func(context.Context) (Result, error) {
			return Result{}, errors.New("boom")
		}},
		{Name: "denied", Check: "x.denied", Subject: "s2", Run: func(context.Context) (Result, error) {
			return Result{}, &PermissionError{Err: errors.New("must be member of pg_read_all_stats")}
		}},
		{Name: "panics", Check: "x.panic", Subject: "s3", Run: func(context.Context) (Result, error) {
			panic("bug")
		}},
		{Name: "api", Check: "x.api", Subject: "s5", Run: func(context.Context) (Result, error) {
			return Result{}, herokutest.APIError(503, "service unavailable")
		}},
		{Name: "forbidden", Check: "x.forbidden", Subject: "s6", Run: func(context.Context) (Result, error) {
			return Result{}, herokutest.APIError(403, "forbidden")
		}},
		{Name: "fine", Check: "x.fine", Run: ok("s4")},
	}
	got := Runner{}.Run(context.Background(), jobs).Findings
	want := []struct {
		status report.Status
		code   string
	}{
		{report.StatusUnknown, codes.CheckError.ID},
		{report.StatusUnknown, codes.PermissionDenied.ID},
		{report.StatusUnknown, codes.CheckError.ID},
		{report.StatusUnknown, codes.APIError.ID},
		{report.StatusUnknown, codes.PermissionDenied.ID},
		{report.StatusOK, ""},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings", len(got))
	}
	for i, w := range want {
		if got[i].Status != w.status || got[i].Code != w.code {
			t.Errorf("%d: %s/%s, want %s/%s (%s)", i, got[i].Status, got[i].Code, w.status, w.code, got[i].Summary)
		}
	}
}

// A job that ignores its context costs its own deadline, not the run.
func TestHungJobCostsOnlyItsDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	jobs := []Job{
		{Name: "hung", Check: "x.hung", Subject: "h", Timeout: 100 * time.Millisecond, Run: func(ctx context.Context) (Result, error) {
			<-block // ignores ctx
			return Result{}, nil
		}},
		{Name: "fine", Check: "x.fine", Run: ok("f")},
	}
	done := make(chan []report.Finding)
	go func() { done <- Runner{}.Run(context.Background(), jobs).Findings }()
	select {
	case got := <-done:
		if got[0].Status != report.StatusUnknown || got[0].Code != codes.Timeout.ID {
			t.Errorf("hung job: %+v", got[0])
		}
		if got[1].Status != report.StatusOK {
			t.Errorf("other job: %+v", got[1])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the run waited for a hung job")
	}
}

func TestRunDeadlineMarksUnstartedJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var started atomic.Int32
	var jobs []Job
	for i := range 4 {
		jobs = append(jobs, Job{Name: fmt.Sprint(i), Check: "x", Subject: fmt.Sprint(i), Run: func(ctx context.Context) (Result, error) {
			started.Add(1)
			cancel() // the run's deadline passes while the first job runs
			<-ctx.Done()
			return Result{}, ctx.Err()
		}})
	}
	got := Runner{Limit: 1}.Run(ctx, jobs).Findings
	if len(got) != 4 {
		t.Fatalf("got %d findings", len(got))
	}
	for _, f := range got {
		if f.Code != codes.Timeout.ID {
			t.Errorf("%s: code %s", f.Subject, f.Code)
		}
	}
	if started.Load() != 1 {
		t.Errorf("%d jobs started after the deadline", started.Load()-1)
	}
}

func TestErrorCodeOfAnAnswerTooLarge(t *testing.T) {
	err := fmt.Errorf("reading dynos: %w", &heroku.ResponseTooLargeError{Method: "GET", Path: "/apps/x/dynos", Limit: heroku.MaxResponse})
	if got := ErrorCode(err); got != codes.APIError {
		t.Errorf("ErrorCode = %s, want API_ERROR", got.ID)
	}
}

// interrupt is a cancellation cause like main's Interrupt.
type interrupt struct{}

func (interrupt) Error() string        { return "interrupted (SIGINT)" }
func (interrupt) Is(target error) bool { return target == context.Canceled }

// TestInterruptedJobsSaySo: a job cut short by an interrupt, or one that
// never started, says so; not that a deadline passed.
func TestInterruptedJobsSaySo(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	started := make(chan struct{})
	go func() { <-started; cancel(interrupt{}) }()
	hung := Job{Name: "dns shop.acme.com", Check: "dns.target", Subject: "shop.acme.com", Timeout: time.Minute,
		Run: func(ctx context.Context) (Result, error) { close(started); select {} }}
	res := Runner{Limit: 1}.Run(ctx, []Job{hung, {Name: "tls shop.acme.com", Check: "tls.certificate", Subject: "shop.acme.com", Run: ok("x")}})
	want := []string{"dns shop.acme.com was cut short before it finished: interrupted (SIGINT)", "tls shop.acme.com: not started: interrupted (SIGINT)"}
	if len(res.Findings) != 2 {
		t.Fatalf("findings: %+v", res.Findings)
	}
	for i, f := range res.Findings {
		if f.Code != codes.Timeout.ID || f.Summary != want[i] {
			t.Errorf("%s %s, want TIMEOUT %q", f.Code, f.Summary, want[i])
		}
	}
}

// panicky is a Progress that panics, as a bug in the spinner would.
type panicky struct{}

func (panicky) Start(name string) {
	if name == "bad" {
		panic("spinner")
	}
}
func (panicky) Done(string) {}
func (panicky) Stop()       {}

// TestRunnerPanicIsTheJobsFinding: a panic in the runner's own work around
// a job (not in the job) is that job's CHECK_ERROR, not the end of the run.
func TestRunnerPanicIsTheJobsFinding(t *testing.T) {
	res := Runner{Progress: panicky{}}.Run(context.Background(), []Job{{Name: "bad", Check: "dns.target", Run: ok("a")}, {Name: "good", Run: ok("b")}})
	if len(res.Findings) != 2 || res.Findings[0].Code != codes.CheckError.ID || res.Findings[1].Status != report.StatusOK {
		t.Errorf("findings: %+v", res.Findings)
	}
}
