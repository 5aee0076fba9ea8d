package checkup

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// DNSPart checks the DNS of every custom domain of an app against its DNS
// target, one job per domain so one slow zone costs only its own deadline.
type DNSPart struct {
	Resolver *dnscheck.Resolver
	Dig      bool
	Timeout  time.Duration // per domain (default 10s)
}

func (p *DNSPart) Category() report.Category { return report.CategoryDNS }
func (p *DNSPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResApp, platform.ResDomains}
}

// DomainJobs builds one job per domain, in name order (the order of the
// domains table); commands use it for bare domains too.
func (p *DNSPart) DomainJobs(domains []dnscheck.Domain) []runner.Job {
	timeout := or(p.Timeout, 10*time.Second)
	domains = slices.Clone(domains)
	slices.SortStableFunc(domains, func(a, b dnscheck.Domain) int { return strings.Compare(a.Hostname, b.Hostname) })
	var jobs []runner.Job
	for _, d := range domains {
		jobs = append(jobs, runner.Job{Name: "dns " + d.Hostname, Check: "dns.target", Category: report.CategoryDNS,
			App: d.App, Subject: d.Hostname, Timeout: timeout,
			Run: func(ctx context.Context) (runner.Result, error) {
				s := dnscheck.Collect(ctx, p.Resolver, d)
				fs := dnscheck.Judge(s)
				return runner.Result{Findings: fs, Sections: dnscheck.Sections(s, fs, p.Dig)}, nil
			}})
	}
	return jobs
}

func (p *DNSPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	if !s.Has(platform.ResDomains) {
		return nil, s.Err(platform.ResDomains)
	}
	acm := s.App != nil && s.App.Acm
	var domains []dnscheck.Domain
	for _, d := range s.CustomDomains() {
		target := ""
		if d.CName != nil {
			target = *d.CName
		}
		domains = append(domains, dnscheck.Domain{Hostname: d.Hostname, Target: target, ACM: acm, App: s.Name})
	}
	if len(domains) == 0 {
		return []runner.Job{noCustomDomains(s.Name, report.CategoryDNS, "dns.target")}, nil
	}
	return p.DomainJobs(domains), nil
}

func noCustomDomains(app string, cat report.Category, check string) runner.Job {
	return runner.Job{Name: string(cat) + " " + app, Check: check, Category: cat, App: app, Subject: app,
		Run: func(context.Context) (runner.Result, error) {
			return runner.Findings(report.Finding{Status: report.StatusSkipped, Summary: "the app has no custom domain to check"}), nil
		}}
}
