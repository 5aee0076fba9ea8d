package pgcheck

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Thresholds of the rules; DefaultThresholds documents each.
type Thresholds struct {
	LongQueryWarn, LongQueryCrit   time.Duration
	ConnWarn, ConnCrit             float64
	HitWarn, HitCrit               float64
	MinHitBlocks                   int64
	UnusedIndexMinBytes            int64
	BloatMinBytes                  int64
	BloatWarn, BloatCrit           float64
	SeqScanMinRows, SeqScanMinScan int64
	XIDWarnAge, XIDCritAge         int64
	SequenceWarn, SequenceCrit     float64
	SlowMeanMS                     float64
	SlowShare                      float64
	StatsYoung                     time.Duration
	PlanWarn, PlanCrit             float64
}

// DefaultThresholds: queries/transactions over 5 min warn and over 1 h are
// critical; connections at 75%/90% of the effective limit; hit rates under
// 99%/95% once 1,000 blocks (8 MB) were touched; unused indexes from 256 kB;
// bloat from 1 MB at 20%/50% dead; sequential scans on tables of 10,000+
// rows scanned 20+ times mostly sequentially; wraparound when fewer than
// 1.5 billion XIDs are left (pghero's line) and critical under 500 million;
// sequences at 75%/90% of their range; queries averaging 1 s, or 500 ms
// with a fifth of the time; counters younger than a day are called young;
// plan limits at 80%/95%.
var DefaultThresholds = Thresholds{
	LongQueryWarn: 5 * time.Minute, LongQueryCrit: time.Hour,
	ConnWarn: 0.75, ConnCrit: 0.90,
	HitWarn: 0.99, HitCrit: 0.95, MinHitBlocks: 1000,
	UnusedIndexMinBytes: 256 << 10,
	BloatMinBytes:       1 << 20, BloatWarn: 0.2, BloatCrit: 0.5,
	SeqScanMinRows: 10000, SeqScanMinScan: 20,
	XIDWarnAge: math.MaxInt32 - 1_500_000_000, XIDCritAge: math.MaxInt32 - 500_000_000,
	SequenceWarn: 0.75, SequenceCrit: 0.90,
	SlowMeanMS: 1000, SlowShare: 0.2,
	StatsYoung: 24 * time.Hour,
	PlanWarn:   0.8, PlanCrit: 0.95,
}

// judge holds one run of the rules.
type judge struct {
	s   *Snapshot
	th  Thresholds
	now time.Time
	out []report.Finding
}

// add records a finding with no code (ok or skipped) about this database.
func (j *judge) add(f report.Finding) {
	if f.Subject == "" {
		f.Subject = j.s.Target.Name
	}
	j.out = append(j.out, f)
}

// raise records a finding of code about this database (or the subject f
// names). plain is the advice for a database that belongs to no app
// (--database-url), where the catalogue's Heroku CLI remedy does not apply;
// a remedy of f's own wins over both.
func (j *judge) raise(code *report.Code, f report.Finding, plain string) {
	if f.Subject == "" {
		f.Subject = j.s.Target.Name
	}
	if f.Remedy == "" && j.s.Target.App == "" && plain != "" {
		f.Remedy = plain
	}
	j.out = append(j.out, code.Raise(j.s.Target.App, f))
}

// unknownPart reports a part that could not be read: a privilege it lacks
// (PERMISSION_DENIED) or a timeout, never a crash.
func (j *judge) unknownPart(part, check, what string) bool {
	err := j.s.Errs[part]
	if err == nil {
		return false
	}
	code := codes.Timeout
	summary := fmt.Sprintf("could not read %s: %v", what, err)
	var pe *pgconn.PgError
	switch {
	case IsPermission(err):
		code = codes.PermissionDenied
		summary = fmt.Sprintf("permission denied reading %s: %s", what, pgMessage(err))
	case errors.As(err, &pe) && pe.Code != "57014" && pe.Code != "55P03": // statement and lock timeouts are timeouts
		code = codes.CheckError
		summary = fmt.Sprintf("reading %s failed: %s", what, pgMessage(err))
	}
	j.raise(code, report.Finding{Check: check, Summary: summary}, "")
	return true
}

func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// Judge turns a snapshot into findings. Pure: same snapshot, thresholds and now, same findings.
func Judge(s *Snapshot, th Thresholds, now time.Time) []report.Finding {
	j := &judge{s: s, th: th, now: now}
	if s.ConnectErr != nil {
		j.raise(codes.PGUnreachable, report.Finding{Check: "postgres.connection",
			Summary: "cannot connect: " + connectReason(s.ConnectErr),
			Data:    map[string]any{"error": connectReason(s.ConnectErr)}}, "check the URL, the network and the credentials")
		return j.out
	}
	if j.unknownPart("server", "postgres.connection", "the server's version and role") {
		return j.out
	}
	j.add(report.Finding{Check: "postgres.connection", Status: report.StatusOK,
		Summary: fmt.Sprintf("connected to %s as %s (%s), read-only, one session", s.Database, s.User, shortVersion(s.Version)),
		Data: map[string]any{"server_version_num": s.VersionNum, "database": s.Database, "user": s.User, "pooler": s.Pooler,
			"database_size_bytes": s.DBSize}})
	if s.VersionNum > 0 && s.VersionNum < 130000 {
		j.raise(codes.PGVersionUnsupported, report.Finding{Check: "postgres.version",
			Summary: fmt.Sprintf("PostgreSQL %s is out of community support; some checks may be incomplete", shortVersion(s.Version))},
			"upgrade to a supported major version")
	}
	j.privileges()
	j.connections()
	j.activity()
	j.locks()
	j.cache()
	j.indexes()
	j.tables()
	j.wraparound()
	j.sequences()
	j.statements()
	j.plan()
	return j.out
}

func shortVersion(v string) string {
	f := strings.Fields(v)
	if len(f) >= 2 {
		return f[0] + " " + f[1]
	}
	return v
}

// connectReason says why a connection failed without the URL's secrets.
func connectReason(err error) string {
	if errors.Is(err, ErrBadURL) {
		return err.Error()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s (SQLSTATE %s)", pe.Message, pe.Code)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		msg := ce.Error()
		if i := strings.Index(msg, "): "); i >= 0 {
			msg = msg[i+3:]
		}
		return msg
	}
	return err.Error()
}

func (j *judge) privileges() {
	s := j.s
	if s.ReadAllStat {
		who := "member of pg_read_all_stats"
		if s.Superuser {
			who = "superuser"
		}
		j.add(report.Finding{Check: "postgres.privileges", Status: report.StatusOK,
			Summary: fmt.Sprintf("%s is %s: other sessions' activity is visible", s.User, who)})
		return
	}
	j.raise(codes.PermissionDenied, report.Finding{Check: "postgres.privileges",
		Summary: fmt.Sprintf("%s is not a member of pg_read_all_stats: other sessions' queries and states are hidden, so long queries, idle transactions and lock waits cannot be judged", s.User),
		Remedy:  "GRANT pg_read_all_stats TO " + s.User + " (Heroku's default credential has it), or connect with that credential",
		Docs:    "https://www.postgresql.org/docs/current/predefined-roles.html"}, "")
}

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

func shorten(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > n {
		return q[:n] + "…"
	}
	return q
}

func secs(d float64) time.Duration { return time.Duration(d * float64(time.Second)).Round(time.Second) }

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
			j.raise(codes.PGIdleInTransaction, report.Finding{Check: "postgres.activity", Subject: subject, Status: status(b.StateSeconds), Data: data,
				Summary: summary + "; last query: " + shorten(b.Query, 80),
				Detail:  "An open transaction keeps its locks and stops vacuum from removing dead rows; the app forgot a COMMIT or ROLLBACK.",
				Remedy:  j.killRemedy(b.PID)}, "")
		case b.State == "active" && b.QuerySeconds >= warn:
			found = true
			j.raise(codes.PGLongRunningQuery, report.Finding{Check: "postgres.activity", Subject: subject, Status: status(b.QuerySeconds), Data: data,
				Summary: fmt.Sprintf("pid %d (%s) has been running for %s: %s", b.PID, b.User, secs(b.QuerySeconds), shorten(b.Query, 100)),
				Remedy:  j.killRemedy(b.PID)}, "")
		case b.XactSeconds >= warn && b.State != "" && b.State != "idle":
			found = true
			j.raise(codes.PGLongRunningQuery, report.Finding{Check: "postgres.activity", Subject: subject, Status: status(b.XactSeconds), Data: data,
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
		j.raise(codes.PGBlockedQueries, report.Finding{Check: "postgres.locks", Subject: fmt.Sprintf("pid %d", b.PID), Status: status,
			Summary: fmt.Sprintf("pid %d has waited %s for a lock held by %s; root of the chain: pid %d (%s)", b.PID, secs(b.QuerySeconds),
				strings.Join(blockers, ", "), top, orDash(rootB.State)),
			Detail: "waiting: " + shorten(b.Query, 120) + "\nroot: " + shorten(rootB.Query, 120),
			Remedy: j.killRemedy(top),
			Data: map[string]any{"pid": b.PID, "blocked_by": b.BlockedBy, "chain": chainText, "root_pid": top, "root_state": rootB.State,
				"root_query": shorten(rootB.Query, 300), "query": shorten(b.Query, 300), "wait_seconds": int64(b.QuerySeconds)}}, "")
	}
	if blocked == 0 {
		j.add(report.Finding{Check: "postgres.locks", Status: report.StatusOK, Summary: "no session is waiting for a lock"})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func (j *judge) cache() {
	if j.unknownPart("cache", "postgres.cache", "buffer statistics") {
		return
	}
	for _, h := range []struct {
		rate  HitRate
		code  *report.Code
		what  string
		check string
	}{{j.s.Cache, codes.PGCacheHitLow, "table", "postgres.cache"}, {j.s.IndexCache, codes.PGIndexHitLow, "index", "postgres.index_cache"}} {
		total := h.rate.Hit + h.rate.Read
		data := map[string]any{"hit": h.rate.Hit, "read": h.rate.Read, "ratio": h.rate.Ratio()}
		if total < j.th.MinHitBlocks {
			j.add(report.Finding{Check: h.check, Status: report.StatusSkipped, Data: data,
				Summary: fmt.Sprintf("%s hit rate not judged: only %d blocks touched since the counters were reset", h.what, total)})
			continue
		}
		r := h.rate.Ratio()
		f := report.Finding{Check: h.check, Data: data,
			Summary: fmt.Sprintf("%s hit rate %.2f%% (%d of %d blocks from shared buffers)", h.what, 100*r, h.rate.Hit, total)}
		switch {
		case r < j.th.HitCrit:
			f.Status = report.StatusCritical
		case r >= j.th.HitWarn:
			f.Status = report.StatusOK
			j.add(f)
			continue
		}
		j.raise(h.code, f, "The working set does not fit in memory: more RAM (shared_buffers), or smaller tables and indexes")
	}
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func qualified(schema, name string) string {
	if schema == "public" {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func (j *judge) indexes() {
	if j.unknownPart("indexes", "postgres.indexes", "index statistics") {
		return
	}
	problems := 0
	for _, ix := range j.s.Indexes {
		name := ix.Schema + "." + ix.Name
		data := map[string]any{"table": ix.Schema + "." + ix.Table, "scans": ix.Scans, "size_bytes": ix.Size, "definition": ix.Def}
		if !ix.Valid {
			problems++
			j.raise(codes.PGInvalidIndex, report.Finding{Check: "postgres.indexes", Subject: name, Data: data,
				Summary: fmt.Sprintf("index %s is INVALID (a failed CREATE INDEX CONCURRENTLY?): writes still maintain it, no query uses it", name),
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s; then create it again", qualified(ix.Schema, ix.Name))}, "")
			continue
		}
		if ix.Scans == 0 && !ix.Unique && !ix.Primary && !ix.Constraint && ix.Size >= j.th.UnusedIndexMinBytes {
			problems++
			j.raise(codes.PGUnusedIndex, report.Finding{Check: "postgres.indexes", Subject: name, Data: data,
				Summary: fmt.Sprintf("index %s on %s (%s) has never been scanned since the statistics were reset", name, ix.Table, humanBytes(ix.Size)),
				Detail:  "It slows every write and takes space; check followers and rare jobs before dropping it.",
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s;", qualified(ix.Schema, ix.Name))}, "")
		}
	}
	// Duplicates: same table, same access method, same columns in the same
	// order, same expressions and predicate. Keep the unique or larger one.
	groups := map[string][]Index{}
	for _, ix := range j.s.Indexes {
		if !ix.Valid {
			continue
		}
		k := fmt.Sprintf("%d|%s|%s|%s", ix.TableOID, ix.AM, ix.Key, ix.ExprPred)
		groups[k] = append(groups[k], ix)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		sort.Slice(g, func(a, b int) bool {
			if g[a].Primary != g[b].Primary {
				return g[a].Primary
			}
			if g[a].Unique != g[b].Unique {
				return g[a].Unique
			}
			return g[a].Name < g[b].Name
		})
		keep := g[0]
		for _, dup := range g[1:] {
			if dup.Unique && !keep.Unique {
				continue
			}
			problems++
			name := dup.Schema + "." + dup.Name
			j.raise(codes.PGDuplicateIndex, report.Finding{Check: "postgres.indexes", Subject: name,
				Summary: fmt.Sprintf("index %s duplicates %s (same table, same columns in the same order)", name, keep.Schema+"."+keep.Name),
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s;", qualified(dup.Schema, dup.Name)),
				Data:    map[string]any{"duplicate": dup.Def, "kept": keep.Def, "size_bytes": dup.Size}}, "")
		}
	}
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.indexes", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d indexes: none invalid, unused (above %s) or duplicated", len(j.s.Indexes), humanBytes(j.th.UnusedIndexMinBytes))})
	}
}

func (j *judge) tables() {
	if j.unknownPart("tables", "postgres.tables", "table statistics") {
		return
	}
	problems := 0
	st := j.s.Settings
	for _, t := range j.s.Tables {
		name := t.Schema + "." + t.Name
		total := t.LiveTuples + t.DeadTuples
		deadRatio := 0.0
		if total > 0 {
			deadRatio = float64(t.DeadTuples) / float64(total)
		}
		thr, scale := t.VacThreshold, t.VacScaleFactor
		if thr < 0 {
			thr = st.VacThreshold
		}
		if scale < 0 {
			scale = st.VacScaleFactor
		}
		trigger := thr + scale*math.Max(t.RelTuples, float64(t.LiveTuples))
		lastVac := latest(t.LastVacuum, t.LastAutovacuum)
		data := map[string]any{"live_tuples": t.LiveTuples, "dead_tuples": t.DeadTuples, "dead_ratio": deadRatio,
			"size_bytes": t.Size, "autovacuum_enabled": t.AutovacuumEnabled, "autovacuum_trigger": int64(trigger),
			"last_vacuum": fmtTime(t.LastVacuum), "last_autovacuum": fmtTime(t.LastAutovacuum),
			"last_analyze": fmtTime(t.LastAnalyze), "last_autoanalyze": fmtTime(t.LastAutoanalyze),
			"seq_scan": t.SeqScan, "idx_scan": t.IdxScan, "seq_tup_read": t.SeqTupRead}
		vacuum := fmt.Sprintf("VACUUM (ANALYZE) %s;", qualified(t.Schema, t.Name))

		if bloat, how := estimateBloat(t, deadRatio); t.Size >= j.th.BloatMinBytes && bloat >= j.th.BloatWarn {
			problems++
			status := report.StatusWarning
			if bloat >= j.th.BloatCrit {
				status = report.StatusCritical
			}
			wasted := int64(float64(t.Size) * bloat)
			data["estimated_bloat_bytes"] = wasted
			data["estimated_bloat_ratio"] = math.Round(bloat*1000) / 1000
			data["estimated_from"] = how
			j.raise(codes.PGTableBloat, report.Finding{Check: "postgres.bloat", Subject: name, Status: status, Data: data,
				Summary: fmt.Sprintf("%s is about %.0f%% bloat: %s of its %s (%d live rows, %d dead)", name, 100*bloat,
					humanBytes(wasted), humanBytes(t.Size), t.LiveTuples, t.DeadTuples),
				Detail: "Estimated from " + how + "; VACUUM makes dead rows' space reusable, VACUUM FULL or pg_repack gives the space back (with a lock).",
				Remedy: vacuum}, "")
		}
		switch {
		case !t.AutovacuumEnabled && t.DeadTuples > 0:
			problems++
			j.raise(codes.PGVacuumStale, report.Finding{Check: "postgres.vacuum", Subject: name, Data: data,
				Summary: fmt.Sprintf("autovacuum is disabled on %s, which has %d dead rows; last vacuum %s", name, t.DeadTuples, ago(lastVac, j.now)),
				Remedy:  fmt.Sprintf("ALTER TABLE %s RESET (autovacuum_enabled); %s", qualified(t.Schema, t.Name), vacuum)}, "")
		case float64(t.DeadTuples) > trigger && t.DeadTuples > 1000 && (lastVac == nil || j.now.Sub(*lastVac) > 24*time.Hour):
			problems++
			j.raise(codes.PGVacuumStale, report.Finding{Check: "postgres.vacuum", Subject: name, Data: data,
				Summary: fmt.Sprintf("%s has %d dead rows, past its autovacuum trigger of %d, and was last vacuumed %s", name, t.DeadTuples, int64(trigger), ago(lastVac, j.now)),
				Detail:  "Autovacuum is behind: long transactions, too few workers, or cost limits too low for the write rate.",
				Remedy:  vacuum}, "")
		}
		if t.LiveTuples >= j.th.SeqScanMinRows && t.SeqScan >= j.th.SeqScanMinScan && float64(t.SeqScan) >= float64(t.SeqScan+t.IdxScan)*0.5 {
			problems++
			j.raise(codes.PGSeqScans, report.Finding{Check: "postgres.seq_scans", Subject: name, Data: data,
				Summary: fmt.Sprintf("%s (%d rows) is read by sequential scans %d times out of %d, %d rows read that way", name, t.LiveTuples,
					t.SeqScan, t.SeqScan+t.IdxScan, t.SeqTupRead)}, "")
		}
	}
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.tables", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d tables: no bloat, autovacuum keeping up, no large table read mostly by sequential scans", len(j.s.Tables))})
	}
}

// tupleOverhead is a heap tuple's header and line pointer (23+1 bytes,
// aligned) plus alignment padding, as the pg-extras and ioguix bloat
// estimates count it.
const tupleOverhead = 28

// estimateBloat returns the larger of two estimates of the share of a
// table's heap that holds no live row: the dead-tuple ratio (space vacuum
// would free) and, once the table has been analysed, the gap between its
// pages and the pages its live rows need at their average width (space
// already freed but never given back).
func estimateBloat(t Table, deadRatio float64) (float64, string) {
	best, how := deadRatio, "the dead-row ratio"
	if t.RowWidth > 0 && t.RelTuples > 0 && t.RelPages > 0 {
		const block = 8192.0
		perPage := math.Floor((block - 24) / (t.RowWidth + tupleOverhead))
		if perPage >= 1 {
			need := math.Ceil(t.RelTuples / perPage)
			if gap := 1 - need/float64(t.RelPages); gap > best {
				best, how = gap, "the pages its rows need at their average width (pg_stats) against the pages it has"
			}
		}
	}
	return best, how
}

func latest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.After(*b):
		return a
	}
	return b
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func ago(t *time.Time, now time.Time) string {
	if t == nil {
		return "never"
	}
	d := now.Sub(*t)
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d.Hours()))
	}
	return fmt.Sprintf("%d days ago", int(d.Hours()/24))
}

func (j *judge) wraparound() {
	if j.unknownPart("wraparound", "postgres.wraparound", "transaction ID ages") {
		return
	}
	problems := 0
	level := func(age int64) report.Status {
		switch {
		case age >= j.th.XIDCritAge:
			return report.StatusCritical
		case age >= j.th.XIDWarnAge:
			return report.StatusWarning
		}
		return report.StatusOK
	}
	left := func(age int64) int64 { return math.MaxInt32 - age }
	for _, d := range j.s.Databases {
		for _, kind := range []struct {
			what string
			age  int64
		}{{"transaction ID", d.XIDAge}, {"MultiXact ID", d.MXIDAge}} {
			if st := level(kind.age); st != report.StatusOK {
				problems++
				j.raise(codes.PGXIDWraparound, report.Finding{Check: "postgres.wraparound", Subject: "database " + d.Name, Status: st,
					Summary: fmt.Sprintf("database %s's oldest %s is %d old: %d left before Postgres stops accepting writes", d.Name, kind.what, kind.age, left(kind.age)),
					Detail:  "Autovacuum must freeze old rows; long transactions or tables it cannot vacuum keep the age growing.",
					Remedy:  "VACUUM (FREEZE, VERBOSE) the oldest tables below, and end long-running transactions",
					Data:    map[string]any{"age": kind.age, "left": left(kind.age), "autovacuum_freeze_max_age": j.s.Settings.FreezeMaxAge}}, "")
			}
		}
	}
	if !j.unknownPart("tables", "postgres.wraparound", "table ages") {
		for _, t := range j.s.Tables {
			freeze := t.FreezeMaxAge
			if freeze < 0 {
				freeze = j.s.Settings.FreezeMaxAge
			}
			st := level(t.XIDAge)
			if st == report.StatusOK && (freeze <= 0 || t.XIDAge <= freeze || t.AutovacuumEnabled) {
				continue
			}
			if st == report.StatusOK {
				st = report.StatusWarning // past its freeze age with autovacuum off: nothing will freeze it in time
			}
			problems++
			name := t.Schema + "." + t.Name
			j.raise(codes.PGXIDWraparound, report.Finding{Check: "postgres.wraparound", Subject: name, Status: st,
				Summary: fmt.Sprintf("table %s's relfrozenxid is %d old (autovacuum_freeze_max_age %d)", name, t.XIDAge, freeze),
				Remedy:  fmt.Sprintf("VACUUM (FREEZE, VERBOSE) %s;", qualified(t.Schema, t.Name)),
				Data:    map[string]any{"xid_age": t.XIDAge, "mxid_age": t.MXIDAge, "freeze_max_age": freeze}}, "")
		}
	}
	if problems == 0 {
		var oldest int64
		for _, d := range j.s.Databases {
			oldest = max(oldest, d.XIDAge)
		}
		j.add(report.Finding{Check: "postgres.wraparound", Status: report.StatusOK,
			Summary: fmt.Sprintf("oldest transaction ID age %d: far from wraparound", oldest)})
	}
}

func typeMax(t string) int64 {
	switch t {
	case "smallint":
		return math.MaxInt16
	case "integer":
		return math.MaxInt32
	}
	return math.MaxInt64
}

func (j *judge) sequences() {
	if j.unknownPart("sequences", "postgres.sequences", "sequences") {
		return
	}
	problems := 0
	for _, q := range j.s.Sequences {
		if q.LastValue == nil || q.Increment <= 0 {
			continue
		}
		limit, by := q.MaxValue, "its maximum"
		if q.ColumnType != "" && typeMax(q.ColumnType) < limit {
			limit, by = typeMax(q.ColumnType), fmt.Sprintf("the %s column %s", q.ColumnType, q.Column)
		}
		ratio := float64(*q.LastValue) / float64(limit)
		if ratio < j.th.SequenceWarn {
			continue
		}
		problems++
		st := report.StatusWarning
		if ratio >= j.th.SequenceCrit {
			st = report.StatusCritical
		}
		name := q.Schema + "." + q.Name
		remedy := fmt.Sprintf("ALTER SEQUENCE %s AS bigint; and widen the column it feeds", qualified(q.Schema, q.Name))
		if q.Column != "" && q.ColumnType != "bigint" {
			tbl, col, _ := strings.Cut(q.Column, ".")
			remedy = fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE bigint; (rewrites the table: plan the lock)", qualified(q.Schema, tbl), quoteIdent(col))
		}
		j.raise(codes.PGSequenceExhaustion, report.Finding{Check: "postgres.sequences", Subject: name, Status: st,
			Summary: fmt.Sprintf("sequence %s is at %d, %.1f%% of %s (%d)", name, *q.LastValue, 100*ratio, by, limit),
			Detail:  "When it runs out, every INSERT that needs a new id fails.",
			Remedy:  remedy,
			Data:    map[string]any{"last_value": *q.LastValue, "limit": limit, "ratio": ratio, "data_type": q.DataType, "column": q.Column, "column_type": q.ColumnType}}, "")
	}
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.sequences", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d sequences, none past %.0f%% of its range", len(j.s.Sequences), 100*j.th.SequenceWarn)})
	}
}

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
		j.raise(codes.PGSlowQueries, report.Finding{Check: "postgres.statements", Subject: fmt.Sprintf("query %d", q.QueryID),
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
	if p.StorageBytes > 0 {
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
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.plan", Status: report.StatusOK,
			Summary: fmt.Sprintf("within the %s plan: %s of %s storage", p.Name, humanBytes(s.DBSize), humanBytes(p.StorageBytes))})
	}
}
