package checkup

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/logcheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// LogsPart reads an app's recent logs, from a log session or from a saved
// file, and judges them. Its job starts at once, beside the API reads: a
// Cedar app's session (1,500 lines, no tail) is asked for while the app is
// read; a Fir app, which keeps no log history, gets a session as the
// Heroku CLI opens one (always tailing, read as server-sent events) for
// TailFor.
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
	// TailFor is how long a Fir app's live session is read (default 10s,
	// and never past the job's deadline).
	TailFor time.Duration
}

func (p *LogsPart) Category() report.Category { return report.CategoryLogs }

// Needs are the resources the part reads while it works: the app (its
// generation) and its releases, which the timeline and DEPLOY_REGRESSION
// compare the router lines around.
func (p *LogsPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResApp, platform.ResReleases}
}

// apiReleases are the app's releases as the Platform API lists them (the
// 20 newest), waited for as long as the job may; none without an app.
func apiReleases(ctx context.Context, snap *platform.Snapshot) []logcheck.Release {
	if snap == nil || snap.Wait(ctx, platform.ResReleases) != nil || !snap.Has(platform.ResReleases) {
		return nil
	}
	var out []logcheck.Release
	for _, r := range snap.ReadReleases() {
		out = append(out, logcheck.Release{Version: r.Version, At: r.CreatedAt, Description: r.Description, Failed: r.Status == "failed"})
	}
	return out
}

// margin is kept between the end of reading and the job's deadline, so the
// lines read so far are judged instead of the job being abandoned.
const margin = 300 * time.Millisecond

// firSessions is the Heroku client's way of opening a Fir app's session
// (heroku.Client.LogSessionCreateFir); another API gets the plain request.
type firSessions interface {
	LogSessionCreateFir(ctx context.Context, app string) (*hk.LogSession, error)
}

func (p *LogsPart) EarlyJobs(app string, snap *platform.Snapshot) []runner.Job {
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
			} else {
				var refused *report.Finding
				if st, refused, err = p.session(rctx, app, snap); err != nil {
					return runner.Result{}, err
				}
				if refused != nil {
					return runner.Findings(*refused), nil
				}
			}
			st.AddReleases(apiReleases(ctx, snap))
			res := runner.Result{Findings: logcheck.Judge(st, app, th), Sections: logcheck.Sections(st)}
			if tl := st.Report(app, th); tl != nil {
				res.Timelines = []report.Timeline{*tl}
			}
			return res, nil
		}}}
}

// session opens and reads the app's log session. The Cedar request is
// sent at once; the app's generation, read beside it, says whether to use
// it. A Shield space's refusal comes back as a finding.
func (p *LogsPart) session(ctx context.Context, app string, snap *platform.Snapshot) (*logcheck.Stats, *report.Finding, error) {
	type created struct {
		ls  *hk.LogSession
		err error
	}
	cedar := make(chan created, 1)
	go func() {
		lines, tail := 1500, false
		ls, err := p.API.LogSessionCreate(ctx, app, hk.LogSessionCreateOpts{Lines: &lines, Tail: &tail})
		cedar <- created{ls, err}
	}()
	var a *hk.App
	if snap != nil && snap.Wait(ctx, platform.ResApp) == nil && snap.Err(platform.ResApp) == nil {
		a = snap.App
	}
	client := p.HTTP
	if client == nil {
		client = &http.Client{}
	}
	if a != nil && a.Generation.Name == "fir" {
		st, err := p.firSession(ctx, app, client)
		if err != nil {
			return nil, refusal(a, err), orNil(a, err)
		}
		st.Fir = true
		return st, nil, nil
	}
	var c created
	select {
	case c = <-cedar:
	case <-ctx.Done():
		st := logcheck.Stats{Truncated: true}
		return &st, nil, nil
	}
	if c.err != nil {
		return nil, refusal(a, c.err), orNil(a, c.err)
	}
	st, err := logcheck.ReadSession(ctx, client, c.ls.LogplexURL)
	return st, nil, err
}

// firSession reads a Fir app's session for TailFor: it never ends, so its
// end is the window's, not a timeout.
func (p *LogsPart) firSession(ctx context.Context, app string, client *http.Client) (*logcheck.Stats, error) {
	var ls *hk.LogSession
	var err error
	if f, ok := p.API.(firSessions); ok {
		ls, err = f.LogSessionCreateFir(ctx, app)
	} else {
		ls, err = p.API.LogSessionCreate(ctx, app, hk.LogSessionCreateOpts{})
	}
	if err != nil {
		return nil, err
	}
	window := or(p.TailFor, 10*time.Second)
	if dl, ok := ctx.Deadline(); ok {
		window = min(window, time.Until(dl))
	}
	tctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	st, err := logcheck.ReadSession(tctx, client, ls.LogplexURL)
	if err != nil {
		return nil, err
	}
	st.Live, st.LiveFor = true, window
	return st, nil
}

// refusal is what a refused log session means for an app in a Shield
// Private Space: Private Space Logging sends its logs only to the space's
// drain, and Heroku offers no session for them by design (Dev Center:
// logging, private-space-logging). Other refusals stay errors.
func refusal(a *hk.App, err error) *report.Finding {
	code := heroku.StatusCode(err)
	if a == nil || a.Space == nil || !a.Space.Shield || code < 400 || code >= 500 || code == http.StatusUnauthorized || code == http.StatusTooManyRequests {
		return nil
	}
	space := a.Space.Name
	return &report.Finding{Check: "logs.session", Subject: "log session", Status: report.StatusSkipped,
		Summary: fmt.Sprintf("Heroku refused a log session (%d: %v): %s runs in the Shield Private Space %s, where Private Space Logging sends every log line to the space's log drain only; heroku logs does not work there and there is no log history to read",
			code, err, a.Name, space),
		Remedy: fmt.Sprintf("Read the logs where the space sends them: heroku spaces:drains:get -s %s shows the drain; or analyse an export from it with heroku-checkup logs-check --logs-file FILE", space),
		Docs:   "https://devcenter.heroku.com/articles/private-space-logging",
		Data:   map[string]any{"space": space, "shield": true, "status": code}}
}

// orNil keeps err unless refusal turned it into a finding.
func orNil(a *hk.App, err error) error {
	if refusal(a, err) != nil {
		return nil
	}
	return err
}
