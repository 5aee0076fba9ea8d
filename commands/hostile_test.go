package commands

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/internal/nettest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// TestBadResolverIsUsage: a --resolver that cannot be a DNS server is one
// line and exit 3 on every command, not a timeout per domain.
func TestBadResolverIsUsage(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:99999", "http://x", "127.0.0.1:", "a b"} {
		for _, cmd := range [][]string{{"dns-check", "example.com"}, {"certs-check", "example.com"}, {"pg-health", "--database-url", "postgres://u:p@db.example.com/d"},
			{"logs-check", "--logs-file", "-"}, {"diagnose", "--demo"}} {
			h := newHarness(t)
			args := append([]string{cmd[0], "--resolver", bad}, cmd[1:]...)
			code := h.run(args...)
			line := h.errOut.String()
			if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, "--resolver") {
				t.Errorf("%v: exit %d, stderr %q", args, code, line)
			}
		}
	}
}

// TestAppNamesAreChecked: an app that cannot be one stops the run with one
// line and exit 3, and no request (with the token) is ever sent for it.
func TestAppNamesAreChecked(t *testing.T) {
	api := fakeAPI(t)
	cases := []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"diagnose", "-a", ""}, nil},
		{[]string{"diagnose", "-a", "../account"}, nil},
		{[]string{"diagnose", "-a", "acme-prod", "-a", "x/../../account"}, nil},
		{[]string{"dns-check", "-a", "../account"}, nil},
		{[]string{"pg-health", "-a", "Acme-Prod"}, nil},
		{[]string{"logs-check"}, map[string]string{"HEROKU_APP": "../account"}},
		{[]string{"certs-check"}, map[string]string{"HEROKU_APP": "acme prod"}},
		{[]string{"diagnose", "--team", "../account"}, nil},
		{[]string{"diagnose", "--team", ""}, nil},
	}
	for _, c := range cases {
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		h.env["HEROKU_API_KEY"] = "test-token-123456"
		for k, v := range c.env {
			h.env[k] = v
		}
		before := api.Requests()
		code := h.run(c.args...)
		line := h.errOut.String()
		if code != 3 || strings.Count(line, "\n") != 1 {
			t.Errorf("%v %v: exit %d, stderr %q", c.args, c.env, code, line)
		}
		if n := api.Requests() - before; n != 0 {
			t.Errorf("%v %v: %d requests sent: %q", c.args, c.env, n, api.Paths())
		}
	}
}

// TestFilesThatNeverEnd: every file the run reads is read under its
// deadline and within a cap; what cannot be read is one line and exit 3,
// within the --timeout.
func TestFilesThatNeverEnd(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(t.TempDir(), ".netrc")
	os.WriteFile(corrupt, []byte("machine"), 0o600)
	api := fakeAPI(t)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"a corrupt netrc", map[string]string{"NETRC": corrupt}, []string{"diagnose", "-a", "acme-prod"}, "cannot read " + corrupt + `: line 1: "machine" has no machine name`},
		{"a netrc FIFO nobody writes", map[string]string{"NETRC": fifo}, []string{"diagnose", "-a", "acme-prod", "--timeout", "500ms"}, "no writer opened"},
		{"/dev/zero as netrc", map[string]string{"NETRC": "/dev/zero"}, []string{"logs-check", "-a", "acme-prod"}, "larger than 1 MiB"},
		{"--ca-file /dev/zero", nil, []string{"certs-check", "example.com", "--ca-file", "/dev/zero"}, "--ca-file: /dev/zero is larger than 8 MiB"},
		{"--ca-file FIFO", nil, []string{"certs-check", "example.com", "--ca-file", fifo, "--timeout", "500ms"}, "no writer opened"},
		{"SSL_CERT_FILE /dev/zero", map[string]string{"SSL_CERT_FILE": "/dev/zero", "HEROKU_API_KEY": "test-token-123456"}, []string{"pg-health", "-a", "acme-prod"}, "SSL_CERT_FILE: /dev/zero is not a regular file"},
		{"SSL_CERT_FILE FIFO", map[string]string{"SSL_CERT_FILE": fifo}, []string{"dns-check", "example.com"}, "is not a regular file (a named pipe)"},
		{"--baseline FIFO", nil, []string{"dns-check", "example.com", "--resolver", "127.0.0.1:1", "--baseline", fifo, "--timeout", "500ms"}, "--baseline " + fifo + " cannot be read"},
		{"--baseline /dev/zero", nil, []string{"dns-check", "example.com", "--resolver", "127.0.0.1:1", "--baseline", "/dev/zero"}, "--baseline /dev/zero is larger than 64 MiB"},
	}
	for _, c := range cases {
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		for k, v := range c.env {
			h.env[k] = v
		}
		start := time.Now()
		code := h.run(c.args...)
		line := h.errOut.String()
		if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", c.name, code, line, c.want)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s: took %v", c.name, took)
		}
	}
}

// TestLogsFileFIFOWithoutWriter: a --logs-file nobody writes to is a TIMEOUT
// of the logs check when the run's deadline comes, not a run that hangs.
func TestLogsFileFIFOWithoutWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "logs")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	start := time.Now()
	code := h.run("logs-check", "--logs-file", fifo, "--timeout", "1s", "--format", "json")
	if code != 3 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	f, ok := reporttest.FindCheck(t, h.report().Checks, "logs.codes")
	if !ok || f.Code != "TIMEOUT" {
		t.Errorf("logs finding: %+v", f)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v for a 1s --timeout", took)
	}
}

// TestPanicIsOneLine: a panic that escapes a command (a bug) is one line
// and exit 3, never a stack trace or exit 2.
func TestPanicIsOneLine(t *testing.T) {
	h := newHarness(t)
	h.now = func() time.Time { panic("clock broke") }
	code := h.run("dns-check", "--resolver", "127.0.0.1:1", "example.com")
	line := h.errOut.String()
	if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, "internal error: clock broke") {
		t.Errorf("exit %d, stderr %q", code, line)
	}
}

// TestOutputPaths: -o ” is an error, not stdout; a missing directory is
// said of the user's path, before anything runs.
func TestOutputPaths(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "report.json")
	for args, want := range map[string]string{
		"diagnose --demo -o":                      "--output needs a file name",
		"diagnose --demo --output=":               "--output needs a file name",
		"dns-check example.com -o " + missing:     "cannot write " + missing + ": the directory " + filepath.Dir(missing) + " does not exist",
		"diagnose --demo --output " + t.TempDir(): "it is a directory",
	} {
		h := newHarness(t)
		argv := strings.Fields(args)
		if strings.HasSuffix(args, " -o") {
			argv = append(argv, "")
		}
		code := h.run(argv...)
		line := h.errOut.String()
		if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, want) || h.out.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %d bytes; want one line with %q", argv, code, line, h.out.Len(), want)
		}
	}
}

// TestSignalAfterTheChecks: a signal that comes while the whole report is
// being written is too late to cut anything short: the report's own exit
// code (2 for the demo), and no "nothing was checked".
func TestSignalAfterTheChecks(t *testing.T) {
	h := newHarness(t)
	f := h.factory()
	ctx, cancel := context.WithCancelCause(context.Background())
	out := &signalOnWrite{cancel: func() { cancel(&Interrupt{Signal: os.Interrupt}) }}
	f.IO = termui.Test(strings.NewReader(""), out, &h.errOut)
	err := Run(ctx, f, []string{"heroku-checkup", "diagnose", "--demo", "--demo-servers=false", "--format", "json"})
	if code := ExitCode(err, &h.errOut, f.Redactor); code != 2 || h.errOut.Len() != 0 || !strings.Contains(out.String(), `"schema_version"`) {
		t.Errorf("exit %d, stderr %q, %d bytes of report", code, h.errOut.String(), out.Len())
	}
}

// signalOnWrite is a stdout whose first write brings a signal.
type signalOnWrite struct {
	bytes.Buffer
	cancel func()
}

func (w *signalOnWrite) Write(p []byte) (int, error) {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
	return w.Buffer.Write(p)
}

// TestInterruptedRunKeepsTheOldReport: SIGINT or SIGTERM (the root context
// cancelled with an Interrupt, as main does) leaves the previous -o file
// whole and says "interrupted"; to stdout the report of what finished comes
// out, the checks cut short saying so.
func TestInterruptedRunKeepsTheOldReport(t *testing.T) {
	// interruptOnceChecking runs args against a fake API whose log session
	// never ends, and interrupts the run once the session is asked for:
	// surely among its checks.
	interruptOnceChecking := func(sig os.Signal, args ...string) (*harness, int) {
		api := fakeAPI(t)
		api.HangLogs()
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		h.env["HEROKU_API_KEY"] = "test-token-123456"
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			deadline := time.Now().Add(30 * time.Second)
			for api.Calls()["POST /apps/{app}/log-sessions"] == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			cancel(&Interrupt{Signal: sig})
		}()
		return h, h.runCtx(ctx, append([]string{"diagnose", "-a", "acme-prod", "--only", "platform,logs", "--format", "json"}, args...)...)
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		out := filepath.Join(t.TempDir(), "report.json")
		os.WriteFile(out, []byte("the previous report\n"), 0o644)
		h, code := interruptOnceChecking(sig, "-o", out)
		b, _ := os.ReadFile(out)
		line := h.errOut.String()
		if code != 3 || string(b) != "the previous report\n" || !strings.Contains(line, "interrupted ("+SignalName(sig)+")") ||
			!strings.Contains(line, out+" was not written") || strings.Count(line, "\n") != 1 {
			t.Errorf("%s: exit %d, %s holds %q, stderr %q", SignalName(sig), code, out, b, line)
		}
		if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
			t.Errorf("%s: a temporary file was left: %v", SignalName(sig), entries)
		}
	}

	h, code := interruptOnceChecking(os.Interrupt)
	r := h.report()
	if !slices.ContainsFunc(r.ByCategory(report.CategoryLogs), func(f report.Finding) bool { return f.Code == "TIMEOUT" }) {
		t.Errorf("the interrupted log session is no TIMEOUT: %+v", r.ByCategory(report.CategoryLogs))
	}
	for _, f := range r.Checks {
		if strings.Contains(f.Summary, "--timeout") || strings.Contains(f.Summary, "within its deadline") {
			t.Errorf("an interrupted check blames the deadline: %s", f.Summary)
		}
	}
	if want := report.ExitCode(r.Status, report.FailOnWarning); code != want || !strings.Contains(h.errOut.String(), "interrupted (SIGINT)") {
		t.Errorf("exit %d for a %s report (want %d), stderr %q", code, r.Status, want, h.errOut.String())
	}
}

// TestErrorLineIsNeutralised: the stderr line carries outside text (an
// API's error message): its controls and newlines are shown, not obeyed,
// and it stays one line.
func TestErrorLineIsNeutralised(t *testing.T) {
	var buf strings.Builder
	code := ExitCode(errors.New("the API says: \x1b]52;c;eA==\x07 denied\n# and more\u202e"), &buf, report.NewRedactor())
	if want := `heroku-checkup: the API says: \x1b]52;c;eA==\x07 denied\n# and more\u202e` + "\n"; code != 3 || buf.String() != want {
		t.Errorf("exit %d, stderr %q, want %q", code, buf.String(), want)
	}
}

// TestEveryProblemHasACodeUnderFaults runs the whole checkup with every
// part failing, hanging or out of time at once (API endpoints hung or
// answering 503, a log session that never ends, a resolver that refuses, a
// database that accepts and never answers, TLS that never handshakes): every
// finding that is not ok or skipped still carries a code of the catalogue
// (report.New panics under test on one without, and the run checks them
// against the catalogue), and the run ends within its --timeout.
func TestEveryProblemHasACodeUnderFaults(t *testing.T) {
	closed := func() string {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		defer l.Close()
		return l.Addr().String()
	}
	resources := []string{"dynos", "formation", "releases", "domains", "sni-endpoints", "addons", "config-vars", "log-drains", "telemetry-drains", "features"}
	for _, fault := range []string{"hung", "failing", "hung database and TLS", "closed"} {
		t.Run(fault, func(t *testing.T) {
			api := fakeAPI(t)
			db := nettest.Silent(t).String()
			tls := nettest.Silent(t).String()
			switch fault {
			case "hung":
				api.Hang(`^/apps/acme-prod/(dynos|formation|releases|sni-endpoints|addons|log-drains|telemetry-drains|features)$`)
				api.Hang(`^/stacks/`)
				api.HangLogs()
			case "failing":
				for _, r := range resources {
					api.FailNext("/apps/acme-prod/"+r, 1000)
				}
			case "closed":
				db, tls = closed(), closed()
			}
			apiApp(api, "acme-prod").ConfigVars["DATABASE_URL"] = herokutest.Str("postgres://u:secretpw@" + db + "/d?sslmode=disable")
			h := newHarness(t)
			h.env["HEROKU_HOST"] = api.URL
			h.env["HEROKU_API_KEY"] = "test-token-123456"
			_, h.tlsPort, _ = net.SplitHostPort(tls)
			resolver := closed()
			if fault == "hung database and TLS" {
				resolver = sampleZone(t).Addr // the domains resolve, to a TLS port that never answers
			}
			start := time.Now()
			code := h.run("diagnose", "-a", "acme-prod", "--resolver", resolver, "--format", "json", "--timeout", "3s")
			if took := time.Since(start); took > 8*time.Second {
				t.Errorf("took %v with --timeout 3s", took)
			}
			if code == 0 {
				t.Errorf("exit 0 with everything failing")
			}
			r := h.report()
			if err := report.CheckCodes(r.Checks, codes.Known); err != nil {
				t.Error(err)
			}
			if len(r.Problems()) == 0 {
				t.Errorf("no problem reported: %+v", r.Checks)
			}
		})
	}
}
