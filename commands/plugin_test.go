package commands

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestPluginManifestDescribesEveryFlag(t *testing.T) {
	h := newHarness(t)
	if code := h.run("plugin-manifest"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	var m pluginManifest
	if err := json.Unmarshal(h.out.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.Schema != 1 || m.Version != "1.2.3-test" || len(m.Commands) != len(pluginCommands) {
		t.Fatalf("manifest: schema %d version %q, %d commands", m.Schema, m.Version, len(m.Commands))
	}
	app := NewApp(h.factory())
	for _, mc := range m.Commands {
		cmd := findCommand(app, mc.Command)
		var visible []string
		for _, fl := range cmd.Flags {
			if !slices.Contains([]string{"demo-apps", "demo-domains", "demo-latency", "demo-generated", "demo-servers"}, fl.Names()[0]) {
				visible = append(visible, fl.Names()[0])
			}
		}
		var got []string
		for _, f := range mc.Flags {
			got = append(got, f.Name)
			if f.Description == "" || strings.Contains(f.Description, "`") {
				t.Errorf("%s --%s: description %q", mc.ID, f.Name, f.Description)
			}
		}
		if !slices.Equal(got, visible) {
			t.Errorf("%s: flags %v, want %v", mc.ID, got, visible)
		}
		if strings.HasPrefix(mc.Usage, "heroku-checkup") || strings.HasPrefix(mc.Usage, mc.ID) {
			t.Errorf("%s: usage %q must not name the command (oclif does)", mc.ID, mc.Usage)
		}
	}
	diag := m.Commands[0]
	if diag.ID != "checkup:diagnose" || !slices.Equal(diag.Aliases, []string{"checkup"}) || !diag.MultipleApps {
		t.Errorf("diagnose: %+v", diag)
	}
	for _, f := range diag.Flags {
		switch f.Name {
		case "app":
			if f.Char != "a" || !f.Multiple || f.Type != "option" {
				t.Errorf("--app: %+v", f)
			}
		case "format":
			if f.Default != "text" || !slices.Equal(f.Options, []string{"text", "json", "markdown", "html"}) {
				t.Errorf("--format: %+v", f)
			}
		case "demo":
			if f.Type != "boolean" || f.Default != "" {
				t.Errorf("--demo: %+v", f)
			}
		case "output":
			if f.Char != "o" || f.HelpValue != "FILE" || f.Description != "write the report to FILE (atomically) instead of stdout" {
				t.Errorf("--output: %+v", f)
			}
		case "timeout":
			if f.HelpValue != "DURATION" || f.Default != "1m0s" {
				t.Errorf("--timeout: %+v", f)
			}
		}
	}
	for _, mc := range m.Commands[1:] {
		for _, f := range mc.Flags {
			if f.Name == "app" && f.Multiple {
				t.Errorf("%s: -a is one app", mc.ID)
			}
		}
	}
}

// The plugin has one command module per plugin command, each running the
// subcommand this table names (plugin/scripts/manifest.mjs checks the same
// at pack time).
func TestPluginCommandFilesMatchTheTable(t *testing.T) {
	dir := filepath.Join("..", "plugin", "commands", "checkup")
	files, err := filepath.Glob(filepath.Join(dir, "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no plugin command files in %s: %v", dir, err)
	}
	runs := regexp.MustCompile(`checkup\(\s*'([^']+)'`)
	var ids []string
	for _, file := range files {
		id := "checkup:" + strings.TrimSuffix(filepath.Base(file), ".js")
		ids = append(ids, id)
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := runs.FindSubmatch(src)
		var pc *pluginCommand
		for i := range pluginCommands {
			if pluginCommands[i].ID == id {
				pc = &pluginCommands[i]
			}
		}
		if pc == nil {
			t.Errorf("%s has no entry in pluginCommands", file)
			continue
		}
		if m == nil || string(m[1]) != pc.Command {
			t.Errorf("%s must run %q", file, pc.Command)
		}
		if bytes.Contains(src, []byte("multipleApps: true")) != pc.MultipleApps {
			t.Errorf("%s: multipleApps must be %v", file, pc.MultipleApps)
		}
	}
	for _, pc := range pluginCommands {
		if !slices.Contains(ids, pc.ID) {
			t.Errorf("plugin command %s has no file %s.js in %s", pc.ID, strings.TrimPrefix(pc.ID, "checkup:"), dir)
		}
	}
}

func TestMessagesNameTheCommandAsTyped(t *testing.T) {
	cases := []struct {
		invokedAs string
		args      []string
		want      string
	}{
		{"", []string{"dns-check", "--bogus"}, "(see heroku-checkup dns-check --help)"},
		{"heroku checkup:dns", []string{"dns-check", "--bogus"}, "(see heroku checkup:dns --help)"},
		{"heroku checkup:pg", []string{"pg-health", "-a", "x", "-a", "y"}, "heroku checkup:pg checks one app at a time; use heroku checkup:diagnose -a A -a B for several"},
		{"", []string{"pg-health", "-a", "x", "-a", "y"}, "heroku-checkup pg-health checks one app at a time; use heroku-checkup diagnose -a A -a B for several"},
		{"heroku checkup:dns", []string{"dns-check", "example.com", "--bogus"}, "flag provided but not defined: -bogus (see heroku checkup:dns --help)"},
		{"heroku checkup:certs", []string{"certs-check", "example.com", "--warn-days"}, "flag needs an argument: -warn-days (see heroku checkup:certs --help)"},
		{"heroku checkup:explain", []string{"explain", "PG_SEQUENCE"}, "did you mean PG_SEQUENCE_EXHAUSTION? (heroku checkup:codes lists them all)"},
		{"", []string{"explain", "PG_SEQUENCE"}, "(heroku-checkup codes lists them all)"},
		{"heroku checkup:explain", []string{"explain"}, "explain takes a code: heroku checkup:explain DNS_CNAME_HEROKUAPP (heroku checkup:codes lists them)"},
	}
	for _, c := range cases {
		h := newHarness(t)
		h.env[invokedAsEnv] = c.invokedAs
		if code := h.run(c.args...); code != 3 {
			t.Errorf("%v: exit %d, want 3", c.args, code)
		}
		if got := h.errOut.String(); !strings.Contains(got, c.want) || strings.Count(got, "\n") != 1 {
			t.Errorf("%s %v: stderr %q, want one line with %q", c.invokedAs, c.args, got, c.want)
		}
	}
}
