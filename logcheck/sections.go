package logcheck

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Sections renders the error codes, the status counts, the slowest paths,
// the dynos' life cycle and the add-ons' metrics.
func Sections(s *Stats) []report.Section {
	var out []report.Section
	if len(s.Codes) > 0 {
		days := spansDays(s.First, s.Last)
		var rows [][]string
		for _, c := range s.CodesSorted() {
			first, last := "-", "-"
			if !c.First.IsZero() {
				first, last = sectionTime(c.First, days), sectionTime(c.Last, days)
			}
			rows = append(rows, []string{c.Code, codeTitle(c), strconv.Itoa(c.Count), joinMax(c.Dynos, 4), first, last})
		}
		out = append(out, report.Section{Title: "Heroku error codes in the logs", Header: []string{"Code", "Description", "Count", "Dynos", "First", "Last"}, Rows: rows})
	}
	if s.Requests() > 0 {
		var rows [][]string
		for st, c := range s.Status {
			if c > 0 {
				rows = append(rows, []string{strconv.Itoa(st), strconv.FormatUint(c, 10)})
			}
		}
		out = append(out, report.Section{Title: "Responses by status", Header: []string{"Status", "Count"}, Rows: rows})
		var prow [][]string
		for _, p := range s.SlowestPaths(10) {
			prow = append(prow, []string{p.Method, p.Path, strconv.FormatUint(p.Hist.Count(), 10),
				fmt.Sprintf("%.0f", p.Hist.Mean()), strconv.Itoa(int(p.Hist.Quantile(0.95))), strconv.Itoa(int(p.Hist.Max())), strconv.Itoa(p.Errors)})
		}
		out = append(out, report.Section{Title: "Slowest paths (service time, ms)", Header: []string{"Method", "Path", "Count", "Mean", "p95", "Max", "5xx"}, Rows: prow})
	}
	if sec, ok := lifecycleSection(s); ok {
		out = append(out, sec)
	}
	if sec, ok := addonSection(s); ok {
		out = append(out, sec)
	}
	return out
}

// sectionTime shows a time in a table: with its date when the logs span
// days (Papertrail's viewer gives no year).
func sectionTime(t time.Time, days bool) string {
	switch {
	case t.Year() == 0:
		return t.Format("Jan 02 15:04:05")
	case days:
		return t.UTC().Format("2006-01-02 15:04:05")
	}
	return t.UTC().Format(time.TimeOnly)
}

// spansDays tells whether first and last fall on different days (UTC).
func spansDays(first, last time.Time) bool {
	first, last = first.UTC(), last.UTC()
	return first.YearDay() != last.YearDay() || first.Year() != last.Year()
}

func lifecycleSection(s *Stats) (report.Section, bool) {
	if len(s.States) == 0 {
		return report.Section{}, false
	}
	var rows [][]string
	for _, n := range slices.Sorted(maps.Keys(s.States)) {
		st := s.States[n]
		if st.Crashed+st.CrashRestarts+st.Restarts+st.Killed == 0 && len(st.ExitStatuses) == 0 && st.Exits[ExitUnknown] == 0 {
			continue
		}
		var exits []string
		for _, c := range slices.Sorted(maps.Keys(st.ExitStatuses)) {
			exits = append(exits, fmt.Sprintf("%d×%d", st.ExitStatuses[c], c))
		}
		if st.Exits[ExitUnknown] > 0 {
			exits = append(exits, fmt.Sprintf("%d×?", st.Exits[ExitUnknown]))
		}
		rows = append(rows, []string{n, strconv.Itoa(st.Crashed), strconv.Itoa(st.CrashRestarts), strconv.Itoa(st.Restarts),
			strconv.Itoa(st.Killed), orDash(strings.Join(exits, " "))})
	}
	if len(rows) == 0 {
		return report.Section{}, false
	}
	return report.Section{Title: "Dyno life cycle in the logs",
		Header: []string{"Dyno", "Crashes", "Restarts after a crash", "Other restarts", "SIGKILLs", "Exit statuses (count×status)"}, Rows: rows}, true
}

func addonSection(s *Stats) (report.Section, bool) {
	if len(s.Addons) == 0 {
		return report.Section{}, false
	}
	val := func(a *AddonStat, m int, pct bool) string {
		if !a.Latest.Has(m) {
			return "-"
		}
		if pct {
			return fmt.Sprintf("%.2f%%", 100*a.Latest.Val[m])
		}
		return strconv.FormatFloat(a.Latest.Val[m], 'f', -1, 64)
	}
	var rows [][]string
	for _, n := range slices.Sorted(maps.Keys(s.Addons)) {
		a := s.Addons[n]
		hit := val(a, MetricTableCacheHit, true) + " / " + val(a, MetricIndexCacheHit, true)
		if a.Kind == "redis" {
			hit = val(a, MetricHitRate, true)
		}
		rows = append(rows, []string{a.Source, orDash(a.Addon), a.Kind, strconv.Itoa(a.Samples), val(a, MetricActiveConnections, false),
			val(a, MetricWaitingConnections, false), hit, val(a, MetricEvictedKeys, false), val(a, MetricLoad1m, false)})
	}
	return report.Section{Title: "Heroku Postgres and Redis metrics in the logs (latest sample)",
		Header: []string{"Source", "Add-on", "Kind", "Samples", "Connections", "Waiting", "Cache hit (table / index; Redis: keys)", "Evicted keys", "Load 1m"}, Rows: rows}, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func joinMax(ss []string, n int) string {
	if len(ss) == 0 {
		return "-"
	}
	if len(ss) > n {
		return fmt.Sprintf("%s +%d", strings.Join(ss[:n], ", "), len(ss)-n)
	}
	return strings.Join(ss, ", ")
}
