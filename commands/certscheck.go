package commands

import (
	"context"
	"net"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/sslcheck"
)

// CertsCheckOptions are certs-check's flags and arguments.
type CertsCheckOptions struct {
	CommonOptions
	Hosts    []sslcheck.Target
	WarnDays int
	CritDays int
}

func certFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "warn-days", Value: 30, Usage: "certificate expiry: warning under this many days"},
		&cli.IntFlag{Name: "crit-days", Value: 7, Usage: "certificate expiry: critical under this many days"},
	}
}

func readCertDays(c *cli.Context) (int, int, error) {
	warn, crit := c.Int("warn-days"), c.Int("crit-days")
	if crit < 0 || warn < crit {
		return 0, 0, usagef("--warn-days (%d) must be at least --crit-days (%d), both non-negative", warn, crit)
	}
	return warn, crit, nil
}

func newCertsCheckCommand(f *Factory, runF func(*cli.Context, *CertsCheckOptions) error) *cli.Command {
	return &cli.Command{
		Name:         "certs-check",
		Usage:        "handshake with each custom domain of the app (or each HOST[:PORT] argument) and check its certificate",
		UsageText:    "heroku-checkup certs-check [-a APP | HOST[:PORT] ...] [options]",
		Flags:        append(commonFlags(false), certFlags()...),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, false)
			if err != nil {
				return err
			}
			opts := &CertsCheckOptions{CommonOptions: common}
			if opts.WarnDays, opts.CritDays, err = readCertDays(c); err != nil {
				return err
			}
			for _, arg := range c.Args().Slice() {
				t, err := parseHostPort(arg)
				if err != nil {
					return err
				}
				opts.Hosts = append(opts.Hosts, t)
			}
			if len(opts.Hosts) > 0 && len(opts.Apps) > 0 {
				return usagef("give either -a APP or HOST arguments, not both")
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runCertsCheck(c.Context, f, opts)
		},
	}
}

// parseHostPort reads HOST, HOST:PORT or [IPv6]:PORT.
func parseHostPort(arg string) (sslcheck.Target, error) {
	host, port := arg, "443"
	if h, p, err := net.SplitHostPort(arg); err == nil {
		host, port = h, p
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return sslcheck.Target{}, usagef("%q: the port must be a number from 1 to 65535", arg)
	}
	if net.ParseIP(host) == nil && !validHostname(host) {
		return sslcheck.Target{}, usagef("%q is not a host name or address", arg)
	}
	return sslcheck.Target{Host: strings.ToLower(host), Port: port}, nil
}

func runCertsCheck(ctx context.Context, f *Factory, opts *CertsCheckOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	part, err := f.tlsPart(ctx, opts.CommonOptions, opts.WarnDays, opts.CritDays)
	if err != nil {
		return err
	}
	if len(opts.Hosts) > 0 {
		return runJobs(ctx, f, opts.CommonOptions, nil, nil, part.TargetJobs(opts.Hosts, nil))
	}
	// With an app, the API's own view of its certificates comes too: ACM
	// status and SNI expiry catch a problem even when DNS is broken.
	return runAppParts(ctx, f, nil, opts.CommonOptions, part,
		&checkup.APICertsPart{Certs: platform.CertThresholds{WarnDays: opts.WarnDays, CritDays: opts.CritDays}, Now: f.Now})
}
