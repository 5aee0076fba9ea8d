package pgcheck

import (
	"fmt"
	"math"
	"sort"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

func (j *judge) statements() {
	s := j.s
	if j.unknownPart("statements", "postgres.statements", "pg_stat_statements") {
		return
	}
	if !s.StatementsInstalled {
		j.add(report.Finding{Check: "postgres.statements", Status: report.StatusSkipped,
			Summary: "pg_stat_statements is not installed: slow queries cannot be ranked",
			Remedy:  "CREATE EXTENSION pg_stat_statements; (on Heroku it is available in the heroku_ext schema)", Docs: codes.PGSlowQueries.Docs})
		return
	}
	var total float64
	for _, q := range s.Statements {
		total += q.TotalMS
	}
	young := ""
	if s.StatementsReset != nil && j.now.Sub(*s.StatementsReset) < j.th.StatsYoung {
		young = fmt.Sprintf(" (counters reset %s: young)", ago(s.StatementsReset, j.now))
		j.raise(codes.PGStatsReset, report.Finding{Check: "postgres.statements", Subject: "pg_stat_statements",
			Summary: "pg_stat_statements was reset " + ago(s.StatementsReset, j.now) + ": its counters cover little traffic yet",
			Data:    map[string]any{"stats_reset": fmtTime(s.StatementsReset)}}, "")
	}
	byMean := append([]Statement(nil), s.Statements...)
	sort.Slice(byMean, func(a, b int) bool { return byMean[a].MeanMS > byMean[b].MeanMS })
	reported := map[int64]bool{}
	var top []map[string]any
	for i, q := range s.Statements {
		if i < 5 {
			top = append(top, statementData(q, total))
		}
	}
	slow := 0
	consider := append(append([]Statement(nil), s.Statements[:min(5, len(s.Statements))]...), byMean[:min(5, len(byMean))]...)
	for _, q := range consider {
		if reported[q.QueryID] || q.Query == "<insufficient privilege>" {
			continue
		}
		share := 0.0
		if total > 0 {
			share = q.TotalMS / total
		}
		if q.MeanMS < j.th.SlowMeanMS && !(q.MeanMS >= j.th.SlowMeanMS/2 && share >= j.th.SlowShare) {
			continue
		}
		reported[q.QueryID] = true
		slow++
		j.raise(codes.PGSlowQueries, report.Finding{Check: "postgres.statements", Subject: fmt.Sprintf("query %d", q.QueryID), Key: "query " + queryKey(q.Query),
			Summary: fmt.Sprintf("%s: %d calls, mean %.0f ms, %.0f%% of all query time%s", shorten(q.Query, 80), q.Calls, q.MeanMS, 100*share, young),
			Detail:  shorten(q.Query, 500), Data: statementData(q, total)}, "")
	}
	if slow == 0 {
		j.add(report.Finding{Check: "postgres.statements", Status: report.StatusOK, Data: map[string]any{"top_by_total_time": top},
			Summary: fmt.Sprintf("no query averages over %.0f ms among %d statements in pg_stat_statements%s", j.th.SlowMeanMS, len(s.Statements), young)})
	}
}

func statementData(q Statement, total float64) map[string]any {
	share, perCall := 0.0, 0.0
	if total > 0 {
		share = q.TotalMS / total
	}
	if q.Calls > 0 {
		perCall = float64(q.BlocksRead) / float64(q.Calls)
	}
	return map[string]any{"queryid": q.QueryID, "calls": q.Calls, "total_ms": math.Round(q.TotalMS), "mean_ms": math.Round(q.MeanMS*10) / 10,
		"share_of_total": math.Round(share*1000) / 1000, "blocks_read_per_call": math.Round(perCall*10) / 10, "rows": q.Rows,
		"query": shorten(q.Query, 300)}
}

func (j *judge) plan() {
	s := j.s
	if s.Target.Plan == "" {
		return
	}
	p, ok := LookupPlan(s.Target.Plan)
	if !ok {
		j.raise(codes.PGPlanUnknown, report.Finding{Check: "postgres.plan",
			Summary: fmt.Sprintf("plan %s is not in heroku-checkup's plan table: size and row limits not checked (connections were read live)", s.Target.Plan)},
			"the plan's limits are in Heroku's plan list (heroku-postgres-plans)")
		return
	}
	var rows int64
	for _, t := range s.Tables {
		rows += t.LiveTuples
	}
	type usage struct {
		what        string
		used, limit int64
		unit        func(int64) string
	}
	var us []usage
	// With Heroku Data's figures, the data size is judged from them
	// (PG_DATA_SIZE_LIMIT); the session's own size only without.
	herokuSize := s.Heroku != nil && (s.Heroku.Database != nil || s.Heroku.Advanced != nil)
	if p.StorageBytes > 0 && !herokuSize {
		us = append(us, usage{"storage", s.DBSize, p.StorageBytes, humanBytes})
	}
	if p.RowLimit > 0 {
		us = append(us, usage{"rows", rows, p.RowLimit, func(n int64) string { return fmt.Sprint(n) }})
	}
	problems := 0
	for _, u := range us {
		r := float64(u.used) / float64(u.limit)
		if r < j.th.PlanWarn {
			continue
		}
		problems++
		st := report.StatusWarning
		if r >= j.th.PlanCrit {
			st = report.StatusCritical
		}
		j.raise(codes.PGPlanLimit, report.Finding{Check: "postgres.plan", Subject: s.Target.Name, Status: st,
			Summary: fmt.Sprintf("%s uses %s of the %s %s limit (%.0f%%)", s.Target.Name, u.unit(u.used), p.Name, u.what, 100*r),
			Data:    map[string]any{"plan": p.Name, "used": u.used, "limit": u.limit, "what": u.what}}, "Move to a larger plan")
	}
	switch {
	case problems > 0:
	case herokuSize && p.RowLimit == 0:
		// Storage is judged from Heroku's figures (postgres.heroku.data_size).
	case p.StorageBytes == 0:
		j.add(report.Finding{Check: "postgres.plan", Status: report.StatusOK,
			Summary: fmt.Sprintf("the %s plan's limits are the Data API's (%s)", p.Name, p.Source)})
	default:
		j.add(report.Finding{Check: "postgres.plan", Status: report.StatusOK,
			Summary: fmt.Sprintf("within the %s plan: %s of %s storage", p.Name, humanBytes(s.DBSize), humanBytes(p.StorageBytes))})
	}
}
