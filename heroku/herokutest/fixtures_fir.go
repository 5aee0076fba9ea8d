package herokutest

import (
	"time"

	hk "github.com/heroku/heroku-go/v6"
)

// SampleFirApp is a healthy Fir-generation app, shaped as the Platform API
// and the Heroku CLI's own fixtures show one (heroku/cli
// test/fixtures/apps/fixtures.ts @v11.9.0: generation fir, build stack cnb,
// web_url APP-<12 hex>.herokuapp.com): dynos named as Kubernetes pods
// (schema.json log-session dyno_name: web-1234abcde-123ab), Fir sizes
// (heroku/cli src/commands/ps/type.ts: dyno-1c-0.5gb ... dyno-32c-64gb), a
// telemetry drain instead of a log drain, no labs features and no add-ons.
func SampleFirApp(name string, now time.Time) *AppFixture {
	f := SampleApp(name, now)
	f.App.Generation.ID, f.App.Generation.Name = ID("generation:fir"), "fir"
	f.App.Stack.ID, f.App.Stack.Name = ID("stack:cnb"), "cnb"
	f.App.BuildStack = f.App.Stack
	f.App.BuildpackProvidedDescription = Str("Cloud Native Buildpacks")
	f.App.WebURL = Str("https://" + name + "-5e3b8c1d9f07.herokuapp.com/")
	f.Domains[0].Hostname = name + "-5e3b8c1d9f07.herokuapp.com"
	f.Domains[0].ID = ID("domain:" + f.Domains[0].Hostname)

	at := func(d time.Duration) time.Time { return now.Add(-d).UTC().Truncate(time.Second) }
	pod := func(base hk.Dyno, name, typ, cmd string, changed time.Duration) hk.Dyno {
		d := base
		d.ID, d.Name, d.Type, d.State, d.Size, d.Command = ID("dyno:"+name), name, typ, "up", "dyno-2c-4gb", cmd
		d.CreatedAt, d.UpdatedAt = at(changed), at(changed)
		return d
	}
	f.Dynos = []hk.Dyno{
		pod(f.Dynos[0], "web-6f8d9c7b5-k2x4p", "web", "/cnb/process/web", 3*time.Hour),
		pod(f.Dynos[0], "web-6f8d9c7b5-q7m9t", "web", "/cnb/process/web", 3*time.Hour),
		pod(f.Dynos[0], "worker-84c7f9d6b-z5n8r", "worker", "/cnb/process/worker", 3*time.Hour),
	}
	for i := range f.Formation {
		f.Formation[i].Size = "dyno-2c-4gb"
		f.Formation[i].DynoSize.ID, f.Formation[i].DynoSize.Name = ID("size:dyno-2c-4gb"), "dyno-2c-4gb"
		f.Formation[i].Command = "/cnb/process/" + f.Formation[i].Type
	}
	f.Releases = f.Releases[:2]
	f.Domains = f.Domains[:2] // the heroku domain and www.acme.example
	f.AddOns = nil
	f.ConfigVars = map[string]*string{"NODE_ENV": Str("production")}
	f.LogDrains = nil
	f.TelemetryDrains = SampleTelemetryDrains(name)
	f.Features = nil
	return f
}
