package commands

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/pgcheck"
)

// PgHealthOptions are pg-health's flags.
type PgHealthOptions struct {
	CommonOptions
	DatabaseURL string
	Plan        string
	Thresholds  pgcheck.Thresholds // the defaults, with --long-query and --long-query-critical
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
	if err := checkDatabaseURL(url); err != nil {
		return "", "", th, err
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
			if opts.DatabaseURL, opts.Plan, opts.Thresholds, err = readPgFlags(c); err != nil {
				return err
			}
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

// checkDatabaseURL refuses a --database-url a session could not be opened
// with (a port out of range, a malformed host), as libpq would read it:
// one line, exit 3, and never the URL itself (it holds a password).
func checkDatabaseURL(url string) error {
	if url == "" {
		return nil
	}
	if !pgcheck.IsPostgresURL(url) {
		return usagef("--database-url is not a postgres://USER:PASSWORD@HOST:PORT/DATABASE URL")
	}
	if err := pgcheck.CheckURL(url); err != nil {
		return usagef("--database-url: %v", err)
	}
	return nil
}

const adviceNote = "remedies are advice: heroku-checkup only reads, it never runs them"

func runPgHealth(ctx context.Context, f *Factory, opts *PgHealthOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	part, err := f.pgPart(ctx, opts.DatabaseURL, opts.Plan, opts.Thresholds, opts.Resolver)
	if err != nil {
		return err
	}
	if opts.DatabaseURL != "" && len(opts.Apps) == 0 {
		jobs := part.TargetJobs([]pgcheck.Target{{Name: pgcheck.DatabaseURLSubject, URL: opts.DatabaseURL, Plan: opts.Plan}})
		return runJobs(ctx, f, opts.CommonOptions, nil, []string{adviceNote}, jobs)
	}
	if part.Data, err = f.DataClient(ctx, opts.Resolver); err != nil {
		return err
	}
	return runAppParts(ctx, f, nil, opts.CommonOptions, part)
}
