package checkup

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/logcheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// LogsPart reads an app's recent logs, from a log session (1,500 lines, no
// tail) or from a saved file, and judges them. Its job needs nothing from
// the snapshot, so it starts at once, beside the API reads.
type LogsPart struct {
	API  platform.API
	HTTP *http.Client // for the log session URL; carries no token
	File string       // --logs-file; "-" is Stdin
	// FileApp is the one app a saved log file belongs to (the first of the
	// run); the other apps of the run get no log check.
	FileApp    string
	Stdin      io.Reader
	Thresholds logcheck.Thresholds
	Timeout    time.Duration // per app (default 30s)
}

func (p *LogsPart) Category() report.Category { return report.CategoryLogs }

// margin is kept between the end of reading and the job's deadline, so the
// lines read so far are judged instead of the job being abandoned.
const margin = 300 * time.Millisecond

func (p *LogsPart) EarlyJobs(app string) []runner.Job {
	if p.File != "" && app != p.FileApp {
		return nil
	}
	timeout := or(p.Timeout, 30*time.Second)
	th := p.Thresholds
	if th == (logcheck.Thresholds{}) {
		th = logcheck.DefaultThresholds
	}
	name := "logs " + app
	if app == "" {
		name = "logs " + p.File
	}
	return []runner.Job{{Name: name, Check: "logs.codes", Category: report.CategoryLogs, App: app, Subject: "logs", Timeout: timeout,
		Run: func(ctx context.Context) (runner.Result, error) {
			rctx, cancel := ctx, context.CancelFunc(func() {})
			if dl, ok := ctx.Deadline(); ok {
				rctx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
			}
			defer cancel()
			var st *logcheck.Stats
			var err error
			if p.File != "" {
				if st, err = logcheck.ReadFile(rctx, p.File, p.Stdin); err != nil {
					return runner.Result{}, fmt.Errorf("reading %s: %w", p.File, err)
				}
			} else if st, err = p.session(rctx, app); err != nil {
				return runner.Result{}, err
			}
			return runner.Result{Findings: logcheck.Judge(st, app, th), Sections: logcheck.Sections(st)}, nil
		}}}
}

func (p *LogsPart) session(ctx context.Context, app string) (*logcheck.Stats, error) {
	lines, tail := 1500, false
	ls, err := p.API.LogSessionCreate(ctx, app, hk.LogSessionCreateOpts{Lines: &lines, Tail: &tail})
	if err != nil {
		return nil, err
	}
	client := p.HTTP
	if client == nil {
		client = &http.Client{}
	}
	return logcheck.ReadSession(ctx, client, ls.LogplexURL)
}
