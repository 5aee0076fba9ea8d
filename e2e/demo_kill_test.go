package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKilledDemoLeavesNoServer kills `diagnose --demo` with SIGKILL (no
// cleanup can run: a CI timeout, the OOM killer) once its throw-away
// PostgreSQL and redis-server are up, and expects both to go with it.
func TestKilledDemoLeavesNoServer(t *testing.T) {
	need(t, "redis-server", "redis-server")
	home := t.TempDir()
	rc := filepath.Join(home, "resolv.conf")
	os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644)
	cmd := exec.Command(binary, "diagnose", "--demo", "--demo-latency", "logs=120s")
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "HEROKU_CHECKUP_RESOLV_CONF=" + rc}
	cmd.Dir = home
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var servers []int
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		servers = childrenNamed(cmd.Process.Pid, "postgres", "redis-server")
		if len(servers) == 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(servers) != 2 {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the demo did not start its PostgreSQL and redis-server as its children (found %v)", servers)
	}
	cmd.Process.Kill()
	cmd.Wait()
	deadline = time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		servers = slices.DeleteFunc(servers, func(pid int) bool { return !alive(pid) })
		if len(servers) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, pid := range servers {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	t.Fatalf("servers %v outlived the killed demo", servers)
}

// childrenNamed lists the processes with one of names whose parent is ppid (Linux /proc).
func childrenNamed(ppid int, names ...string) []int {
	var out []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(stat)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) && slices.Contains(names, s[open+1:end]) {
			out = append(out, pid)
		}
	}
	return out
}

// alive tells whether pid is a running process (a zombie is not).
func alive(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z"
}
