package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// TestSignalsEndTheRunWithItsExitCode interrupts a run that waits on a log
// session that never ends, and keeps sending SIGINT until the process is
// gone, as a terminal's Ctrl-C through the Heroku CLI plugin does (the
// terminal signals the binary, the plugin passes it on once more): the run
// stops, reports, and exits with its report's code, never killed by a
// late signal (130).
func TestSignalsEndTheRunWithItsExitCode(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			const token = "HRKU-e2e-signal-token"
			api := herokutest.New(t, herokutest.Options{Token: token})
			defer api.Close()
			api.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
			api.HangLogs()
			home := t.TempDir()
			rc := filepath.Join(home, "resolv.conf")
			os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644)
			cmd := exec.Command(binary, "diagnose", "-a", "acme-prod", "--skip", "dns,tls,postgres", "--format", "json")
			cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "HEROKU_HOST=" + api.URL, "HEROKU_API_KEY=" + token, "HEROKU_CHECKUP_RESOLV_CONF=" + rc}
			var out bytes.Buffer
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Once the log session is asked for, the binary is past its start-up.
			deadline := time.Now().Add(30 * time.Second)
			for api.Calls()["POST /apps/{app}/log-sessions"] == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
		signalling:
			for {
				cmd.Process.Signal(sig)
				select {
				case err = <-done:
					break signalling
				default: // no pause: a signal at every moment, the last microseconds of the run included
				}
			}
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					t.Fatalf("killed by %v instead of exiting with its report's code (stdout %d bytes)", ws.Signal(), out.Len())
				}
			}
			var rep struct{ Status string }
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("no report (exit %d): %v\n%s", code, err, out.String())
			}
			if want := report.ExitCode(report.Status(rep.Status), report.FailOnWarning); code != want {
				t.Errorf("exit %d for a %s report, want %d", code, rep.Status, want)
			}
		})
	}
}
