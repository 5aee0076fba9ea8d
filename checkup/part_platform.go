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
	now, certs := orNow(p.Now), p.Certs
	if certs == (platform.CertThresholds{}) {
		certs = platform.DefaultCertThresholds
	}
	return []runner.Job{{Name: "platform " + s.Name, Check: "platform", Category: report.CategoryPlatform, App: s.Name, Subject: s.Name,
		Run: func(context.Context) (runner.Result, error) {
			return runner.Findings(platform.Judge(s, now(), certs)...), nil
		}}}, nil
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
	now, certs := orNow(p.Now), p.Certs
	if certs == (platform.CertThresholds{}) {
		certs = platform.DefaultCertThresholds
	}
	return []runner.Job{{Name: "certificates of " + s.Name, Check: "platform.sni", Category: report.CategoryPlatform, App: s.Name, Subject: s.Name,
		Run: func(context.Context) (runner.Result, error) {
			return runner.Findings(platform.CertRules(s, now(), certs)...), nil
		}}}, nil
}

func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
