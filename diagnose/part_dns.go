package diagnose

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// DNSPart checks the DNS of every custom domain of an app against its DNS
// target, one job per domain so one slow zone costs only its own deadline.
type DNSPart struct {
	Resolver *dnscheck.Resolver
	Dig      bool
	Timeout  time.Duration // per domain (default 10s)

	mu    sync.Mutex
	snaps []*dnscheck.Snapshot
}

func (p *DNSPart) Part() Part        { return report.CategoryDNS }
func (p *DNSPart) Needs() []Resource { return []Resource{ResApp, ResDomains} }

// DomainJobs builds one job per domain; commands use it for bare domains too.
func (p *DNSPart) DomainJobs(domains []dnscheck.Domain) []runner.Job {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	var jobs []runner.Job
	for _, d := range domains {
		jobs = append(jobs, runner.Job{Name: "dns " + d.Hostname, Check: "dns.target", Category: report.CategoryDNS,
			App: d.App, Subject: d.Hostname, Timeout: timeout,
			Run: func(ctx context.Context) ([]report.Finding, error) {
				s := dnscheck.Collect(ctx, p.Resolver, d)
				p.mu.Lock()
				p.snaps = append(p.snaps, s)
				p.mu.Unlock()
				return dnscheck.Judge(s), nil
			}})
	}
	return jobs
}

func (p *DNSPart) Jobs(_ context.Context, s *Snapshot) ([]runner.Job, error) {
	if !s.Has(ResDomains) {
		return nil, s.Err(ResDomains)
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

func (p *DNSPart) Sections() []report.Section {
	p.mu.Lock()
	snaps := append([]*dnscheck.Snapshot(nil), p.snaps...)
	p.mu.Unlock()
	sort.Slice(snaps, func(i, j int) bool {
		if snaps[i].Domain.App != snaps[j].Domain.App {
			return snaps[i].Domain.App < snaps[j].Domain.App
		}
		return snaps[i].Domain.Hostname < snaps[j].Domain.Hostname
	})
	return dnscheck.Sections(snaps, p.Dig)
}

func noCustomDomains(app string, cat report.Category, check string) runner.Job {
	return runner.Job{Name: string(cat) + " " + app, Check: check, Category: cat, App: app, Subject: app,
		Run: func(context.Context) ([]report.Finding, error) {
			return []report.Finding{{Status: report.StatusSkipped, Summary: "the app has no custom domain to check"}}, nil
		}}
}
