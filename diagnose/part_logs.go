package diagnose

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/logcheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// LogsPart reads an app's recent logs, from a log session (1,500 lines, no
// tail) or from a saved file, and judges them. Its job needs nothing from
// the snapshot, so it starts at once, beside the API reads.
type LogsPart struct {
	API        API
	HTTP       *http.Client // for the log session URL; carries no token
	File       string       // --logs-file; "-" is Stdin
	Stdin      io.Reader
	Thresholds logcheck.Thresholds
	Timeout    time.Duration // per app (default 30s)

	mu       sync.Mutex
	stats    map[string]*logcheck.Stats
	fileUsed bool
}

func (p *LogsPart) Part() Part        { return report.CategoryLogs }
func (p *LogsPart) Needs() []Resource { return nil }

func (p *LogsPart) Jobs(context.Context, *Snapshot) ([]runner.Job, error) { return nil, nil }

// margin is kept between the end of reading and the job's deadline, so the
// lines read so far are judged instead of the job being abandoned.
const margin = 300 * time.Millisecond

func (p *LogsPart) EarlyJobs(app string) []runner.Job {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	th := p.Thresholds
	if th == (logcheck.Thresholds{}) {
		th = logcheck.DefaultThresholds
	}
	useFile := false
	if p.File != "" {
		p.mu.Lock()
		// A saved log file belongs to one app: the first one.
		useFile, p.fileUsed = !p.fileUsed, true
		p.mu.Unlock()
		if !useFile {
			return nil
		}
	}
	name := "logs " + app
	if app == "" {
		name = "logs " + p.File
	}
	return []runner.Job{{Name: name, Check: "logs.codes", Category: report.CategoryLogs, App: app, Subject: "logs", Timeout: timeout,
		Run: func(ctx context.Context) ([]report.Finding, error) {
			rctx, cancel := ctx, context.CancelFunc(func() {})
			if dl, ok := ctx.Deadline(); ok {
				rctx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
			}
			defer cancel()
			var st *logcheck.Stats
			var err error
			if useFile {
				st, err = logcheck.ReadFile(rctx, p.File, p.Stdin)
				if err != nil {
					return nil, fmt.Errorf("reading %s: %w", p.File, err)
				}
			} else {
				st, err = p.session(rctx, app)
				if err != nil {
					return nil, err
				}
			}
			p.mu.Lock()
			if p.stats == nil {
				p.stats = map[string]*logcheck.Stats{}
			}
			p.stats[app] = st
			p.mu.Unlock()
			return logcheck.Judge(st, app, th), nil
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

func (p *LogsPart) Sections() []report.Section {
	p.mu.Lock()
	defer p.mu.Unlock()
	apps := make([]string, 0, len(p.stats))
	for a := range p.stats {
		apps = append(apps, a)
	}
	sort.Strings(apps)
	var out []report.Section
	for _, a := range apps {
		for _, s := range logcheck.Sections(p.stats[a]) {
			if len(apps) > 1 {
				s.Title = a + ": " + s.Title
			}
			out = append(out, s)
		}
	}
	return out
}
