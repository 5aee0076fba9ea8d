package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// pluginBench measures the Heroku CLI plugin inside the pinned Heroku CLI
// (cli is its bin/run.js): what installing it costs every other heroku
// command, and what it adds to a checkup beyond the CLI's own start-up and
// the binary's own work. The plugin is packed and installed as users get it
// (with its oclif.manifest.json); npm's registry is pointed at a closed
// loopback port, so nothing leaves the machine.
func pluginBench(bin, cli string, add func(row)) error {
	// The CLI runs in the users' homes: a relative path would name no file
	// there, and the plugin would only say so.
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "heroku-checkup-bench-cli")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// Two users: one without the plugin, one with it installed.
	without, with := filepath.Join(tmp, "without"), filepath.Join(tmp, "with")
	os.Mkdir(without, 0o755)
	os.Mkdir(with, 0o755)
	envOf := func(home string) []string {
		return []string{
			"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8",
			"DISABLE_TELEMETRY=true", "HEROKU_SKIP_ANALYTICS=1", "HEROKU_DISABLE_AUTOUPDATE=1", "HEROKU_SKIP_NEW_VERSION_CHECK=1",
			"HEROKU_NETRC_WRITE=true", "HEROKU_CHECKUP_BIN=" + bin, "HEROKU_NPM_REGISTRY=http://127.0.0.1:9/",
			"npm_config_registry=http://127.0.0.1:9/",
		}
	}
	heroku := func(home string, args ...string) *exec.Cmd {
		c := exec.Command("node", append([]string{cli}, args...)...)
		c.Env, c.Dir = envOf(home), home
		return c
	}
	if out, err := exec.Command("node", "plugin/scripts/manifest.mjs", bin).CombinedOutput(); err != nil {
		return fmt.Errorf("manifest: %v\n%s", err, out)
	}
	packed, err := exec.Command("npm", "pack", "--silent", "--pack-destination", tmp, "./plugin").Output()
	if err != nil {
		return fmt.Errorf("npm pack: %v", err)
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(string(packed)))
	if out, err := heroku(with, "plugins:install", "file:"+tgz).CombinedOutput(); err != nil {
		return fmt.Errorf("plugins:install: %v\n%s", err, out)
	}
	heroku(without, "--version").Run() // the first run of a HOME does one-time work

	// Interleaved, so a noisy neighbour slows every command alike.
	const n = 20
	m := timeInterleaved(n,
		heroku(without, "--version"), heroku(with, "--version"),
		heroku(without, "help", "apps:info"), heroku(with, "help", "apps:info"),
		heroku(with, "checkup:version"), exec.Command(bin, "version"),
		// Without the demo's PostgreSQL and redis-server: their seconds of
		// set-up are the binary's own work either way, and their noise
		// would hide the plugin's few milliseconds.
		heroku(with, "checkup", "--demo", "--demo-servers=false", "--format", "json"), exec.Command(bin, "diagnose", "--demo", "--demo-servers=false", "--format", "json"))
	before, after, helpBefore, helpAfter, version, bareVersion, demo, bareDemo := m[0].wall, m[1].wall, m[2].wall, m[3].wall, m[4].wall, m[5].wall, m[6].wall, m[7].wall
	// Each pair must have done the same thing: a plugin that failed to find
	// the binary exits 3 in a CLI start-up's time, and would look free.
	for _, p := range [][2]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}} {
		if a, b := m[p[0]].exit, m[p[1]].exit; a != b {
			return fmt.Errorf("%s exited %d, %s exited %d", m[p[0]].name, a, m[p[1]].name, b)
		}
	}
	if m[6].exit != 2 {
		return fmt.Errorf("%s exited %d, want 2 (the demo's critical findings)", m[6].name, m[6].exit)
	}

	pct := func(d, of time.Duration) float64 { return 100 * float64(d) / float64(of) }
	// The start-up rows judge CPU time (user + system): a second of node's
	// wall time on a shared machine swings by more than the 5% asked of it.
	cpuPct := func(a, b timed) float64 { return pct(b.cpu-a.cpu, a.cpu) }
	add(row{"heroku --version (the CLI's own start-up; median of 20)", fmt.Sprintf("%s (CPU %s)", ms(before), ms(m[0].cpu)), "", ""})
	add(row{"  with the plugin installed", fmt.Sprintf("%s (%+.1f%% wall, %+.1f%% CPU)", ms(after), pct(after-before, before), cpuPct(m[0], m[1])), "<= +5% CPU", verdict(cpuPct(m[0], m[1]) <= 5)})
	add(row{"heroku help apps:info, without / with the plugin", fmt.Sprintf("%s / %s (%+.1f%% wall, %+.1f%% CPU)", ms(helpBefore), ms(helpAfter), pct(helpAfter-helpBefore, helpBefore), cpuPct(m[2], m[3])), "<= +5% CPU", verdict(cpuPct(m[2], m[3]) <= 5)})
	add(row{"heroku checkup:version / heroku-checkup version", fmt.Sprintf("%s / %s", ms(version), ms(bareVersion)), "", ""})
	add(row{"heroku checkup --demo --format json / the binary's", fmt.Sprintf("%s / %s", ms(demo), ms(bareDemo)), "", ""})
	own := demo - bareDemo - after
	add(row{"  the plugin's own cost (checkup - binary - CLI start-up)", fmt.Sprintf("%s (%.1f%% of the CLI's start-up)", ms(own), pct(own, after)), "<= 10%", verdict(pct(own, after) <= 10)})
	return nil
}

// timed is one command's median wall time, median CPU time (user and
// system, its waited-for children's included) and its exit code.
type timed struct {
	name      string
	wall, cpu time.Duration
	exit      int
}

// timeInterleaved runs each command n times, in turn (after two warm-up
// rounds), and returns each one's median wall time and exit code. A
// non-zero exit is fine (the demo exits 2) as long as every run of the
// command gives the same one.
func timeInterleaved(n int, cmds ...*exec.Cmd) []timed {
	ds := make([][]time.Duration, len(cmds))
	cs := make([][]time.Duration, len(cmds))
	out := make([]timed, len(cmds))
	for i := range n + 2 {
		for j, c := range cmds {
			run := exec.Command(c.Path, c.Args[1:]...)
			run.Env, run.Dir = c.Env, c.Dir
			start := time.Now()
			if err := run.Run(); err != nil {
				if _, ok := err.(*exec.ExitError); !ok {
					fail(err)
				}
			}
			code := run.ProcessState.ExitCode()
			if i == 0 {
				out[j] = timed{name: strings.Join(c.Args, " "), exit: code}
			} else if code != out[j].exit {
				fail(fmt.Errorf("%s exited %d, then %d", out[j].name, out[j].exit, code))
			}
			if i >= 2 {
				ds[j] = append(ds[j], time.Since(start))
				cs[j] = append(cs[j], run.ProcessState.UserTime()+run.ProcessState.SystemTime())
			}
		}
	}
	for j := range cmds {
		out[j].wall, out[j].cpu = median(ds[j]), median(cs[j])
	}
	return out
}
