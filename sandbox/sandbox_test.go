package sandbox

import (
	"io"
	"net/http"
	"strings"
	"testing"

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
	sb, err := Start(Options{Apps: 2, Domains: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for _, app := range sb.Apps {
		for _, res := range []string{"", "/dynos", "/formation", "/releases", "/domains", "/sni-endpoints", "/addons",
			"/config-vars", "/log-drains", "/telemetry-drains", "/features"} {
			p := "/apps/" + app + res
			req, _ := http.NewRequest("GET", sb.API.URL+p, nil)
			req.Header.Set("Accept", "application/vnd.heroku+json; version=3")
			req.Header.Set("Authorization", "Bearer "+Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d %s", p, resp.StatusCode, body)
				continue
			}
			if err := schema.ValidateResponse("GET", p, body); err != nil {
				t.Error(err)
			}
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
