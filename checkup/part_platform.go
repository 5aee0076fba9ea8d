package checkup

import (
	"context"
	"time"

	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// PlatformPart judges everything the Platform API says about the app.
type PlatformPart struct {
	Now   func() time.Time
	Certs platform.CertThresholds
}

func (p *PlatformPart) Category() report.Category  { return report.CategoryPlatform }
func (p *PlatformPart) Needs() []platform.Resource { return platform.AllResources }

func (p *PlatformPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	return platformJob(s, "platform "+s.Name, "platform", p.Now, p.Certs, platform.Judge), nil
}

// APICertsPart is the Platform API's view of an app's certificates (ACM
// status per domain, SNI endpoint expiry), run beside the TLS part by
// certs-check; diagnose gets the same findings from PlatformPart. Its
// category is the part it runs with; its findings are platform ones.
type APICertsPart struct {
	Certs platform.CertThresholds
	Now   func() time.Time
}

func (p *APICertsPart) Category() report.Category { return report.CategoryTLS }
func (p *APICertsPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResApp, platform.ResDomains, platform.ResSniEndpoints}
}

func (p *APICertsPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	return platformJob(s, "certificates of "+s.Name, "platform.sni", p.Now, p.Certs, platform.CertRules), nil
}

// platformJob is the one job that judges a snapshot with rules.
func platformJob(s *platform.Snapshot, name, check string, now func() time.Time, certs platform.CertThresholds,
	rules func(*platform.Snapshot, time.Time, platform.CertThresholds) []report.Finding) []runner.Job {
	if certs == (platform.CertThresholds{}) {
		certs = platform.DefaultCertThresholds
	}
	now = orNow(now)
	return []runner.Job{{Name: name, Check: check, Category: report.CategoryPlatform, App: s.Name, Subject: s.Name,
		Run: func(context.Context) (runner.Result, error) {
			return runner.Findings(rules(s, now(), certs)...), nil
		}}}
}

func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// or is d, or def when d is not set.
func or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
