package commands

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Interrupt is why a run's context was cancelled when the user (or a
// scheduler) sent SIGINT or SIGTERM: main cancels the root context with it
// as the cause. It is a context.Canceled, so every check stops as for any
// cancellation; the command tells it apart from a deadline by it.
type Interrupt struct{ Signal os.Signal }

func (i *Interrupt) Error() string { return "interrupted (" + SignalName(i.Signal) + ")" }

// Is makes an Interrupt a context.Canceled.
func (i *Interrupt) Is(target error) bool { return target == context.Canceled }

// SignalName is SIGINT, SIGTERM, ... as people write them.
func SignalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	case nil:
		return "a signal"
	}
	return s.String()
}

// interruption is the Interrupt that cancelled ctx, nil when none did.
func interruption(ctx context.Context) *Interrupt {
	var in *Interrupt
	if errors.As(context.Cause(ctx), &in) {
		return in
	}
	return nil
}

// interruptedRun is the end of a run a signal cut short: one line on
// stderr, and the exit code.
type interruptedRun struct {
	msg  string
	code int
}

func (e *interruptedRun) Error() string { return e.msg }
func (e *interruptedRun) ExitCode() int { return e.code }

var _ cli.ExitCoder = (*interruptedRun)(nil)

// interrupted says how a run the signal in cut short ended. To a file
// (--output) nothing is written: the previous report stays whole, as a
// monitor reading it expects (exit 3). To stdout the report of what
// finished is printed, the rest marked as cut short, and its status makes
// the exit code.
func interrupted(in *Interrupt, output string, rep *report.Report, failOn report.FailOn) error {
	if rep == nil {
		return &interruptedRun{msg: in.Error() + " before the checks ran: nothing was checked", code: report.ExitUnknown}
	}
	if output != "" {
		return &interruptedRun{msg: fmt.Sprintf("%s before every check finished: %s was not written (it keeps the previous report, if any)", in.Error(), output),
			code: report.ExitUnknown}
	}
	return &interruptedRun{msg: in.Error() + " before every check finished: the report shows the checks it cut short as TIMEOUT",
		code: rep.ExitCode(failOn)}
}
