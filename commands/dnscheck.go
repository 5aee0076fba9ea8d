package commands

import (
	"context"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/diagnose"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// DNSCheckOptions are dns-check's flags and arguments.
type DNSCheckOptions struct {
	CommonOptions
	Domains []string
	Dig     bool
}

func newDNSCheckCommand(f *Factory, runF func(*cli.Context, *DNSCheckOptions) error) *cli.Command {
	return &cli.Command{
		Name:      "dns-check",
		Usage:     "check the DNS records of the app's custom domains (or of the DOMAIN arguments) against what Heroku expects",
		UsageText: "heroku-checkup dns-check [-a APP | DOMAIN ...] [--dig] [options]",
		Flags: append(commonFlags(false),
			&cli.BoolFlag{Name: "dig", Usage: "also print the answer sections as dig does (name. TTL IN TYPE data)"},
		),
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			common, err := readCommon(c, false)
			if err != nil {
				return err
			}
			opts := &DNSCheckOptions{CommonOptions: common, Domains: c.Args().Slice(), Dig: c.Bool("dig")}
			for _, d := range opts.Domains {
				if strings.HasPrefix(d, "-") {
					return usagef("options go before the domains: %s %s %s", commandLine(c, "dns-check"), d, strings.Join(withoutFlags(opts.Domains), " "))
				}
				if !validHostname(d) {
					return usagef("%q is not a domain name", d)
				}
			}
			if len(opts.Domains) > 0 && len(opts.Apps) > 0 {
				return usagef("give either -a APP or DOMAIN arguments, not both")
			}
			if runF != nil {
				return runF(c, opts)
			}
			return runDNSCheck(c.Context, f, opts)
		},
	}
}

// validHostname accepts what a DNS name can be (and a leading wildcard).
func validHostname(s string) bool {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "*."), ".")
	if s == "" || len(s) > 253 || strings.ContainsAny(s, " /:@") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
	}
	return true
}

// resolver builds the run's resolver: --resolver, else /etc/resolv.conf.
func (f *Factory) resolver(flag string) (*dnscheck.Resolver, error) {
	var servers []string
	if flag != "" {
		s, err := dnscheck.ParseServer(flag)
		if err != nil {
			return nil, usagef("--resolver: %v", err)
		}
		servers = []string{s}
	} else {
		var err error
		if servers, err = dnscheck.SystemServers(f.resolvConf()); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return dnscheck.NewResolver(dnscheck.Config{Servers: servers}), nil
}

func (f *Factory) resolvConf() string {
	if p := f.Env("HEROKU_CHECKUP_RESOLV_CONF"); p != "" {
		return p
	}
	return "/etc/resolv.conf"
}

func runDNSCheck(ctx context.Context, f *Factory, opts *DNSCheckOptions) error {
	res, err := f.resolver(opts.Resolver)
	if err != nil {
		return err
	}
	part := &diagnose.DNSPart{Resolver: res, Dig: opts.Dig}
	if len(opts.Domains) > 0 {
		var domains []dnscheck.Domain
		for _, d := range opts.Domains {
			domains = append(domains, dnscheck.Domain{Hostname: strings.TrimSuffix(strings.ToLower(d), ".")})
		}
		r := run{f: f, opts: opts.CommonOptions, apps: []string{},
			collect: func(ctx context.Context, p termui.Progress) ([]report.Finding, []report.Section, error) {
				fs := runner.Runner{Progress: p, Now: f.Now}.Run(ctx, part.DomainJobs(domains))
				return fs, part.Sections(), nil
			}}
		return r.execute(ctx)
	}
	return runAppParts(ctx, f, opts.CommonOptions, []diagnose.Check{part}, report.CategoryDNS)
}

// runAppParts runs one part of diagnose for the app of a single-app command.
func runAppParts(ctx context.Context, f *Factory, opts CommonOptions, checks []diagnose.Check, parts ...report.Category) error {
	client, err := f.APIClient(opts.Resolver)
	if err != nil {
		return err
	}
	return runAppPartsWith(ctx, f, client, opts, checks, parts...)
}

func runAppPartsWith(ctx context.Context, f *Factory, client *heroku.Client, opts CommonOptions, checks []diagnose.Check, parts ...report.Category) error {
	flagApp := ""
	if len(opts.Apps) == 1 {
		flagApp = opts.Apps[0]
	}
	app, err := f.ResolveApp(ctx, flagApp, opts.Remote)
	if err != nil {
		return err
	}
	deps := diagnose.Deps{API: client, Redactor: f.Redactor, Runner: runner.Runner{Now: f.Now}, Checks: checks}
	r := run{f: f, opts: opts, apps: []string{app},
		collect: func(ctx context.Context, p termui.Progress) ([]report.Finding, []report.Section, error) {
			deps.Runner.Progress = p
			res, err := diagnose.Run(ctx, deps, diagnose.Options{Apps: []string{app}, Parts: parts, Now: f.Now})
			return res.Findings, res.Sections, err
		}}
	return r.execute(ctx)
}

func withoutFlags(args []string) []string {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}
