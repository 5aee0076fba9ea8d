package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// Dev Center articles of the Postgres codes.
const (
	pgAnalytics = devCenter + "heroku-postgres-performance-analytics" // pg:diagnose and its checks
	pgVacuum    = devCenter + "managing-vacuum-on-heroku-postgres"
	pgExpensive = devCenter + "expensive-queries"
	pgPlans     = devCenter + "heroku-postgres-plans"
	pgCaching   = devCenter + "understanding-postgres-data-caching"
)

// pgDiagnose is the source of the checks pg:diagnose also makes.
const pgDiagnose = pgAnalytics + " (the checks of heroku pg:diagnose; updated 2026-05-12, read 2026-11-24)"

// killRemedy is the general form; the rule names the session's pid.
const killRemedy = "heroku pg:kill PID {subject} -a {app} (outside Heroku: SELECT pg_cancel_backend(PID);)"

// Postgres codes: one short read-only session per database.
var (
	PGUnreachable = &report.Code{ID: "PG_UNREACHABLE", Category: report.CategoryPostgres, Status: report.StatusCritical,
		Title:   "heroku-checkup cannot connect to the database",
		Why:     "If heroku-checkup cannot connect, the app may not either; and nothing about the database could be checked.",
		Detects: "Connecting with the URL of the config var (TLS as the Heroku CLI does: required for Heroku's hosts), with a deadline: the server's refusal, an authentication error or a network failure.",
		Remedy:  "heroku pg:info {subject} -a {app}", Subject: "DATABASE",
		Docs:   devCenter + "connecting-heroku-postgres",
		Source: devCenter + "connecting-heroku-postgres (TLS 1.2 or higher is required; updated 2026-04-21, read 2026-11-24)",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGCleartext = &report.Code{ID: "PG_CLEARTEXT", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The database session is not encrypted (no TLS)",
		Why:     "The password and every query and result cross the network in cleartext: anyone on the path can read or change them. Heroku Postgres requires TLS; a session without it means a server that offers none, or a URL whose sslmode (prefer, allow, disable) let it fall back.",
		Detects: "After connecting to a server addressed beyond loopback, the session's connection is not a TLS one (heroku-checkup asks for sslmode=require unless the URL or PGSSLMODE names another mode).",
		Remedy:  "Connect with sslmode=require (or verify-full) and enable TLS on the server; Heroku's URL for it: heroku pg:credentials:url {subject} -a {app}", Subject: "DATABASE",
		Docs:   devCenter + "connecting-heroku-postgres",
		Source: devCenter + "connecting-heroku-postgres (TLS 1.2 or higher is required; updated 2026-04-21, read 2026-11-24)",
		Test:   "pgcheck.TestCleartextFallbackWarns"}

	PGConnectionsHigh = &report.Code{ID: "PG_CONNECTIONS_HIGH", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Connections are near the database's limit",
		Why:     "At the limit new connections are refused: requests fail with 'too many connections' while the database itself is fine.",
		Detects: "pg_stat_activity's count against the tightest of max_connections (less the reserved slots), the role's and the database's CONNECTION LIMIT, and, where the role has none, the plan's limit as the Data API gives it (pg:info's Connections used/limit, the Advanced leader pool's): 75% is a warning, 90% critical.",
		Remedy:  "Use connection pooling (heroku pg:connection-pooling:attach {subject} -a {app}) or lower the app's pool sizes", Subject: "DATABASE",
		Docs:   devCenter + "postgres-connection-pooling",
		Source: pgDiagnose + "; plan connection limits are read live (the server, the Data API), not from a table",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGLongRunningQuery = &report.Code{ID: "PG_LONG_RUNNING_QUERY", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "A query or transaction has been running for a long time",
		Why:     "It holds its locks and a snapshot that stops vacuum from removing dead rows, and it may be stuck.",
		Detects: "pg_stat_activity (with pg_read_all_stats): an active query, or an open transaction, older than --long-query (5 min); older than --long-query-critical (1 h) is critical.",
		Remedy:  killRemedy, Subject: "DATABASE", Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGIdleInTransaction = &report.Code{ID: "PG_IDLE_IN_TRANSACTION", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "A session sits idle in an open transaction",
		Why:     "The app forgot a COMMIT or ROLLBACK: the transaction keeps its locks and holds back vacuum.",
		Detects: "pg_stat_activity: a session idle in transaction for longer than --long-query; the age of its snapshot (xmin) is shown.",
		Remedy:  killRemedy, Subject: "DATABASE", Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGBlockedQueries = &report.Code{ID: "PG_BLOCKED_QUERIES", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Sessions wait for locks held by others",
		Why:     "Blocked queries pile up behind the session at the root of the chain; waiting longer than --long-query is critical.",
		Detects: "pg_blocking_pids for every session, followed to the session at the root of each chain; from the logs alone, Heroku Postgres's metrics lines (sample#waiting-connections above 0 in the latest sample).",
		Remedy:  killRemedy, Subject: "DATABASE", Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGCacheHitLow = &report.Code{ID: "PG_CACHE_HIT_LOW", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Too many table reads miss the cache",
		Why:     "A well-designed app serves more than 99% of reads from cache; below that the working set does not fit in memory and reads go to disk.",
		Detects: "pg_statio_user_tables: heap blocks hit against read, once 1,000 blocks were touched: under 99% is a warning, under 95% critical; from the logs alone, Heroku Postgres's metrics lines (sample#table-cache-hit-rate of the latest sample), with the same lines.",
		Remedy:  "The working set does not fit in memory: a plan with more RAM (heroku addons:upgrade {subject} -a {app}), or fewer, smaller indexes and tables", Subject: "DATABASE",
		Docs:   pgCaching,
		Source: pgCaching + " (more than 99% from cache; updated 2024-04-01)",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGIndexHitLow = &report.Code{ID: "PG_INDEX_HIT_LOW", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Too many index reads miss the cache",
		Why:     "Index blocks read from disk slow every query that uses them; the indexes do not fit in memory.",
		Detects: "pg_statio_user_indexes: index blocks hit against read, once 1,000 blocks were touched: under 99% is a warning, under 95% critical; from the logs alone, Heroku Postgres's metrics lines (sample#index-cache-hit-rate of the latest sample), with the same lines.",
		Remedy:  "The working set does not fit in memory: a plan with more RAM (heroku addons:upgrade {subject} -a {app}), or fewer, smaller indexes and tables", Subject: "DATABASE",
		Docs:   pgCaching,
		Source: pgCaching + " (more than 99% from cache; updated 2024-04-01)",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGUnusedIndex = &report.Code{ID: "PG_UNUSED_INDEX", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "An index has never been scanned",
		Why:     "It slows every write and takes space for nothing (check followers and rare jobs before dropping it).",
		Detects: "pg_stat_user_indexes: no scan since the statistics were reset, 256 kB or larger, not unique, primary or backing a constraint.",
		Remedy:  "DROP INDEX CONCURRENTLY {subject};", Subject: "INDEX",
		Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGInvalidIndex = &report.Code{ID: "PG_INVALID_INDEX", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "An index is INVALID",
		Why:     "Usually a failed CREATE INDEX CONCURRENTLY: writes still maintain it, but no query uses it.",
		Detects: "pg_index.indisvalid is false.",
		Remedy:  "DROP INDEX CONCURRENTLY {subject}; then create it again", Subject: "INDEX",
		Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGDuplicateIndex = &report.Code{ID: "PG_DUPLICATE_INDEX", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "An index duplicates another",
		Why:     "Two indexes on the same columns in the same order cost every write twice; one is enough.",
		Detects: "Valid indexes of the same table with the same access method, columns, expressions and predicate; the unique or primary one is kept.",
		Remedy:  "DROP INDEX CONCURRENTLY {subject};", Subject: "INDEX",
		Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGTableBloat = &report.Code{ID: "PG_TABLE_BLOAT", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "A table is bloated",
		Why:     "Dead rows and space never given back make scans read pages that hold nothing.",
		Detects: "Of tables of 1 MB or more, the larger of the dead-row ratio and the gap between the table's pages and the pages its rows need at their average width (pg_stats): 20% is a warning, 50% critical.",
		Remedy:  "VACUUM (ANALYZE) {subject};", Subject: "TABLE",
		Docs:   pgVacuum,
		Source: pgVacuum + "; " + pgDiagnose,
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGVacuumStale = &report.Code{ID: "PG_VACUUM_STALE", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Autovacuum is off for a table, or behind",
		Why:     "Dead rows accumulate: the table bloats and queries slow down; long transactions, too few workers or low cost limits are the usual causes.",
		Detects: "pg_stat_user_tables: autovacuum disabled on a table with dead rows, or dead rows past the table's own autovacuum trigger and no vacuum for a day.",
		Remedy:  "VACUUM (ANALYZE) {subject};", Subject: "TABLE",
		Docs: pgVacuum, Source: pgVacuum,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGXIDWraparound = &report.Code{ID: "PG_XID_WRAPAROUND", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Transaction IDs are running out (wraparound)",
		Why:     "When the oldest transaction or MultiXact ID gets too old, Postgres stops accepting writes until it is frozen.",
		Detects: "age(datfrozenxid), mxid_age(datminmxid) and each table's relfrozenxid: fewer than 1.5 billion IDs left is a warning (pghero's line), fewer than 500 million critical; a table past its freeze age with autovacuum off is a warning.",
		Remedy:  "VACUUM (FREEZE, VERBOSE) {subject};", Subject: "TABLE",
		Docs: pgVacuum, Source: pgVacuum + "; " + pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGSequenceExhaustion = &report.Code{ID: "PG_SEQUENCE_EXHAUSTION", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "A sequence is near the end of its range",
		Why:     "When it runs out, every INSERT that needs a new id fails; an int column fed by a bigint sequence runs out at the column's limit.",
		Detects: "Each sequence's last value against its maximum, or against the limit of the integer column it feeds: 75% is a warning, 90% critical.",
		Remedy:  "ALTER SEQUENCE {subject} AS bigint; and widen the column it feeds", Subject: "SEQUENCE",
		Docs: pgAnalytics, Source: pgDiagnose,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGSeqScans = &report.Code{ID: "PG_SEQ_SCANS", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "A large table is read mostly by sequential scans",
		Why:     "Reading a whole large table per query is slow and evicts the cache; it usually means a missing index. A table of millions of rows read whole a few times costs more than a small one scanned thousands of times (which Postgres rightly prefers to an index).",
		Detects: "pg_stat_user_tables, weighted by the rows read: a table of 10,000 rows and 8 MB or more whose sequential scans read it whole (seq_tup_read / n_live_tup) 3 times or more beyond one a day since the statistics were reset (a daily backup reads every table once), and gave at least half of the rows the table gave (against idx_tup_fetch).",
		Remedy:  "Find the queries that scan it (pg_stat_statements) and add the index they need: CREATE INDEX CONCURRENTLY ...", Subject: "TABLE",
		Docs: pgExpensive, Source: pgExpensive,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGSlowQueries = &report.Code{ID: "PG_SLOW_QUERIES", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Queries that take most of the database's time",
		Why:     "Unoptimised queries are the leading cause of poor database performance.",
		Detects: "pg_stat_statements (when installed and readable): among the top queries by total and by mean time, those averaging 1 s, or 500 ms with a fifth of all query time.",
		Remedy:  "EXPLAIN (ANALYZE, BUFFERS) the query and add the index it needs, or cache its result", Subject: "QUERY",
		Docs:   pgExpensive,
		Source: pgAnalytics + " (unoptimised queries are the leading cause of poor performance); " + pgExpensive,
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGStatsReset = &report.Code{ID: "PG_STATS_RESET", Category: report.CategoryPostgres, Status: report.StatusInfo,
		Title:   "pg_stat_statements was reset recently",
		Why:     "Its counters cover little traffic yet, so the slow-query ranking may miss queries that run rarely.",
		Detects: "pg_stat_statements_info.stats_reset is less than a day old.",
		Remedy:  "Run pg-health again when the counters have seen a day of traffic", Subject: "EXTENSION",
		Docs: pgExpensive, Source: pgExpensive,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGPlanLimit = &report.Code{ID: "PG_PLAN_LIMIT", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The database is near its plan's storage or row limit",
		Why:     "A database past its plan's limit has to move to a larger plan under pressure; at 95% it is critical.",
		Detects: "The database size (and the rows, on the legacy plans that limit them) against the plan's limits from heroku-checkup's plan table: 80% is a warning, 95% critical.",
		Remedy:  "heroku addons:upgrade {subject} heroku-postgresql:<larger plan> -a {app} (see heroku pg:info {subject} -a {app})", Subject: "DATABASE",
		Docs:   pgPlans,
		Source: "Heroku's pricing and Elements pages for Essential and Standard storage (third-party copies dated 2026-06-15; no first-party page read)",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGPlanUnknown = &report.Code{ID: "PG_PLAN_UNKNOWN", Category: report.CategoryPostgres, Status: report.StatusInfo,
		Title:   "The database's plan is not in heroku-checkup's plan table",
		Why:     "Its storage and row limits are unknown to this version of heroku-checkup, so nearing them would go unnoticed (connections are read live either way).",
		Detects: "The plan of the add-on (or --plan) is not in the table: Advanced plans, for instance, are not there yet.",
		Remedy:  "See the plan's limits: heroku pg:info {subject} -a {app}", Subject: "DATABASE",
		Docs: pgPlans, Source: pgPlans,
		Test: "pgcheck.TestRulesOnLiteralSnapshots"}

	PGVersionUnsupported = &report.Code{ID: "PG_VERSION_UNSUPPORTED", Category: report.CategoryPostgres, Status: report.StatusCritical,
		Title:   "The PostgreSQL major version is past its end of life",
		Why:     "On Heroku, past end of life access is restricted and the database is then deleted; anywhere, no more fixes, and some of heroku-checkup's checks may be incomplete on it.",
		Detects: "The major version (server_version_num, or pg:info's PG Version) against Heroku's lifecycle for a Heroku Postgres add-on, or the community's end of life for any other database (pgcheck/lifecycle.go, read 2026-11-24): 14 and older are past Heroku's; 13 and 14 past the community's.",
		Remedy:  upgradeRemedy, Subject: "DATABASE",
		Docs:   pgVersions,
		Source: "Dev Center \"Heroku Postgres Version Support\" (updated 2024-10-29), changelog item 2722, Heroku's emails for 14 (EOL 2025-11-28); postgresql.org/support/versioning (13: 2025-11-13, 14: 2026-11-12); read 2026-11-24",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}
)

var postgres = []*report.Code{PGUnreachable, PGCleartext, PGConnectionsHigh, PGLongRunningQuery, PGIdleInTransaction,
	PGBlockedQueries, PGCacheHitLow, PGIndexHitLow, PGUnusedIndex, PGInvalidIndex, PGDuplicateIndex, PGTableBloat,
	PGVacuumStale, PGXIDWraparound, PGSequenceExhaustion, PGSeqScans, PGSlowQueries, PGStatsReset, PGPlanLimit,
	PGPlanUnknown, PGVersionUnsupported}
