// Command bench measures heroku-checkup on loopback: diagnose against its
// critical path on a slowed-down sandbox, log throughput and memory against
// an awk one-liner, start-up and report rendering. It prints a table and
// writes bench/RESULTS.md. Run it with ./bench/run.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Latencies injected into the sandbox (the numbers).
const (
	apiLatency = 80 * time.Millisecond
	dnsLatency = 20 * time.Millisecond
	tlsLatency = 60 * time.Millisecond
	logLatency = 200 * time.Millisecond
	// appLimit is diagnose's default number of apps checked at once.
	appLimit = 10
)

// criticalPath is the longest chain of dependent round trips of one app:
//
//	logs:     POST log-session (API) -> stream (LOG)
//	platform: app (API) -> its stack (API)
//	dns:      domains (API) -> CAA at the name (CNAME, then at its target: 2 DNS) -> CAA at the apex (DNS);
//	          A, AAAA, NS and the target's addresses run beside it
//	tls:      domains (API) -> A and AAAA (DNS) -> handshake (TLS) -> TLS 1.0/1.1 probe (TLS)
//
// Every other read runs beside these. Domains do not lengthen the path:
// their jobs run side by side (64 at once per app).
func criticalPath() (time.Duration, map[string]time.Duration) {
	parts := map[string]time.Duration{
		"logs":     apiLatency + logLatency,
		"platform": 2 * apiLatency,
		"dns":      apiLatency + 3*dnsLatency,
		"tls":      apiLatency + dnsLatency + 2*tlsLatency,
	}
	var longest time.Duration
	for _, d := range parts {
		longest = max(longest, d)
	}
	return longest, parts
}

type row struct{ name, value, target, verdict string }

func main() {
	bin := flag.String("bin", "bench/out/heroku-checkup", "the heroku-checkup binary to measure")
	logSize := flag.String("log-size", "1GiB", "size of the generated log (e.g. 100MiB, 1GiB)")
	out := flag.String("out", "bench/RESULTS.md", "where to write the results")
	runs := flag.Int("runs", 3, "runs per diagnose scenario (the median is kept)")
	cli := flag.String("heroku-cli", os.Getenv("HEROKU_CHECKUP_HEROKU_CLI"), "the Heroku CLI's bin/run.js, for the plugin's rows (./scripts/heroku-cli prints it)")
	pluginOnly := flag.Bool("plugin-only", false, "measure only the plugin (prints, does not write -out)")
	timelineOnly := flag.Bool("timeline-only", false, "with -before, measure only what the timeline costs (prints, does not write -out)")
	before := flag.String("before", "", "a heroku-checkup binary built from before the log timeline, to measure what the timeline costs (./bench/run builds it from BENCH_BEFORE)")
	flag.Parse()
	size, err := parseSize(*logSize)
	if err != nil {
		fail(err)
	}
	var rows []row
	add := func(r row) {
		rows = append(rows, r)
		fmt.Printf("%-58s %-34s %-16s %s\n", r.name, r.value, r.target, r.verdict)
	}
	fmt.Printf("%-58s %-34s %-16s %s\n", "measure", "value", "target", "")
	plugin := func() {
		if *cli == "" {
			fail(fmt.Errorf("-heroku-cli (or HEROKU_CHECKUP_HEROKU_CLI) is needed for the plugin's rows"))
		}
		if err := pluginBench(*bin, *cli, add); err != nil {
			fail(err)
		}
	}
	if *pluginOnly {
		plugin()
		return
	}
	if *timelineOnly {
		logFile := filepath.Join(filepath.Dir(*bin), "router.log")
		if err := ensureLog(logFile, size); err != nil {
			fail(err)
		}
		timelineCost(*before, *bin, logFile, size, add)
		return
	}

	cp, parts := criticalPath()
	var report50 []byte
	for _, sc := range []struct {
		apps, domains int
	}{{1, 20}, {50, 5}} {
		wall, dur, js := diagnose(*bin, sc.apps, sc.domains, *runs)
		if sc.apps == 50 {
			report50 = js
		}
		name := fmt.Sprintf("diagnose, %d app(s) x %d domains (wall / run)", sc.apps, sc.domains)
		if sc.apps == 1 {
			ratio := float64(dur) / float64(cp)
			add(row{name, fmt.Sprintf("%s / %s", ms(wall), ms(dur)), "", ""})
			add(row{"  critical path (logs = API+LOG; see bench/README.md)", ms(cp), "", ""})
			add(row{"  run / critical path", fmt.Sprintf("%.2f (wall %.2f)", ratio, float64(wall)/float64(cp)), "<= 1.3", verdict(ratio <= 1.3)})
		} else {
			waves := int(math.Ceil(float64(sc.apps) / appLimit))
			bound := time.Duration(waves) * cp
			add(row{name, fmt.Sprintf("%s / %s", ms(wall), ms(dur)), "", ""})
			add(row{fmt.Sprintf("  bound: ceil(%d/%d apps at once) x critical path", sc.apps, appLimit), ms(bound), "", ""})
			ratio := float64(dur) / float64(bound)
			add(row{"  run / bound", fmt.Sprintf("%.2f", ratio), "<= 1.3", verdict(ratio <= 1.3)})
		}
	}

	dir := filepath.Dir(*bin)
	logFile := filepath.Join(dir, "router.log")
	if err := ensureLog(logFile, size); err != nil {
		fail(err)
	}
	mb := float64(size) / (1 << 20)
	// Medians of five rounds, each running the three in turn: a noisy
	// neighbour on a shared machine slows all three alike, not one.
	var fileT, pipeT, awkT time.Duration
	var fileRSS, pipeRSS, awkRSS int64
	var fileStats, awkStats logStats
	{
		var fd, pd, ad []time.Duration
		for range 5 {
			d, r, st := logsCheck(*bin, logFile, false)
			fd, fileRSS, fileStats = append(fd, d), max(fileRSS, r), st
			d, r, _ = logsCheck(*bin, logFile, true)
			pd, pipeRSS = append(pd, d), max(pipeRSS, r)
			d, r, st = awk(logFile)
			ad, awkRSS, awkStats = append(ad, d), max(awkRSS, r), st
		}
		fileT, pipeT, awkT = median(fd), median(pd), median(ad)
	}
	add(row{fmt.Sprintf("logs-check --logs-file (%.0f MiB)", mb), fmt.Sprintf("%s, %.0f MiB/s, peak RSS %d MiB", ms(fileT), mb/fileT.Seconds(), fileRSS>>10), "RSS < 64 MiB", verdict(fileRSS < 64<<10)})
	add(row{"cat FILE | logs-check --logs-file -", fmt.Sprintf("%s, %.0f MiB/s, peak RSS %d MiB", ms(pipeT), mb/pipeT.Seconds(), pipeRSS>>10), "RSS < 64 MiB", verdict(pipeRSS < 64<<10)})
	add(row{"awk one-liner (status counts, mean service; mawk)", fmt.Sprintf("%s, %.0f MiB/s, peak RSS %d MiB", ms(awkT), mb/awkT.Seconds(), awkRSS>>10), "", ""})
	add(row{"  awk / logs-check (file)", fmt.Sprintf("%.1fx", awkT.Seconds()/fileT.Seconds()), ">= 3x", verdict(awkT.Seconds()/fileT.Seconds() >= 3)})
	add(row{"  awk / logs-check (stdin)", fmt.Sprintf("%.1fx", awkT.Seconds()/pipeT.Seconds()), ">= 3x", verdict(awkT.Seconds()/pipeT.Seconds() >= 3)})
	same := sameStats(fileStats, awkStats)
	add(row{"  same status counts and mean service time as awk", fmt.Sprint(same), "true", verdict(same)})
	if *before != "" {
		timelineCost(*before, *bin, logFile, size, add)
	}
	distinct := filepath.Join(dir, "distinct.log")
	if err := ensureDistinct(distinct, distinctKeys); err != nil {
		fail(err)
	}
	dT, dRSS, dReport := distinctRun(*bin, distinct)
	add(row{fmt.Sprintf("logs-check, %d distinct codes, dynos, paths, ids (%.0f MiB)", distinctKeys, float64(fileSize(distinct))/(1<<20)),
		fmt.Sprintf("%s, peak RSS %d MiB, report %d KiB", ms(dT), dRSS>>10, dReport>>10), "RSS < 64 MiB", verdict(dRSS < 64<<10)})

	add(row{"heroku-checkup --help (median of 20)", ms(helpTime(*bin)), "", ""})
	for _, f := range []report.Format{report.FormatText, report.FormatJSON, report.FormatMarkdown, report.FormatHTML} {
		d, n := render(report50, f)
		add(row{fmt.Sprintf("render the 50-app report (%d checks) as %s", n, f), ms(d), "", ""})
	}
	plugin()
	if err := writeResults(*out, rows, parts, cp); err != nil {
		fail(err)
	}
	fmt.Println("\nwritten to", *out)
}

// distinctKeys is how many distinct values of each kind the hostile log holds.
const distinctKeys = 300_000

func ensureDistinct(path string, n int) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Printf("(generating %s, %d distinct keys of each kind)\n", path, n)
	_, err = genDistinct(f, n)
	return err
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// distinctRun runs logs-check on the hostile log (median time of three,
// largest RSS) and measures the JSON report it writes.
func distinctRun(bin, file string) (time.Duration, int64, int64) {
	var ds []time.Duration
	var rss, size int64
	for range 3 {
		cmd := exec.Command(bin, "logs-check", "--logs-file", file, "--format", "json", "--fail-on", "never")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fail(err)
		}
		ds = append(ds, time.Since(start))
		rss = max(rss, maxRSS(cmd.ProcessState))
		size = int64(out.Len())
	}
	return median(ds), rss, size
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func ms(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"GB", 1e9}, {"MB", 1e6}, {"KiB", 1 << 10}, {"B", 1}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, fmt.Errorf("-log-size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	return 0, fmt.Errorf("-log-size %q: use a unit (MiB, GiB)", s)
}

// diagnose runs the sandbox scenario runs times; the median wall time and
// the median duration the report gives, and the last report.
func diagnose(bin string, apps, domains, runs int) (time.Duration, time.Duration, []byte) {
	var walls, durs []time.Duration
	var last []byte
	for range runs {
		cmd := exec.Command(bin, "diagnose", "--demo", "--demo-generated", "--demo-apps", strconv.Itoa(apps), "--demo-domains", strconv.Itoa(domains),
			"--demo-latency", fmt.Sprintf("api=%s,dns=%s,tls=%s,logs=%s", apiLatency, dnsLatency, tlsLatency, logLatency), "--format", "json", "--fail-on", "never")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fail(fmt.Errorf("diagnose: %v: %s", err, errOut.String()))
		}
		walls = append(walls, time.Since(start))
		var r struct {
			DurationMS int64          `json:"duration_ms"`
			Summary    map[string]int `json:"summary"`
		}
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			fail(err)
		}
		if r.Summary["unknown"] > 0 {
			fail(fmt.Errorf("diagnose of %d apps had %d unknown checks: the sandbox could not keep up", apps, r.Summary["unknown"]))
		}
		durs = append(durs, time.Duration(r.DurationMS)*time.Millisecond)
		last = out.Bytes()
	}
	return median(walls), median(durs), last
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// lineStep is the time between two lines of the generated log: 1 GiB of
// it is a day of traffic.
const lineStep = 20 * time.Millisecond

// ensureLog generates the log once per size (the generator is seeded: the
// same size gives the same bytes), a line every step.
func ensureLog(path string, size int64) error { return ensureLogStep(path, size, lineStep) }

func ensureLogStep(path string, size int64, step time.Duration) error {
	if st, err := os.Stat(path); err == nil && st.Size() >= size && st.Size() < size+4096 {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Printf("(generating %s, %d MiB)\n", path, size>>20)
	_, err = genLogs(f, size, step)
	return err
}

type logStats struct {
	status map[string]int64
	mean   float64
}

func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // KiB on Linux
	}
	return 0
}

// logsCheck runs logs-check on the file, or on its stdin through a pipe
// from cat, as users pipe logs in (cat, zcat, heroku logs).
func logsCheck(bin, file string, stdin bool) (time.Duration, int64, logStats) {
	var cmd *exec.Cmd
	if stdin {
		cmd = exec.Command("sh", "-c", `cat "$1" | "$2" logs-check --logs-file - --format json --fail-on never`, "sh", file, bin)
	} else {
		cmd = exec.Command(bin, "logs-check", "--logs-file", file, "--format", "json", "--fail-on", "never")
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(err)
	}
	// For the shell, wait4's rusage covers its children: the peak RSS is
	// the larger of cat's and heroku-checkup's.
	return time.Since(start), maxRSS(cmd.ProcessState), parseOurs(out.Bytes())
}

func parseOurs(b []byte) logStats {
	var r struct {
		Checks []struct {
			Check string         `json:"check"`
			Data  map[string]any `json:"data"`
		} `json:"checks"`
	}
	json.Unmarshal(b, &r)
	st := logStats{status: map[string]int64{}}
	for _, c := range r.Checks {
		if c.Check != "logs.router" {
			continue
		}
		if sc, ok := c.Data["status_counts"].(map[string]any); ok {
			for k, v := range sc {
				st.status[k] = int64(v.(float64))
			}
		}
		if sv, ok := c.Data["service_ms"].(map[string]any); ok {
			st.mean = sv["mean"].(float64)
		}
	}
	return st
}

// awkProgram is the kind of one-liner Heroku users write over router lines.
const awkProgram = `/heroku\[router\]/ { for (i = 1; i <= NF; i++) { if ($i ~ /^status=/) { split($i, a, "="); c[a[2]]++ } else if ($i ~ /^service=/) { split($i, b, "="); s += b[2]; n++ } } } END { for (k in c) print k, c[k]; printf "mean %.3f\n", s / n }`

func awk(file string) (time.Duration, int64, logStats) {
	cmd := exec.Command("awk", awkProgram, file)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("awk: %v", err))
	}
	took := time.Since(start)
	st := logStats{status: map[string]int64{}}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		if f[0] == "mean" {
			st.mean, _ = strconv.ParseFloat(f[1], 64)
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		st.status[f[0]] = n
	}
	return took, maxRSS(cmd.ProcessState), st
}

// sameStats: the counts are exact; heroku-checkup rounds the mean to a ms.
func sameStats(a, b logStats) bool {
	if len(a.status) == 0 || len(a.status) != len(b.status) {
		return false
	}
	for k, v := range a.status {
		if b.status[k] != v {
			return false
		}
	}
	return math.Abs(a.mean-b.mean) <= 0.5
}

func helpTime(bin string) time.Duration {
	var ds []time.Duration
	for range 20 {
		start := time.Now()
		if err := exec.Command(bin, "--help").Run(); err != nil {
			fail(err)
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds)
}

// render times re-rendering the 50-app report in one format (median of 5).
func render(js []byte, f report.Format) (time.Duration, int) {
	r, err := report.DecodeJSON(bytes.NewReader(js))
	if err != nil {
		fail(err)
	}
	var ds []time.Duration
	for range 5 {
		start := time.Now()
		if err := report.Render(io.Discard, r, report.RenderOptions{Format: f, Redactor: report.NewRedactor()}); err != nil {
			fail(err)
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), len(r.Checks)
}

func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				cpu = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	ver, _ := exec.CommandContext(context.Background(), "go", "version").Output()
	return fmt.Sprintf("%d CPUs (%s), %s", runtime.NumCPU(), cpu, strings.TrimSpace(string(ver)))
}

func writeResults(path string, rows []row, parts map[string]time.Duration, cp time.Duration) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmark results\n\nWritten by `./bench/run` on %s, %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), machine())
	fmt.Fprintf(&b, "Injected latencies: API %s per request, DNS %s per query, TLS %s per handshake, log session %s before its first byte.\n",
		apiLatency, dnsLatency, tlsLatency, logLatency)
	names := make([]string, 0, len(parts))
	for k := range parts {
		names = append(names, k)
	}
	slices.Sort(names)
	var ps []string
	for _, k := range names {
		ps = append(ps, fmt.Sprintf("%s %s", k, ms(parts[k])))
	}
	fmt.Fprintf(&b, "Critical path of one app: %s (the longest of %s; see bench/README.md).\n\n", ms(cp), strings.Join(ps, ", "))
	b.WriteString("| measure | value | target | |\n|---|---|---|---|\n")
	for _, r := range rows {
		cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(strings.TrimSpace(r.name)), cell(r.value), cell(r.target), r.verdict)
	}
	b.WriteString("\n`wall` is the whole process (start-up and the sandbox's own set-up included); `run` is the report's `duration_ms`, from the first request to the last finding.\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// timelineRuns is how many runs of each build the timeline's cost is the
// median of: before and after alternate, so a noisy neighbour on a shared
// 2-CPU machine slows both alike.
const timelineRuns = 9

// cpuRun runs logs-check on file: the CPU time it took (user and system:
// what a neighbour's load changes least), its wall time and peak RSS.
func cpuRun(bin, file string) (cpu, wall time.Duration, rss int64) {
	cmd := exec.Command(bin, "logs-check", "--logs-file", file, "--format", "json", "--fail-on", "never")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fail(err)
	}
	ps := cmd.ProcessState
	return ps.UserTime() + ps.SystemTime(), time.Since(start), maxRSS(ps)
}

// timelineCost measures what the log timeline (issue 17) costs logs-check:
// the build before it against this one on the same file, runs
// interleaved, medians of CPU time and of wall time compared; and the peak
// RSS of both builds on logs of 10 MiB, 100 MiB and the big one, all of
// the same day (the smaller ones at a lower rate): the timeline's own
// memory is fixed (at most 360 buckets, which a day of minutes fills), so
// this build's RSS must grow with the log's size no more than the old
// one's does.
func timelineCost(before, after, logFile string, size int64, add func(row)) {
	var cb, ca, wb, wa []time.Duration
	for range timelineRuns {
		c, w, _ := cpuRun(before, logFile)
		cb, wb = append(cb, c), append(wb, w)
		c, w, _ = cpuRun(after, logFile)
		ca, wa = append(ca, c), append(wa, w)
	}
	mb := float64(size) / (1 << 20)
	cost := func(b, a time.Duration) float64 { return 100 * (a.Seconds()/b.Seconds() - 1) }
	add(row{fmt.Sprintf("logs-check before / with the timeline (%.0f MiB, medians of %d interleaved runs)", mb, timelineRuns),
		fmt.Sprintf("CPU %s / %s; wall %s / %s (%.0f / %.0f MiB/s)", ms(median(cb)), ms(median(ca)), ms(median(wb)), ms(median(wa)),
			mb/median(wb).Seconds(), mb/median(wa).Seconds()), "", ""})
	cpuCost := cost(median(cb), median(ca))
	add(row{"  what the timeline costs", fmt.Sprintf("%+.1f%% CPU time (%+.1f%% wall)", cpuCost, cost(median(wb), median(wa))), "<= +10% CPU", verdict(cpuCost <= 10)})
	var sizes []string
	var rb, ra []int64
	for _, s := range []int64{10 << 20, 100 << 20, size} {
		path := logFile
		if s != size {
			// The same span of time as the big log, at a lower rate: every
			// log fills the timeline's buckets alike, so what grows is
			// what grows with the log's size.
			path = filepath.Join(filepath.Dir(logFile), fmt.Sprintf("router-%dMiB-sameday.log", s>>20))
			if err := ensureLogStep(path, s, lineStep*time.Duration(size/s)); err != nil {
				fail(err)
			}
		}
		var b, a int64
		for range 3 {
			_, _, r := cpuRun(before, path)
			b = max(b, r)
			_, _, r = cpuRun(after, path)
			a = max(a, r)
		}
		rb, ra = append(rb, b), append(ra, a)
		sizes = append(sizes, fmt.Sprintf("%d MiB: %d / %d", s>>20, b>>10, a>>10))
	}
	extra := (ra[len(ra)-1] - ra[0]) - (rb[len(rb)-1] - rb[0])
	add(row{"  peak RSS before / with the timeline (MiB), by log size", strings.Join(sizes, "; "), "", ""})
	add(row{"  RSS growth from 10 MiB to the big log that the timeline adds", fmt.Sprintf("%+d MiB", extra>>10), "<= +2 MiB", verdict(extra <= 2<<10)})
}
