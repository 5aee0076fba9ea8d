package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/sslcheck"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// CommonOptions are the flags every checking command shares (CONTRACT.md).
type CommonOptions struct {
	Apps     []string
	Remote   string
	Format   report.Format
	Output   string
	Resolver string
	Timeout  time.Duration
	CAFile   string
	FailOn   report.FailOn
	Baseline string // a previous JSON report to compare with
}

// UsageError is a bad flag or argument: one line, exit 3.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{Msg: fmt.Sprintf(format, args...)} }

const defaultTimeout = 60 * time.Second

func commonFlags(multiApp bool) []cli.Flag {
	appUsage := "the app to check (default: HEROKU_APP, then the Heroku git remote)"
	if multiApp {
		appUsage = "an app to check; repeat for several (default: HEROKU_APP, then the Heroku git remote)"
	}
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "app", Aliases: []string{"a"}, Usage: appUsage},
		&cli.StringFlag{Name: "remote", Aliases: []string{"r"}, Usage: "the git remote to read the app from"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "report format: text, json, markdown or html (one self-contained file with charts)"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` (atomically) instead of stdout"},
		&cli.StringFlag{Name: "resolver", Usage: "send every DNS lookup to `HOST[:PORT]` (default: the system's resolvers)"},
		&cli.DurationFlag{Name: "timeout", Value: defaultTimeout, Usage: "bound on the whole run; checks still running then report unknown (TIMEOUT)"},
		&cli.StringFlag{Name: "ca-file", Usage: "trust the extra PEM roots in `FILE` for TLS checks (besides the system pool)"},
		&cli.StringFlag{Name: "fail-on", Value: "warning", Usage: "worst status that makes the exit code non-zero: warning, critical, new (only problems new since --baseline) or never"},
		&cli.StringFlag{Name: "baseline", Usage: "compare with the JSON report in `FILE` (an earlier run's): mark each problem new, ongoing or resolved; may be the --output file"},
	}
}

func readCommon(c *cli.Context, multiApp bool) (CommonOptions, error) {
	o := CommonOptions{
		Apps:     c.StringSlice("app"),
		Remote:   c.String("remote"),
		Output:   c.String("output"),
		Resolver: c.String("resolver"),
		Timeout:  c.Duration("timeout"),
		CAFile:   c.String("ca-file"),
		Baseline: c.String("baseline"),
	}
	var err error
	if o.Format, err = report.ParseFormat(c.String("format")); err != nil {
		return o, &UsageError{Msg: err.Error()}
	}
	if o.FailOn, err = report.ParseFailOn(c.String("fail-on")); err != nil {
		return o, &UsageError{Msg: err.Error()}
	}
	if o.FailOn == report.FailOnNew && o.Baseline == "" {
		return o, usagef("--fail-on new needs --baseline FILE (the JSON report of an earlier run) to know what is new")
	}
	if o.Timeout <= 0 {
		return o, usagef("--timeout must be positive, not %s", o.Timeout)
	}
	if !multiApp && len(o.Apps) > 1 {
		return o, usagef("%s checks one app at a time; use %s -a A -a B for several", commandLine(c, c.Command.Name), commandLine(c, "diagnose"))
	}
	for _, a := range o.Apps {
		if err := heroku.CheckApp(a, "-a"); err != nil {
			return o, err
		}
	}
	if c.IsSet("output") {
		if err := report.CheckOutput(o.Output); err != nil {
			return o, &UsageError{Msg: err.Error()}
		}
	}
	if o.Resolver != "" {
		if _, err := dnscheck.ParseServer(o.Resolver); err != nil {
			return o, usagef("--resolver: %v", err)
		}
	}
	if o.CAFile != "" {
		if _, err := os.Stat(o.CAFile); err != nil {
			return o, usagef("--ca-file %s: %v", o.CAFile, errors.Unwrap(err))
		}
	}
	return o, nil
}

// begin starts a checking command's run. Its --timeout is set here, as
// the command starts: it bounds the whole run, what comes before the checks
// included (reading the netrc, --ca-file and resolv.conf, asking the API for
// the app). The files Go's own TLS reads whole, with no deadline or cap
// (SSL_CERT_FILE, SSL_CERT_DIR), are checked first, without opening them.
func (f *Factory) begin(ctx context.Context, opts CommonOptions) (context.Context, context.CancelFunc, error) {
	if err := sslcheck.CheckCertEnv(f.Env); err != nil {
		return nil, nil, &UsageError{Msg: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	return ctx, cancel, nil
}

// run is the shared end of every checking command: it runs collect under
// the run's --timeout, with the spinner when it belongs, builds the report,
// writes it (atomically to --output) and turns its status into the exit code.
type run struct {
	f       *Factory
	opts    CommonOptions
	apps    []string
	notes   []string
	collect func(ctx context.Context, p termui.Progress) (runner.Result, error)
	// after adds notes known only once the checks ran (API requests used).
	after func() []string
}

func (r run) execute(ctx context.Context) error {
	// The baseline is read whole before anything runs, and so before the
	// report replaces it when --output is the same file.
	base, err := r.baseline(ctx)
	if err != nil {
		return err
	}
	start := r.f.Now()
	rctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	text := r.opts.Format == report.FormatText
	toFile := r.opts.Output != "" // readCommon refused an empty one
	progress := r.f.IO.NewProgress(r.f.IO.Spinner(text, toFile))
	res, err := r.collect(rctx, progress)
	progress.Stop()
	in := interruption(ctx)
	if err != nil {
		if in != nil {
			return interrupted(in, r.opts.Output, nil, r.opts.FailOn)
		}
		return err
	}
	findings := res.Findings
	if testing.Testing() {
		// Under test, a code the catalogue does not hold fails the run.
		if err := report.CheckCodes(findings, codes.Known); err != nil {
			return err
		}
	}
	notes := r.notes
	if r.after != nil {
		notes = append(notes, r.after()...)
	}
	rep := report.New(report.Meta{Version: r.f.Build.Version, GeneratedAt: start.UTC(), Apps: r.apps, Duration: r.f.Now().Sub(start)}, findings)
	rep.Sections = res.Sections
	rep.Timelines = res.Timelines
	rep.Notes = notes
	if base != nil {
		rep = rep.Compare(base)
	}
	ro := report.RenderOptions{Format: r.opts.Format, Redactor: r.f.Redactor, Color: r.f.IO.Color(text, toFile)}
	if in != nil && toFile {
		// The previous report stays: a run cut short replaces nothing.
		return interrupted(in, r.opts.Output, &rep, r.opts.FailOn)
	}
	if toFile {
		err = report.WriteFileAtomic(r.opts.Output, func(w io.Writer) error { return report.Render(w, rep, ro) })
	} else {
		err = report.Render(r.f.IO.Out, rep, ro)
	}
	if err != nil {
		return err
	}
	if in != nil {
		return interrupted(in, "", &rep, r.opts.FailOn)
	}
	if code := rep.ExitCode(r.opts.FailOn); code != report.ExitOK {
		return reported(code)
	}
	return nil
}

// baseline reads --baseline. A file that does not exist yet is the first
// run of a history when it is also the --output file (so one cron line,
// --baseline last.json -o last.json, starts and keeps its own history);
// otherwise it is an error, like a file of another schema or other apps.
func (r run) baseline(ctx context.Context) (*report.Baseline, error) {
	path := r.opts.Baseline
	if path == "" {
		return nil, nil
	}
	b, err := report.ReadBaseline(ctx, path)
	if errors.Is(err, fs.ErrNotExist) && samePath(path, r.opts.Output) {
		return report.FirstBaseline(), nil
	}
	if err != nil {
		return nil, usagef("--baseline %v", err)
	}
	if err := b.CheckApps(r.apps); err != nil {
		return nil, usagef("--baseline %s %v", path, err)
	}
	return b, nil
}

// samePath tells whether two paths name one file, for a file that may not
// exist yet.
func samePath(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// reported is the exit code of a run that gave its whole report: a signal
// that comes after the checks (while the report is written) changes
// neither the report nor its code.
type reported int

func (reported) Error() string   { return "" }
func (r reported) ExitCode() int { return int(r) }

// ExitCode maps what the app returned to the process's exit code and
// prints the one line a failed run owes the user, with secrets removed and
// outside values neutralised (an API's error message is one: its escape
// sequences and newlines are shown, not obeyed).
func ExitCode(err error, stderr io.Writer, red *report.Redactor) int {
	if err == nil {
		return report.ExitOK
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if msg := strings.TrimSpace(ec.Error()); msg != "" {
			fmt.Fprintln(stderr, "heroku-checkup: "+oneLine(red.String(msg)))
		}
		return ec.ExitCode()
	}
	fmt.Fprintln(stderr, "heroku-checkup: "+oneLine(red.String(err.Error())))
	return report.ExitUnknown
}

func oneLine(s string) string { return report.Line(strings.TrimSpace(s)) }

// runJobs is the end of a command given bare arguments (domains, hosts, a
// database URL, a log file): no app and no API, the jobs alone.
func runJobs(ctx context.Context, f *Factory, opts CommonOptions, apps, notes []string, jobs []runner.Job) error {
	if apps == nil {
		apps = []string{}
	}
	r := run{f: f, opts: opts, apps: apps, notes: notes,
		collect: func(ctx context.Context, p termui.Progress) (runner.Result, error) {
			return runner.Runner{Progress: p, Now: f.Now}.Run(ctx, jobs), nil
		}}
	return r.execute(ctx)
}

// runAppParts runs parts of the checkup for the app of a single-app
// command; client is built from the credentials when nil.
func runAppParts(ctx context.Context, f *Factory, client *heroku.Client, opts CommonOptions, parts ...checkup.Part) error {
	if client == nil {
		var err error
		if client, err = f.APIClient(ctx, opts.Resolver); err != nil {
			return err
		}
	}
	flagApp := ""
	if len(opts.Apps) == 1 {
		flagApp = opts.Apps[0]
	}
	app, err := f.ResolveApp(ctx, flagApp, opts.Remote)
	if err != nil {
		return err
	}
	deps := checkup.Deps{API: client, Redactor: f.Redactor, Runner: runner.Runner{Now: f.Now}, Parts: parts}
	r := run{f: f, opts: opts, apps: []string{app},
		collect: func(ctx context.Context, p termui.Progress) (runner.Result, error) {
			deps.Runner.Progress = p
			return checkup.Run(ctx, deps, checkup.Options{Apps: []string{app}})
		}}
	return r.execute(ctx)
}
