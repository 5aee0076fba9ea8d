package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// started is a run of the binary the test signals, with its environment
// as run's (no token, a loopback resolv.conf).
type started struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	code           int
}

func start(t *testing.T, env map[string]string, args ...string) *started {
	t.Helper()
	home := t.TempDir()
	rc := filepath.Join(home, "resolv.conf")
	os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644)
	s := &started{cmd: exec.Command(binary, args...), done: make(chan struct{})}
	s.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "HEROKU_CHECKUP_RESOLV_CONF=" + rc, "NO_COLOR=1"}
	for k, v := range env {
		s.cmd.Env = append(s.cmd.Env, k+"="+v)
	}
	s.cmd.Stdout, s.cmd.Stderr, s.cmd.Dir = &s.stdout, &s.stderr, home
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := s.cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok {
			s.code = ee.ExitCode()
		}
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// wait waits at most d for the run to end.
func (s *started) wait(t *testing.T, d time.Duration) bool {
	t.Helper()
	select {
	case <-s.done:
		return true
	case <-time.After(d):
		t.Errorf("%v still running after %v\nstderr: %s", s.cmd.Args[1:], d, s.stderr.String())
		return false
	}
}

func mkfifo(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFilesThatNeverEnd: FIFOs with no writer and /dev/zero given where
// the binary reads a file cost it its --timeout at most, and end in one
// line, never a hang, a panic or a run killed for memory.
func TestFilesThatNeverEnd(t *testing.T) {
	fifo := mkfifo(t)
	corrupt := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(corrupt, []byte("machine"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"NETRC a FIFO", map[string]string{"NETRC": fifo}, []string{"logs-check", "-a", "acme-prod", "--timeout", "1s"}, "no writer opened"},
		{"NETRC /dev/zero", map[string]string{"NETRC": "/dev/zero"}, []string{"logs-check", "-a", "acme-prod"}, "larger than 1 MiB"},
		{"NETRC just 'machine'", map[string]string{"NETRC": corrupt}, []string{"diagnose", "-a", "acme-prod"}, `line 1: "machine" has no machine name`},
		{"--ca-file a FIFO", nil, []string{"certs-check", "localhost", "--ca-file", fifo, "--timeout", "1s"}, "no writer opened"},
		{"--ca-file /dev/zero", nil, []string{"certs-check", "localhost", "--ca-file", "/dev/zero"}, "larger than 8 MiB"},
		{"SSL_CERT_FILE a FIFO", map[string]string{"SSL_CERT_FILE": fifo}, []string{"certs-check", "localhost"}, "is not a regular file (a named pipe)"},
		{"SSL_CERT_FILE /dev/zero", map[string]string{"SSL_CERT_FILE": "/dev/zero"}, []string{"dns-check", "localhost"}, "is not a regular file (a character device)"},
		{"--baseline a FIFO", nil, []string{"dns-check", "localhost", "--baseline", fifo, "--timeout", "1s"}, "no writer opened"},
		{"--baseline /dev/zero", nil, []string{"dns-check", "localhost", "--baseline", "/dev/zero"}, "larger than 64 MiB"},
	}
	for _, c := range cases {
		s := start(t, c.env, c.args...)
		if !s.wait(t, 20*time.Second) {
			continue
		}
		line := s.stderr.String()
		if s.code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, c.want) || strings.Contains(line, "goroutine") {
			t.Errorf("%s: exit %d, stderr %q, want one line with %q", c.name, s.code, line, c.want)
		}
	}

	// A --logs-file FIFO nobody writes to: the logs check is unknown
	// TIMEOUT when the run's deadline comes.
	s := start(t, nil, "logs-check", "--logs-file", mkfifo(t), "--timeout", "2s", "--format", "json")
	if s.wait(t, 20*time.Second) && (s.code != 3 || !strings.Contains(s.stdout.String(), `"code": "TIMEOUT"`)) {
		t.Errorf("--logs-file FIFO: exit %d\n%s%s", s.code, s.stdout.String(), s.stderr.String())
	}
}

// blockedInFIFOOpen waits until a thread of pid sits in open(2) of a FIFO
// (the kernel's wait_for_partner): the binary is past its start-up, its
// signal handling in place, and stuck where the issue found it stuck.
func blockedInFIFOOpen(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
		for _, w := range tasks {
			if b, err := os.ReadFile(w); err == nil && string(b) == "wait_for_partner" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("pid %d never blocked opening the FIFO (no wait_for_partner in /proc/%d/task/*/wchan)", pid, pid)
}

// TestSignalsEndTheRun: SIGINT and SIGTERM end a run stuck in open(2) of
// a FIFO nobody writes to (NETRC), and one reading a --logs-file FIFO whose
// writer never writes; with -o, the previous report stays whole, and the one
// line says the run was interrupted.
func TestSignalsEndTheRun(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		name := map[syscall.Signal]string{syscall.SIGINT: "SIGINT", syscall.SIGTERM: "SIGTERM"}[sig]
		out := filepath.Join(t.TempDir(), "report.json")
		previous := `{"the": "previous report"}` + "\n"
		os.WriteFile(out, []byte(previous), 0o644)

		s := start(t, map[string]string{"NETRC": mkfifo(t)}, "diagnose", "-a", "acme-prod", "-o", out)
		blockedInFIFOOpen(t, s.cmd.Process.Pid)
		s.cmd.Process.Signal(sig)
		if s.wait(t, 10*time.Second) {
			b, _ := os.ReadFile(out)
			line := s.stderr.String()
			if s.code != 3 || string(b) != previous || !strings.Contains(line, "interrupted ("+name+")") || strings.Count(line, "\n") != 1 {
				t.Errorf("NETRC FIFO, %s: exit %d, %s holds %q, stderr %q", name, s.code, out, b, line)
			}
		}

		fifo := mkfifo(t)
		s = start(t, nil, "logs-check", "--logs-file", fifo, "--format", "json", "-o", out)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once the binary has it open: past its start-up
		if err != nil {
			t.Fatal(err)
		}
		s.cmd.Process.Signal(sig)
		if s.wait(t, 10*time.Second) {
			b, _ := os.ReadFile(out)
			line := s.stderr.String()
			if s.code != 3 || string(b) != previous || !strings.Contains(line, "interrupted ("+name+")") || !strings.Contains(line, out+" was not written") {
				t.Errorf("--logs-file FIFO, %s: exit %d, %s holds %q, stderr %q", name, s.code, out, b, line)
			}
		}
		w.Close()
	}
}
