package commands

import (
	"context"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/redischeck"
)

// RedisHealthOptions are redis-health's flags.
type RedisHealthOptions struct {
	CommonOptions
	RedisURL   string
	SkipVerify bool
}

func redisFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "redis-url", Usage: "check this Redis `URL` (redis:// or rediss://) instead of the app's"},
		&cli.BoolFlag{Name: "redis-insecure-skip-verify", Usage: "accept the rediss:// certificate of --redis-url unverified, as Heroku documents for its self-signed ones (the app's Heroku Redis add-ons always are)"},
	}
}

// readRedisFlags validates the Redis flags: a malformed URL is exit 3.
func readRedisFlags(c *cli.Context) (string, bool, error) {
	u := c.String("redis-url")
	if u != "" {
		if _, err := redischeck.ParseURL(u); err != nil {
			return "", false, usagef("--redis-url: %v", err)
		}
	}
	return u, c.Bool("redis-insecure-skip-verify"), nil
}

func newRedisHealthCommand(f *Factory, runF func(*cli.Context, *RedisHealthOptions) error) *cli.Command {
	return &cli.Command{
		Name:         "redis-health",
		Usage:        "check the app's Redis (Heroku Redis add-ons, REDIS_URL-style config vars) or --redis-url, one read-only connection each",
		UsageText:    "heroku-checkup redis-health [-a APP | --redis-url URL] [options]",
		Flags:        append(commonFlags(false), redisFlags()...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, false)
			if err != nil {
				return err
			}
			opts := &RedisHealthOptions{CommonOptions: common}
			if opts.RedisURL, opts.SkipVerify, err = readRedisFlags(c); err != nil {
				return err
			}
			if c.Args().Len() > 0 {
				return usagef("redis-health takes no arguments; use --redis-url")
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runRedisHealth(c.Context, f, opts)
		},
	}
}

func runRedisHealth(ctx context.Context, f *Factory, opts *RedisHealthOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	if opts.RedisURL != "" && len(opts.Apps) == 0 {
		part, err := f.redisPart(ctx, opts.CommonOptions, opts.RedisURL, opts.SkipVerify, false)
		if err != nil {
			return err
		}
		jobs := part.TargetJobs([]checkup.RedisTarget{{Target: redischeck.Target{Name: checkup.RedisURLSubject, URL: opts.RedisURL, SkipVerify: opts.SkipVerify}}})
		return runJobs(ctx, f, opts.CommonOptions, nil, []string{adviceNote}, jobs)
	}
	part, err := f.redisPart(ctx, opts.CommonOptions, opts.RedisURL, opts.SkipVerify, true)
	if err != nil {
		return err
	}
	return runAppParts(ctx, f, nil, opts.CommonOptions, part)
}
