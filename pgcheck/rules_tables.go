package pgcheck

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

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
		if j.seqScans(t, name, data) {
			problems++
		}
	}
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.tables", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d tables: no bloat, autovacuum keeping up, no large table read mostly by sequential scans", len(j.s.Tables))})
	}
}

// seqScans flags a table that is expensive to read the way it is read: by
// the rows sequential scans went through, not by how many there were. A
// table of millions of rows read whole a few times costs more than one of a
// few pages scanned thousands of times, which Postgres rightly prefers to an
// index. So: the table is not small (rows and bytes), its sequential scans
// read it whole SeqScanMinFullReads times or more beyond one a day since
// the counters started (a daily pg:backups run is a whole read of every
// table), and they gave at least SeqScanRowShare of the rows the table gave
// (the rest came through index scans).
func (j *judge) seqScans(t Table, name string, data map[string]any) bool {
	if t.SeqScan == 0 || t.LiveTuples < j.th.SeqScanMinRows || t.Size < j.th.SeqScanMinBytes {
		return false
	}
	fullReads := float64(t.SeqTupRead) / float64(t.LiveTuples)
	share := float64(t.SeqTupRead) / float64(t.SeqTupRead+t.IdxTupFetch)
	beyond, since := fullReads, ""
	if reset := j.s.Settings.StatsReset; reset != nil && j.now.After(*reset) {
		days := math.Floor(j.now.Sub(*reset).Hours() / 24)
		beyond = fullReads - days
		since = fmt.Sprintf(" in the %.0f days since the statistics were reset", days)
	}
	data["seq_full_reads"] = math.Round(fullReads*10) / 10
	data["seq_row_share"] = math.Round(share*1000) / 1000
	data["idx_tup_fetch"] = t.IdxTupFetch
	data["estimated_bytes_read_sequentially"] = int64(fullReads * float64(t.Size))
	if beyond < j.th.SeqScanMinFullReads || share < j.th.SeqScanRowShare {
		return false
	}
	j.raise(codes.PGSeqScans, report.Finding{Check: "postgres.seq_scans", Subject: name, Data: data,
		Summary: fmt.Sprintf("%s (%d rows, %s) was read whole about %.0f times by %d sequential scans%s: %d rows, %.0f%% of the rows it gave (%d index scans gave the rest)",
			name, t.LiveTuples, humanBytes(t.Size), fullReads, t.SeqScan, since, t.SeqTupRead, 100*share, t.IdxScan),
		Detail: fmt.Sprintf("About %s read sequentially. A daily backup reads each table once; beyond that, a query without a usable index is reading the whole table.",
			humanBytes(int64(fullReads*float64(t.Size))))}, "")
	return true
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
