package sandbox

import (
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
