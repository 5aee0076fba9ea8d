package logcheck

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Thresholds of the log rules.
type Thresholds struct {
	MinRequests       uint64  // below this, rates and percentiles say nothing (20)
	SlowP95Warn       uint32  // ms (1000)
	SlowP95Crit       uint32  // ms (5000)
	ConnectP95Warn    uint32  // ms (100)
	ConnectP95Crit    uint32  // ms (1000)
	ErrorRateWarn     float64 // share of 5xx (0.01)
	ErrorRateCrit     float64 // (0.05)
	MemoryWarn        float64 // share of quota (0.9)
	MemoryCrit        float64 // (1.0)
	SwapWarnMB        float64 // (5)
	CodeShareCritical float64 // a warning code on this share of requests is critical (0.05)
	RestartsWarn      int     // crashes or restarts of one dyno in the window (3)
	CrashesCrit       int     // (5)
	// Heroku Postgres metrics lines get pg-health's lines: cache hit rates
	// under 99% warn and under 95% are critical.
	PGHitWarn, PGHitCrit float64

	// DEPLOY_REGRESSION compares up to ReleaseWindow of router lines on each
	// side of a release (at least ReleaseMinBuckets buckets, and
	// ReleaseMinRequests requests, on each side; 60 min, 3, 200). A rate
	// (5xx, H errors) regressed when a one-sided two-proportion z-test
	// reaches RegressionZ (3.29: p < 0.0005), the rate is RegressionRatio
	// times what it was (2) and RegressionRateFloor higher (1 percentage
	// point); critical when RegressionRateCrit higher (5 points). p95
	// regressed when it is P95Ratio times what it was (1.5) and P95FloorMS
	// more (250), and the share of requests slower than the p95 before rose
	// by the same test; critical at P95CritRatio (3) and P95CritFloorMS
	// (1000) more. Every rise must hold without the worst bucket after it.
	ReleaseWindow                           time.Duration
	ReleaseMinBuckets                       int
	ReleaseMinRequests                      uint64
	RegressionZ, RegressionRatio            float64
	RegressionRateFloor, RegressionRateCrit float64
	P95Ratio, P95CritRatio                  float64
	P95FloorMS, P95CritFloorMS              uint32
}

// DefaultThresholds are the values documented above.
var DefaultThresholds = Thresholds{MinRequests: 20, SlowP95Warn: 1000, SlowP95Crit: 5000, ConnectP95Warn: 100, ConnectP95Crit: 1000,
	ErrorRateWarn: 0.01, ErrorRateCrit: 0.05, MemoryWarn: 0.9, MemoryCrit: 1.0, SwapWarnMB: 5, CodeShareCritical: 0.05,
	RestartsWarn: 3, CrashesCrit: 5, PGHitWarn: 0.99, PGHitCrit: 0.95,
	ReleaseWindow: time.Hour, ReleaseMinBuckets: 3, ReleaseMinRequests: 200, RegressionZ: 3.29, RegressionRatio: 2,
	RegressionRateFloor: 0.01, RegressionRateCrit: 0.05, P95Ratio: 1.5, P95CritRatio: 3, P95FloorMS: 250, P95CritFloorMS: 1000}

// codeTitle is what the report calls a Heroku error code: Heroku's own name
// from the catalogue, or, for a code the catalogue does not list, what the
// log line said.
func codeTitle(c *CodeStat) string {
	entry := codes.Heroku(c.Code)
	if entry.Generic && c.Desc != "" {
		return c.Desc
	}
	return entry.Title
}

// Judge turns log statistics into findings. Pure.
func Judge(s *Stats, app string, th Thresholds) []report.Finding {
	var out []report.Finding
	appName := app
	if appName == "" {
		appName = "APP"
	}
	if s.Truncated && !s.Live {
		out = append(out, codes.Timeout.Raise(app, report.Finding{Check: "logs.session", Subject: "log session",
			Summary: fmt.Sprintf("the log session did not end before the deadline; %d lines received were analysed", s.Lines)}))
	}
	if s.Lines == 0 {
		summary := "no log line to analyse"
		if s.Live {
			summary = fmt.Sprintf("no log line arrived in the %s the live log session was read (Fir apps keep no log history)", roundDur(s.LiveFor))
		}
		if s.ReadError != "" {
			summary += "; " + s.ReadError
		}
		out = append(out, codes.LogsEmpty.Raise(app, report.Finding{Check: "logs.session", Subject: "logs", Summary: summary}))
		return out
	}
	out = append(out, inputRule(s, app))
	if s.Understood() == 0 {
		return out
	}
	out = append(out, codeRules(s, app, th)...)
	if s.Requests() > 0 {
		out = append(out, routerRules(s, appName, th)...)
	}
	out = append(out, memoryRules(s, appName, th)...)
	out = append(out, restartRules(s, appName, th)...)
	out = append(out, addonRules(s, app, th)...)
	out = append(out, releaseRules(s, app, th)...)
	return out
}

// inputRule says what was read and what was not: every run, whatever the
// input. A file of which nothing was understood is not healthy: nothing
// was analysed.
func inputRule(s *Stats, app string) report.Finding {
	unread, understood := s.UnreadLines(), s.Understood()
	reasons := map[string]any{}
	var why []string
	for r, n := range s.Unread {
		if n > 0 {
			reasons[Reason(r).String()] = n
			why = append(why, fmt.Sprintf("%d %s", n, Reason(r)))
		}
	}
	formats := map[string]any{}
	var forms []string
	for f, n := range s.Formats {
		if n > 0 {
			formats[Format(f).String()] = n
			forms = append(forms, fmt.Sprintf("%s %d", Format(f), n))
		}
	}
	data := map[string]any{"lines": s.Lines, "understood": understood, "not_understood": unread, "reasons": reasons,
		"samples": orEmpty(s.UnreadSamples), "formats": formats, "router_lines": s.RouterLines,
		"router_lines_read_in_part": s.RouterPartial, "runtime_samples": s.RuntimeLines, "platform_lines": s.PlatformLines,
		"app_lines": s.AppLines}
	dropped := map[string]any{}
	for name, n := range map[string]int{"codes": s.CodesDropped, "dynos": s.DynosDropped + s.StatesDrop, "paths": s.PathOverflow,
		"addons": s.AddonsDrop, "timeouts": s.Timeouts.Dropped} {
		if n > 0 {
			dropped[name] = n
		}
	}
	if len(dropped) > 0 {
		data["dropped"] = dropped
	}
	if s.ReadError != "" {
		data["read_error"] = s.ReadError
	}
	if len(s.Notes) > 0 {
		data["notes"] = s.Notes
	}
	if s.Live {
		data["live_seconds"] = s.LiveFor.Seconds()
	}
	if s.FirLines > 0 || s.Fir {
		data["fir_lines"] = s.FirLines
		data["fir"] = true
	}
	extra := ""
	if s.RouterPartial > 0 {
		extra += fmt.Sprintf("; %d router lines read in part (a bad value; their code, status and dyno kept)", s.RouterPartial)
	}
	if len(dropped) > 0 {
		extra += "; tables capped (" + joinCounts(dropped) + " beyond the caps counted, not kept)"
	}
	for _, n := range s.Notes {
		extra += "; " + n
	}
	if s.ReadError != "" {
		extra += "; " + s.ReadError + ": the lines before it were analysed"
	}
	if s.Live {
		extra = fmt.Sprintf("; a %s live tail: Fir apps keep no log history", roundDur(s.LiveFor)) + extra
	}
	form := " (" + strings.Join(forms, ", ") + ")"
	f := report.Finding{Check: "logs.input", Subject: "logs", Data: data}
	switch {
	case understood == 0:
		f.Status = report.StatusUnknown
		f.Summary = fmt.Sprintf("none of the %s could be read: %s%s", nLines(s.Lines), strings.Join(why, ", "), extra)
		return codes.LogsUnreadable.Raise(app, f)
	case unread*2 > s.Lines:
		f.Summary = fmt.Sprintf("%d of %d lines were not understood (%s): the analysis covers the other %d%s", unread, s.Lines, strings.Join(why, ", "), understood, extra)
		return codes.LogsUnreadable.Raise(app, f)
	case s.ReadError != "":
		f.Summary = fmt.Sprintf("%s read%s%s", nLines(s.Lines), form, extra)
		return codes.LogsTruncated.Raise(app, f)
	}
	f.Status = report.StatusOK
	if unread == 0 {
		f.Summary = fmt.Sprintf("%s read%s, all understood%s", nLines(s.Lines), form, extra)
	} else {
		f.Summary = fmt.Sprintf("%s read%s, %d not understood (%s)%s", nLines(s.Lines), form, unread, strings.Join(why, ", "), extra)
	}
	return f
}

func nLines(n int) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}

func joinCounts(m map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%v %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func roundDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "short time"
	case d < time.Second:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// firCaveat is what zero codes mean on Fir: not health.
const firCaveat = "; on Fir, Heroku does not emit every error code and restart event yet (Dev Center: dyno-restarts), so no code is no evidence of health"

// codeRules gives one finding per Heroku error code seen.
func codeRules(s *Stats, app string, th Thresholds) []report.Finding {
	var out []report.Finding
	reqs := uint64(s.RouterLines)
	for _, c := range s.CodesSorted() {
		entry := codes.Heroku(c.Code)
		status := entry.Status
		title := codeTitle(c)
		desc := c.Desc
		if desc == "" {
			desc = title
		}
		share := ""
		if c.Code[0] == 'H' && reqs > 0 {
			frac := float64(c.Count) / float64(reqs)
			share = fmt.Sprintf(" (%.1f%% of %d requests)", 100*frac, reqs)
			if status == report.StatusWarning && frac >= th.CodeShareCritical && reqs >= th.MinRequests {
				status = report.StatusCritical
			}
		}
		dynos := ""
		if len(c.Dynos) > 0 {
			ds := append([]string(nil), c.Dynos...)
			sort.Strings(ds)
			dynos = " on " + strings.Join(ds, ", ")
		}
		when := ""
		if !c.First.IsZero() {
			first, last := span(c.First, c.Last)
			when = fmt.Sprintf(", first %s, last %s", first, last)
		}
		data := map[string]any{"count": c.Count, "dynos": orEmpty(c.Dynos), "description": desc}
		if !c.First.IsZero() {
			data["first"], data["last"] = evidenceTime(c.First), evidenceTime(c.Last)
		}
		f := report.Finding{Check: "logs.codes", Subject: c.Code, Status: status,
			Summary: fmt.Sprintf("%s: %s%s%s%s", title, times(c.Count), share, dynos, when), Data: data}
		if c.Code == "H12" || c.Code == "H13" {
			appTimeouts(s, c.Code, &f, app)
		}
		out = append(out, entry.Raise(app, f))
	}
	if len(s.Codes) == 0 {
		summary := fmt.Sprintf("no H, R or L error code in %d lines%s", s.Understood(), window(s))
		data := map[string]any{"lines": s.Understood()}
		if s.Fir || s.FirLines > 0 {
			summary += firCaveat
			data["fir"] = true
		}
		out = append(out, report.Finding{Check: "logs.codes", Subject: "error codes", Status: report.StatusOK, Summary: summary, Data: data})
	}
	return out
}

// appTimeouts puts the app's own timeouts next to the router's H12s and
// H13s: rack-timeout's by request id, the app servers' worker timeouts by
// dyno and time.
func appTimeouts(s *Stats, code string, f *report.Finding, app string) {
	x := &s.Timeouts
	var ids, timedOut, ranOn int
	var ranMax uint32
	var events []RouterTimeout
	for _, r := range x.Router {
		if r.Code != code {
			continue
		}
		events = append(events, r)
		if r.ID == "" {
			continue
		}
		ids++
		if rt, ok := x.Rack[r.ID]; ok {
			switch rt.State {
			case "timed_out", "expired":
				timedOut++
			case "completed":
				ranOn++
				ranMax = max(ranMax, rt.ServiceMS)
			}
		}
	}
	workers := map[string]int{}
	for _, w := range x.Workers {
		for _, r := range events {
			if w.Dyno == r.Dyno && !w.At.IsZero() && !r.At.IsZero() && absDur(w.At.Sub(r.At)) <= 5*time.Second {
				workers[w.Server]++
				break
			}
		}
	}
	if x.RackLines == 0 && len(workers) == 0 {
		return
	}
	ev := map[string]any{}
	var said []string
	if x.RackLines > 0 {
		ev["rack_timeout"] = map[string]any{"timeout_ms": x.RackTimeoutMS, "timed_out": timedOut, "completed_after_router": ranOn,
			"completed_after_router_max_ms": ranMax, "requests_with_ids": ids}
		switch {
		case ranOn > 0:
			said = append(said, fmt.Sprintf("rack-timeout saw %d of them run on after the router gave up (up to %s)", ranOn, msText(ranMax)))
			f.Remedy = fmt.Sprintf("rack-timeout (timeout %s) did not stop these requests: the app kept working after the router's 30 s, so the time was spent where Ruby cannot interrupt it (a blocking call, a long query: set statement_timeout, timeouts on HTTP clients); heroku logs -a %s",
				msText(x.RackTimeoutMS), orAPP(app))
		case timedOut > 0:
			said = append(said, fmt.Sprintf("rack-timeout timed out %d of them in the app", timedOut))
		case x.RackTimeoutMS >= routerTimeoutMS:
			said = append(said, fmt.Sprintf("rack-timeout's timeout (%s) is not shorter than the router's 30 s", msText(x.RackTimeoutMS)))
			f.Remedy = fmt.Sprintf("Set rack-timeout's service timeout under the router's 30 s (RACK_TIMEOUT_SERVICE_TIMEOUT=15), so the app gives up first; heroku config:set RACK_TIMEOUT_SERVICE_TIMEOUT=15 -a %s", orAPP(app))
		}
	}
	if len(workers) > 0 {
		ev["worker_timeouts"] = workers
		for _, sv := range slices.Sorted(maps.Keys(workers)) {
			said = append(said, fmt.Sprintf("%s killed a timed-out worker on the same dyno within 5 s of %d of them", sv, workers[sv]))
		}
	}
	f.Data["app_timeouts"] = ev
	if len(said) > 0 {
		f.Summary += "; " + strings.Join(said, "; ")
	}
}

func orAPP(app string) string {
	if app == "" {
		return "APP"
	}
	return app
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func msText(ms uint32) string {
	if ms >= 1000 {
		return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64) + " s"
	}
	return fmt.Sprintf("%d ms", ms)
}

// span formats the first and last times of something: with the date when
// the two fall on different days, Papertrail's viewer times without one.
func span(first, last time.Time) (string, string) {
	first, last = first.UTC(), last.UTC()
	if first.Year() == 0 || last.Year() == 0 {
		return first.Format("Jan 02 15:04:05"), last.Format("Jan 02 15:04:05") + " (Papertrail's time zone)"
	}
	if spansDays(first, last) {
		return first.Format("2006-01-02 15:04:05"), last.Format("2006-01-02 15:04:05 UTC")
	}
	return first.Format("15:04:05"), last.Format("15:04:05 UTC")
}

// window is " between ... and ..." for the whole input, or "".
func window(s *Stats) string {
	if s.First.IsZero() {
		return ""
	}
	first, last := s.First.UTC(), s.Last.UTC()
	switch {
	case first.Year() == 0 || last.Year() == 0:
		return fmt.Sprintf(" between %s and %s (Papertrail's time zone)", first.Format("Jan 02 15:04"), last.Format("Jan 02 15:04"))
	case spansDays(first, last):
		return fmt.Sprintf(" between %s and %s", first.Format("2006-01-02 15:04"), last.Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf(" between %s and %s", first.Format("2006-01-02 15:04"), last.Format("15:04 UTC"))
}

// evidenceTime is a time for the JSON evidence: RFC 3339, or Papertrail's
// viewer time as shown when the year is not known.
func evidenceTime(t time.Time) string {
	if t.Year() == 0 {
		return t.Format("Jan 02 15:04:05")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// percentiles is the evidence shape of a histogram.
func percentiles(h *Histogram) map[string]any {
	return map[string]any{"count": h.Count(), "p50": h.Quantile(0.50), "p95": h.Quantile(0.95), "p99": h.Quantile(0.99),
		"max": h.Max(), "mean": int64(h.Mean() + 0.5)}
}

// SlowestPaths returns the paths with the highest p95 service time.
func (s *Stats) SlowestPaths(n int) []*PathStat {
	out := make([]*PathStat, 0, len(s.Paths))
	for _, p := range s.Paths {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := out[i].Hist.Quantile(0.95), out[j].Hist.Quantile(0.95)
		if pi != pj {
			return pi > pj
		}
		if out[i].Hist.Count() != out[j].Hist.Count() {
			return out[i].Hist.Count() > out[j].Hist.Count()
		}
		return out[i].Method+out[i].Path < out[j].Method+out[j].Path
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func statusCounts(s *Stats) map[string]any {
	m := map[string]any{}
	for st, c := range s.Status {
		if c > 0 {
			m[strconv.Itoa(st)] = c
		}
	}
	return m
}

func routerRules(s *Stats, app string, th Thresholds) []report.Finding {
	reqs := s.Requests()
	var slowest []map[string]any
	for _, p := range s.SlowestPaths(10) {
		slowest = append(slowest, map[string]any{"method": p.Method, "path": p.Path, "count": p.Hist.Count(),
			"mean_ms": int64(p.Hist.Mean() + 0.5), "p95_ms": p.Hist.Quantile(0.95), "max_ms": p.Hist.Max(), "errors_5xx": p.Errors})
	}
	data := map[string]any{"requests": reqs, "router_lines": s.RouterLines, "no_status": s.NoStatus, "status_counts": statusCounts(s),
		"service_ms": percentiles(&s.Service), "connect_ms": percentiles(&s.Connect), "slowest_paths": slowest, "lines": s.Lines,
		"not_understood": s.UnreadLines(), "path_overflow": s.PathOverflow,
		"not_timed": map[string]any{"upgrades_101": s.Upgrades, "upgrade_max_ms": s.UpgradeMaxMS, "client_aborts_h27_499": s.Aborted, "idle_h15_h28": s.Idle}}
	if !s.First.IsZero() {
		data["window"] = map[string]any{"first": evidenceTime(s.First), "last": evidenceTime(s.Last)}
	}
	if reqs < th.MinRequests {
		return []report.Finding{{Check: "logs.router", Subject: "router", Status: report.StatusSkipped, Data: data,
			Summary: fmt.Sprintf("only %d requests in the logs: too few to judge latency and error rates", reqs)}}
	}
	var out []report.Finding
	p95 := s.Service.Quantile(0.95)
	slowText := ""
	if len(slowest) > 0 {
		slowText = fmt.Sprintf("; slowest: %s %s (p95 %d ms)", slowest[0]["method"], slowest[0]["path"], slowest[0]["p95_ms"])
	}
	notTimed := ""
	if n := s.Upgrades + s.Aborted + s.Idle; n > 0 {
		notTimed = fmt.Sprintf("; %d websocket upgrades, client aborts and idle connections not timed", n)
	}
	if p95 >= th.SlowP95Warn && s.Service.Count() >= th.MinRequests {
		st := report.StatusWarning
		if p95 >= th.SlowP95Crit {
			st = report.StatusCritical
		}
		out = append(out, codes.SlowRequests.Raise(app, report.Finding{Check: "logs.router", Subject: "router", Status: st, Data: data,
			Summary: fmt.Sprintf("router service time p95 is %d ms (p50 %d, max %d)%s%s", p95, s.Service.Quantile(0.5), s.Service.Max(), slowText, notTimed)}))
	}
	cp95 := s.Connect.Quantile(0.95)
	if cp95 >= th.ConnectP95Warn && s.Connect.Count() >= th.MinRequests {
		st := report.StatusWarning
		if cp95 >= th.ConnectP95Crit {
			st = report.StatusCritical
		}
		out = append(out, codes.RequestQueueing.Raise(app, report.Finding{Check: "logs.router", Subject: "router", Status: st, Data: data,
			Summary: fmt.Sprintf("the router waits %d ms (p95) to hand requests to a dyno: the dynos are saturated", cp95)}))
	}
	e5 := s.Errors5xx()
	rate := float64(e5) / float64(reqs)
	if rate >= th.ErrorRateWarn {
		st := report.StatusWarning
		if rate >= th.ErrorRateCrit {
			st = report.StatusCritical
		}
		out = append(out, codes.ErrorRate5xx.Raise(app, report.Finding{Check: "logs.router", Subject: "router", Status: st, Data: data,
			Summary: fmt.Sprintf("%.1f%% of requests failed with 5xx (%d of %d)", 100*rate, e5, reqs)}))
	}
	if len(out) == 0 {
		out = append(out, report.Finding{Check: "logs.router", Subject: "router", Status: report.StatusOK, Data: data,
			Summary: fmt.Sprintf("%d requests: p95 service %d ms, p95 connect %d ms, %.1f%% 5xx%s", reqs, p95, cp95, 100*rate, notTimed)})
	}
	return out
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
