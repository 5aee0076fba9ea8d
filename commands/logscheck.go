package commands

import (
	"context"
	"net/http"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/diagnose"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// LogsCheckOptions are logs-check's flags.
type LogsCheckOptions struct {
	CommonOptions
	LogsFile string
}

func newLogsCheckCommand(f *Factory, runF func(*cli.Context, *LogsCheckOptions) error) *cli.Command {
	return &cli.Command{
		Name:      "logs-check",
		Usage:     "analyse router and runtime log lines: the app's last 1,500, or a saved file (heroku logs output or Papertrail archive, gzipped or not)",
		UsageText: "heroku-checkup logs-check [-a APP] [--logs-file FILE|-] [options]",
		Flags: append(commonFlags(false),
			&cli.StringFlag{Name: "logs-file", Usage: "read `FILE` (- for stdin) instead of opening a log session"},
		),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, false)
			if err != nil {
				return err
			}
			opts := &LogsCheckOptions{CommonOptions: common, LogsFile: c.String("logs-file")}
			if c.Args().Len() > 0 {
				return usagef("logs-check takes no arguments; use --logs-file %s", c.Args().First())
			}
			if err := checkLogsFile(opts.LogsFile); err != nil {
				return err
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runLogsCheck(c.Context, f, opts)
		},
	}
}

// checkLogsFile refuses an unreadable file before anything runs (exit 3).
func checkLogsFile(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return usagef("--logs-file: %v", err)
	}
	defer fh.Close()
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		return usagef("--logs-file: %s is a directory", path)
	}
	return nil
}

func runLogsCheck(ctx context.Context, f *Factory, opts *LogsCheckOptions) error {
	if opts.LogsFile != "" {
		app := ""
		if len(opts.Apps) == 1 {
			app = opts.Apps[0] // only names the app in remedies: no API call
		}
		part := &diagnose.LogsPart{File: opts.LogsFile, Stdin: f.IO.In}
		apps := []string{}
		if app != "" {
			apps = []string{app}
		}
		r := run{f: f, opts: opts.CommonOptions, apps: apps,
			collect: func(ctx context.Context, p termui.Progress) ([]report.Finding, []report.Section, error) {
				fs := runner.Runner{Progress: p, Now: f.Now}.Run(ctx, part.EarlyJobs(app))
				return fs, part.Sections(), nil
			}}
		return r.execute(ctx)
	}
	client, err := f.APIClient(opts.Resolver)
	if err != nil {
		return err
	}
	part := &diagnose.LogsPart{API: client, HTTP: f.logClient(opts.Resolver)}
	return runAppPartsWith(ctx, f, client, opts.CommonOptions, []diagnose.Check{part}, report.CategoryLogs)
}

// logClient fetches log sessions; with --resolver its lookups go there.
func (f *Factory) logClient(resolver string) *http.Client {
	if resolver == "" {
		return &http.Client{}
	}
	res, err := f.resolver(resolver)
	if err != nil {
		return &http.Client{}
	}
	return &http.Client{Transport: resolvingTransport(res)}
}
