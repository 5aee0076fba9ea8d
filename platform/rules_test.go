package platform

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/internal/herokucli"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// healthy is a Cedar snapshot with nothing wrong.
func healthy() *Snapshot {
	f := herokutest.SampleApp("acme-prod", now)
	f.Dynos[1].State = "up"
	f.Releases = f.Releases[:2]
	f.LogDrains = herokutest.SampleLogDrains("acme-prod")
	for i := range f.Features {
		f.Features[i].Enabled = true
	}
	return snapshotOf(f)
}

// firHealthy is a Fir snapshot with nothing wrong.
func firHealthy() *Snapshot { return snapshotOf(herokutest.SampleFirApp("acme-edge", now)) }

func snapshotOf(f *herokutest.AppFixture) *Snapshot {
	name := f.App.Name
	s := &Snapshot{Name: name, App: &f.App, Dynos: f.Dynos, Formation: f.Formation, Releases: f.Releases,
		Domains: f.Domains, AddOns: f.AddOns, ConfigVars: f.ConfigVars, LogDrains: f.LogDrains, TelemetryDrains: f.TelemetryDrains,
		Features: f.Features,
		SniEndpoints: []hk.SniEndpoint{herokutest.SniEndpoint(name, "e1", "", "/CN=R11", "/CN=www.acme.example",
			[]string{"www.acme.example"}, now.Add(-30*24*time.Hour), now.Add(60*24*time.Hour))},
		Errs: map[Resource]error{}, Read: map[Resource]bool{}}
	for _, r := range AllResources {
		s.Read[r] = true
	}
	return s
}

// generations are the healthy snapshots of both generations.
var generations = []struct {
	name     string
	snapshot func() *Snapshot
}{{"cedar", healthy}, {"fir", firHealthy}}

func TestMain(m *testing.M) { reporttest.Main(m, "platform") }

func TestHealthySnapshotHasNoProblem(t *testing.T) {
	for _, g := range generations {
		t.Run(g.name, func(t *testing.T) {
			fs := Judge(g.snapshot(), now, DefaultCertThresholds)
			if len(fs) < 7 {
				t.Errorf("a healthy app should still list what was verified, got %d findings", len(fs))
			}
			for _, f := range fs {
				if f.Status != report.StatusOK && f.Status != report.StatusSkipped {
					t.Errorf("%s %s on %q (%s): %s", f.Status, f.Code, f.Subject, f.Check, f.Summary)
				}
			}
		})
	}
	reporttest.AllOK(t, Judge(healthy(), now, DefaultCertThresholds))
}

// ruleCase is one planted problem and the finding it must give. In remedy,
// {app} is the snapshot's app.
type ruleCase struct {
	name    string
	mutate  func(s *Snapshot)
	code    *report.Code
	subject string
	status  report.Status
	remedy  string
}

func TestPlatformRules(t *testing.T) {
	// bothGenerations are problems judged alike on Cedar and Fir.
	bothGenerations := []ruleCase{
		{"no web dynos with domains", func(s *Snapshot) { s.Formation[0].Quantity = 0 },
			codes.NoWebDynos, "web", report.StatusCritical, "heroku ps:scale web=1 -a {app}"},
		{"single web dyno", func(s *Snapshot) { s.Formation[0].Quantity = 1 },
			codes.SingleWebDyno, "web", report.StatusWarning, "heroku ps:scale web=2 -a {app}"},
		{"maintenance", func(s *Snapshot) { s.App.Maintenance = true },
			codes.MaintenanceMode, "", report.StatusWarning, "heroku maintenance:off -a {app}"},
		{"latest release failed", func(s *Snapshot) {
			s.Releases = append(s.Releases, hk.Release{Version: 42, Status: "failed", Description: "Deploy abc"})
		}, codes.ReleaseFailed, "v42", report.StatusWarning, "heroku releases:output v42 -a {app}"},
		{"current release is a rollback", func(s *Snapshot) {
			s.Releases[1].Description = "Rollback to v40"
		}, codes.ReleaseFailed, "v41", report.StatusWarning, "heroku releases -a {app}"},
		{"acm failed", func(s *Snapshot) {
			s.Domains[1].AcmStatus = herokutest.Str("failed")
			s.Domains[1].AcmStatusReason = herokutest.Str("CAA record prevents issuance")
		}, codes.ACMFailing, "www.acme.example", report.StatusCritical, ""},
		{"acm failing", func(s *Snapshot) { s.Domains[1].AcmStatus = herokutest.Str("failing") },
			codes.ACMFailing, "www.acme.example", report.StatusWarning, ""},
		{"acm stuck in dns-verified for more than 24 hours", func(s *Snapshot) {
			s.Domains[1].AcmStatus = herokutest.Str("dns-verified")
			s.Domains[1].UpdatedAt = now.Add(-25 * time.Hour)
		}, codes.ACMFailing, "www.acme.example", report.StatusWarning, "heroku certs:auto:refresh -a {app}"},
		{"acm in dns-verified for 3 hours: still pending", func(s *Snapshot) {
			s.Domains[1].AcmStatus = herokutest.Str("dns-verified")
			s.Domains[1].UpdatedAt = now.Add(-3 * time.Hour)
		}, codes.ACMPending, "www.acme.example", report.StatusInfo, ""},
		{"sni expiring in 20 days", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(20 * 24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusWarning, "heroku certs:update NEW.crt NEW.key --name e1 -a {app}"},
		{"sni expiring in 5 days", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(5 * 24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusCritical, ""},
		{"sni expired", func(s *Snapshot) { s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(-24 * time.Hour) },
			codes.SNICertExpiring, "e1", report.StatusCritical, ""},
		{"acm cert with 20 days: renewal stalled", func(s *Snapshot) {
			s.SniEndpoints[0].SSLCert.Issuer = "/C=US/O=Let's Encrypt/CN=R11"
			s.SniEndpoints[0].SSLCert.ExpiresAt = now.Add(20 * 24 * time.Hour)
		}, codes.SNICertExpiring, "e1", report.StatusWarning, "heroku certs:auto:refresh -a {app}"},
		{"acm verified minutes ago: pending", func(s *Snapshot) {
			s.Domains[1].AcmStatus = herokutest.Str("dns-verified")
			s.Domains[1].UpdatedAt = now.Add(-5 * time.Minute)
		}, codes.ACMPending, "www.acme.example", report.StatusInfo, ""},
		{"acm status pending", func(s *Snapshot) { s.Domains[1].AcmStatus = herokutest.Str("pending") },
			codes.ACMPending, "www.acme.example", report.StatusInfo, "See its progress (heroku certs:auto -a {app}); to retry: heroku certs:auto:refresh -a {app}"},
		{"acm no status and no uploaded certificate", func(s *Snapshot) { s.Domains[1].AcmStatus = nil; s.SniEndpoints = nil },
			codes.ACMPending, "www.acme.example", report.StatusInfo, "heroku certs:auto:refresh -a {app}"},
		{"dynos unreadable: the API's error", func(s *Snapshot) {
			s.Errs[ResDynos] = herokutest.APIError(503, "server error")
			s.Dynos = nil
		}, codes.APIError, "dynos", report.StatusUnknown, ""},
	}

	// cedarOnly are Cedar's: dynos by name, Eco, stacks, Logplex drains, labs.
	cedarOnly := []ruleCase{
		{"crashed dyno", func(s *Snapshot) { s.Dynos[1].State = "crashed"; s.Dynos[1].UpdatedAt = now.Add(-12 * time.Minute) },
			codes.DynoCrashed, "web.2", report.StatusCritical, "heroku ps:restart --dyno-name web.2 -a {app}"},
		{"restarting without deploy", func(s *Snapshot) { s.Dynos[0].State = "starting"; s.Dynos[0].UpdatedAt = now.Add(-time.Minute) },
			codes.DynoRestarting, "web.1", report.StatusWarning, "heroku logs --dyno-name web.1 -a {app}"},
		{"eco sleeps", func(s *Snapshot) { s.Formation[0].Quantity = 1; s.Formation[0].DynoSize.Name = "Eco" },
			codes.DynoEcoSleeps, "web", report.StatusWarning, "heroku ps:type web=basic -a {app}"},
		{"stack deprecated", func(s *Snapshot) { s.App.Stack.Name = "heroku-22" },
			codes.StackDeprecated, "heroku-22", report.StatusWarning, "heroku apps:stacks:set heroku-24 -a {app}, then deploy"},
		{"stack deprecated by the API", func(s *Snapshot) {
			s.Stack = &hk.Stack{Name: "heroku-24", State: "deprecated"}
		}, codes.StackDeprecated, "heroku-24", report.StatusWarning, ""},
		{"stack end of life", func(s *Snapshot) { s.App.Stack.Name = "heroku-20" },
			codes.StackEndOfLife, "heroku-20", report.StatusCritical, "heroku apps:stacks:set heroku-24 -a {app}, then deploy"},
		{"stack not in the table", func(s *Snapshot) { s.App.Stack.Name = "heroku-99" },
			codes.StackUnknown, "heroku-99", report.StatusInfo, "List the stacks Heroku supports: heroku apps:stacks -a {app}"},
		{"no drain", func(s *Snapshot) { s.LogDrains = nil },
			codes.NoLogDrain, "log drains", report.StatusWarning, "heroku drains:add syslog+tls://HOST:PORT -a {app} (or add a logging add-on)"},
		{"runtime metrics off", func(s *Snapshot) { s.Features[0].Enabled = false },
			codes.RuntimeMetricsOff, "log-runtime-metrics", report.StatusInfo, ""},
		{"preboot off with 2 web dynos", func(s *Snapshot) { s.Features[1].Enabled = false },
			codes.PrebootOff, "preboot", report.StatusInfo, "heroku features:enable preboot -a {app}"},
		{"add-on still provisioning", func(s *Snapshot) { s.AddOns[0].State = "provisioning" },
			codes.AddonNotProvisioned, s0AddOn(), report.StatusWarning, "heroku addons:info " + s0AddOn() + " -a {app}"},
	}

	// firOnly are Fir's: dynos by process type (pods are renamed at every
	// restart), telemetry drains, any size for a single web dyno.
	firOnly := []ruleCase{
		{"crashed pod", func(s *Snapshot) { s.Dynos[1].State = "crashed"; s.Dynos[1].UpdatedAt = now.Add(-12 * time.Minute) },
			codes.DynoCrashed, "web", report.StatusCritical, "heroku ps:restart --process-type web -a {app}"},
		{"two crashed pods: one finding on the process type", func(s *Snapshot) {
			for i := 0; i < 2; i++ {
				s.Dynos[i].State, s.Dynos[i].UpdatedAt = "crashed", now.Add(-time.Duration(5+i)*time.Minute)
			}
		}, codes.DynoCrashed, "web", report.StatusCritical, "heroku ps:restart --process-type web -a {app}"},
		{"restarting pod without deploy", func(s *Snapshot) { s.Dynos[2].State = "starting"; s.Dynos[2].UpdatedAt = now.Add(-time.Minute) },
			codes.DynoRestarting, "worker", report.StatusWarning, "heroku logs --tail --process-type worker -a {app}"},
		{"no telemetry drain", func(s *Snapshot) { s.TelemetryDrains = nil },
			codes.NoLogDrain, "log drains", report.StatusWarning, "heroku telemetry:add https://OTEL-COLLECTOR:4318 --signals logs,metrics,traces -a {app}"},
		{"single web dyno of the smallest Fir size", func(s *Snapshot) {
			s.Formation[0].Quantity = 1
			s.Formation[0].DynoSize.Name = "dyno-1c-0.5gb"
		}, codes.SingleWebDyno, "web", report.StatusWarning, "heroku ps:scale web=2 -a {app}"},
		{"eco-like size name: no eco rule on Fir", func(s *Snapshot) { s.Formation[0].DynoSize.Name = "Eco"; s.Formation[0].Quantity = 1 },
			codes.SingleWebDyno, "web", report.StatusWarning, ""},
	}
	type genCase struct {
		gen  string
		snap func() *Snapshot
		c    ruleCase
	}
	var all []genCase
	add := func(gen string, snap func() *Snapshot, cases []ruleCase) {
		for _, c := range cases {
			all = append(all, genCase{gen, snap, c})
		}
	}
	for _, g := range generations {
		add(g.name, g.snapshot, bothGenerations)
	}
	add("cedar", healthy, cedarOnly)
	add("fir", firHealthy, firOnly)
	for _, tc := range all {
		c := tc.c
		t.Run(tc.gen+"/"+c.name, func(t *testing.T) {
			s := tc.snap()
			c.mutate(s)
			fs := Judge(s, now, DefaultCertThresholds)
			got := reporttest.Codes(t, fs)
			subject := c.subject
			if subject == "" {
				subject = s.Name
			}
			f, ok := got[c.code.ID+"|"+subject]
			if !ok {
				t.Fatalf("no %s for %s; got %v", c.code.ID, subject, keys(got))
			}
			if f.Status != c.status {
				t.Errorf("status %s, want %s", f.Status, c.status)
			}
			if want := strings.ReplaceAll(c.remedy, "{app}", s.Name); c.remedy != "" && f.Remedy != want {
				t.Errorf("remedy %q, want %q", f.Remedy, want)
			}
			if len(got) != 1 {
				t.Errorf("one planted problem gave %d: %v", len(got), keys(got))
			}
			if tc.gen == "fir" {
				firClean(t, fs)
			}
		})
	}
}

// firClean fails t for a Fir finding whose remedy or detail names a
// command that does not work on Fir or a Cedar size, or a problem that
// speaks of Cedar's log history, dyno names or labs features.
func firClean(t *testing.T, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		for _, text := range []string{f.Remedy, f.Detail} {
			for _, argv := range herokucli.Commands(text) {
				if why := herokucli.FirIncompatible(argv); why != "" {
					t.Errorf("%s on %s: %s: %s", f.Code, f.Subject, herokucli.Line(argv), why)
				}
			}
		}
		if f.Code == "" {
			continue // an ok or skipped finding may say what does not apply
		}
		for _, text := range []string{f.Summary, f.Detail, f.Remedy} {
			if strings.Contains(text, "1,500") || strings.Contains(text, "--dyno-name") || strings.Contains(text, "log-runtime-metrics") {
				t.Errorf("%s on %s speaks of Cedar to a Fir app: %s", f.Code, f.Subject, text)
			}
		}
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
	s := firHealthy()
	var skipped []string
	for _, f := range Judge(s, now, DefaultCertThresholds) {
		if f.Status == report.StatusSkipped {
			skipped = append(skipped, f.Check)
		}
		if f.Code == codes.NoLogDrain.ID {
			t.Error("a telemetry drain counts as a drain")
		}
		if f.Check == "platform.dynos" && !strings.Contains(f.Summary, "does not emit restart events for Fir apps") {
			t.Errorf("a quiet dyno list on Fir must say that restart events are not emitted: %q", f.Summary)
		}
	}
	if !slices.Equal(skipped, []string{"platform.stack", "platform.features"}) {
		t.Errorf("Fir app: skipped %v, want the stack and the labs features", skipped)
	}
}

// TestNoDrainSaysWhatIsTrueForTheGeneration: Logplex's 1,500 lines on
// Cedar; on Fir no history at all, and the telemetry drain's article.
func TestNoDrainSaysWhatIsTrueForTheGeneration(t *testing.T) {
	cedar := healthy()
	cedar.LogDrains = nil
	f, _ := reporttest.Find(t, Judge(cedar, now, DefaultCertThresholds), codes.NoLogDrain.ID, "")
	if !strings.Contains(f.Summary, "1,500") || f.Docs != codes.NoLogDrain.Docs {
		t.Errorf("Cedar: %q, docs %s", f.Summary, f.Docs)
	}
	fir := firHealthy()
	fir.TelemetryDrains = nil
	f, _ = reporttest.Find(t, Judge(fir, now, DefaultCertThresholds), codes.NoLogDrain.ID, "")
	if !strings.Contains(f.Summary, "kept nowhere") || f.Docs != codes.TelemetryDrainsArticle || !strings.Contains(f.Remedy, "heroku telemetry:add ") {
		t.Errorf("Fir: %+v", f)
	}
}

func TestDefaultDomain(t *testing.T) {
	s := healthy()
	if got := s.DefaultDomain(); got != "acme-prod-0123456789ab.herokuapp.com" {
		t.Errorf("from the heroku domain: %q", got)
	}
	s.Domains = s.CustomDomains()
	s.App.WebURL = herokutest.Str("https://acme-prod-fedcba987654.herokuapp.com/")
	if got := s.DefaultDomain(); got != "acme-prod-fedcba987654.herokuapp.com" {
		t.Errorf("from web_url: %q", got)
	}
	s.App.WebURL = nil
	if got := s.DefaultDomain(); got != "" {
		t.Errorf("unknown: %q", got)
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

// TestStackDatesAreSourced: every date of the stack table says where it is
// from and when that was read.
func TestStackDatesAreSourced(t *testing.T) {
	read := regexp.MustCompile(`read 20[0-9]{2}-[01][0-9]-[0-3][0-9]`)
	for name, life := range Stacks {
		if !read.MatchString(life.Source) || !life.Deprecated.Before(life.EndOfLife) {
			t.Errorf("%s: %+v", name, life)
		}
	}
}
