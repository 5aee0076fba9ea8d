package herokucli

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCommands(t *testing.T) {
	cases := map[string][][]string{
		"heroku ps:restart --dyno-name web.2 -a acme-prod": {{"ps:restart", "--dyno-name", "web.2", "-a", "acme-prod"}},
		"Point www.acme.example at its DNS target (heroku domains -a acme-prod), then heroku certs:auto:refresh -a acme-prod": {
			{"domains", "-a", "acme-prod"}, {"certs:auto:refresh", "-a", "acme-prod"}},
		"heroku labs:enable log-runtime-metrics -a acme && heroku ps:restart -a acme": {
			{"labs:enable", "log-runtime-metrics", "-a", "acme"}, {"ps:restart", "-a", "acme"}},
		"heroku certs:auto -a acme shows its progress; heroku certs:auto:refresh -a acme retries": {
			{"certs:auto", "-a", "acme", "shows", "its", "progress"}, {"certs:auto:refresh", "-a", "acme", "retries"}},
		"See the errors: heroku logs -a acme | grep status=5":                        {{"logs", "-a", "acme"}},
		"Set www. CNAME <the DNS target from heroku domains>. at your DNS provider":  nil,
		"Set www. CNAME x.herokudns.com. (see `heroku domains -a acme`)":             {{"domains", "-a", "acme"}},
		"`heroku logs --tail -a acme | grep H12` shows them as they happen":          {{"logs", "--tail", "-a", "acme"}},
		"Deploy code to the app (git push heroku main)":                              nil,
		"Heroku restarts crashed dynos; the heroku-24 stack":                         nil,
		"heroku drains:add syslog+tls://HOST:PORT -a acme (or add a logging add-on)": {{"drains:add", "syslog+tls://HOST:PORT", "-a", "acme"}},
		"heroku config:set RACK_TIMEOUT_SERVICE_TIMEOUT=15 -a acme.":                 {{"config:set", "RACK_TIMEOUT_SERVICE_TIMEOUT=15", "-a", "acme"}},
		"heroku pg:upgrade:wait DB -a acme and heroku pg:upgrade:run DB -a acme": {
			{"pg:upgrade:wait", "DB", "-a", "acme"}, {"pg:upgrade:run", "DB", "-a", "acme"}},
		"heroku ps:scale web=2 -a acme or heroku ps:type web=SIZE -a acme": {
			{"ps:scale", "web=2", "-a", "acme"}, {"ps:type", "web=SIZE", "-a", "acme"}},
		"heroku logs -a acme and then some words": {{"logs", "-a", "acme", "and", "then", "some", "words"}},
		`heroku telemetry:add "https://otel.example:4318" --signals logs,traces -a acme`: {
			{"telemetry:add", "https://otel.example:4318", "--signals", "logs,traces", "-a", "acme"}},
	}
	for text, want := range cases {
		if got := Commands(text); !reflect.DeepEqual(got, want) {
			t.Errorf("Commands(%q)\n got %q\nwant %q", text, got, want)
		}
	}
}

func TestFirIncompatible(t *testing.T) {
	cases := map[string]bool{
		"ps:exec -a acme":                       true,
		"ps:forward 8080 -a acme":               true,
		"ps:type web=standard-2x -a acme":       true,
		"ps:type web=Performance-L -a acme":     true,
		"ps:scale web=2:standard-1x -a acme":    true,
		"ps:type web=dyno-2c-4gb -a acme":       false,
		"ps:scale web=2 -a acme":                false,
		"ps:restart --process-type web -a acme": false,
		"run:inside web-1234abcde-123ab bash":   false,
	}
	for line, bad := range cases {
		if got := FirIncompatible(strings.Fields(line)); (got != "") != bad {
			t.Errorf("FirIncompatible(%s) = %q", line, got)
		}
	}
}

// TestRealCLI: the checker itself, on lines whose fate in the pinned CLI
// is known, so a checker that accepts everything fails here.
func TestRealCLI(t *testing.T) {
	runJS := os.Getenv(EnvVar)
	if runJS == "" {
		t.Skipf("%s is not set: ./scripts/test installs the pinned Heroku CLI and sets it", EnvVar)
	}
	cases := map[string]string{ // line -> part of the error, "" for none
		"ps:restart --dyno-name web.1 -a acme":           "",
		"ps:restart --process-type web -a acme":          "",
		"ps:restart web.1 -a acme":                       "deprecated",
		"logs --process-type web -a acme":                "",
		"logs --dyno web.1 -a acme":                      "alias of --dyno-name",
		"logs -p web -a acme":                            "several flags",
		"logs --tail":                                    "Missing required flag app",
		"pg:upgrade DATABASE_URL -a acme":                "no such command",
		"pg:upgrade:run DATABASE_URL -a acme":            "",
		"stack:set heroku-24 -a acme":                    "alias",
		"apps:stacks:set heroku-24 -a acme":              "",
		"ps:type web=standard-2x -a acme":                "",
		"certs:auto:refresh -a acme retries":             "Unexpected argument",
		"domains --no-such-flag -a acme":                 "Nonexistent flag",
		"dyno:restart -a acme":                           "alias",
		"telemetry:add https://x --signals logs -a acme": "",
	}
	var lines [][]string
	var wants []string
	for l, w := range cases {
		lines = append(lines, strings.Fields(l))
		wants = append(wants, w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Check(ctx, runJS, lines)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		switch {
		case wants[i] == "" && r.Err != "":
			t.Errorf("%s: refused: %s", Line(r.Argv), r.Err)
		case wants[i] != "" && !strings.Contains(r.Err, wants[i]):
			t.Errorf("%s: error %q, want one with %q", Line(r.Argv), r.Err, wants[i])
		}
	}
}
