package commands

import (
	"context"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
)

// LogsCheckOptions are logs-check's flags.
type LogsCheckOptions struct {
	CommonOptions
	LogsFile string
}

func newLogsCheckCommand(f *Factory, runF func(*cli.Context, *LogsCheckOptions) error) *cli.Command {
	return &cli.Command{
		Name:      "logs-check",
		Usage:     "analyse router and runtime log lines: the app's log session (on Cedar, Logplex's last 1,500 lines; on Fir, its live logs), or a saved file (heroku logs output, Papertrail, drain frames, gzipped or not)",
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

// checkLogsFile refuses a missing or unreadable file before anything runs
// (exit 3). It never opens a FIFO or a pipe (<(zcat logs.gz)): that would
// block until its writer comes, and a reader that comes and goes would
// kill the writer; the job opens those under the run's deadline.
func checkLogsFile(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return usagef("--logs-file: %v", err)
	}
	if st.IsDir() {
		return usagef("--logs-file: %s is a directory", path)
	}
	if st.Mode().IsRegular() {
		fh, err := os.Open(path)
		if err != nil {
			return usagef("--logs-file: %v", err)
		}
		fh.Close()
	}
	return nil
}

func runLogsCheck(ctx context.Context, f *Factory, opts *LogsCheckOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	if opts.LogsFile != "" {
		app := ""
		if len(opts.Apps) == 1 {
			app = opts.Apps[0] // only names the app in remedies: no API call
		}
		part := &checkup.LogsPart{File: opts.LogsFile, FileApp: app, Stdin: f.IO.In}
		var apps []string
		if app != "" {
			apps = []string{app}
		}
		return runJobs(ctx, f, opts.CommonOptions, apps, nil, part.EarlyJobs(app, nil))
	}
	client, err := f.APIClient(ctx, opts.Resolver)
	if err != nil {
		return err
	}
	hc, err := f.logClient(ctx, opts.Resolver)
	if err != nil {
		return err
	}
	return runAppParts(ctx, f, client, opts.CommonOptions, &checkup.LogsPart{API: client, HTTP: hc})
}
