// Package pgtest gives tests a real PostgreSQL: throw-away databases and
// roles on the server ./scripts/test starts (HEROKU_CHECKUP_PG_URL, a
// superuser URL), and a database seeded with real problems held open
// while the test runs.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// T is what the helpers need of a test: *testing.T, or the demo's own
// (which turns a failure into an error instead of a failed test).
type T interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

var _ T = testing.TB(nil)

// EnvURL names the variable holding the test server's superuser URL.
const EnvURL = "HEROKU_CHECKUP_PG_URL"

// AdminURL is the superuser URL, or the test fails saying how to get one:
// these tests never pass silently without a server.
func AdminURL(t T) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		t.Fatalf("%s is not set: these tests need a real PostgreSQL. Run ./scripts/test (it installs and starts one), "+
			"or eval \"$(./scripts/postgres start)\" and run go test again", EnvURL)
	}
	return u
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Connect opens a connection, failing the test on error.
func Connect(t T, u string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return c
}

// Exec runs statements, failing the test on error.
func Exec(t T, c *pgx.Conn, sqls ...string) {
	t.Helper()
	for _, q := range sqls {
		if _, err := c.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// WithUserDB rewrites a URL's user and database.
func WithUserDB(base, user, db string) string {
	u, _ := url.Parse(base)
	u.User = url.User(user)
	u.Path = "/" + db
	return u.String()
}

// Env is a throw-away database with its roles.
type Env struct {
	Admin     string // superuser URL of the database
	DB        string
	Owner     string // a Heroku-like role: pg_monitor, pg_read_all_stats, pg_signal_backend, not superuser
	NoStats   string // a role without pg_read_all_stats
	OwnerURL  string
	NoStatURL string
}

// NewEnv creates a database owned by a Heroku-like role (with connLimit,
// -1 for none) and a second role without stats privileges; all are dropped
// when the test ends.
func NewEnv(t T, connLimit int) *Env {
	t.Helper()
	return NewEnvAt(t, AdminURL(t), connLimit)
}

// NewEnvAt is NewEnv on the server of the superuser URL base.
func NewEnvAt(t T, base string, connLimit int) *Env {
	t.Helper()
	s := suffix()
	e := &Env{DB: "hc_" + s, Owner: "hc_owner_" + s, NoStats: "hc_nostats_" + s}
	admin := Connect(t, base)
	defer admin.Close(context.Background())
	Exec(t, admin,
		fmt.Sprintf("CREATE ROLE %s LOGIN CONNECTION LIMIT %d", e.Owner, connLimit),
		fmt.Sprintf("GRANT pg_monitor, pg_read_all_stats, pg_signal_backend TO %s", e.Owner),
		fmt.Sprintf("CREATE ROLE %s LOGIN", e.NoStats),
		fmt.Sprintf("CREATE DATABASE %s OWNER %s", e.DB, e.Owner),
	)
	e.Admin = WithUserDB(base, "postgres", e.DB)
	e.OwnerURL = WithUserDB(base, e.Owner, e.DB)
	e.NoStatURL = WithUserDB(base, e.NoStats, e.DB)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'", e.DB))
		for i := 0; i < 50; i++ {
			if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+e.DB); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		c.Exec(context.Background(), "DROP ROLE IF EXISTS "+e.Owner)
		c.Exec(context.Background(), "DROP ROLE IF EXISTS "+e.NoStats)
	})
	return e
}

// WaitFor polls query (a boolean SELECT) until it is true: readiness is
// observed, never slept for.
func WaitFor(t T, c *pgx.Conn, what, query string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		if err := c.QueryRow(context.Background(), query, args...).Scan(&ok); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Problems is a database with every problem pg-health names, seeded for
// real and held open until Close.
type Problems struct {
	*Env
	LongPID, IdlePID, LockRootPID, LockWaitPID, LockTopPID int32
	conns                                                  []*pgx.Conn
	wg                                                     sync.WaitGroup
}

// SeedProblems builds the problem database. connLimit is the owner role's
// CONNECTION LIMIT; the seeded sessions (plus the checker's own) fill 90% of it.
func SeedProblems(t T) *Problems {
	t.Helper()
	return SeedProblemsAt(t, AdminURL(t))
}

// SeedProblemsAt is SeedProblems on the server of the superuser URL base.
func SeedProblemsAt(t T, base string) *Problems {
	t.Helper()
	const limit = 10
	p := &Problems{Env: NewEnvAt(t, base, limit)}
	admin := Connect(t, p.Admin)
	defer admin.Close(context.Background())
	Exec(t, admin, "CREATE EXTENSION pg_stat_statements")

	own := Connect(t, p.OwnerURL)
	defer own.Close(context.Background())
	Exec(t, own,
		// A table of 60,000 rows read by sequential scans (too small, at 7 MB,
		// for PG_SEQ_SCANS), with an unused index and a duplicate pair.
		// Indexes are built after the rows (a bulk build bypasses shared
		// buffers), so the first index scans read from disk: a low index hit rate.
		"CREATE TABLE big (id serial, val int, note text, payload text)",
		"INSERT INTO big (val, note, payload) SELECT g % 1000, md5(g::text), repeat('x', 40) || g FROM generate_series(1, 60000) g",
		"ALTER TABLE big ADD PRIMARY KEY (id)",
		"CREATE INDEX big_payload_idx ON big (payload)",
		"CREATE INDEX big_val_a ON big (val, id)",
		"CREATE INDEX big_val_b ON big (val, id)",
		"ANALYZE big",
		// Dead rows in a table autovacuum may not touch.
		"CREATE TABLE bloated (id int, pad text) WITH (autovacuum_enabled = false)",
		"INSERT INTO bloated SELECT g, repeat('y', 60) FROM generate_series(1, 40000) g",
		"DELETE FROM bloated WHERE id % 10 <> 0",
		// Space freed by VACUUM but never given back: no dead rows, yet most
		// pages hold nothing live (the estimate from pg_stats finds it).
		"CREATE TABLE vacuumed (id int, pad text)",
		"INSERT INTO vacuumed SELECT g, repeat('z', 60) FROM generate_series(1, 40000) g",
		"DELETE FROM vacuumed WHERE id % 10 <> 0",
		"VACUUM ANALYZE vacuumed",
		// A unique index built concurrently on duplicates: left INVALID.
		"CREATE TABLE dups (val int)",
		"INSERT INTO dups SELECT g % 10 FROM generate_series(1, 100) g",
		// Sequences near their end: by their own range, and by the column they feed.
		"CREATE SEQUENCE order_no AS integer",
		"SELECT setval('order_no', 2000000000)",
		"CREATE TABLE legacy (id integer NOT NULL)",
		"CREATE SEQUENCE legacy_id_seq AS bigint OWNED BY legacy.id",
		"ALTER TABLE legacy ALTER id SET DEFAULT nextval('legacy_id_seq')",
		"SELECT setval('legacy_id_seq', 1700000000)",
		// A row to fight over.
		"CREATE TABLE locked (id int PRIMARY KEY, v int)",
		"INSERT INTO locked VALUES (1, 0)",
	)
	if _, err := own.Exec(context.Background(), "CREATE UNIQUE INDEX CONCURRENTLY dups_val_key ON dups (val)"); err == nil {
		t.Fatal("the unique index on duplicates was built: it should have failed")
	}
	// Sequential scans (they read through a small ring buffer: a low hit
	// rate), an index scan over a freshly built index (read from disk),
	// and a slow statement for pg_stat_statements.
	for range 25 {
		Exec(t, own, "SELECT count(*) FROM big WHERE note LIKE 'ff%'")
	}
	// The expensive case by rows read: a table of 400,000 rows read whole
	// three times among a hundred index lookups; and the quiet one, a small
	// table scanned three hundred times.
	Exec(t, own,
		// (keys added after the rows, as for big: the index hit rate stays low)
		"CREATE TABLE events (id bigint, kind int, note text)",
		"INSERT INTO events SELECT g, g % 7, md5(g::text) FROM generate_series(1, 400000) g",
		"ALTER TABLE events ADD PRIMARY KEY (id)",
		"CREATE TABLE flags (name text, enabled bool)",
		"INSERT INTO flags SELECT 'flag' || g, g % 2 = 0 FROM generate_series(1, 300) g",
		"ALTER TABLE flags ADD PRIMARY KEY (name)",
		"ANALYZE events", "ANALYZE flags")
	for i := range 100 {
		Exec(t, own, fmt.Sprintf("SELECT note FROM events WHERE id = %d", i*997+1))
	}
	for range 3 {
		Exec(t, own, "SELECT count(*) FROM events WHERE note LIKE '%abc%'")
	}
	for range 300 {
		Exec(t, own, "SELECT count(*) FROM flags WHERE enabled")
	}
	Exec(t, own, "CREATE INDEX big_note_idx ON big (note)", "SET enable_seqscan = off", "SET enable_bitmapscan = off")
	for range 3 {
		Exec(t, own, "SELECT count(*) FROM (SELECT note FROM big ORDER BY note) s")
	}
	Exec(t, own, "RESET enable_seqscan", "RESET enable_bitmapscan", "SELECT pg_sleep(1.05)")
	Exec(t, own, `DO $$ BEGIN IF current_setting('server_version_num')::int >= 150000 THEN PERFORM pg_stat_force_next_flush(); END IF; END $$`)

	open := func() *pgx.Conn {
		c := Connect(t, p.OwnerURL)
		p.conns = append(p.conns, c)
		return c
	}
	pid := func(c *pgx.Conn) int32 {
		var n int32
		c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&n)
		return n
	}
	// A long query.
	long := open()
	p.LongPID = pid(long)
	p.wg.Add(1)
	go func() { defer p.wg.Done(); long.Exec(context.Background(), "SELECT pg_sleep(120)") }()
	// An idle transaction.
	idle := open()
	p.IdlePID = pid(idle)
	Exec(t, idle, "BEGIN", "SELECT count(*) FROM dups")
	// A three-deep lock chain: root holds the row, wait waits for the row,
	// top waits for the table behind both.
	root, wait, top := open(), open(), open()
	p.LockRootPID, p.LockWaitPID, p.LockTopPID = pid(root), pid(wait), pid(top)
	Exec(t, root, "BEGIN", "UPDATE locked SET v = 1 WHERE id = 1")
	p.wg.Add(2)
	go func() { defer p.wg.Done(); wait.Exec(context.Background(), "UPDATE locked SET v = 2 WHERE id = 1") }()
	WaitFor(t, admin, "the row lock wait", "SELECT cardinality(pg_blocking_pids($1)) = 1", p.LockWaitPID)
	Exec(t, top, "BEGIN")
	go func() {
		defer p.wg.Done()
		top.Exec(context.Background(), "LOCK TABLE locked IN ACCESS EXCLUSIVE MODE")
	}()
	WaitFor(t, admin, "the table lock wait", "SELECT cardinality(pg_blocking_pids($1)) = 2", p.LockTopPID)
	// Idle connections of the same role, to fill its CONNECTION LIMIT:
	// 8 held here and the checker's own make 9 of 10.
	for len(p.conns) < limit-2 {
		open()
	}
	WaitFor(t, admin, "the statistics of the dead rows", "SELECT n_dead_tup > 30000 FROM pg_stat_user_tables WHERE relname = 'bloated'")
	WaitFor(t, admin, "the long query", "SELECT now() - query_start > interval '1 second' FROM pg_stat_activity WHERE pid = $1", p.LongPID)
	WaitFor(t, admin, "the idle transaction", "SELECT now() - state_change > interval '1 second' FROM pg_stat_activity WHERE pid = $1", p.IdlePID)
	WaitFor(t, admin, "the lock holder", "SELECT now() - state_change > interval '1 second' FROM pg_stat_activity WHERE pid = $1", p.LockRootPID)
	WaitFor(t, admin, "the last lock waiter", "SELECT now() - query_start > interval '1 second' FROM pg_stat_activity WHERE pid = $1", p.LockTopPID)
	t.Cleanup(p.Close)
	return p
}

// Close ends the seeded sessions.
func (p *Problems) Close() {
	c, err := pgx.Connect(context.Background(), p.Admin)
	if err == nil {
		c.Exec(context.Background(), fmt.Sprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND pid <> pg_backend_pid()", p.DB))
		c.Close(context.Background())
	}
	p.wg.Wait()
	for _, c := range p.conns {
		c.Close(context.Background())
	}
	p.conns = nil
}

// Clean is a healthy database: a small table with its primary key, used.
func Clean(t T) *Env {
	t.Helper()
	e := NewEnv(t, -1)
	admin := Connect(t, e.Admin)
	defer admin.Close(context.Background())
	Exec(t, admin, "CREATE EXTENSION pg_stat_statements")
	own := Connect(t, e.OwnerURL)
	defer own.Close(context.Background())
	Exec(t, own,
		"CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE)",
		"INSERT INTO accounts (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 500) g",
		"ANALYZE accounts",
		"SELECT * FROM accounts WHERE id = 42",
		"SELECT * FROM accounts WHERE email = 'user7@example.com'",
	)
	return e
}
