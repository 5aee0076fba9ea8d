package platform

import (
	"errors"
	"testing"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// healthy is a snapshot with nothing wrong.
func healthy() *Snapshot {
	f := herokutest.SampleApp("acme-prod", now)
	f.Dynos[1].State = "up"
	f.Releases = f.Releases[:2]
	f.LogDrains = herokutest.SampleLogDrains("acme-prod")
	for i := range f.Features {
		f.Features[i].Enabled = true
	}
	s := &Snapshot{Name: "acme-prod", App: &f.App, Dynos: f.Dynos, Formation: f.Formation, Releases: f.Releases,
		Domains: f.Domains, AddOns: f.AddOns, ConfigVars: f.ConfigVars, LogDrains: f.LogDrains, Features: f.Features,
		SniEndpoints: []hk.SniEndpoint{herokutest.SniEndpoint("acme-prod", "e1", "", "/CN=R11", "/CN=www.acme.example",
			[]string{"www.acme.example"}, now.Add(-30*24*time.Hour), now.Add(60*24*time.Hour))},
		Errs: map[Resource]error{}, Read: map[Resource]bool{}}
	for _, r := range AllResources {
		s.Read[r] = true
	}
	return s
}

func TestMain(m *testing.M) { reporttest.Main(m, "platform") }

func TestHealthySnapshotHasNoProblem(t *testing.T) {
	fs := Judge(healthy(), now, DefaultCertThresholds)
	if len(fs) < 8 {
		t.Errorf("a healthy app should still list what was verified, got %d findings", len(fs))
	}
	reporttest.AllOK(t, fs)
}

func TestPlatformRules(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(s *Snapshot)
		code    *report.Code
		subject string
		status  report.Status
		remedy  string
	}{
		{"crashed dyno", func(s *Snapshot) { s.Dynos[1].State = "crashed"; s.Dynos[1].UpdatedAt = now.Add(-12 * time.Minute) },
			codes.DynoCrashed, "web.2", report.StatusCritical, "heroku ps:restart web.2 -a acme-prod"},
		{"restarting without deploy", func(s *Snapshot) { s.Dynos[0].State = "starting"; s.Dynos[0].UpdatedAt = now.Add(-time.Minute) },
			codes.DynoRestarting, "web.1", report.StatusWarning, "heroku logs --dyno web.1 -a acme-prod"},
		{"no web dynos with domains", func(s *Snapshot) { s.Formation[0].Quantity = 0 },
			codes.NoWebDynos, "web", report.StatusCritical, "heroku ps:scale web=1 -a acme-prod"},
		{"single web dyno", func(s *Snapshot) { s.Formation[0].Quantity = 1 },
			codes.SingleWebDyno, "web", report.StatusWarning, "heroku ps:scale web=2 -a acme-prod"},
		{"eco sleeps", func(s *Snapshot) { s.Formation[0].Quantity = 1; s.Formation[0].DynoSize.Name = "Eco" },
			codes.DynoEcoSleeps, "web", report.StatusWarning, "heroku ps:type web=basic -a acme-prod"},
		{"stack deprecated", func(s *Snapshot) { s.App.Stack.Name = "heroku-22" },
			codes.StackDeprecated, "heroku-22", report.StatusWarning, "heroku stack:set heroku-24 -a acme-prod, then deploy"},
		{"stack deprecated by the API", func(s *Snapshot) {
			s.Stack = &hk.Stack{Name: "heroku-24", State: "deprecated"}
		}, codes.StackDeprecated, "heroku-24", report.StatusWarning, ""},
		{"stack end of life", func(s *Snapshot) { s.App.Stack.Name = "heroku-20" },
			codes.StackEndOfLife, "heroku-20", report.StatusCritical, "heroku stack:set heroku-24 -a acme-prod, then deploy"},
		{"maintenance", func(s *Snapshot) { s.App.Maintenance = true },
			codes.MaintenanceMode, "acme-prod", report.StatusWarning, "heroku maintenance:off -a acme-prod"},
		{"latest release failed", func(s *Snapshot) {
			s.Releases = append(s.Releases, hk.Release{Version: 42, Status: "failed", Description: "Deploy abc"})
		}, codes.ReleaseFailed, "v42", report.StatusWarning, "heroku releases:output v42 -a acme-prod"},
		{"current release is a rollback", func(s *Snapshot) {
			s.Releases[1].Description = "Rollback to v40"
		}, codes.ReleaseFailed, "v41", report.StatusWarning, "heroku releases -a acme-prod"},
		{"no drain", func(s *Snapshot) { s.LogDrains = nil },
			codes.NoLogDrain, "log drains", report.StatusWarning, ""},
		{"runtime metrics off", func(s *Snapshot) { s.Features[0].Enabled = false },
			codes.RuntimeMetricsOff, "log-runtime-metrics", report.StatusInfo, ""},
		{"preboot off with 2 web dynos", func(s *Snapshot) { s.Features[1].Enabled = false },
			codes.PrebootOff, "preboot", report.StatusInfo, "heroku features:enable preboot -a acme-prod"},
		{"acm failed", func(s *Snapshot) {
			s.Domains[1].AcmStatus = herokutest.Str("failed")
			s.Domains[1].AcmStatusReason = herokutest.Str("CAA record prevents issuance")
		},
			codes.ACMFailing, "www.acme.example", report.StatusCritical, ""},
		{"acm failing", func(s *Snapshot) { s.Domains[1].AcmStatus = herokutest.Str("failing") },
			codes.ACMFailing, "www.acme.example", report.StatusWarning, ""},
		{"acm stuck in dns-verified", func(s *Snapshot) {
			s.Domains[2].AcmStatus = herokutest.Str("dns-verified")
			s.Domains[2].UpdatedAt = now.Add(-3 * time.Hour)
		}, codes.ACMFailing, "shop.acme.example", report.StatusWarning, "heroku certs:auto:refresh -a acme-prod"},
		{"sni expiring in 20 days", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(20 * 24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusWarning, "heroku certs:update NEW.crt NEW.key --name e1 -a acme-prod"},
		{"sni expiring in 5 days", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(5 * 24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusCritical, ""},
		{"sni expired", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(-24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusCritical, ""},
		{"acm cert with 20 days: renewal stalled", func(s *Snapshot) {
			s.SniEndpoints[0].SSLCert.Issuer = "/C=US/O=Let's Encrypt/CN=R11"
			s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(20 * 24 * time.Hour)
		}, codes.SNICertExpiring, "e1", report.StatusWarning, "heroku certs:auto:refresh -a acme-prod"},
		{"acm verified minutes ago: pending", func(s *Snapshot) {
			s.Domains[2].AcmStatus = herokutest.Str("dns-verified")
			s.Domains[2].UpdatedAt = now.Add(-5 * time.Minute)
		}, codes.ACMPending, "shop.acme.example", report.StatusInfo, ""},
		{"acm status pending", func(s *Snapshot) { s.Domains[2].AcmStatus = herokutest.Str("pending") },
			codes.ACMPending, "shop.acme.example", report.StatusInfo, "heroku certs:auto -a acme-prod shows its progress; heroku certs:auto:refresh -a acme-prod retries"},
		{"acm no status and no uploaded certificate", func(s *Snapshot) { s.Domains[2].AcmStatus = nil },
			codes.ACMPending, "shop.acme.example", report.StatusInfo, "heroku certs:auto:refresh -a acme-prod"},
		{"stack not in the table", func(s *Snapshot) { s.App.Stack.Name = "heroku-99" },
			codes.StackUnknown, "heroku-99", report.StatusInfo, ""},
		{"add-on still provisioning", func(s *Snapshot) { s.AddOns[0].State = "provisioning" },
			codes.AddonNotProvisioned, s0AddOn(), report.StatusWarning, "heroku addons:info " + s0AddOn() + " -a acme-prod"},
		{"dynos unreadable: the API's error", func(s *Snapshot) {
			s.Errs[ResDynos] = herokutest.APIError(503, "server error")
			s.Dynos = nil
		}, codes.APIError, "dynos", report.StatusUnknown, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := healthy()
			c.mutate(s)
			got := reporttest.Codes(t, Judge(s, now, DefaultCertThresholds))
			f, ok := got[c.code.ID+"|"+c.subject]
			if !ok {
				t.Fatalf("no %s for %s; got %v", c.code.ID, c.subject, keys(got))
			}
			if f.Status != c.status {
				t.Errorf("status %s, want %s", f.Status, c.status)
			}
			if c.remedy != "" && f.Remedy != c.remedy {
				t.Errorf("remedy %q, want %q", f.Remedy, c.remedy)
			}
			if len(got) != 1 {
				t.Errorf("one planted problem gave %d: %v", len(got), keys(got))
			}
		})
	}
}

func keys(m map[string]report.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestUnreadableResourcesAreUnknown(t *testing.T) {
	s := healthy()
	s.Errs[ResDynos] = errors.New("context deadline exceeded")
	s.Dynos = nil
	fs := Judge(s, now, DefaultCertThresholds)
	found := false
	for _, f := range fs {
		if f.Check == "platform.dynos" {
			found = true
			if f.Status != report.StatusUnknown {
				t.Errorf("unreadable dynos gave %s", f.Status)
			}
		}
	}
	if !found {
		t.Error("no finding for unreadable dynos")
	}
}

func TestFirAppsSkipCedarRules(t *testing.T) {
	s := healthy()
	s.App.Generation.Name = "fir"
	s.LogDrains = nil
	s.TelemetryDrains = herokutest.SampleTelemetryDrains("acme-prod")
	var skipped int
	for _, f := range Judge(s, now, DefaultCertThresholds) {
		if f.Status == report.StatusSkipped {
			skipped++
		}
		if f.Code == codes.NoLogDrain.ID {
			t.Error("a telemetry drain counts as a drain")
		}
	}
	if skipped != 3 {
		t.Errorf("Fir app: %d skipped findings, want 3 (formation, stack, features)", skipped)
	}
}

// s0AddOn is the name of the sample app's first add-on.
func s0AddOn() string { return healthy().AddOns[0].Name }

func TestContainerStackIsNotUnknown(t *testing.T) {
	s := healthy()
	s.App.Stack.Name = "container"
	f, _ := reporttest.FindCheck(t, Judge(s, now, DefaultCertThresholds), "platform.stack")
	if f.Status != report.StatusOK || f.Code != "" {
		t.Errorf("container stack: %+v", f)
	}
}
