package logcheck

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Log codes of CONTRACT.md besides the Heroku error codes themselves.
const (
	CodeSlowRequests    = "SLOW_REQUESTS"
	CodeRequestQueueing = "REQUEST_QUEUEING"
	CodeErrorRate5xx    = "ERROR_RATE_5XX"
	CodeMemorySwap      = "MEMORY_SWAP"
	CodeMemoryNearQuota = "MEMORY_NEAR_QUOTA"
	CodeDynoRestarting  = "DYNO_RESTARTING"
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

type codeInfo struct {
	desc   string
	status report.Status
	remedy string // %s is the app
}

// codes is Heroku's error code list with how much each matters and what
// to do about it (https://devcenter.heroku.com/articles/error-codes).
var codes = map[string]codeInfo{
	"H10": {"App crashed", report.StatusCritical, "Find why the web process exits (heroku logs --dyno web -a %s), fix it, then heroku ps:restart web -a %s"},
	"H11": {"Backlog too deep", report.StatusCritical, "Requests queue faster than dynos serve them: scale out (heroku ps:scale web=+2 -a %s) or make requests faster"},
	"H12": {"Request timeout", report.StatusWarning, "Requests took over 30 s: move slow work to a worker and add an app-side timeout (see the slowest paths; heroku logs -a %s)"},
	"H13": {"Connection closed without response", report.StatusWarning, "The app server closed connections mid-request: check its own timeouts and crashes (heroku logs -a %s)"},
	"H14": {"No web dynos running", report.StatusCritical, "heroku ps:scale web=1 -a %s"},
	"H15": {"Idle connection", report.StatusWarning, "Send data at least every 55 s on long-lived responses (heroku logs -a %s)"},
	"H16": {"Redirect to herokuapp.com", report.StatusInfo, "Serve the custom domain directly (heroku domains -a %s)"},
	"H17": {"Poorly formatted HTTP response", report.StatusWarning, "The app sent an invalid HTTP response: check headers and status lines (heroku logs -a %s)"},
	"H18": {"Server request interrupted", report.StatusWarning, "The app closed the socket before reading the request: check upload handling (heroku logs -a %s)"},
	"H19": {"Backend connection timeout", report.StatusWarning, "The router could not connect to a dyno in 5 s: dynos are saturated; scale out (heroku ps:scale web=+1 -a %s)"},
	"H20": {"App boot timeout", report.StatusCritical, "The web process did not bind to $PORT in time: make it start faster (heroku logs --dyno web -a %s)"},
	"H21": {"Backend connection refused", report.StatusWarning, "A dyno refused the router's connection: is the app listening on $PORT? (heroku logs -a %s)"},
	"H22": {"Connection limit reached", report.StatusWarning, "Too many open connections to the app: scale out (heroku ps:scale web=+1 -a %s)"},
	"H23": {"Endpoint misconfigured", report.StatusWarning, "Check the app's endpoint configuration (heroku logs -a %s)"},
	"H24": {"Forced close", report.StatusWarning, "Connections were forced closed after an hour: stream in shorter responses (heroku logs -a %s)"},
	"H25": {"HTTP restriction", report.StatusWarning, "Requests break HTTP restrictions (header size, method): check clients (heroku logs -a %s)"},
	"H26": {"Request error", report.StatusWarning, "Malformed requests from clients (heroku logs -a %s)"},
	"H27": {"Client request interrupted", report.StatusInfo, "Clients hung up before the response; usually harmless unless frequent (heroku logs -a %s)"},
	"H28": {"Client connection idle", report.StatusWarning, "Clients sent no data for 55 s (heroku logs -a %s)"},
	"H31": {"Misdirected request", report.StatusWarning, "The Host header does not match the SNI name: check DNS and CDN settings (heroku domains -a %s)"},
	"H80": {"Maintenance mode", report.StatusInfo, "heroku maintenance:off -a %s when the maintenance is over"},
	"H81": {"Blank app", report.StatusInfo, "Deploy code to the app (git push heroku main); app %s"},
	"H82": {"Free/eco dyno quota exhausted", report.StatusCritical, "Upgrade the dynos (heroku ps:type web=basic -a %s) or add eco hours"},
	"H83": {"Planned service degradation", report.StatusInfo, "See status.heroku.com; app %s"},
	"H99": {"Platform error", report.StatusCritical, "A Heroku-side error: check status.heroku.com and open a ticket if it persists (app %s)"},
	"R10": {"Boot timeout", report.StatusCritical, "The web process did not bind to $PORT within 60 s: bind earlier in boot (heroku logs --dyno web -a %s)"},
	"R12": {"Exit timeout", report.StatusWarning, "Processes ignored SIGTERM for 30 s: handle it and exit promptly (heroku logs -a %s)"},
	"R13": {"Attach error", report.StatusWarning, "heroku run could not attach: retry (app %s)"},
	"R14": {"Memory quota exceeded", report.StatusWarning, "Dynos swap to disk: fix the leak or lower concurrency, or use larger dynos (heroku ps:type web=standard-2x -a %s)"},
	"R15": {"Memory quota vastly exceeded", report.StatusCritical, "Dynos are killed for memory: lower WEB_CONCURRENCY, fix the leak or use larger dynos (heroku ps:type -a %s)"},
	"R16": {"Detached", report.StatusWarning, "An attached process lost its terminal (app %s)"},
	"R17": {"Checksum error", report.StatusWarning, "The slug download failed its checksum: redeploy (app %s)"},
	"R99": {"Platform error", report.StatusCritical, "A Heroku-side error: check status.heroku.com (app %s)"},
	"L10": {"Drain buffer overflow", report.StatusWarning, "A log drain cannot keep up and lines are dropped: check the drain's endpoint (heroku drains -a %s)"},
	"L11": {"Tail buffer overflow", report.StatusInfo, "heroku logs --tail fell behind; lines were skipped in that session only (app %s)"},
	"L12": {"Local buffer overflow", report.StatusWarning, "The app logs faster than Logplex accepts: log less (app %s)"},
	"L13": {"Local delivery error", report.StatusWarning, "Logs could not reach Logplex (app %s)"},
	"L14": {"Certificate validation error", report.StatusWarning, "A TLS log drain's certificate is invalid (heroku drains -a %s)"},
	"L15": {"Tail buffer temporarily unavailable", report.StatusInfo, "Retry heroku logs --tail (app %s)"},
}

const docsErrorCodes = "https://devcenter.heroku.com/articles/error-codes"

func codeDocs(code, desc string) string {
	slug := strings.ToLower(code + "-" + desc)
	slug = strings.NewReplacer(" ", "-", "/", "-", "(", "", ")", "").Replace(slug)
	return docsErrorCodes + "#" + slug
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
		out = append(out, report.Finding{Check: "logs.session", Category: report.CategoryLogs, Subject: "log session",
			Status: report.StatusUnknown, Code: report.CodeTimeout,
			Summary: fmt.Sprintf("the log session did not end before the deadline; %d lines received were analysed", s.Lines)})
	}
	if s.Lines == 0 {
		out = append(out, report.Finding{Check: "logs.session", Category: report.CategoryLogs, Subject: "logs", Status: report.StatusInfo,
			Summary: "no log line to analyse"})
		return out
	}

	// Heroku error codes.
	for _, c := range s.CodesSorted() {
		info, known := codes[c.Code]
		status := report.StatusWarning
		remedy := fmt.Sprintf("heroku logs -a %s | grep %s", appName, c.Code)
		desc := c.Desc
		if known {
			status = info.status
			remedy = strings.ReplaceAll(info.remedy, "%s", appName)
			if desc == "" {
				desc = info.desc
			}
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
		out = append(out, report.Finding{Check: "logs.codes", Category: report.CategoryLogs, Subject: c.Code, Status: status, Code: c.Code,
			Summary: fmt.Sprintf("%s: %s%s%s%s", desc, times(c.Count), share, dynos, when),
			Remedy:  remedy, Docs: codeDocs(c.Code, desc), Data: data})
	}
	if len(s.Codes) == 0 {
		out = append(out, report.Finding{Check: "logs.codes", Category: report.CategoryLogs, Subject: "error codes", Status: report.StatusOK,
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
		return []report.Finding{{Check: "logs.router", Subject: "router", Status: report.StatusInfo, Data: data,
			Summary: fmt.Sprintf("only %d requests in the logs: too few to judge latency and error rates", reqs)}}
	}
	var out []report.Finding
	p95 := s.Service.Quantile(0.95)
	slowText := ""
	if len(slowest) > 0 {
		slowText = fmt.Sprintf("; slowest: %s %s (p95 %d ms)", slowest[0]["method"], slowest[0]["path"], slowest[0]["p95_ms"])
	}
	switch {
	case p95 >= th.SlowP95Crit:
		out = append(out, report.Finding{Check: "logs.router", Subject: "router", Status: report.StatusCritical, Code: CodeSlowRequests, Data: data,
			Summary: fmt.Sprintf("router service time p95 is %d ms (p50 %d, max %d)%s", p95, s.Service.Quantile(0.5), s.Service.Max(), slowText),
			Remedy:  "Profile the slowest paths; move slow work to background jobs; add database indexes (pg-health)", Docs: "https://devcenter.heroku.com/articles/request-timeout"})
	case p95 >= th.SlowP95Warn:
		out = append(out, report.Finding{Check: "logs.router", Subject: "router", Status: report.StatusWarning, Code: CodeSlowRequests, Data: data,
			Summary: fmt.Sprintf("router service time p95 is %d ms (p50 %d, max %d)%s", p95, s.Service.Quantile(0.5), s.Service.Max(), slowText),
			Remedy:  "Profile the slowest paths; move slow work to background jobs; add database indexes (pg-health)", Docs: "https://devcenter.heroku.com/articles/request-timeout"})
	}
	cp95 := s.Connect.Quantile(0.95)
	if cp95 >= th.ConnectP95Warn && s.Connect.Count() >= th.MinRequests {
		st := report.StatusWarning
		if cp95 >= th.ConnectP95Crit {
			st = report.StatusCritical
		}
		out = append(out, report.Finding{Check: "logs.router", Subject: "router", Status: st, Code: CodeRequestQueueing, Data: data,
			Summary: fmt.Sprintf("the router waits %d ms (p95) to hand requests to a dyno: the dynos are saturated", cp95),
			Remedy:  fmt.Sprintf("Scale out (heroku ps:scale web=+1 -a %s) or raise the app server's concurrency if memory allows", app),
			Docs:    "https://devcenter.heroku.com/articles/http-routing#heroku-router-log-format"})
	}
	e5 := s.Errors5xx()
	rate := float64(e5) / float64(reqs)
	if rate >= th.ErrorRateWarn {
		st := report.StatusWarning
		if rate >= th.ErrorRateCrit {
			st = report.StatusCritical
		}
		out = append(out, report.Finding{Check: "logs.router", Subject: "router", Status: st, Code: CodeErrorRate5xx, Data: data,
			Summary: fmt.Sprintf("%.1f%% of requests failed with 5xx (%d of %d)", 100*rate, e5, reqs),
			Remedy:  fmt.Sprintf("See the error codes above and the app's exceptions: heroku logs -a %s | grep status=5", app)})
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
				out = append(out, report.Finding{Check: "logs.memory", Subject: n, Status: st, Code: CodeMemoryNearQuota, Data: data,
					Summary: fmt.Sprintf("%s used up to %.0f MB of its %.0f MB quota (%.0f%%)", n, m.MaxTotal, m.Quota, 100*share),
					Remedy:  fmt.Sprintf("Lower concurrency (WEB_CONCURRENCY), fix the leak, or use larger dynos: heroku ps:type %s=standard-2x -a %s", dynoType(n), app),
					Docs:    "https://devcenter.heroku.com/articles/ruby-memory-use"})
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
			out = append(out, report.Finding{Check: "logs.memory", Subject: n, Status: st, Code: CodeMemorySwap, Data: data,
				Summary: fmt.Sprintf("%s swapped up to %.0f MB: requests slow down while memory pages to disk", n, m.MaxSwap),
				Remedy:  fmt.Sprintf("Reduce memory per dyno or move to larger dynos: heroku ps:type %s=standard-2x -a %s", dynoType(n), app),
				Docs:    "https://devcenter.heroku.com/articles/error-codes#r14-memory-quota-exceeded"})
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
		out = append(out, report.Finding{Check: "platform.restarts", Category: report.CategoryPlatform, Subject: n, Status: status, Code: CodeDynoRestarting,
			Summary: fmt.Sprintf("%s is flapping: %d crashes and %d restarts in the logs", n, st.Crashed, st.Starting),
			Remedy:  fmt.Sprintf("heroku logs --dyno %s -a %s shows why it exits", n, app),
			Docs:    "https://devcenter.heroku.com/articles/dynos#dyno-crash-restart-policy",
			Data:    map[string]any{"crashed": st.Crashed, "starting": st.Starting, "exits": st.Exits}})
	}
	return out
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
