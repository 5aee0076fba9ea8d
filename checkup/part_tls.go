package checkup

import (
	"context"
	"crypto/x509"
	"slices"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/platform"
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
}

func (p *TLSPart) Category() report.Category { return report.CategoryTLS }
func (p *TLSPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResApp, platform.ResDomains, platform.ResSniEndpoints}
}

// TargetJobs builds one job per target, in host order (the order of the
// Certificates table); commands use it for bare hosts too. known are
// intermediates to verify against besides the configured ones: those of the
// app's uploaded chains, which tell a missing intermediate from an unknown CA.
func (p *TLSPart) TargetJobs(targets []sslcheck.Target, known []*x509.Certificate) []runner.Job {
	timeout := or(p.Timeout, 20*time.Second)
	rules := func() sslcheck.Rules {
		return sslcheck.Rules{Now: orNow(p.Now)(), WarnDays: p.WarnDays, CritDays: p.CritDays, Roots: p.Config.Roots,
			Intermediates: slices.Concat(p.Config.Intermediates, known)}
	}
	targets = slices.Clone(targets)
	slices.SortStableFunc(targets, func(a, b sslcheck.Target) int { return strings.Compare(a.Host, b.Host) })
	var jobs []runner.Job
	for _, t := range targets {
		jobs = append(jobs, runner.Job{Name: "tls " + t.Host, Check: "tls.certificate", Category: report.CategoryTLS,
			App: t.App, Subject: t.Host, Timeout: timeout,
			Run: func(ctx context.Context) (runner.Result, error) {
				s := sslcheck.Collect(ctx, p.Config, t)
				r := rules()
				fs := sslcheck.Judge(s, r)
				return runner.Result{Findings: fs, Sections: sslcheck.Sections(s, fs, r.Now)}, nil
			}})
	}
	return jobs
}

func (p *TLSPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	if !s.Has(platform.ResDomains) {
		return nil, s.Err(platform.ResDomains)
	}
	port := p.Port
	if port == "" {
		port = "443"
	}
	var targets []sslcheck.Target
	var known []*x509.Certificate
	for _, d := range s.CustomDomains() {
		host := dnscheck.Domain{Hostname: d.Hostname}.QueryName()
		t := sslcheck.Target{Host: host, Port: port, App: s.Name, AppDomain: s.DefaultDomain(), Custom: true}
		for _, e := range s.SniEndpoints {
			if !platform.Covers(e, d) {
				continue
			}
			if chain := sslcheck.ParseChain(e.CertificateChain); len(chain) > 0 {
				t.APICerts = append(t.APICerts, chain[0])
				known = append(known, chain[1:]...)
			}
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return []runner.Job{noCustomDomains(s.Name, report.CategoryTLS, "tls.certificate")}, nil
	}
	return p.TargetJobs(targets, known), nil
}
