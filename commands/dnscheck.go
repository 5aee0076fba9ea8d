package commands

import (
	"context"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
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

func runDNSCheck(ctx context.Context, f *Factory, opts *DNSCheckOptions) error {
	ctx, cancel, err := f.begin(ctx, opts.CommonOptions)
	if err != nil {
		return err
	}
	defer cancel()
	res, err := f.resolver(ctx, opts.Resolver)
	if err != nil {
		return err
	}
	part := &checkup.DNSPart{Resolver: res, Dig: opts.Dig}
	if len(opts.Domains) > 0 {
		var domains []dnscheck.Domain
		for _, d := range opts.Domains {
			domains = append(domains, dnscheck.Domain{Hostname: strings.TrimSuffix(strings.ToLower(d), ".")})
		}
		return runJobs(ctx, f, opts.CommonOptions, nil, nil, part.DomainJobs(domains))
	}
	return runAppParts(ctx, f, nil, opts.CommonOptions, part)
}
