package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	hk "github.com/heroku/heroku-go/v6"
	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/sandbox"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// DiagnoseOptions are diagnose's flags.
type DiagnoseOptions struct {
	CommonOptions
	Team            string
	Parts           []report.Category
	DatabaseURL     string
	RedisURL        string
	RedisSkipVerify bool
	LogsFile        string
	Demo            bool
	Certs           platform.CertThresholds
	DemoApps        int
	DemoDomains     int
	DemoLatency     sandbox.Options
	DemoGenerated   bool
	DemoServers     bool
	// postgresUnavailable and redisUnavailable are the demo's reasons, by
	// app, for having no database or Redis (PostgreSQL or redis-server missing).
	postgresUnavailable, redisUnavailable map[string]string
}

func newDiagnoseCommand(f *Factory, runF func(*cli.Context, *DiagnoseOptions) error) *cli.Command {
	flags := append(commonFlags(true),
		&cli.StringFlag{Name: "team", Aliases: []string{"t"}, Usage: "check every app of `TEAM`"},
		&cli.StringSliceFlag{Name: "only", Usage: "run only these parts: " + report.CategoryNames(",")},
		&cli.StringSliceFlag{Name: "skip", Usage: "skip these parts: " + report.CategoryNames(",")},
		&cli.StringFlag{Name: "database-url", Usage: "check this Postgres database `URL` instead of the app's *_URL config vars", EnvVars: nil},
	)
	flags = append(flags, redisFlags()...)
	flags = append(flags,
		&cli.StringFlag{Name: "logs-file", Usage: "analyse saved logs from `FILE` (- for stdin) instead of the app's log session"},
	)
	flags = append(flags, certFlags()...)
	flags = append(flags,
		&cli.BoolFlag{Name: "demo", Usage: "check the built-in simulated app on loopback (no credentials, no network)"},
		// For the benchmarks: a bigger, slower sandbox.
		&cli.IntFlag{Name: "demo-apps", Hidden: true, Usage: "how many sandbox apps (default: acme-prod on Cedar and acme-edge on Fir)"},
		&cli.IntFlag{Name: "demo-domains", Value: 4, Hidden: true},
		&cli.StringFlag{Name: "demo-latency", Hidden: true, Usage: "api=80ms,dns=20ms,tls=60ms,logs=200ms"},
		&cli.BoolFlag{Name: "demo-generated", Hidden: true, Usage: "every sandbox app generated alike"},
		&cli.BoolFlag{Name: "demo-servers", Value: true, Hidden: true, Usage: "start a real PostgreSQL and redis-server for the demo when installed"},
	)
	return &cli.Command{
		Name:         "diagnose",
		Usage:        "check the whole app: " + report.CategoryProse() + ", in one report",
		UsageText:    "heroku-checkup diagnose [-a APP ...] [--team TEAM] [--only PARTS] [--skip PARTS] [options]",
		Flags:        flags,
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, true)
			if err != nil {
				return err
			}
			opts := &DiagnoseOptions{CommonOptions: common, Team: c.String("team"), DatabaseURL: c.String("database-url"),
				LogsFile: c.String("logs-file"),
				Demo:     c.Bool("demo"), DemoApps: c.Int("demo-apps"), DemoDomains: c.Int("demo-domains"), DemoGenerated: c.Bool("demo-generated"), DemoServers: c.Bool("demo-servers")}
			if opts.DemoLatency, err = parseLatency(c.String("demo-latency")); err != nil {
				return err
			}
			if opts.Certs.WarnDays, opts.Certs.CritDays, err = readCertDays(c); err != nil {
				return err
			}
			only, err := checkup.ParseParts(c.StringSlice("only"))
			if err != nil {
				return usagef("--only: %v", err)
			}
			skip, err := checkup.ParseParts(c.StringSlice("skip"))
			if err != nil {
				return usagef("--skip: %v", err)
			}
			if opts.RedisURL, opts.RedisSkipVerify, err = readRedisFlags(c); err != nil {
				return err
			}
			opts.Parts = checkup.SelectParts(only, skip)
			if len(opts.Parts) == 0 {
				return usagef("--only and --skip leave nothing to check")
			}
			if opts.Team != "" && len(opts.Apps) > 0 {
				return usagef("use either --team or -a, not both")
			}
			if c.IsSet("team") {
				if err := heroku.CheckTeam(opts.Team, "--team"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runDiagnose(c.Context, f, opts)
		},
	}
}

func runDiagnose(ctx context.Context, f *Factory, opts *DiagnoseOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	var notes []string
	if opts.Demo {
		so := opts.DemoLatency
		so.Apps, so.Domains, so.Generated = opts.DemoApps, opts.DemoDomains, opts.DemoGenerated
		so.Now = f.Now() // the demo's clock is the run's, so an injected one makes it repeatable
		so.Servers = opts.DemoServers
		sb, err := sandbox.Start(so)
		if err != nil {
			return fmt.Errorf("starting the sandbox: %w", err)
		}
		defer sb.Close()
		f = demoFactory(f, sb)
		opts.postgresUnavailable = map[string]string{sandbox.DemoApp: sb.PostgresMissing}
		opts.redisUnavailable = map[string]string{sandbox.DemoApp: sb.RedisMissing}
		if opts.Resolver == "" {
			opts.Resolver = sb.DNS.Addr
		}
		if opts.CAFile == "" {
			opts.CAFile = sb.CAFile
		}
		if len(opts.Apps) == 0 && opts.Team == "" {
			opts.Apps = sb.Apps
		}
		notes = append(notes, "this is a simulated app: the built-in sandbox on loopback (fake Platform API, Data API, DNS, TLS and logs, and when installed a real PostgreSQL and redis-server seeded with problems); no credentials were used and nothing left this machine")
	}
	client, err := f.APIClient(ctx, opts.Resolver)
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
	parts, err := diagnoseParts(ctx, f, opts, client, apps[0])
	if err != nil {
		return err
	}
	deps := checkup.Deps{API: client, Redactor: f.Redactor, Runner: runner.Runner{Now: f.Now}, Parts: parts}
	dopts := checkup.Options{Apps: apps, MissingAppIsFinding: fromTeam}
	r := run{f: f, opts: opts.CommonOptions, apps: apps, notes: notes,
		collect: func(ctx context.Context, p termui.Progress) (runner.Result, error) {
			deps.Runner.Progress = p
			return checkup.Run(ctx, deps, dopts)
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
		case "HEROKU_DATA_HOST":
			return sb.Data.URL
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

// apiUsageNote says what the run cost of the account's hourly API budget:
// 4,500 request tokens per account, refilled at about 75 a minute (Dev
// Center platform-api-reference#rate-limits, as quoted by Heroku's API
// style guides; read 2026-11-24).
func apiUsageNote(c *heroku.Client) string {
	n := fmt.Sprintf("Platform API: %d requests", c.Requests())
	if rem := c.RateLimitRemaining(); rem >= 0 {
		n += fmt.Sprintf(", %d left of the account's 4,500 an hour", rem)
	}
	return n
}

// demoTail is how long the demo reads its Fir app's live log session once
// its first byte is due (after --demo-latency's logs=).
const demoTail = 500 * time.Millisecond

// diagnoseParts wires the selected parts, in report order: one entry per
// category, so that a new category is one line here.
func diagnoseParts(ctx context.Context, f *Factory, opts *DiagnoseOptions, client platform.API, firstApp string) ([]checkup.Part, error) {
	// One Data API client for the Postgres and Redis parts: one netrc read,
	// one client's retries and rate limit against the one account.
	data := sync.OnceValues(func() (*heroku.DataClient, error) { return f.DataClient(ctx, opts.Resolver) })
	wire := map[report.Category]func() (checkup.Part, error){
		report.CategoryPlatform: func() (checkup.Part, error) { return &checkup.PlatformPart{Now: f.Now, Certs: opts.Certs}, nil },
		report.CategoryLogs: func() (checkup.Part, error) {
			if err := checkLogsFile(opts.LogsFile); err != nil {
				return nil, err
			}
			hc, err := f.logClient(ctx, opts.Resolver)
			part := &checkup.LogsPart{API: client, File: opts.LogsFile, FileApp: firstApp, Stdin: f.IO.In, HTTP: hc}
			if opts.Demo {
				// The sandbox's Fir session sends its lines at once and then, as
				// Fir's do, never ends: a short window reads them all.
				part.TailFor = demoTail + opts.DemoLatency.LogLatency
			}
			return part, err
		},
		report.CategoryDNS: func() (checkup.Part, error) {
			res, err := f.resolver(ctx, opts.Resolver)
			return &checkup.DNSPart{Resolver: res}, err
		},
		report.CategoryTLS: func() (checkup.Part, error) {
			return f.tlsPart(ctx, opts.CommonOptions, opts.Certs.WarnDays, opts.Certs.CritDays)
		},
		report.CategoryPostgres: func() (checkup.Part, error) {
			if err := checkDatabaseURL(opts.DatabaseURL); err != nil {
				return nil, err
			}
			part, err := f.pgPart(ctx, opts.DatabaseURL, "", pgcheck.DefaultThresholds, opts.Resolver)
			if err != nil {
				return nil, err
			}
			part.Unavailable = opts.postgresUnavailable
			part.Data, err = data()
			return part, err
		},
		report.CategoryRedis: func() (checkup.Part, error) {
			part, err := f.redisPart(ctx, opts.CommonOptions, opts.RedisURL, opts.RedisSkipVerify, false)
			if err != nil {
				return nil, err
			}
			part.Unavailable = opts.redisUnavailable
			part.Data, err = data()
			return part, err
		},
	}
	var parts []checkup.Part
	for _, c := range opts.Parts {
		build, ok := wire[c]
		if !ok {
			return nil, fmt.Errorf("diagnose has no part for the category %q", c)
		}
		p, err := build()
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	return parts, nil
}
