// Package e2e runs the built heroku-checkup binary against real servers on
// loopback: NSD for DNS, nginx for TLS, PostgreSQL for pg-health, and the
// built-in sandbox. The servers come from Debian packages that
// ./scripts/test installs; without them these tests fail and say so.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "heroku-checkup-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "heroku-checkup")
	build := exec.Command("go", "build", "-race", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "go build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result of one run of the binary.
type result struct {
	code   int
	stdout string
	stderr string
}

// run executes the binary with a clean environment: no token, no
// HEROKU_HOST, a resolv.conf on loopback, so nothing can leave loopback.
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	home := t.TempDir()
	rc := filepath.Join(home, "resolv.conf")
	os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "HEROKU_CHECKUP_RESOLV_CONF=" + rc, "NO_COLOR=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Dir = home
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

type finding struct {
	Check, Category, App, Subject, Status, Code, Summary, Remedy string
	Fingerprint, Change                                          string
	Data                                                         map[string]any
}

type jsonReport struct {
	SchemaVersion int            `json:"schema_version"`
	GeneratedAt   string         `json:"generated_at"`
	Baseline      map[string]any `json:"baseline"`
	Status        string         `json:"status"`
	Summary       map[string]int `json:"summary"`
	Checks        []finding      `json:"checks"`
}

// decode reads the JSON report of a run, which must validate against
// schema/report.schema.json.
func decode(t *testing.T, r result) jsonReport {
	t.Helper()
	schematest.Validate(t, []byte(r.stdout))
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report (exit %d, stderr %q): %v\n%s", r.code, r.stderr, err, r.stdout)
	}
	if rep.SchemaVersion != 1 {
		t.Fatalf("schema_version %d", rep.SchemaVersion)
	}
	// The binary is not a test binary, so its report is held to the
	// catalogue here: every problem has a code, and the catalogue holds it.
	var checks []report.Finding
	for _, f := range rep.Checks {
		checks = append(checks, report.Finding{Check: f.Check, Subject: f.Subject, Status: report.Status(f.Status), Code: f.Code, Summary: f.Summary})
	}
	reporttest.Catalogued(t, checks)
	return rep
}

func (r jsonReport) find(check, subject string) (finding, bool) {
	for _, f := range r.Checks {
		if f.Check == check && f.Subject == subject {
			return f, true
		}
	}
	return finding{}, false
}

// freePort finds a loopback port free for both UDP and TCP.
func freePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// need finds a server binary from a Debian package, or fails saying how to get it.
func need(t *testing.T, name string, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s not found: install Debian's %s package (./scripts/test installs it, then runs these tests)", name, pkg)
	return ""
}

// startDaemon starts a server in its own process group and kills the whole
// group when the test ends: nginx and nsd fork workers that would outlive
// their master and hold the test's output open.
func startDaemon(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
}
