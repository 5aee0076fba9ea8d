package logcheck

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Sections renders the error codes, the status counts and the slowest paths.
func Sections(s *Stats) []report.Section {
	var out []report.Section
	if len(s.Codes) > 0 {
		var rows [][]string
		for _, c := range s.CodesSorted() {
			first, last := "-", "-"
			if !c.First.IsZero() {
				first, last = c.First.UTC().Format(time.TimeOnly), c.Last.UTC().Format(time.TimeOnly)
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
	return out
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
