package pgcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Collect connects and reads everything. It never writes: the session is
// read-only, and every statement is a SELECT or SHOW.
func Collect(ctx context.Context, t Target, s Session) *Snapshot {
	start := time.Now()
	snap := &Snapshot{Target: t, Errs: map[string]error{}}
	conn, pooler, err := Connect(ctx, t, s)
	snap.Pooler = pooler
	if err != nil {
		snap.ConnectErr = err
		snap.Deadline = ctx.Err() != nil
		snap.Took = time.Since(start)
		return snap
	}
	defer conn.Close(context.Background())
	_, snap.TLS = conn.PgConn().Conn().(*tls.Conn)
	snap.Loopback = isLoopback(conn.Config().Host)
	CollectOn(ctx, conn, snap)
	snap.Deadline = ctx.Err() != nil
	snap.Took = time.Since(start)
	return snap
}

// CollectOn reads the snapshot through an open session.
func CollectOn(ctx context.Context, conn *pgx.Conn, snap *Snapshot) {
	if snap.Errs == nil {
		snap.Errs = map[string]error{}
	}
	row := conn.QueryRow(ctx, `SELECT current_setting('server_version_num')::int, version(), current_database(), current_user,
		(SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
		(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),
		(SELECT count(*) FROM pg_stat_activity WHERE application_name = 'heroku-checkup' AND datname = current_database())::int,
		pg_database_size(current_database())`)
	if err := row.Scan(&snap.VersionNum, &snap.Version, &snap.Database, &snap.User, &snap.Superuser, &snap.ReadAllStat, &snap.OwnSessions, &snap.DBSize); err != nil {
		snap.Errs["server"] = err
		return
	}
	parts := []struct {
		name string
		fn   func(context.Context, *pgx.Conn, *Snapshot) error
	}{
		{"settings", collectSettings},
		{"connections", collectConnections},
		{"activity", collectActivity},
		{"cache", collectCache},
		{"indexes", collectIndexes},
		{"tables", collectTables},
		{"wraparound", collectDatabases},
		{"sequences", collectSequences},
		{"statements", collectStatements},
	}
	for _, p := range parts {
		if ctx.Err() != nil {
			snap.Errs[p.name] = ctx.Err()
			continue
		}
		if err := p.fn(ctx, conn, snap); err != nil {
			snap.Errs[p.name] = err
		}
	}
}

// IsPermission tells whether a query failed for want of a privilege.
func IsPermission(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42501"
}

func collectSettings(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	var freeze, mxfreeze string
	var thr, scale float64
	var av, tc string
	err := c.QueryRow(ctx, `SELECT current_setting('autovacuum_freeze_max_age'), current_setting('autovacuum_multixact_freeze_max_age'),
		current_setting('autovacuum_vacuum_threshold')::float8, current_setting('autovacuum_vacuum_scale_factor')::float8,
		current_setting('autovacuum'), current_setting('track_counts'),
		(SELECT stats_reset FROM pg_stat_database WHERE datname = current_database())`).
		Scan(&freeze, &mxfreeze, &thr, &scale, &av, &tc, &s.Settings.StatsReset)
	if err != nil {
		return err
	}
	fmt.Sscan(freeze, &s.Settings.FreezeMaxAge)
	fmt.Sscan(mxfreeze, &s.Settings.MXIDFreezeMaxAge)
	s.Settings.VacThreshold, s.Settings.VacScaleFactor = thr, scale
	s.Settings.Autovacuum, s.Settings.TrackCounts = av == "on", tc == "on"
	return nil
}

func collectConnections(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	cn := &s.Conn
	return c.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int,
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = current_user)::int,
		(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = current_database())::int,
		current_setting('max_connections')::int,
		current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0),
		(SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user),
		(SELECT datconnlimit FROM pg_database WHERE datname = current_database())`).
		Scan(&cn.Total, &cn.ByRole, &cn.ByDatabase, &cn.MaxConnections, &cn.Reserved, &cn.RoleLimit, &cn.DatabaseLimit)
}

func collectActivity(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	rows, err := c.Query(ctx, `SELECT pid, coalesce(usename, ''), coalesce(application_name, ''), coalesce(state, ''),
		coalesce(extract(epoch FROM now() - query_start), 0)::float8,
		coalesce(extract(epoch FROM now() - xact_start), 0)::float8,
		coalesce(extract(epoch FROM now() - state_change), 0)::float8,
		coalesce(age(backend_xmin), 0)::int8,
		coalesce(wait_event_type, ''), coalesce(wait_event, ''),
		coalesce(left(query, 1000), ''), pg_blocking_pids(pid)
		FROM pg_stat_activity
		WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()
		ORDER BY pid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b Backend
		if err := rows.Scan(&b.PID, &b.User, &b.Application, &b.State, &b.QuerySeconds, &b.XactSeconds, &b.StateSeconds,
			&b.XminAge, &b.WaitEventType, &b.WaitEvent, &b.Query, &b.BlockedBy); err != nil {
			return err
		}
		b.Hidden = b.Query == "<insufficient privilege>"
		s.Activity = append(s.Activity, b)
	}
	return rows.Err()
}

func collectCache(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	return c.QueryRow(ctx, `SELECT
		coalesce((SELECT sum(heap_blks_hit) FROM pg_statio_user_tables), 0)::int8,
		coalesce((SELECT sum(heap_blks_read) FROM pg_statio_user_tables), 0)::int8,
		coalesce((SELECT sum(idx_blks_hit) FROM pg_statio_user_indexes), 0)::int8,
		coalesce((SELECT sum(idx_blks_read) FROM pg_statio_user_indexes), 0)::int8`).
		Scan(&s.Cache.Hit, &s.Cache.Read, &s.IndexCache.Hit, &s.IndexCache.Read)
}

func collectIndexes(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	// Relations with an ACCESS EXCLUSIVE lock held or queued (a migration)
	// are not opened: pg_get_indexdef and the size functions would wait
	// behind it; the catalog's estimates stand in.
	rows, err := c.Query(ctx, `WITH busy AS (SELECT DISTINCT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL)
		SELECT s.schemaname::text, s.relname::text, s.indexrelname::text, s.idx_scan,
		CASE WHEN s.indexrelid IN (SELECT relation FROM busy) THEN ic.relpages::int8 * current_setting('block_size')::int8
		     ELSE pg_relation_size(s.indexrelid) END,
		i.indisunique, i.indisprimary, i.indisvalid,
		EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid),
		i.indrelid::int8, i.indkey::text, am.amname::text,
		CASE WHEN i.indrelid IN (SELECT relation FROM busy) THEN '(locked)|'
		     ELSE coalesce(pg_get_expr(i.indexprs, i.indrelid), '') || '|' || coalesce(pg_get_expr(i.indpred, i.indrelid), '') END,
		CASE WHEN i.indrelid IN (SELECT relation FROM busy) OR s.indexrelid IN (SELECT relation FROM busy)
		     THEN s.indexrelname || ' (its table is locked)' ELSE pg_get_indexdef(i.indexrelid) END
		FROM pg_stat_user_indexes s
		JOIN pg_index i ON i.indexrelid = s.indexrelid
		JOIN pg_class ic ON ic.oid = s.indexrelid
		JOIN pg_am am ON am.oid = ic.relam
		ORDER BY 1, 2, 3`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ix Index
		var rel int64
		if err := rows.Scan(&ix.Schema, &ix.Table, &ix.Name, &ix.Scans, &ix.Size, &ix.Unique, &ix.Primary, &ix.Valid,
			&ix.Constraint, &rel, &ix.Key, &ix.AM, &ix.ExprPred, &ix.Def); err != nil {
			return err
		}
		ix.TableOID = uint32(rel)
		if ix.ExprPred == "|" {
			ix.ExprPred = ""
		}
		s.Indexes = append(s.Indexes, ix)
	}
	return rows.Err()
}

func collectTables(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	rows, err := c.Query(ctx, `WITH busy AS (SELECT DISTINCT relation FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL)
		SELECT t.schemaname::text, t.relname::text, t.n_live_tup, t.n_dead_tup, c.reltuples::float8,
		coalesce(t.seq_scan, 0), coalesce(t.seq_tup_read, 0), coalesce(t.idx_scan, 0), coalesce(t.idx_tup_fetch, 0),
		CASE WHEN t.relid IN (SELECT relation FROM busy) THEN c.relpages::int8 * current_setting('block_size')::int8
		     ELSE pg_table_size(t.relid) END,
		t.last_vacuum, t.last_autovacuum, t.last_analyze, t.last_autoanalyze,
		coalesce(c.reloptions, '{}'::text[]), age(c.relfrozenxid)::int8, mxid_age(c.relminmxid)::int8,
		c.relpages::int8,
		coalesce((SELECT sum(s.avg_width) FROM pg_stats s WHERE s.schemaname = t.schemaname AND s.tablename = t.relname), 0)::float8
		FROM pg_stat_user_tables t JOIN pg_class c ON c.oid = t.relid
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tb Table
		var opts []string
		if err := rows.Scan(&tb.Schema, &tb.Name, &tb.LiveTuples, &tb.DeadTuples, &tb.RelTuples, &tb.SeqScan, &tb.SeqTupRead,
			&tb.IdxScan, &tb.IdxTupFetch, &tb.Size, &tb.LastVacuum, &tb.LastAutovacuum, &tb.LastAnalyze, &tb.LastAutoanalyze, &opts,
			&tb.XIDAge, &tb.MXIDAge, &tb.RelPages, &tb.RowWidth); err != nil {
			return err
		}
		tb.AutovacuumEnabled = s.Settings.Autovacuum || s.Settings.FreezeMaxAge == 0
		tb.VacThreshold, tb.VacScaleFactor, tb.FreezeMaxAge = -1, -1, -1
		for _, o := range opts {
			k, v, _ := strings.Cut(o, "=")
			switch k {
			case "autovacuum_enabled":
				tb.AutovacuumEnabled = v == "true" || v == "on"
			case "autovacuum_vacuum_threshold":
				fmt.Sscan(v, &tb.VacThreshold)
			case "autovacuum_vacuum_scale_factor":
				fmt.Sscan(v, &tb.VacScaleFactor)
			case "autovacuum_freeze_max_age":
				fmt.Sscan(v, &tb.FreezeMaxAge)
			}
		}
		s.Tables = append(s.Tables, tb)
	}
	return rows.Err()
}

func collectDatabases(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	rows, err := c.Query(ctx, `SELECT datname::text, age(datfrozenxid)::int8, mxid_age(datminmxid)::int8
		FROM pg_database WHERE datallowconn ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d DatabaseAge
		if err := rows.Scan(&d.Name, &d.XIDAge, &d.MXIDAge); err != nil {
			return err
		}
		s.Databases = append(s.Databases, d)
	}
	return rows.Err()
}

// collectSequences reads every sequence with the column that owns it: a
// bigint sequence feeding an integer column overflows at the column's max.
func collectSequences(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	rows, err := c.Query(ctx, `SELECT s.schemaname::text, s.sequencename::text, s.data_type::text, s.last_value, s.max_value, s.increment_by,
		coalesce(col.tbl || '.' || col.attname, ''), coalesce(col.typ, '')
		FROM pg_sequences s
		LEFT JOIN LATERAL (
			SELECT tc.relname::text AS tbl, a.attname::text AS attname, format_type(a.atttypid, a.atttypmod) AS typ
			FROM pg_class sc
			JOIN pg_namespace sn ON sn.oid = sc.relnamespace
			JOIN pg_depend d ON d.objid = sc.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
			JOIN pg_class tc ON tc.oid = d.refobjid
			JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
			WHERE sc.relname = s.sequencename AND sn.nspname = s.schemaname
			LIMIT 1) col ON true
		ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var q Sequence
		if err := rows.Scan(&q.Schema, &q.Name, &q.DataType, &q.LastValue, &q.MaxValue, &q.Increment, &q.Column, &q.ColumnType); err != nil {
			return err
		}
		s.Sequences = append(s.Sequences, q)
	}
	return rows.Err()
}

// collectStatements reads pg_stat_statements from wherever it is installed
// (on Heroku: the heroku_ext schema), when it is installed and readable.
func collectStatements(ctx context.Context, c *pgx.Conn, s *Snapshot) error {
	var schema string
	err := c.QueryRow(ctx, `SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'`).Scan(&schema)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	s.StatementsInstalled, s.StatementsSchema = true, schema
	view := pgx.Identifier{schema, "pg_stat_statements"}.Sanitize()
	rows, err := c.Query(ctx, `SELECT coalesce(queryid, 0), calls, total_exec_time, mean_exec_time, rows, shared_blks_read, shared_blks_hit,
		coalesce(left(query, 500), '')
		FROM `+view+`
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT 200`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st Statement
		if err := rows.Scan(&st.QueryID, &st.Calls, &st.TotalMS, &st.MeanMS, &st.Rows, &st.BlocksRead, &st.BlocksHit, &st.Query); err != nil {
			return err
		}
		s.Statements = append(s.Statements, st)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if s.VersionNum >= 140000 {
		info := pgx.Identifier{schema, "pg_stat_statements_info"}.Sanitize()
		var reset time.Time
		if err := c.QueryRow(ctx, `SELECT stats_reset FROM `+info).Scan(&reset); err == nil {
			s.StatementsReset = &reset
		}
	}
	return nil
}
