package herokutest

import (
	"crypto/sha1"
	"fmt"
	"time"

	hk "github.com/heroku/heroku-go/v6"
)

// ID derives a stable UUID from a seed, so fixtures are deterministic.
func ID(seed string) string {
	h := sha1.Sum([]byte(seed))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Str returns a pointer to s.
func Str(s string) *string { return &s }

// DefaultStacks are the stacks the API lists, with the states it reports.
func DefaultStacks() []hk.Stack {
	t := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	return []hk.Stack{
		{ID: ID("stack:heroku-20"), Name: "heroku-20", State: "deprecated", CreatedAt: t, UpdatedAt: t},
		{ID: ID("stack:heroku-22"), Name: "heroku-22", State: "public", CreatedAt: t, UpdatedAt: t},
		{ID: ID("stack:heroku-24"), Name: "heroku-24", State: "public", Default: true, CreatedAt: t, UpdatedAt: t},
	}
}

// Secrets planted in SampleApp's config vars: no output may contain them.
var SampleSecrets = []string{"pa55w0rd-in-db-url", "sk_live_51Habcdefghijklmnop", "redis-secret-xyz123"}

// SampleApp is a realistic production app with a few problems: one of two
// web dynos crashed, the latest release failed, no log drain, runtime
// metrics and preboot off, one domain still on a herokuapp.com CNAME.
func SampleApp(name string, now time.Time) *AppFixture {
	at := func(d time.Duration) time.Time { return now.Add(-d).UTC().Truncate(time.Second) }
	appID := ID("app:" + name)
	ref := func() struct {
		ID   string `json:"id" url:"id,key"`
		Name string `json:"name" url:"name,key"`
	} {
		return struct {
			ID   string `json:"id" url:"id,key"`
			Name string `json:"name" url:"name,key"`
		}{ID: appID, Name: name}
	}
	f := &AppFixture{}
	f.App = hk.App{
		Acm: true, ID: appID, Name: name, CreatedAt: at(400 * 24 * time.Hour), UpdatedAt: at(time.Hour),
		GitURL: "https://git.heroku.com/" + name + ".git", WebURL: Str("https://" + name + "-0123456789ab.herokuapp.com/"),
		ReleasedAt: ptrTime(at(2 * time.Hour)), SlugSize: ptrInt(98_000_000), RepoSize: ptrInt(12_000_000),
		BuildpackProvidedDescription: Str("Ruby"),
	}
	f.App.Stack.ID, f.App.Stack.Name = ID("stack:heroku-24"), "heroku-24"
	f.App.BuildStack = f.App.Stack
	f.App.Region.ID, f.App.Region.Name = ID("region:us"), "us"
	f.App.Owner.ID, f.App.Owner.Email = ID("user:ops"), "ops@acme.example"
	f.App.Generation.ID, f.App.Generation.Name = ID("generation:cedar"), "cedar"

	dyno := func(n, typ, state string, changed time.Duration, size string) hk.Dyno {
		d := hk.Dyno{ID: ID("dyno:" + name + n), Name: n, Type: typ, State: state, Size: size,
			Command: "bundle exec puma -C config/puma.rb", CreatedAt: at(changed), UpdatedAt: at(changed)}
		d.App = ref()
		d.Release.ID, d.Release.Version = ID("release:"+name+":41"), 41
		return d
	}
	f.Dynos = []hk.Dyno{
		dyno("web.1", "web", "up", 3*time.Hour, "Standard-1X"),
		dyno("web.2", "web", "crashed", 12*time.Minute, "Standard-1X"),
		dyno("worker.1", "worker", "up", 3*time.Hour, "Standard-1X"),
	}
	f.Dynos[2].Command = "bundle exec sidekiq"
	form := func(typ string, qty int, cmd string) hk.Formation {
		fm := hk.Formation{ID: ID("formation:" + name + typ), Type: typ, Quantity: qty, Command: cmd, Size: "Standard-1X",
			CreatedAt: at(300 * 24 * time.Hour), UpdatedAt: at(24 * time.Hour)}
		fm.App = ref()
		fm.DynoSize.ID, fm.DynoSize.Name = ID("size:standard-1x"), "Standard-1X"
		return fm
	}
	f.Formation = []hk.Formation{form("web", 2, "bundle exec puma -C config/puma.rb"), form("worker", 1, "bundle exec sidekiq")}

	release := func(v int, status, desc string, ago time.Duration, current bool) hk.Release {
		r := hk.Release{ID: ID(fmt.Sprintf("release:%s:%d", name, v)), Version: v, Status: status, Description: desc,
			Current: current, CreatedAt: at(ago), UpdatedAt: at(ago), AddonPlanNames: []string{"heroku-postgresql:standard-0"},
			EligibleForRollback: status == "succeeded"}
		r.App = ref()
		r.User.ID, r.User.Email = ID("user:ops"), "ops@acme.example"
		r.Slug = &struct {
			ID string `json:"id" url:"id,key"`
		}{ID: ID(fmt.Sprintf("slug:%s:%d", name, v))}
		r.Artifacts = []struct {
			ID   string `json:"id" url:"id,key"`
			Type string `json:"type" url:"type,key"`
		}{{ID: r.Slug.ID, Type: "slug"}}
		return r
	}
	f.Releases = []hk.Release{
		release(40, "succeeded", "Deploy 1a2b3c4", 26*time.Hour, false),
		release(41, "succeeded", "Deploy 5d6e7f8", 3*time.Hour, true),
		release(42, "failed", "Deploy 9a0b1c2", 2*time.Hour, false),
	}

	domain := func(host, kind, cname, acm string) hk.Domain {
		d := hk.Domain{ID: ID("domain:" + host), Hostname: host, Kind: kind, Status: "succeeded",
			CreatedAt: at(200 * 24 * time.Hour), UpdatedAt: at(24 * time.Hour)}
		d.App = ref()
		if cname != "" {
			d.CName = Str(cname)
		}
		if acm != "" {
			d.AcmStatus = Str(acm)
			d.AcmStatusReason = nil
		}
		return d
	}
	f.Domains = []hk.Domain{
		domain(name+"-0123456789ab.herokuapp.com", "heroku", "", ""),
		domain("www.acme.example", "custom", "mammoth-1234.herokudns.com", "cert issued"),
		domain("shop.acme.example", "custom", "tranquil-5678.herokudns.com", "cert issued"),
	}

	addon := func(service, plan string, vars []string) hk.AddOn {
		a := hk.AddOn{ID: ID("addon:" + name + service), Name: service + "-" + name, State: "provisioned",
			ConfigVars: vars, CreatedAt: at(300 * 24 * time.Hour), UpdatedAt: at(24 * time.Hour),
			ProviderID: "resource" + ID(service)[:8], Actions: []struct{}{}}
		a.App = ref()
		a.AddonService.ID, a.AddonService.Name = ID("service:"+service), service
		a.Plan.ID, a.Plan.Name = ID("plan:"+plan), plan
		a.BillingEntity.ID, a.BillingEntity.Name, a.BillingEntity.Type = appID, name, "app"
		return a
	}
	f.AddOns = []hk.AddOn{
		addon("heroku-postgresql", "heroku-postgresql:standard-0", []string{"DATABASE_URL"}),
		addon("heroku-redis", "heroku-redis:premium-0", []string{"REDIS_URL"}),
	}
	// The hosts are loopback ports where nothing listens: a test that
	// forgets to stub the database cannot reach beyond this machine.
	f.ConfigVars = map[string]*string{
		"DATABASE_URL":      Str("postgres://u3kf9:" + SampleSecrets[0] + "@127.0.0.1:9/d8k2j1"),
		"STRIPE_SECRET_KEY": Str(SampleSecrets[1]),
		"REDIS_URL":         Str("rediss://:" + SampleSecrets[2] + "@127.0.0.1:9"),
		"RACK_ENV":          Str("production"),
		"WEB_CONCURRENCY":   Str("2"),
	}
	feature := func(n string, enabled bool) hk.AppFeature {
		return hk.AppFeature{ID: ID("feature:" + n), Name: n, DisplayName: n, Enabled: enabled, State: "public",
			Description: n, DocURL: "https://devcenter.heroku.com/articles/" + n, FeedbackEmail: "feedback@heroku.com",
			CreatedAt: at(400 * 24 * time.Hour), UpdatedAt: at(400 * 24 * time.Hour)}
	}
	f.Features = []hk.AppFeature{feature("log-runtime-metrics", false), feature("preboot", false), feature("http-session-affinity", false)}
	return f
}

func ptrTime(t time.Time) *time.Time { return &t }
func ptrInt(i int) *int              { return &i }

// SampleLogDrains is one syslog drain, as a logging add-on would add it.
func SampleLogDrains(name string) []hk.LogDrain {
	d := hk.LogDrain{ID: ID("drain:" + name), Token: "d.0f9a1b2c-3d4e-5f60-7182-93a4b5c6d7e8",
		URL: "syslog+tls://logs.papertrailapp.example:12345", CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		UpdatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	d.App = &struct {
		ID   string `json:"id" url:"id,key"`
		Name string `json:"name" url:"name,key"`
	}{ID: ID("app:" + name), Name: name}
	return []hk.LogDrain{d}
}

// SampleTelemetryDrains is one OpenTelemetry drain of a Fir app.
func SampleTelemetryDrains(name string) []hk.TelemetryDrain {
	d := hk.TelemetryDrain{ID: ID("telemetry:" + name), Signals: []string{"logs", "traces"},
		CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	d.Exporter.Endpoint, d.Exporter.Type = "https://otel.acme.example:4318", "otlphttp"
	d.Exporter.Headers = map[string]string{"x-api-key": "otel-header-secret"}
	d.Owner.ID, d.Owner.Type = ID("app:"+name), "app"
	return []hk.TelemetryDrain{d}
}

// SniEndpoint builds an SNI endpoint for a certificate chain (PEM) whose
// leaf covers domains and is valid from starts to expires. The API lists
// the endpoint's domains by ID (the schema's domain identity), and the
// certificate's names in ssl_cert.cert_domains.
func SniEndpoint(app, endpointName, chainPEM, issuer, subject string, domains []string, starts, expires time.Time) hk.SniEndpoint {
	e := hk.SniEndpoint{ID: ID("sni:" + app + endpointName), Name: endpointName, CertificateChain: chainPEM,
		Domains: []string{}, CreatedAt: starts, UpdatedAt: starts, DisplayName: Str(endpointName)}
	for _, d := range domains {
		e.Domains = append(e.Domains, ID("domain:"+d))
	}
	e.App.ID, e.App.Name = ID("app:"+app), app
	e.SSLCert.ID = ID("cert:" + app + endpointName)
	e.SSLCert.Issuer, e.SSLCert.Subject = issuer, subject
	e.SSLCert.IsCaSigned, e.SSLCert.IsSelfSigned = true, false
	e.SSLCert.StartsAt, e.SSLCert.ExpiresAt = starts.UTC(), expires.UTC()
	for _, d := range domains {
		e.SSLCert.CertDomains = append(e.SSLCert.CertDomains, d)
	}
	return e
}

// SampleSniEndpoints is one uploaded certificate that expires in 20 days.
func SampleSniEndpoints(name string, now time.Time) []hk.SniEndpoint {
	starts := now.Add(-70 * 24 * time.Hour).UTC().Truncate(time.Second)
	return []hk.SniEndpoint{SniEndpoint(name, "tyrannosaurus-12345", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		"/C=US/O=Example CA/CN=Example Issuing CA", "/CN=www.acme.example", []string{"www.acme.example"},
		starts, now.Add(20*24*time.Hour).UTC().Truncate(time.Second))}
}
