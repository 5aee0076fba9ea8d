package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	hk "github.com/heroku/heroku-go/v6"
	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/diagnose"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/sandbox"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// DiagnoseOptions are diagnose's flags.
type DiagnoseOptions struct {
	CommonOptions
	Team          string
	Parts         []report.Category
	DatabaseURL   string
	LogsFile      string
	Demo          bool
	Certs         diagnose.CertThresholds
	DemoApps      int
	DemoDomains   int
	DemoLatency   sandbox.Options
	DemoGenerated bool
}

func newDiagnoseCommand(f *Factory, runF func(*cli.Context, *DiagnoseOptions) error) *cli.Command {
	flags := append(commonFlags(true),
		&cli.StringFlag{Name: "team", Aliases: []string{"t"}, Usage: "check every app of `TEAM`"},
		&cli.StringSliceFlag{Name: "only", Usage: "run only these parts: platform,logs,dns,tls,postgres"},
		&cli.StringSliceFlag{Name: "skip", Usage: "skip these parts: platform,logs,dns,tls,postgres"},
		&cli.StringFlag{Name: "database-url", Usage: "check this Postgres database `URL` instead of the app's *_URL config vars", EnvVars: nil},
		&cli.StringFlag{Name: "logs-file", Usage: "analyse saved logs from `FILE` (- for stdin) instead of the app's log session"},
		&cli.IntFlag{Name: "warn-days", Value: 30, Usage: "certificate expiry warning threshold in days"},
		&cli.IntFlag{Name: "crit-days", Value: 7, Usage: "certificate expiry critical threshold in days"},
		&cli.BoolFlag{Name: "demo", Usage: "check the built-in simulated app on loopback (no credentials, no network)"},
		// For the benchmarks: a bigger, slower sandbox.
		&cli.IntFlag{Name: "demo-apps", Value: 1, Hidden: true},
		&cli.IntFlag{Name: "demo-domains", Value: 4, Hidden: true},
		&cli.StringFlag{Name: "demo-latency", Hidden: true, Usage: "api=80ms,dns=20ms,tls=60ms,logs=200ms"},
		&cli.BoolFlag{Name: "demo-generated", Hidden: true, Usage: "every sandbox app generated alike"},
	)
	return &cli.Command{
		Name:         "diagnose",
		Usage:        "check the whole app: platform, logs, DNS, TLS and Postgres, in one report",
		UsageText:    "heroku-checkup diagnose [-a APP ...] [--team TEAM] [--only PARTS] [--skip PARTS] [options]",
		Flags:        flags,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, true)
			if err != nil {
				return err
			}
			opts := &DiagnoseOptions{CommonOptions: common, Team: c.String("team"), DatabaseURL: c.String("database-url"),
				LogsFile: c.String("logs-file"), Certs: diagnose.CertThresholds{WarnDays: c.Int("warn-days"), CritDays: c.Int("crit-days")},
				Demo: c.Bool("demo"), DemoApps: c.Int("demo-apps"), DemoDomains: c.Int("demo-domains"), DemoGenerated: c.Bool("demo-generated")}
			if opts.DemoLatency, err = parseLatency(c.String("demo-latency")); err != nil {
				return err
			}
			if opts.Certs.CritDays < 0 || opts.Certs.WarnDays < opts.Certs.CritDays {
				return usagef("--warn-days (%d) must be at least --crit-days (%d), both non-negative", opts.Certs.WarnDays, opts.Certs.CritDays)
			}
			only, err := diagnose.ParseParts(c.StringSlice("only"))
			if err != nil {
				return usagef("--only: %v", err)
			}
			skip, err := diagnose.ParseParts(c.StringSlice("skip"))
			if err != nil {
				return usagef("--skip: %v", err)
			}
			opts.Parts = diagnose.SelectParts(only, skip)
			if len(opts.Parts) == 0 {
				return usagef("--only and --skip leave nothing to check")
			}
			if opts.Team != "" && len(opts.Apps) > 0 {
				return usagef("use either --team or -a, not both")
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runDiagnose(c.Context, f, opts)
		},
	}
}

func runDiagnose(ctx context.Context, f *Factory, opts *DiagnoseOptions) error {
	var notes []string
	if opts.Demo {
		so := opts.DemoLatency
		so.Apps, so.Domains, so.Generated = opts.DemoApps, opts.DemoDomains, opts.DemoGenerated
		so.Now = f.Now() // the demo's clock is the run's, so an injected one makes it repeatable
		sb, err := sandbox.Start(so)
		if err != nil {
			return fmt.Errorf("starting the sandbox: %w", err)
		}
		defer sb.Close()
		f = demoFactory(f, sb)
		if opts.Resolver == "" {
			opts.Resolver = sb.DNS.Addr
		}
		if opts.CAFile == "" {
			opts.CAFile = sb.CAFile
		}
		if len(opts.Apps) == 0 && opts.Team == "" {
			opts.Apps = sb.Apps
		}
		notes = append(notes, "this is a simulated app: the built-in sandbox on loopback (fake Platform API, DNS, TLS and logs); no credentials were used and nothing left this machine")
	}
	client, err := f.APIClient(opts.Resolver)
	if err != nil {
		return err
	}
	apps := slices.Clone(opts.Apps)
	fromTeam := false
	switch {
	case opts.Team != "":
		apps, err = teamApps(ctx, client, opts.Team)
		if err != nil {
			return err
		}
		fromTeam = true
	case len(apps) == 0:
		app, err := f.ResolveApp(ctx, "", opts.Remote)
		if err != nil {
			return err
		}
		apps = []string{app}
	}
	checks, err := diagnoseChecks(f, opts, client)
	if err != nil {
		return err
	}
	deps := diagnose.Deps{API: client, Redactor: f.Redactor, Runner: runner.Runner{Now: f.Now}, Checks: checks}
	dopts := diagnose.Options{Apps: apps, Parts: opts.Parts, Now: f.Now, Certs: opts.Certs, MissingAppIsFinding: fromTeam}
	r := run{f: f, opts: opts.CommonOptions, apps: apps, notes: notes,
		collect: func(ctx context.Context, p termui.Progress) ([]report.Finding, []report.Section, error) {
			deps.Runner.Progress = p
			res, err := diagnose.Run(ctx, deps, dopts)
			return res.Findings, res.Sections, err
		},
		after: func() []string { return []string{apiUsageNote(client)} },
	}
	return r.execute(ctx)
}

func teamApps(ctx context.Context, client *heroku.Client, team string) ([]string, error) {
	list, err := client.TeamAppListByTeam(ctx, team, &hk.ListRange{Field: "name", Max: 1000})
	if err != nil {
		return nil, heroku.Classify(err, fmt.Sprintf("team %q", team))
	}
	var apps []string
	for _, a := range list {
		if a.ArchivedAt == nil {
			apps = append(apps, a.Name)
		}
	}
	slices.Sort(apps)
	if len(apps) == 0 {
		return nil, &heroku.NotFoundError{Msg: fmt.Sprintf("team %q has no apps you can see", team)}
	}
	return apps, nil
}

// demoFactory points the factory at the sandbox: its API and token, its
// TLS port for the custom domains.
func demoFactory(f *Factory, sb *sandbox.Sandbox) *Factory {
	d := *f
	env := f.Env
	d.Env = func(k string) string {
		switch k {
		case "HEROKU_HOST":
			return sb.API.URL
		case "HEROKU_API_KEY":
			return sandbox.Token
		}
		return env(k)
	}
	d.TLSPort = sb.TLSPort
	return &d
}

// parseLatency reads the hidden --demo-latency (api=80ms,dns=20ms,...).
func parseLatency(s string) (sandbox.Options, error) {
	var o sandbox.Options
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		d, err := time.ParseDuration(v)
		if !ok || err != nil {
			return o, usagef("--demo-latency: %q is not NAME=DURATION", part)
		}
		switch k {
		case "api":
			o.APILatency = d
		case "dns":
			o.DNSLatency = d
		case "tls":
			o.TLSLatency = d
		case "logs":
			o.LogLatency = d
		default:
			return o, usagef("--demo-latency: unknown %q (api, dns, tls, logs)", k)
		}
	}
	return o, nil
}

// apiUsageNote says what the run cost of the account's hourly API budget.
func apiUsageNote(c *heroku.Client) string {
	n := fmt.Sprintf("Platform API: %d requests", c.Requests())
	if rem := c.RateLimitRemaining(); rem >= 0 {
		n += fmt.Sprintf(", %d left of the account's 4,500 an hour", rem)
	}
	return n
}

// diagnoseChecks wires the parts beyond the platform rules.
func diagnoseChecks(f *Factory, opts *DiagnoseOptions, client diagnose.API) ([]diagnose.Check, error) {
	var checks []diagnose.Check
	wants := func(c report.Category) bool { return slices.Contains(opts.Parts, c) }
	if wants(report.CategoryLogs) {
		if err := checkLogsFile(opts.LogsFile); err != nil {
			return nil, err
		}
		checks = append(checks, &diagnose.LogsPart{API: client, File: opts.LogsFile, Stdin: f.IO.In, HTTP: f.logClient(opts.Resolver)})
	}
	if wants(report.CategoryDNS) {
		res, err := f.resolver(opts.Resolver)
		if err != nil {
			return nil, err
		}
		checks = append(checks, &diagnose.DNSPart{Resolver: res})
	}
	if wants(report.CategoryPostgres) {
		if opts.DatabaseURL != "" && !diagnose.IsPostgresURL(opts.DatabaseURL) {
			return nil, usagef("--database-url is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
		}
		part, err := f.pgPart(opts.DatabaseURL, "", pgcheck.DefaultThresholds.LongQueryWarn, pgcheck.DefaultThresholds.LongQueryCrit, opts.Resolver)
		if err != nil {
			return nil, err
		}
		part.Simulated = opts.Demo
		checks = append(checks, part)
	}
	if wants(report.CategoryTLS) {
		part, err := f.tlsPart(opts.CommonOptions, opts.Certs.WarnDays, opts.Certs.CritDays)
		if err != nil {
			return nil, err
		}
		checks = append(checks, part)
	}
	return checks, nil
}
