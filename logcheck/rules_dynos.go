package logcheck

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// maxOKDynos is how many dynos within their quota get a finding each; the
// others share one.
const maxOKDynos = 20

// dynoLabel names a dyno in the report; lines pasted without their prefix
// name none.
func dynoLabel(n string) string {
	if n == "" {
		return "unnamed dyno"
	}
	return n
}

// dynoType is the process type of a dyno: web of web.1 (Cedar) and of
// web-1234abcde-123ab (Fir).
func dynoType(dyno string) string {
	if t := firType([]byte(dyno)); t != nil {
		return string(t)
	}
	if i := strings.IndexByte(dyno, '.'); i > 0 {
		return dyno[:i]
	}
	if dyno == "" {
		return "web"
	}
	return dyno
}

// resizeRemedy is the command that moves a dyno's process type to larger
// dynos. Fir's sizes are not Cedar's, so no size is named there. One-off
// dynos (run.N) and Heroku Scheduler's (scheduler.N) are in no formation:
// ps:type cannot resize them; their size is chosen per run or per job.
func resizeRemedy(lead, dyno, app string) string {
	switch dynoType(dyno) {
	case "run":
		return fmt.Sprintf("%s, or run the one-off command on a larger dyno: heroku run --size=standard-2x -a %s COMMAND", lead, app)
	case "scheduler":
		return fmt.Sprintf("%s, or give the Scheduler job a larger dyno size in its dashboard: heroku addons:open scheduler -a %s", lead, app)
	}
	if isFirDyno([]byte(dyno)) {
		return fmt.Sprintf("%s, or use larger dynos: heroku ps:type %s=SIZE -a %s (a Fir size with more memory)", lead, dynoType(dyno), app)
	}
	return fmt.Sprintf("%s, or use larger dynos: heroku ps:type %s=standard-2x -a %s", lead, dynoType(dyno), app)
}

func memoryRules(s *Stats, app string, th Thresholds) []report.Finding {
	if len(s.Dynos) == 0 {
		summary := fmt.Sprintf("no runtime metrics and no memory lines in the logs: heroku labs:enable log-runtime-metrics -a %s shows memory and swap", app)
		if s.Fir || s.FirLines > 0 {
			// Labs features do not apply on Fir: its runtime metrics are OpenTelemetry's.
			summary = "no memory lines in the logs: a Fir app's runtime metrics go to its telemetry drain (OpenTelemetry), not into its log"
		}
		return []report.Finding{{Check: "logs.memory", Subject: "runtime metrics", Status: report.StatusSkipped, Summary: summary}}
	}
	var out []report.Finding
	var okDynos []string
	for _, n := range slices.Sorted(maps.Keys(s.Dynos)) {
		m := s.Dynos[n]
		label := dynoLabel(n)
		data := map[string]any{"samples": m.Samples, "process_running_lines": m.Running, "max_memory_total_mb": m.MaxTotal,
			"max_memory_rss_mb": m.MaxRSS, "max_memory_swap_mb": m.MaxSwap, "memory_quota_mb": m.Quota,
			"load_samples": m.LoadSamples, "max_load_avg_1m": m.MaxLoad}
		if m.MaxShare > 0 {
			data["max_share_of_quota"] = m.MaxShare
		}
		load := ""
		if m.LoadSamples > 0 {
			load = fmt.Sprintf("; load average (1 min) up to %.2f", m.MaxLoad)
		}
		quota := ""
		switch {
		case m.Quota > 0:
			quota = fmt.Sprintf(" of its %.0f MB quota", m.Quota)
		case m.Running > 0 && m.MaxShare > 0:
			quota = fmt.Sprintf(" of its quota (about %.0f MB)", m.MaxTotal/m.MaxShare)
		}
		problem := false
		if m.MaxShare >= th.MemoryWarn {
			st := report.StatusWarning
			if m.MaxShare >= th.MemoryCrit {
				st = report.StatusCritical
			}
			evidence := ""
			if m.Samples == 0 {
				evidence = " (the dyno manager's Process running lines; no runtime metrics)"
			}
			out = append(out, codes.MemoryNearQuota.Raise(app, report.Finding{Check: "logs.memory", Subject: label, Status: st, Data: data,
				Summary: fmt.Sprintf("%s used up to %.0f MB%s (%.0f%%)%s%s", label, m.MaxTotal, quota, 100*m.MaxShare, evidence, load),
				Remedy:  resizeRemedy("Lower concurrency (WEB_CONCURRENCY), fix the leak", n, app)}))
			problem = true
		}
		if m.MaxSwap > 0.5 {
			st := report.StatusInfo
			if m.MaxSwap >= th.SwapWarnMB {
				st = report.StatusWarning
			}
			if m.Quota > 0 && m.MaxSwap >= 0.1*m.Quota {
				st = report.StatusCritical
			}
			out = append(out, codes.MemorySwap.Raise(app, report.Finding{Check: "logs.memory", Subject: label, Status: st, Data: data,
				Summary: fmt.Sprintf("%s swapped up to %.0f MB: requests slow down while memory pages to disk", label, m.MaxSwap),
				Remedy:  resizeRemedy("Reduce memory per dyno", n, app)}))
			problem = true
		}
		if problem {
			continue
		}
		if len(okDynos) >= maxOKDynos {
			okDynos = append(okDynos, label)
			continue
		}
		okDynos = append(okDynos, label)
		var summary string
		switch {
		case m.Samples == 0 && m.Running == 0:
			summary = fmt.Sprintf("%s: no memory samples%s", label, load)
		case m.MaxShare > 0:
			summary = fmt.Sprintf("%s peaked at %.0f MB%s (%.0f%%), no swap%s", label, m.MaxTotal, quota, 100*m.MaxShare, load)
		default:
			summary = fmt.Sprintf("%s peaked at %.0f MB (its quota is not in the samples)%s", label, m.MaxTotal, load)
		}
		out = append(out, report.Finding{Check: "logs.memory", Subject: label, Status: report.StatusOK, Summary: summary, Data: data})
	}
	if extra := len(okDynos) - maxOKDynos; extra > 0 {
		out = append(out, report.Finding{Check: "logs.memory", Subject: "other dynos", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d more dynos within their quota, no swap", extra),
			Data:    map[string]any{"dynos": okDynos[maxOKDynos:]}})
	}
	if s.DynosDropped > 0 {
		out = append(out, report.Finding{Check: "logs.memory", Subject: "dynos beyond the table", Status: report.StatusSkipped,
			Summary: fmt.Sprintf("%d samples of dynos beyond the first %d were counted, not judged", s.DynosDropped, maxDynos),
			Data:    map[string]any{"dropped_samples": s.DynosDropped}})
	}
	for i := range out {
		out[i].Key = report.DynoKey(out[i].Subject) // scheduler.4821 today is scheduler.7310 tomorrow
	}
	return out
}

// exitMeaning says what an exit status means on Heroku.
func exitMeaning(status int) string {
	switch status {
	case 0:
		return "a clean exit"
	case 1:
		return "the app exited with an error"
	case 127:
		return "command not found"
	case 137:
		return "SIGKILL: memory R15, boot timeout R10 or exit timeout R12"
	case 139:
		return "segmentation fault"
	case 143:
		return "SIGTERM: a restart, deploy, daily cycling or idling"
	}
	return "the process failed"
}

// exitText lists the exits of a dyno, most frequent first.
func exitText(st *DynoStates) string {
	statuses := make([]int, 0, len(st.ExitStatuses))
	for c := range st.ExitStatuses {
		statuses = append(statuses, c)
	}
	sort.Slice(statuses, func(i, j int) bool {
		a, b := statuses[i], statuses[j]
		if st.ExitStatuses[a] != st.ExitStatuses[b] {
			return st.ExitStatuses[a] > st.ExitStatuses[b]
		}
		return a < b
	})
	var parts []string
	for _, c := range statuses {
		parts = append(parts, fmt.Sprintf("%d× status %d (%s)", st.ExitStatuses[c], c, exitMeaning(c)))
	}
	if n := st.Exits[ExitUnknown]; n > 0 {
		parts = append(parts, fmt.Sprintf("%d× with no status", n))
	}
	return strings.Join(parts, ", ")
}

func exitsData(st *DynoStates) map[string]any {
	m := map[string]any{}
	for code, n := range st.ExitStatuses {
		m[strconv.Itoa(code)] = n
	}
	return m
}

// groupStates groups the life-cycle counts by dyno on Cedar and by process
// type on Fir, where a restarted dyno comes back under a new name.
func groupStates(s *Stats) (map[string]*DynoStates, map[string][]string) {
	groups := map[string]*DynoStates{}
	members := map[string][]string{}
	for n, st := range s.States {
		key := n
		if isFirDyno([]byte(n)) {
			key = dynoType(n)
		}
		g, ok := groups[key]
		if !ok {
			g = &DynoStates{}
			groups[key] = g
		}
		g.merge(st)
		members[key] = append(members[key], n)
	}
	return groups, members
}

func restartRules(s *Stats, app string, th Thresholds) []report.Finding {
	groups, members := groupStates(s)
	var out []report.Finding
	for _, n := range slices.Sorted(maps.Keys(groups)) {
		st := groups[n]
		if st.Crashed < 2 && st.CrashRestarts < th.RestartsWarn {
			continue
		}
		status := report.StatusWarning
		if st.Crashed >= th.CrashesCrit {
			status = report.StatusCritical
		}
		exits := exitText(st)
		if exits != "" {
			exits = "; exits: " + exits
		}
		dynos := members[n]
		sort.Strings(dynos)
		subject := n
		remedy := ""
		if len(dynos) > 1 || dynos[0] != n {
			remedy = fmt.Sprintf("heroku logs --process-type %s -a %s", n, app)
		}
		out = append(out, codes.DynoRestarting.Raise(app, report.Finding{Check: "platform.restarts", Subject: subject, Status: status,
			Summary: fmt.Sprintf("%s is flapping: %d crashes and %d automatic restarts in the logs%s", n, st.Crashed, st.CrashRestarts, exits),
			Remedy:  remedy,
			Data: map[string]any{"crashed": st.Crashed, "crash_restarts": st.CrashRestarts, "restarts": st.Restarts, "killed": st.Killed,
				"exit_statuses": exitsData(st), "dynos": dynos}}))
	}
	for i := range out {
		out[i].Key = report.DynoKey(out[i].Subject)
	}
	return out
}
