package pgcheck

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func i64(n int64) *int64 { return &n }

// healthySnap is a literal snapshot of a database with nothing wrong.
func healthySnap() *Snapshot {
	return &Snapshot{
		Target:     Target{Name: "DATABASE_URL", App: "acme-prod", Plan: "heroku-postgresql:standard-0"},
		VersionNum: 160004, Version: "PostgreSQL 16.4 on x86_64", Database: "d1", User: "u1", ReadAllStat: true, OwnSessions: 1, TLS: true,
		DBSize: 5 << 30,
		Conn:   Connections{Total: 20, ByRole: 18, ByDatabase: 19, MaxConnections: 120, Reserved: 3, RoleLimit: -1, DatabaseLimit: -1},
		Activity: []Backend{{PID: 10, User: "u1", State: "active", QuerySeconds: 0.2, XactSeconds: 0.2, StateSeconds: 0.2, Query: "SELECT 1"},
			{PID: 11, User: "u1", State: "idle", StateSeconds: 500, Query: "SELECT 2"}},
		Cache:      HitRate{Hit: 999_500, Read: 300},
		IndexCache: HitRate{Hit: 999_900, Read: 50},
		Indexes: []Index{
			{Schema: "public", Table: "users", Name: "users_pkey", Scans: 1000, Size: 1 << 20, Unique: true, Primary: true, Valid: true, Constraint: true, TableOID: 1, Key: "1", AM: "btree"},
			{Schema: "public", Table: "users", Name: "users_email_idx", Scans: 50, Size: 2 << 20, Valid: true, TableOID: 1, Key: "2", AM: "btree"},
		},
		Tables: []Table{{Schema: "public", Name: "users", LiveTuples: 100_000, DeadTuples: 500, RelTuples: 100_000, SeqScan: 3, IdxScan: 5000,
			Size: 20 << 20, AutovacuumEnabled: true, VacThreshold: -1, VacScaleFactor: -1, FreezeMaxAge: -1, XIDAge: 5000}},
		Databases:           []DatabaseAge{{Name: "d1", XIDAge: 1_000_000, MXIDAge: 10}},
		Sequences:           []Sequence{{Schema: "public", Name: "users_id_seq", DataType: "bigint", LastValue: i64(100_000), MaxValue: 1<<63 - 1, Increment: 1, Column: "users.id", ColumnType: "bigint"}},
		Settings:            Settings{FreezeMaxAge: 200_000_000, MXIDFreezeMaxAge: 400_000_000, VacThreshold: 50, VacScaleFactor: 0.2, Autovacuum: true, TrackCounts: true},
		StatementsInstalled: true, StatementsSchema: "heroku_ext",
		Statements: []Statement{{QueryID: 1, Calls: 10000, TotalMS: 20000, MeanMS: 2, Query: "SELECT * FROM users WHERE id = $1"}},
		Errs:       map[string]error{},
	}
}

func TestMain(m *testing.M) { reporttest.Main(m, "pgcheck") }

func TestHealthySnapshot(t *testing.T) {
	fs := Judge(healthySnap(), DefaultThresholds, now)
	if len(fs) < 10 {
		t.Errorf("every check that ran says so: %d findings", len(fs))
	}
	reporttest.AllOK(t, fs)
}

// TestSeqScansQuiet: what PG_SEQ_SCANS leaves alone.
func TestSeqScansQuiet(t *testing.T) {
	reset := now.Add(-30 * 24 * time.Hour)
	cases := []struct {
		name   string
		mutate func(*Table, *Snapshot)
	}{
		{"a small table scanned thousands of times", func(t *Table, _ *Snapshot) {
			t.LiveTuples, t.Size, t.SeqScan, t.SeqTupRead, t.IdxScan, t.IdxTupFetch = 400, 64<<10, 50_000, 50_000*400, 0, 0
		}},
		{"a table of a few pages, many rows", func(t *Table, _ *Snapshot) {
			t.LiveTuples, t.Size, t.SeqScan, t.SeqTupRead = 20_000, 1<<20, 3000, 3000*20_000
		}},
		{"scans that stop early (LIMIT)", func(t *Table, _ *Snapshot) {
			t.LiveTuples, t.SeqScan, t.SeqTupRead = 100_000, 10_000, 10_000*20
		}},
		{"read whole, but most rows come through indexes", func(t *Table, _ *Snapshot) {
			t.SeqScan, t.SeqTupRead, t.IdxScan, t.IdxTupFetch = 5, 500_000, 2_000_000, 2_000_000
		}},
		{"one whole read a day: a daily backup", func(t *Table, s *Snapshot) {
			s.Settings.StatsReset = &reset
			t.SeqScan, t.SeqTupRead, t.IdxScan, t.IdxTupFetch = 30, 30*100_000, 100, 100
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := healthySnap()
			c.mutate(&s.Tables[0], s)
			for _, f := range Judge(s, DefaultThresholds, now) {
				if f.Code == codes.PGSeqScans.ID {
					t.Errorf("%s: %s", f.Code, f.Summary)
				}
			}
		})
	}
}

func TestRulesOnLiteralSnapshots(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(*Snapshot)
		code    string
		subject string
		status  report.Status
	}{
		{"unreachable", func(s *Snapshot) { s.ConnectErr = errors.New("dial tcp 10.0.0.1:5432: connect: connection refused") }, codes.PGUnreachable.ID, "DATABASE_URL", report.StatusCritical},
		{"the deadline passed while connecting", func(s *Snapshot) {
			s.ConnectErr, s.Deadline = errors.New("failed to connect: context deadline exceeded"), true
		}, codes.Timeout.ID, "DATABASE_URL", report.StatusUnknown},
		{"a read that failed for no timeout", func(s *Snapshot) {
			s.Errs["tables"] = errors.New("can't scan into dest[2]: cannot scan NULL into *int64")
		}, codes.CheckError.ID, "DATABASE_URL", report.StatusUnknown},
		{"a read cut by the deadline", func(s *Snapshot) {
			s.Errs["tables"], s.Deadline = errors.New("conn closed"), true
		}, codes.Timeout.ID, "DATABASE_URL", report.StatusUnknown},
		{"connections 80%", func(s *Snapshot) { s.Conn.Total = 94 }, codes.PGConnectionsHigh.ID, "DATABASE_URL", report.StatusWarning},
		{"role limit 90%", func(s *Snapshot) { s.Conn.RoleLimit, s.Conn.ByRole = 20, 18 }, codes.PGConnectionsHigh.ID, "DATABASE_URL", report.StatusCritical},
		{"database limit", func(s *Snapshot) { s.Conn.DatabaseLimit, s.Conn.ByDatabase = 25, 19 }, codes.PGConnectionsHigh.ID, "DATABASE_URL", report.StatusWarning},
		{"long query", func(s *Snapshot) { s.Activity[0].QuerySeconds = 400 }, codes.PGLongRunningQuery.ID, "pid 10", report.StatusWarning},
		{"very long query", func(s *Snapshot) { s.Activity[0].QuerySeconds = 4000 }, codes.PGLongRunningQuery.ID, "pid 10", report.StatusCritical},
		{"idle in transaction", func(s *Snapshot) {
			s.Activity[1].State, s.Activity[1].StateSeconds, s.Activity[1].XminAge = "idle in transaction", 600, 12345
		}, codes.PGIdleInTransaction.ID, "pid 11", report.StatusWarning},
		{"blocked", func(s *Snapshot) {
			s.Activity[0].BlockedBy = []int32{11}
			s.Activity[0].QuerySeconds = 30
		}, codes.PGBlockedQueries.ID, "pid 10", report.StatusWarning},
		{"cache hit low", func(s *Snapshot) { s.Cache = HitRate{Hit: 9700, Read: 300} }, codes.PGCacheHitLow.ID, "DATABASE_URL", report.StatusWarning},
		{"index hit very low", func(s *Snapshot) { s.IndexCache = HitRate{Hit: 500, Read: 1500} }, codes.PGIndexHitLow.ID, "DATABASE_URL", report.StatusCritical},
		{"unused index", func(s *Snapshot) { s.Indexes[1].Scans = 0 }, codes.PGUnusedIndex.ID, "public.users_email_idx", report.StatusWarning},
		{"invalid index", func(s *Snapshot) { s.Indexes[1].Valid = false }, codes.PGInvalidIndex.ID, "public.users_email_idx", report.StatusWarning},
		{"duplicate index", func(s *Snapshot) {
			d := s.Indexes[1]
			d.Name = "users_email_idx2"
			s.Indexes = append(s.Indexes, d)
		}, codes.PGDuplicateIndex.ID, "public.users_email_idx2", report.StatusWarning},
		{"bloat", func(s *Snapshot) { s.Tables[0].DeadTuples = 60_000 }, codes.PGTableBloat.ID, "public.users", report.StatusWarning},
		{"bloat from pg_stats: pages its rows do not need", func(s *Snapshot) {
			// 100,000 rows of 52 bytes need ~1,000 pages; the table has 5,000.
			s.Tables[0].RowWidth, s.Tables[0].RelPages, s.Tables[0].Size = 52, 5000, 5000*8192
		}, codes.PGTableBloat.ID, "public.users", report.StatusCritical},
		{"autovacuum off", func(s *Snapshot) { s.Tables[0].AutovacuumEnabled = false }, codes.PGVacuumStale.ID, "public.users", report.StatusWarning},
		{"autovacuum behind", func(s *Snapshot) { s.Tables[0].DeadTuples = 21_000 }, codes.PGVacuumStale.ID, "public.users", report.StatusWarning},
		{"per-table trigger honoured", func(s *Snapshot) {
			s.Tables[0].DeadTuples, s.Tables[0].VacScaleFactor, s.Tables[0].VacThreshold = 2000, 0.01, 0
		}, codes.PGVacuumStale.ID, "public.users", report.StatusWarning},
		{"seq scans", func(s *Snapshot) {
			s.Tables[0].SeqScan, s.Tables[0].SeqTupRead, s.Tables[0].IdxScan, s.Tables[0].IdxTupFetch = 500, 500*100_000, 100, 100
		}, codes.PGSeqScans.ID, "public.users", report.StatusWarning},
		{"millions of rows read whole a few times", func(s *Snapshot) {
			t := &s.Tables[0]
			t.LiveTuples, t.Size, t.SeqScan, t.SeqTupRead, t.IdxScan, t.IdxTupFetch = 5_000_000, 900<<20, 4, 20_000_000, 90_000, 90_000
		}, codes.PGSeqScans.ID, "public.users", report.StatusWarning},
		{"xid wraparound", func(s *Snapshot) { s.Databases[0].XIDAge = 1_000_000_000 }, codes.PGXIDWraparound.ID, "database d1", report.StatusWarning},
		{"multixact wraparound", func(s *Snapshot) { s.Databases[0].MXIDAge = 1_800_000_000 }, codes.PGXIDWraparound.ID, "database d1", report.StatusCritical},
		{"sequence 92%", func(s *Snapshot) {
			s.Sequences = append(s.Sequences, Sequence{Schema: "public", Name: "n", DataType: "integer", LastValue: i64(1_980_000_000), MaxValue: 2147483647, Increment: 1})
		}, codes.PGSequenceExhaustion.ID, "public.n", report.StatusCritical},
		{"bigint sequence on an int column", func(s *Snapshot) {
			s.Sequences[0].ColumnType, s.Sequences[0].LastValue = "integer", i64(1_700_000_000)
		}, codes.PGSequenceExhaustion.ID, "public.users_id_seq", report.StatusWarning},
		{"slow query", func(s *Snapshot) {
			s.Statements = append(s.Statements, Statement{QueryID: 7, Calls: 12, TotalMS: 30000, MeanMS: 2500, Query: "SELECT * FROM reports"})
		}, codes.PGSlowQueries.ID, "query 7", report.StatusWarning},
		{"plan storage", func(s *Snapshot) { s.DBSize = 62 << 30 }, codes.PGPlanLimit.ID, "DATABASE_URL", report.StatusCritical},
		{"plan rows (a retired hobby plan)", func(s *Snapshot) { s.Target.Plan = "hobby-dev"; s.DBSize = 10 << 20; s.Tables[0].LiveTuples = 8500 }, codes.PGPlanLimit.ID, "DATABASE_URL", report.StatusWarning},
		{"no pg_read_all_stats", func(s *Snapshot) { s.ReadAllStat = false }, codes.PermissionDenied.ID, "DATABASE_URL", report.StatusUnknown},
		{"a view it cannot read", func(s *Snapshot) {
			s.Errs["statements"] = &pgconn.PgError{Code: "42501", Message: "permission denied for view pg_stat_statements"}
		}, codes.PermissionDenied.ID, "DATABASE_URL", report.StatusUnknown},
		{"lock timeout is a timeout", func(s *Snapshot) {
			s.Errs["tables"] = &pgconn.PgError{Code: "55P03", Message: "canceling statement due to lock timeout"}
		}, codes.Timeout.ID, "DATABASE_URL", report.StatusUnknown},
		{"another server error", func(s *Snapshot) {
			s.Errs["sequences"] = &pgconn.PgError{Code: "XX000", Message: "internal error"}
		}, codes.CheckError.ID, "DATABASE_URL", report.StatusUnknown},
		{"old major version, past Heroku's end of life", func(s *Snapshot) { s.VersionNum, s.Version = 120015, "PostgreSQL 12.15 on x86_64" },
			codes.PGVersionUnsupported.ID, "DATABASE_URL", report.StatusCritical},
		{"14: past Heroku's end of life (2025-11-28)", func(s *Snapshot) { s.VersionNum = 140012 },
			codes.PGVersionUnsupported.ID, "DATABASE_URL", report.StatusCritical},
		{"15: deprecated on Heroku", func(s *Snapshot) { s.VersionNum = 150010 },
			codes.PGVersionDeprecated.ID, "DATABASE_URL", report.StatusWarning},
		{"13 outside Heroku: past the community's end of life (2025-11-13)", func(s *Snapshot) {
			s.VersionNum, s.Target.Plan, s.Target.App = 130018, "", ""
		}, codes.PGVersionUnsupported.ID, "DATABASE_URL", report.StatusWarning},
		{"cleartext session", func(s *Snapshot) { s.TLS = false }, codes.PGCleartext.ID, "DATABASE_URL", report.StatusWarning},
		{"counters reset an hour ago", func(s *Snapshot) { reset := now.Add(-time.Hour); s.StatementsReset = &reset },
			codes.PGStatsReset.ID, "pg_stat_statements", report.StatusInfo},
		{"plan not in the table", func(s *Snapshot) { s.Target.Plan = "heroku-postgresql:galactic-9000" },
			codes.PGPlanUnknown.ID, "DATABASE_URL", report.StatusInfo},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := healthySnap()
			c.mutate(s)
			fs := Judge(s, DefaultThresholds, now)
			f, ok := reporttest.Find(t, fs, c.code, c.subject)
			if !ok {
				var got []string
				for _, f := range fs {
					if f.Code != "" {
						got = append(got, f.Code+"@"+f.Subject)
					}
				}
				t.Fatalf("no %s on %s; got %v", c.code, c.subject, got)
			}
			if f.Status != c.status {
				t.Errorf("%s, want %s: %s", f.Status, c.status, f.Summary)
			}
		})
	}
}

func TestStatementsNotInstalled(t *testing.T) {
	s := healthySnap()
	s.StatementsInstalled, s.Statements = false, nil
	f, _ := reporttest.FindCheck(t, Judge(s, DefaultThresholds, now), "postgres.statements")
	if f.Status != report.StatusSkipped || f.Remedy == "" || f.Docs != codes.PGSlowQueries.Docs {
		t.Errorf("not installed: %+v", f)
	}
}

// TestTooFewBlocksIsNotJudged: hit rates over a few blocks say nothing, so
// they are skipped, not an info without a code.
func TestTooFewBlocksIsNotJudged(t *testing.T) {
	s := healthySnap()
	s.Cache = HitRate{Hit: 10, Read: 90}
	f, _ := reporttest.FindCheck(t, Judge(s, DefaultThresholds, now), "postgres.cache")
	if f.Status != report.StatusSkipped || f.Code != "" {
		t.Errorf("few blocks: %+v", f)
	}
}

// TestPlainAdviceWithoutAnApp: a database of --database-url has no app, so
// the remedies are not Heroku CLI commands with a placeholder.
func TestPlainAdviceWithoutAnApp(t *testing.T) {
	s := healthySnap()
	s.Target.App = ""
	s.Conn.Total = 110
	f, _ := reporttest.Find(t, Judge(s, DefaultThresholds, now), codes.PGConnectionsHigh.ID, "")
	if f.Remedy != "Use a connection pooler (PgBouncer) or lower the app's pool sizes" {
		t.Errorf("remedy: %q", f.Remedy)
	}
}

func TestSSLModeAsTheHerokuCLI(t *testing.T) {
	cases := []struct {
		url, env, want string
	}{
		{"postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d", "", "require"},
		{"postgres://u:p@127.0.0.1:5432/d", "", "prefer"},
		{"postgres://u:p@localhost/d", "", "prefer"},
		{"postgres://u:p@db.example.com/d?sslmode=verify-full", "", "verify-full"},
		{"postgres://u:p@db.example.com/d", "disable", "disable"},
	}
	for _, c := range cases {
		cfg, _, err := connConfig(Target{URL: c.url}, Session{Env: func(k string) string {
			if k == "PGSSLMODE" {
				return c.env
			}
			return ""
		}})
		if err != nil {
			t.Fatal(err)
		}
		gotTLS := cfg.TLSConfig != nil
		switch c.want {
		case "disable":
			if gotTLS || len(cfg.Fallbacks) > 0 {
				t.Errorf("%s: TLS with sslmode=disable", c.url)
			}
		case "require", "verify-full":
			if !gotTLS || len(cfg.Fallbacks) > 0 {
				t.Errorf("%s: want TLS without plaintext fallback (%s)", c.url, c.want)
			}
		case "prefer":
			if !gotTLS || len(cfg.Fallbacks) == 0 {
				t.Errorf("%s: prefer means TLS with a plaintext fallback", c.url)
			}
		}
		if cfg.RuntimeParams["application_name"] != "heroku-checkup" || cfg.RuntimeParams["default_transaction_read_only"] != "on" {
			t.Errorf("startup parameters: %v", cfg.RuntimeParams)
		}
	}
	pooled, pooler, _ := connConfig(Target{Name: "DATABASE_CONNECTION_POOL_URL", URL: "postgres://u:p@db.example.com:5432/d"}, Session{})
	if !pooler || pooled.RuntimeParams["statement_timeout"] != "" {
		t.Errorf("behind PgBouncer the timeouts are SET after connecting: pooler=%v params=%v", pooler, pooled.RuntimeParams)
	}
	if _, _, err := connConfig(Target{URL: "mysql://u:p@h/d"}, Session{}); !errors.Is(err, ErrBadURL) {
		t.Errorf("mysql URL accepted: %v", err)
	}
}

func TestLookupPlan(t *testing.T) {
	for name, bytes := range map[string]int64{"heroku-postgresql:standard-0": 64 << 30, "premium-4": 768 << 30, "essential-1": 10 << 30,
		"mini": 1 << 30, "premium-l-9": 5120 << 30, "shield-xl-6": 3072 << 30} {
		p, ok := LookupPlan(name)
		if !ok || p.StorageBytes != bytes || p.Source == "" {
			t.Errorf("%s: %+v %v", name, p, ok)
		}
	}
	// mini and basic are Essential now: no row limit, Essential's connections.
	for _, n := range []string{"mini", "basic", "essential-0"} {
		if p, _ := LookupPlan(n); p.RowLimit != 0 || p.ConnectionLimit != 20 || p.Tier != "essential" {
			t.Errorf("%s: %+v", n, p)
		}
	}
	for _, n := range []string{"heroku-postgresql:advanced", "advanced-private", "advanced-shield", "performance-4g"} {
		if p, ok := LookupPlan(n); !ok || p.Tier != "advanced" || !IsAdvanced(n) {
			t.Errorf("%s: %+v %v", n, p, ok)
		}
	}
	for _, n := range []string{"heroku-postgresql:galactic-9000", "standard-l-6", "standard-11"} {
		if _, ok := LookupPlan(n); ok {
			t.Errorf("%s found", n)
		}
	}
	if !IsShield("heroku-postgresql:shield-0") || IsShield("standard-0") {
		t.Error("IsShield")
	}
}
