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
	const n = 10
	m := timeInterleaved(n,
		heroku(without, "--version"), heroku(with, "--version"),
		heroku(without, "help", "apps:info"), heroku(with, "help", "apps:info"),
		heroku(with, "checkup:version"), exec.Command(bin, "version"),
		heroku(with, "checkup", "--demo", "--format", "json"), exec.Command(bin, "diagnose", "--demo", "--format", "json"))
	before, after, helpBefore, helpAfter, version, bareVersion, demo, bareDemo := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7]

	pct := func(d, of time.Duration) float64 { return 100 * float64(d) / float64(of) }
	add(row{"heroku --version (the CLI's own start-up; median of 10)", ms(before), "", ""})
	add(row{"  with the plugin installed", fmt.Sprintf("%s (%+.1f%%)", ms(after), pct(after-before, before)), "<= +5%", verdict(pct(after-before, before) <= 5)})
	add(row{"heroku help apps:info, without / with the plugin", fmt.Sprintf("%s / %s (%+.1f%%)", ms(helpBefore), ms(helpAfter), pct(helpAfter-helpBefore, helpBefore)), "<= +5%", verdict(pct(helpAfter-helpBefore, helpBefore) <= 5)})
	add(row{"heroku checkup:version / heroku-checkup version", fmt.Sprintf("%s / %s", ms(version), ms(bareVersion)), "", ""})
	add(row{"heroku checkup --demo --format json / the binary's", fmt.Sprintf("%s / %s", ms(demo), ms(bareDemo)), "", ""})
	own := demo - bareDemo - after
	add(row{"  the plugin's own cost (checkup - binary - CLI start-up)", fmt.Sprintf("%s (%.1f%% of the CLI's start-up)", ms(own), pct(own, after)), "<= 10%", verdict(pct(own, after) <= 10)})
	return nil
}

// timeInterleaved runs each command n times, in turn (after two warm-up
// rounds), and returns each one's median wall time. A non-zero exit is
// fine (the demo exits 2).
func timeInterleaved(n int, cmds ...*exec.Cmd) []time.Duration {
	ds := make([][]time.Duration, len(cmds))
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
			if i >= 2 {
				ds[j] = append(ds[j], time.Since(start))
			}
		}
	}
	out := make([]time.Duration, len(cmds))
	for j := range cmds {
		out[j] = median(ds[j])
	}
	return out
}
