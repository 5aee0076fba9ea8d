package sandbox

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
)

// TestSandboxMatchesAPISchema: what --demo shows must be what Heroku could
// say, so every route of every sandbox app is checked against schema.json.
func TestSandboxMatchesAPISchema(t *testing.T) {
	path, err := herokutest.SchemaPath()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := herokutest.LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := Start(Options{Apps: 3, Domains: 3}) // Cedar, Fir and a generated app
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, app := range sb.Apps {
		for _, err := range schema.CheckRoutes(sb.API.URL, Token, herokutest.AppRoutes(app)) {
			t.Error(err)
		}
	}
}

func TestDemoLogsHavePlantedProblems(t *testing.T) {
	sb, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	logs := strings.Join(sb.API.App(DemoApp).LogLines, "\n")
	for _, want := range []string{"code=H12", "code=H10", "Error R14", "sample#memory_total", "State changed from starting to crashed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("demo logs lack %q", want)
		}
	}
	if n := len(sb.API.App(DemoApp).LogLines); n > 1500 {
		t.Errorf("a log session returns at most 1,500 lines, the sandbox has %d", n)
	}
}

// TestSandboxHasBothGenerations: by default the demo checks a Cedar app and
// a Fir one; one app is the Cedar one alone.
func TestSandboxHasBothGenerations(t *testing.T) {
	sb, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if len(sb.Apps) != 2 || sb.Apps[0] != DemoApp || sb.Apps[1] != FirApp {
		t.Fatalf("apps %v", sb.Apps)
	}
	if g := sb.API.App(DemoApp).App.Generation.Name; g != "cedar" {
		t.Errorf("%s is %s", DemoApp, g)
	}
	fir := sb.API.App(FirApp)
	if fir.App.Generation.Name != "fir" || fir.TelemetryDrains != nil || len(fir.LogDrains) != 0 {
		t.Errorf("%s: generation %s, drains %v %v", FirApp, fir.App.Generation.Name, fir.LogDrains, fir.TelemetryDrains)
	}
	for _, d := range fir.Dynos {
		if !strings.HasPrefix(d.Name, d.Type+"-") || strings.Contains(d.Name, ".") {
			t.Errorf("%s is not a Fir dyno name", d.Name)
		}
	}
	one, err := Start(Options{Apps: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if len(one.Apps) != 1 || one.Apps[0] != DemoApp {
		t.Errorf("one app: %v", one.Apps)
	}
}

// TestSandboxDataAPI reads the realistic app's add-ons from the sandbox's
// Data API with the real client: every answer decodes in the CLI's shapes.
func TestSandboxDataAPI(t *testing.T) {
	sb, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	f := sb.API.App(DemoApp)
	u, _ := url.Parse(sb.Data.URL)
	c := heroku.NewData(heroku.Config{APIURL: u, Token: Token})
	ctx := context.Background()
	db, err := c.Database(ctx, f.AddOns[0].ID)
	if err != nil || db.Version() == "" || db.Plan != "standard-0" {
		t.Fatalf("pg:info: %+v %v", db, err)
	}
	if s, err := c.TransferSchedules(ctx, f.AddOns[0].ID); err != nil || len(s) != 1 {
		t.Errorf("schedules: %+v %v", s, err)
	}
	if tr, err := c.Transfers(ctx, DemoApp); err != nil || len(tr) == 0 || tr[len(tr)-1].State() != heroku.TransferFailed {
		t.Errorf("transfers: %+v %v", tr, err)
	}
	if m, err := c.Maintenances(ctx, f.App.ID); err != nil || len(m) != 1 || m[0].ScheduledFor.IsZero() {
		t.Errorf("maintenances: %+v %v", m, err)
	}
	r, err := c.Redis(ctx, f.AddOns[1].Name)
	if err != nil || r.Version == "" || strings.Contains(r.ResourceURL, herokutest.SampleSecrets[2]) {
		t.Errorf("redis:info: %+v %v", r, err)
	}
}
