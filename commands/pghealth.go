package commands

import (
	"context"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/diagnose"
	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// PgHealthOptions are pg-health's flags.
type PgHealthOptions struct {
	CommonOptions
	DatabaseURL string
	Plan        string
	LongQuery   time.Duration
	LongQueryCr time.Duration
}

func pgFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "database-url", Usage: "check this Postgres `URL` instead of the app's *_URL config vars"},
		&cli.StringFlag{Name: "plan", Usage: "the Heroku Postgres `PLAN` of --database-url (standard-0, essential-1 ...), for its size and row limits"},
		&cli.DurationFlag{Name: "long-query", Value: pgcheck.DefaultThresholds.LongQueryWarn, Usage: "queries and transactions open longer than this are a warning"},
		&cli.DurationFlag{Name: "long-query-critical", Value: pgcheck.DefaultThresholds.LongQueryCrit, Usage: "... and longer than this are critical"},
	}
}

// readPgFlags validates the Postgres flags: a malformed URL is exit 3.
func readPgFlags(c *cli.Context) (url, plan string, th pgcheck.Thresholds, err error) {
	url, plan = c.String("database-url"), c.String("plan")
	th = pgcheck.DefaultThresholds
	th.LongQueryWarn, th.LongQueryCrit = c.Duration("long-query"), c.Duration("long-query-critical")
	if th.LongQueryWarn <= 0 || th.LongQueryCrit < th.LongQueryWarn {
		return "", "", th, usagef("--long-query must be positive and at most --long-query-critical")
	}
	if url != "" && !diagnose.IsPostgresURL(url) {
		return "", "", th, usagef("--database-url is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
	}
	if plan != "" {
		if _, ok := pgcheck.LookupPlan(plan); !ok {
			return "", "", th, usagef("--plan %q is not a Heroku Postgres plan heroku-checkup knows", plan)
		}
	}
	return url, plan, th, nil
}

func newPgHealthCommand(f *Factory, runF func(*cli.Context, *PgHealthOptions) error) *cli.Command {
	return &cli.Command{
		Name:         "pg-health",
		Usage:        "check the app's Postgres databases (or --database-url) in one short read-only session each",
		UsageText:    "heroku-checkup pg-health [-a APP | --database-url URL] [options]",
		Flags:        append(commonFlags(false), pgFlags()...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, false)
			if err != nil {
				return err
			}
			opts := &PgHealthOptions{CommonOptions: common}
			var th pgcheck.Thresholds
			if opts.DatabaseURL, opts.Plan, th, err = readPgFlags(c); err != nil {
				return err
			}
			opts.LongQuery, opts.LongQueryCr = th.LongQueryWarn, th.LongQueryCrit
			if c.Args().Len() > 0 {
				return usagef("pg-health takes no arguments; use --database-url")
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runPgHealth(c.Context, f, opts)
		},
	}
}

func (f *Factory) pgPart(url, plan string, warn, crit time.Duration, resolver string) (*diagnose.PostgresPart, error) {
	th := pgcheck.DefaultThresholds
	th.LongQueryWarn, th.LongQueryCrit = warn, crit
	if url != "" {
		// The password of a URL given on the command line is a secret too.
		f.Redactor.AddConfigVars(map[string]*string{"DATABASE_URL": &url})
	}
	sess := pgcheck.Session{Env: f.Env}
	if resolver != "" {
		res, err := f.resolver(resolver)
		if err != nil {
			return nil, err
		}
		sess.LookupFunc = res.LookupHost
	}
	return &diagnose.PostgresPart{DatabaseURL: url, Plan: plan, Thresholds: th, Now: f.Now, Session: sess}, nil
}

const adviceNote = "remedies are advice: heroku-checkup only reads, it never runs them"

func runPgHealth(ctx context.Context, f *Factory, opts *PgHealthOptions) error {
	part, err := f.pgPart(opts.DatabaseURL, opts.Plan, opts.LongQuery, opts.LongQueryCr, opts.Resolver)
	if err != nil {
		return err
	}
	if opts.DatabaseURL != "" && len(opts.Apps) == 0 {
		r := run{f: f, opts: opts.CommonOptions, apps: []string{}, notes: []string{adviceNote},
			collect: func(ctx context.Context, p termui.Progress) ([]report.Finding, []report.Section, error) {
				jobs := part.TargetJobs([]pgcheck.Target{{Name: diagnose.DatabaseURLSubject, URL: opts.DatabaseURL, Plan: opts.Plan}})
				return runner.Runner{Progress: p, Now: f.Now}.Run(ctx, jobs), nil, nil
			}}
		return r.execute(ctx)
	}
	return runAppParts(ctx, f, opts.CommonOptions, []diagnose.Check{part}, report.CategoryPostgres)
}
