package pgcheck

import (
	"fmt"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

func (j *judge) connections() {
	if j.unknownPart("connections", "postgres.connections", "connection counts") {
		return
	}
	c := j.s.Conn
	type limit struct {
		name  string
		used  int
		limit int
	}
	server := c.MaxConnections
	if !j.s.Superuser {
		server -= c.Reserved
	}
	limits := []limit{{"max_connections", c.Total, server}}
	if c.RoleLimit >= 0 {
		limits = append(limits, limit{"the role's CONNECTION LIMIT", c.ByRole, c.RoleLimit})
	}
	if c.DatabaseLimit >= 0 {
		limits = append(limits, limit{"the database's CONNECTION LIMIT", c.ByDatabase, c.DatabaseLimit})
	}
	// Where the role has no limit of its own, the plan's as Heroku Data
	// gives it (Essential databases share a server whose max_connections
	// is not theirs).
	planFrom := ""
	if c.RoleLimit < 0 {
		if used, lim, from, ok := j.s.Heroku.ConnectionLimit(); ok {
			limits = append(limits, limit{"the plan's limit", max(used, c.ByRole), lim})
			planFrom = from
		}
	}
	worst := limits[0]
	worstRatio := -1.0
	for _, l := range limits {
		if l.limit <= 0 {
			continue
		}
		if r := float64(l.used) / float64(l.limit); r > worstRatio {
			worst, worstRatio = l, r
		}
	}
	data := map[string]any{"connections": c.Total, "by_role": c.ByRole, "by_database": c.ByDatabase,
		"max_connections": c.MaxConnections, "reserved": c.Reserved, "role_limit": c.RoleLimit, "database_limit": c.DatabaseLimit,
		"effective_limit": worst.limit, "used": worst.used}
	if planFrom != "" {
		data["plan_limit_from"] = planFrom
	}
	f := report.Finding{Check: "postgres.connections", Data: data,
		Summary: fmt.Sprintf("%d of %d connections in use (%.0f%% of %s)", worst.used, worst.limit, 100*worstRatio, worst.name)}
	switch {
	case worstRatio >= j.th.ConnCrit:
		f.Status = report.StatusCritical
	case worstRatio < j.th.ConnWarn:
		f.Status = report.StatusOK
		j.add(f)
		return
	}
	j.raise(codes.PGConnectionsHigh, f, "Use a connection pooler (PgBouncer) or lower the app's pool sizes")
}

func (j *judge) hiddenActivity(check string) bool {
	if j.s.ReadAllStat {
		return false
	}
	j.raise(codes.PermissionDenied, report.Finding{Check: check,
		Summary: "other sessions are hidden from " + j.s.User + " (no pg_read_all_stats): cannot tell"}, "")
	return true
}

func (j *judge) killRemedy(pid int32) string {
	if j.s.Target.App == "" {
		return fmt.Sprintf("SELECT pg_cancel_backend(%d); -- or pg_terminate_backend", pid)
	}
	return fmt.Sprintf("heroku pg:kill %d %s -a %s", pid, j.s.Target.Name, j.s.Target.App)
}

func (j *judge) activity() {
	if j.unknownPart("activity", "postgres.activity", "pg_stat_activity") || j.hiddenActivity("postgres.activity") {
		return
	}
	warn, crit := j.th.LongQueryWarn.Seconds(), j.th.LongQueryCrit.Seconds()
	found := false
	for _, b := range j.s.Activity {
		if b.Hidden {
			continue
		}
		subject := fmt.Sprintf("pid %d", b.PID)
		key := "query " + queryKey(b.Query) // the pid is new when the app reconnects; the stuck query is not
		data := map[string]any{"pid": b.PID, "user": b.User, "application": b.Application, "state": b.State,
			"query": shorten(b.Query, 300), "query_seconds": int64(b.QuerySeconds), "transaction_seconds": int64(b.XactSeconds),
			"state_seconds": int64(b.StateSeconds), "xmin_age": b.XminAge, "wait_event": strings.Trim(b.WaitEventType+":"+b.WaitEvent, ":")}
		status := func(age float64) report.Status {
			if age >= crit {
				return report.StatusCritical
			}
			return report.StatusWarning
		}
		switch {
		case strings.HasPrefix(b.State, "idle in transaction") && b.StateSeconds >= warn:
			found = true
			summary := fmt.Sprintf("pid %d (%s) has been %s for %s", b.PID, b.User, b.State, secs(b.StateSeconds))
			if b.XminAge > 0 {
				summary += fmt.Sprintf("; its snapshot holds back vacuum (xmin age %d)", b.XminAge)
			}
			j.raise(codes.PGIdleInTransaction, report.Finding{Check: "postgres.activity", Subject: subject, Key: key, Status: status(b.StateSeconds), Data: data,
				Summary: summary + "; last query: " + shorten(b.Query, 80),
				Detail:  "An open transaction keeps its locks and stops vacuum from removing dead rows; the app forgot a COMMIT or ROLLBACK.",
				Remedy:  j.killRemedy(b.PID)}, "")
		case b.State == "active" && b.QuerySeconds >= warn:
			found = true
			j.raise(codes.PGLongRunningQuery, report.Finding{Check: "postgres.activity", Subject: subject, Key: key, Status: status(b.QuerySeconds), Data: data,
				Summary: fmt.Sprintf("pid %d (%s) has been running for %s: %s", b.PID, b.User, secs(b.QuerySeconds), shorten(b.Query, 100)),
				Remedy:  j.killRemedy(b.PID)}, "")
		case b.XactSeconds >= warn && b.State != "" && b.State != "idle":
			found = true
			j.raise(codes.PGLongRunningQuery, report.Finding{Check: "postgres.activity", Subject: subject, Key: key, Status: status(b.XactSeconds), Data: data,
				Summary: fmt.Sprintf("pid %d (%s) has had a transaction open for %s", b.PID, b.User, secs(b.XactSeconds)),
				Remedy:  j.killRemedy(b.PID)}, "")
		}
	}
	if !found {
		j.add(report.Finding{Check: "postgres.activity", Status: report.StatusOK,
			Summary: fmt.Sprintf("no query or transaction running longer than %s among %d other sessions", j.th.LongQueryWarn, len(j.s.Activity))})
	}
}

// locks reports lock waits as chains: each blocked session, what blocks it,
// and the session at the root of the chain, from pg_blocking_pids.
func (j *judge) locks() {
	if j.unknownPart("activity", "postgres.locks", "lock waits") || j.hiddenActivity("postgres.locks") {
		return
	}
	byPID := map[int32]Backend{}
	for _, b := range j.s.Activity {
		byPID[b.PID] = b
	}
	root := func(pid int32) (int32, []int32) {
		chain := []int32{pid}
		seen := map[int32]bool{pid: true}
		cur := pid
		for {
			b, ok := byPID[cur]
			if !ok || len(b.BlockedBy) == 0 {
				return cur, chain
			}
			next := b.BlockedBy[0]
			if seen[next] {
				return cur, chain
			}
			seen[next] = true
			chain = append(chain, next)
			cur = next
		}
	}
	blocked := 0
	for _, b := range j.s.Activity {
		if len(b.BlockedBy) == 0 {
			continue
		}
		blocked++
		top, chain := root(b.PID)
		var blockers []string
		for _, p := range b.BlockedBy {
			bb := byPID[p]
			blockers = append(blockers, fmt.Sprintf("pid %d (%s: %s)", p, orDash(bb.State), shorten(bb.Query, 60)))
		}
		var chainText []string
		for _, p := range chain {
			chainText = append(chainText, fmt.Sprint(p))
		}
		rootB := byPID[top]
		status := report.StatusWarning
		if b.QuerySeconds >= j.th.LongQueryWarn.Seconds() {
			status = report.StatusCritical
		}
		j.raise(codes.PGBlockedQueries, report.Finding{Check: "postgres.locks", Subject: fmt.Sprintf("pid %d", b.PID), Key: "query " + queryKey(b.Query), Status: status,
			Summary: fmt.Sprintf("pid %d has waited %s for a lock held by %s; root of the chain: pid %d (%s)", b.PID, secs(b.QuerySeconds),
				strings.Join(blockers, ", "), top, orDash(rootB.State)),
			Detail: "waiting: " + shorten(b.Query, 120) + "; root: " + shorten(rootB.Query, 120),
			Remedy: j.killRemedy(top),
			Data: map[string]any{"pid": b.PID, "blocked_by": b.BlockedBy, "chain": chainText, "root_pid": top, "root_state": rootB.State,
				"root_query": shorten(rootB.Query, 300), "query": shorten(b.Query, 300), "wait_seconds": int64(b.QuerySeconds)}}, "")
	}
	if blocked == 0 {
		j.add(report.Finding{Check: "postgres.locks", Status: report.StatusOK, Summary: "no session is waiting for a lock"})
	}
}
