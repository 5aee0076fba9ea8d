package diagnose

import (
	"context"
	"crypto/x509"
	"sort"
	"strings"
	"sync"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
	"github.com/heroku-checkup/heroku-checkup/sslcheck"
)

// TLSPart handshakes with every custom domain of an app, one job per domain.
type TLSPart struct {
	Config   sslcheck.Config
	WarnDays int
	CritDays int
	Now      func() time.Time
	Timeout  time.Duration // per domain (default 20s)
	// Port custom domains are dialled on: 443, except in the sandbox.
	Port string

	mu    sync.Mutex
	snaps []*sslcheck.Snapshot
	inter []*x509.Certificate
}

func (p *TLSPart) Part() Part        { return report.CategoryTLS }
func (p *TLSPart) Needs() []Resource { return []Resource{ResApp, ResDomains, ResSniEndpoints} }

func (p *TLSPart) rules() sslcheck.Rules {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	p.mu.Lock()
	inter := append(append([]*x509.Certificate(nil), p.Config.Intermediates...), p.inter...)
	p.mu.Unlock()
	return sslcheck.Rules{Now: now(), WarnDays: p.WarnDays, CritDays: p.CritDays, Roots: p.Config.Roots, Intermediates: inter}
}

// TargetJobs builds one job per target; commands use it for bare hosts too.
func (p *TLSPart) TargetJobs(targets []sslcheck.Target) []runner.Job {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	var jobs []runner.Job
	for _, t := range targets {
		jobs = append(jobs, runner.Job{Name: "tls " + t.Host, Check: "tls.certificate", Category: report.CategoryTLS,
			App: t.App, Subject: t.Host, Timeout: timeout,
			Run: func(ctx context.Context) ([]report.Finding, error) {
				s := sslcheck.Collect(ctx, p.Config, t)
				p.mu.Lock()
				p.snaps = append(p.snaps, s)
				p.mu.Unlock()
				return sslcheck.Judge(s, p.rules()), nil
			}})
	}
	return jobs
}

func (p *TLSPart) Jobs(_ context.Context, s *Snapshot) ([]runner.Job, error) {
	if !s.Has(ResDomains) {
		return nil, s.Err(ResDomains)
	}
	var targets []sslcheck.Target
	for _, d := range s.CustomDomains() {
		host := dnscheck.Domain{Hostname: d.Hostname}.QueryName()
		port := p.Port
		if port == "" {
			port = "443"
		}
		t := sslcheck.Target{Host: host, Port: port, App: s.Name, Custom: true}
		for _, e := range s.SniEndpoints {
			if !covers(e, d) {
				continue
			}
			chain := sslcheck.ParseChain(e.CertificateChain)
			if len(chain) > 0 {
				t.APICerts = append(t.APICerts, chain[0])
				// The uploaded intermediates tell a missing one from an unknown CA.
				p.mu.Lock()
				p.inter = append(p.inter, chain[1:]...)
				p.mu.Unlock()
			}
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return []runner.Job{noCustomDomains(s.Name, report.CategoryTLS, "tls.certificate")}, nil
	}
	return p.TargetJobs(targets), nil
}

// covers tells whether an SNI endpoint serves a domain: the domain is
// attached to it, or one of its certificate's names matches.
func covers(e hk.SniEndpoint, d hk.Domain) bool {
	if d.SniEndpoint != nil && d.SniEndpoint.ID == e.ID {
		return true
	}
	for _, id := range e.Domains {
		if id == d.ID {
			return true
		}
	}
	for _, n := range e.SSLCert.CertDomains {
		name, _ := n.(string)
		if strings.EqualFold(name, d.Hostname) {
			return true
		}
		if strings.HasPrefix(name, "*.") {
			if i := strings.IndexByte(d.Hostname, '.'); i > 0 && strings.EqualFold(name[1:], d.Hostname[i:]) {
				return true
			}
		}
	}
	return false
}

func (p *TLSPart) Sections() []report.Section {
	p.mu.Lock()
	snaps := append([]*sslcheck.Snapshot(nil), p.snaps...)
	p.mu.Unlock()
	sort.Slice(snaps, func(i, j int) bool {
		if snaps[i].Target.App != snaps[j].Target.App {
			return snaps[i].Target.App < snaps[j].Target.App
		}
		return snaps[i].Target.Host < snaps[j].Target.Host
	})
	return sslcheck.Sections(snaps, p.rules())
}

// APICertsPart is the Platform API's view of an app's certificates (ACM
// status per domain, SNI endpoint expiry), run with the TLS part by
// certs-check; diagnose gets the same findings from the platform rules.
type APICertsPart struct {
	Certs CertThresholds
	Now   func() time.Time
}

func (p *APICertsPart) Part() Part                 { return report.CategoryTLS }
func (p *APICertsPart) Needs() []Resource          { return []Resource{ResApp, ResDomains, ResSniEndpoints} }
func (p *APICertsPart) Sections() []report.Section { return nil }

func (p *APICertsPart) Jobs(_ context.Context, s *Snapshot) ([]runner.Job, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	certs := p.Certs
	if certs == (CertThresholds{}) {
		certs = DefaultCertThresholds
	}
	return []runner.Job{{Name: "certificates of " + s.Name, Check: "platform.sni", Category: report.CategoryPlatform, App: s.Name, Subject: s.Name,
		Run: func(context.Context) ([]report.Finding, error) {
			fs := APICertRules(s, now(), certs)
			for i := range fs {
				fs[i].Category = report.CategoryPlatform
			}
			return fs, nil
		}}}, nil
}
