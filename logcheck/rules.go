package logcheck

import (
	"fmt"
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
}

// DefaultThresholds are the values documented above.
var DefaultThresholds = Thresholds{MinRequests: 20, SlowP95Warn: 1000, SlowP95Crit: 5000, ConnectP95Warn: 100, ConnectP95Crit: 1000,
	ErrorRateWarn: 0.01, ErrorRateCrit: 0.05, MemoryWarn: 0.9, MemoryCrit: 1.0, SwapWarnMB: 5, CodeShareCritical: 0.05,
	RestartsWarn: 3, CrashesCrit: 5}

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
	reqs := s.Requests()
	window := func() string {
		if s.First.IsZero() {
			return ""
		}
		return fmt.Sprintf(" between %s and %s", s.First.UTC().Format("2006-01-02 15:04"), s.Last.UTC().Format("15:04 UTC"))
	}

	if s.Truncated {
		out = append(out, codes.Timeout.Raise(app, report.Finding{Check: "logs.session", Subject: "log session",
			Summary: fmt.Sprintf("the log session did not end before the deadline; %d lines received were analysed", s.Lines)}))
	}
	if s.Lines == 0 {
		out = append(out, codes.LogsEmpty.Raise(app, report.Finding{Check: "logs.session", Subject: "logs",
			Summary: "no log line to analyse"}))
		return out
	}

	// Heroku error codes.
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
			when = fmt.Sprintf(", first %s, last %s", c.First.UTC().Format("15:04:05"), c.Last.UTC().Format("15:04:05 UTC"))
		}
		data := map[string]any{"count": c.Count, "dynos": orEmpty(c.Dynos), "description": desc}
		if !c.First.IsZero() {
			data["first"] = c.First.UTC().Format(time.RFC3339)
			data["last"] = c.Last.UTC().Format(time.RFC3339)
		}
		out = append(out, entry.Raise(app, report.Finding{Check: "logs.codes", Subject: c.Code, Status: status,
			Summary: fmt.Sprintf("%s: %s%s%s%s", title, times(c.Count), share, dynos, when), Data: data}))
	}
	if len(s.Codes) == 0 {
		out = append(out, report.Finding{Check: "logs.codes", Subject: "error codes", Status: report.StatusOK,
			Summary: fmt.Sprintf("no H, R or L error code in %d lines%s", s.Lines, window())})
	}

	// The router: latency, queueing, errors.
	if reqs > 0 {
		out = append(out, routerRules(s, appName, th)...)
	}

	// Runtime metrics: memory and swap per dyno.
	out = append(out, memoryRules(s, appName, th)...)
	out = append(out, restartRules(s, appName, th)...)
	return out
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
	data := map[string]any{"requests": reqs, "status_counts": statusCounts(s), "service_ms": percentiles(&s.Service),
		"connect_ms": percentiles(&s.Connect), "slowest_paths": slowest, "lines": s.Lines, "malformed_lines": s.Malformed,
		"path_overflow": s.PathOverflow}
	if !s.First.IsZero() {
		data["window"] = map[string]any{"first": s.First.UTC().Format(time.RFC3339), "last": s.Last.UTC().Format(time.RFC3339)}
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
	if p95 >= th.SlowP95Warn {
		st := report.StatusWarning
		if p95 >= th.SlowP95Crit {
			st = report.StatusCritical
		}
		out = append(out, codes.SlowRequests.Raise(app, report.Finding{Check: "logs.router", Subject: "router", Status: st, Data: data,
			Summary: fmt.Sprintf("router service time p95 is %d ms (p50 %d, max %d)%s", p95, s.Service.Quantile(0.5), s.Service.Max(), slowText)}))
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
			Summary: fmt.Sprintf("%d requests: p95 service %d ms, p95 connect %d ms, %.1f%% 5xx", reqs, p95, cp95, 100*rate)})
	}
	return out
}

func memoryRules(s *Stats, app string, th Thresholds) []report.Finding {
	if len(s.Dynos) == 0 {
		return []report.Finding{{Check: "logs.memory", Subject: "runtime metrics", Status: report.StatusSkipped,
			Summary: fmt.Sprintf("no runtime metrics in the logs: heroku labs:enable log-runtime-metrics -a %s shows memory and swap", app)}}
	}
	names := make([]string, 0, len(s.Dynos))
	for n := range s.Dynos {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []report.Finding
	for _, n := range names {
		m := s.Dynos[n]
		data := map[string]any{"samples": m.Samples, "max_memory_total_mb": m.MaxTotal, "max_memory_rss_mb": m.MaxRSS,
			"max_memory_swap_mb": m.MaxSwap, "memory_quota_mb": m.Quota, "max_load_avg_1m": m.MaxLoad}
		problem := false
		if m.Quota > 0 {
			share := m.MaxTotal / m.Quota
			data["max_share_of_quota"] = share
			if share >= th.MemoryWarn {
				st := report.StatusWarning
				if share >= th.MemoryCrit {
					st = report.StatusCritical
				}
				out = append(out, codes.MemoryNearQuota.Raise(app, report.Finding{Check: "logs.memory", Subject: n, Status: st, Data: data,
					Summary: fmt.Sprintf("%s used up to %.0f MB of its %.0f MB quota (%.0f%%)", n, m.MaxTotal, m.Quota, 100*share),
					Remedy:  fmt.Sprintf("Lower concurrency (WEB_CONCURRENCY), fix the leak, or use larger dynos: heroku ps:type %s=standard-2x -a %s", dynoType(n), app)}))
				problem = true
			}
		}
		if m.MaxSwap > 0.5 {
			st := report.StatusInfo
			if m.MaxSwap >= th.SwapWarnMB {
				st = report.StatusWarning
			}
			if m.Quota > 0 && m.MaxSwap >= 0.1*m.Quota {
				st = report.StatusCritical
			}
			out = append(out, codes.MemorySwap.Raise(app, report.Finding{Check: "logs.memory", Subject: n, Status: st, Data: data,
				Summary: fmt.Sprintf("%s swapped up to %.0f MB: requests slow down while memory pages to disk", n, m.MaxSwap),
				Remedy:  fmt.Sprintf("Reduce memory per dyno or move to larger dynos: heroku ps:type %s=standard-2x -a %s", dynoType(n), app)}))
			problem = true
		}
		if !problem {
			summary := fmt.Sprintf("%s peaked at %.0f MB", n, m.MaxTotal)
			if m.Quota > 0 {
				summary += fmt.Sprintf(" of its %.0f MB quota (%.0f%%), no swap", m.Quota, 100*m.MaxTotal/m.Quota)
			}
			out = append(out, report.Finding{Check: "logs.memory", Subject: n, Status: report.StatusOK, Summary: summary, Data: data})
		}
	}
	for i := range out {
		out[i].Key = report.DynoKey(out[i].Subject) // scheduler.4821 today is scheduler.7310 tomorrow
	}
	return out
}

func dynoType(dyno string) string {
	if i := strings.IndexByte(dyno, '.'); i > 0 {
		return dyno[:i]
	}
	return dyno
}

func restartRules(s *Stats, app string, th Thresholds) []report.Finding {
	names := make([]string, 0, len(s.States))
	for n := range s.States {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []report.Finding
	for _, n := range names {
		st := s.States[n]
		if st.Crashed < 2 && st.Starting < th.RestartsWarn {
			continue
		}
		status := report.StatusWarning
		if st.Crashed >= th.CrashesCrit {
			status = report.StatusCritical
		}
		out = append(out, codes.DynoRestarting.Raise(app, report.Finding{Check: "platform.restarts", Subject: n, Status: status,
			Summary: fmt.Sprintf("%s is flapping: %d crashes and %d restarts in the logs", n, st.Crashed, st.Starting),
			Data:    map[string]any{"crashed": st.Crashed, "starting": st.Starting, "exits": st.Exits}}))
	}
	for i := range out {
		out[i].Key = report.DynoKey(out[i].Subject)
	}
	return out
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
