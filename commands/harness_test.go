package commands

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// TestMain checks, after the tests, every Heroku CLI command the reports
// they made print (the demo's among them) against the pinned Heroku CLI.
func TestMain(m *testing.M) { reporttest.Main(m, "commands") }

// harness runs the CLI in-process with buffers for streams, a map for the
// environment and canned git output.
type harness struct {
	t      *testing.T
	env    map[string]string
	git    string // `git remote -v` output; empty: not a repository
	stdin  string
	home   string
	out    bytes.Buffer
	errOut bytes.Buffer
	now    func() time.Time

	resolvConf string
	tlsPort    string
}

// newHarness points the system resolver at loopback, so no test can send
// a DNS query beyond it even when a flag is forgotten.
func newHarness(t *testing.T) *harness {
	h := &harness{t: t, env: map[string]string{}, home: t.TempDir(), now: time.Now}
	rc := filepath.Join(h.home, "resolv.conf")
	if err := os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.resolvConf = rc
	return h
}

func (h *harness) factory() *Factory {
	h.out.Reset()
	h.errOut.Reset()
	return &Factory{
		IO: termui.Test(strings.NewReader(h.stdin), &h.out, &h.errOut),
		Env: func(k string) string {
			if k == "HEROKU_CHECKUP_RESOLV_CONF" && h.env[k] == "" {
				return h.resolvConf
			}
			return h.env[k]
		},
		Home: h.home,
		Git: func(_ context.Context, args ...string) (string, error) {
			if strings.Join(args, " ") == "remote -v" && h.git != "" {
				return h.git, nil
			}
			return "", errors.New("not a git repository")
		},
		Now:      h.now,
		Build:    BuildInfo{Version: "1.2.3-test", Commit: "abc1234", Date: "2026-11-23T00:00:00Z"},
		Redactor: report.NewRedactor(),
		TLSPort:  h.tlsPort,
	}
}

// run executes the CLI and returns the exit code main would use. Every
// JSON report a checking command writes, to stdout or to --output, must
// validate against schema/report.schema.json.
func (h *harness) run(args ...string) int {
	h.t.Helper()
	return h.runCtx(context.Background(), args...)
}

// runCtx runs under ctx, which a test cancels as main does on a signal.
func (h *harness) runCtx(ctx context.Context, args ...string) int {
	h.t.Helper()
	f := h.factory()
	out := flagValue(args, "-o", "--output")
	before, _ := os.ReadFile(out)
	err := Run(ctx, f, append([]string{"heroku-checkup"}, args...))
	code := ExitCode(err, &h.errOut, f.Redactor)
	if len(args) > 0 && writesReport(f, args[0]) && flagValue(args, "--format") == "json" {
		if out != "" {
			// The file this run wrote, if it wrote one (a failed run leaves it).
			if st, err := os.Stat(out); err == nil && st.Mode().IsRegular() {
				if b, _ := os.ReadFile(out); !bytes.Equal(b, before) {
					schematest.Validate(h.t, b)
				}
			}
		} else if h.out.Len() > 0 {
			schematest.Validate(h.t, h.out.Bytes())
		}
	}
	return code
}

// writesReport tells whether a command is a checking command, that is one
// with the shared flags (explain and codes write the catalogue instead).
func writesReport(f *Factory, name string) bool {
	for _, c := range NewApp(f).Commands {
		if c.Name == name {
			return slices.ContainsFunc(c.Flags, func(fl cli.Flag) bool { return slices.Contains(fl.Names(), "baseline") })
		}
	}
	return false
}

// flagValue is the value of the last of the named flags in args.
func flagValue(args []string, names ...string) string {
	v := ""
	for i, a := range args {
		for _, n := range names {
			if a == n && i+1 < len(args) {
				v = args[i+1]
			} else if strings.HasPrefix(a, n+"=") {
				v = strings.TrimPrefix(a, n+"=")
			}
		}
	}
	return v
}

func (h *harness) report() report.Report {
	h.t.Helper()
	r, err := report.DecodeJSON(bytes.NewReader(h.out.Bytes()))
	if err != nil {
		h.t.Fatalf("stdout is not a JSON report: %v\n%s", err, h.out.String())
	}
	return r
}

func apiApp(api *herokutest.Server, name string) *herokutest.AppFixture { return api.App(name) }
