package e2e

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/pgcheck/pgtest"
)

func withPassword(u, pw string) string {
	p, _ := url.Parse(u)
	p.User = url.UserPassword(p.User.Username(), pw)
	return p.String()
}

// TestPgHealthAgainstRealPostgres runs `heroku-checkup pg-health
// --database-url` against a real PostgreSQL seeded with every problem.
func TestPgHealthAgainstRealPostgres(t *testing.T) {
	p := pgtest.SeedProblems(t)
	dbURL := withPassword(p.OwnerURL, "s3cret-pa55word") // trust auth ignores it; the report must not show it
	r := run(t, nil, "pg-health", "--database-url", dbURL, "--plan", "hobby-dev", "--long-query", "1s", "--format", "json")
	if r.code != 2 {
		t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	rep := decode(t, r)
	want := []struct{ code, subject string }{
		{"PG_CONNECTIONS_HIGH", "database-url"},
		{"PG_LONG_RUNNING_QUERY", fmt.Sprintf("pid %d", p.LongPID)},
		{"PG_IDLE_IN_TRANSACTION", fmt.Sprintf("pid %d", p.IdlePID)},
		{"PG_BLOCKED_QUERIES", fmt.Sprintf("pid %d", p.LockTopPID)},
		{"PG_BLOCKED_QUERIES", fmt.Sprintf("pid %d", p.LockWaitPID)},
		{"PG_CACHE_HIT_LOW", "database-url"},
		{"PG_INDEX_HIT_LOW", "database-url"},
		{"PG_UNUSED_INDEX", "public.big_payload_idx"},
		{"PG_DUPLICATE_INDEX", "public.big_val_b"},
		{"PG_INVALID_INDEX", "public.dups_val_key"},
		{"PG_TABLE_BLOAT", "public.bloated"},
		{"PG_VACUUM_STALE", "public.bloated"},
		{"PG_SEQ_SCANS", "public.events"},
		{"PG_SEQUENCE_EXHAUSTION", "public.order_no"},
		{"PG_SLOW_QUERIES", ""},
		{"PG_PLAN_LIMIT", "database-url"},
	}
	for _, w := range want {
		found := false
		for _, f := range rep.Checks {
			if f.Code == w.code && (w.subject == "" || f.Subject == w.subject) && f.Category == "postgres" {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s on %q", w.code, w.subject)
		}
	}
	if strings.Contains(r.stdout, "s3cret-pa55word") || strings.Contains(r.stderr, "s3cret-pa55word") {
		t.Error("the database password is in the output")
	}

	// The privilege self-check: a role without pg_read_all_stats.
	r = run(t, nil, "pg-health", "--database-url", p.NoStatURL, "--format", "json")
	rep = decode(t, r)
	f, ok := rep.find("postgres.privileges", "database-url")
	if !ok || f.Status != "unknown" || f.Code != "PERMISSION_DENIED" {
		t.Errorf("privilege self-check: %+v", f)
	}
}

func TestPgHealthCleanAndBadInput(t *testing.T) {
	e := pgtest.Clean(t)
	r := run(t, nil, "pg-health", "--database-url", e.OwnerURL, "--format", "json")
	rep := decode(t, r)
	if r.code != 0 {
		t.Errorf("clean database: exit %d", r.code)
	}
	for _, f := range rep.Checks {
		if f.Status == "warning" || f.Status == "critical" || f.Status == "unknown" {
			t.Errorf("clean database: %s %s %s", f.Status, f.Code, f.Summary)
		}
	}
	text := run(t, nil, "pg-health", "--database-url", e.OwnerURL)
	if !strings.Contains(text.stdout, "postgres.connection") || !strings.Contains(text.stdout, "remedies are advice") {
		t.Errorf("text report:\n%s", text.stdout)
	}

	r = run(t, nil, "pg-health", "--database-url", "postgres://u:pw@127.0.0.1:1/db", "--format", "json")
	rep = decode(t, r)
	if f, ok := rep.find("postgres.connection", "database-url"); r.code != 2 || !ok || f.Code != "PG_UNREACHABLE" {
		t.Errorf("unreachable: exit %d %+v", r.code, f)
	}
	for _, bad := range []string{"not a url", "mysql://u:p@h/d", "postgres://"} {
		r = run(t, nil, "pg-health", "--database-url", bad)
		if r.code != 3 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q", bad, r.code, r.stderr)
		}
	}
}

// startPgBouncer runs PgBouncer (transaction pooling, as Heroku's
// connection pooling does) in front of the test server, unprivileged.
func startPgBouncer(t *testing.T, backend string) int {
	t.Helper()
	bin := need(t, "pgbouncer", "pgbouncer")
	u, _ := url.Parse(backend)
	// Not t.TempDir: its parent is private to this user, and PgBouncer runs as another.
	dir, err := os.MkdirTemp("", "pgbouncer")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	t.Cleanup(func() { os.RemoveAll(dir) })
	port := freePort(t)
	conf := fmt.Sprintf(`[databases]
* = host=%s port=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s/userlist.txt
pool_mode = transaction
logfile = %s/pgbouncer.log
pidfile = %s/pgbouncer.pid
`, u.Hostname(), u.Port(), port, dir, dir, dir)
	// auth_type trust still wants the user listed.
	os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(fmt.Sprintf("%q \"\"\n", u.User.Username())), 0o644)
	confPath := filepath.Join(dir, "pgbouncer.ini")
	os.WriteFile(confPath, []byte(conf), 0o644)
	args := []string{bin, confPath}
	if os.Geteuid() == 0 {
		// PgBouncer refuses to run as root.
		args = append([]string{"runuser", "-u", "postgres", "--"}, args...)
	}
	startDaemon(t, args[0], args[1:]...)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			t.Fatalf("pgbouncer did not start: %s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPgHealthBehindPgBouncer: PgBouncer refuses the session settings as
// startup parameters; the check falls back to the simple protocol and SETs
// them after connecting, and still reads everything.
func TestPgHealthBehindPgBouncer(t *testing.T) {
	e := pgtest.Clean(t)
	port := startPgBouncer(t, e.OwnerURL)
	u, _ := url.Parse(e.OwnerURL)
	u.Host = fmt.Sprintf("127.0.0.1:%d", port)
	r := run(t, nil, "pg-health", "--database-url", u.String(), "--format", "json")
	rep := decode(t, r)
	f, ok := rep.find("postgres.connection", "database-url")
	if !ok || f.Status != "ok" || f.Data["pooler"] != true {
		t.Fatalf("through PgBouncer: exit %d %+v\n%s", r.code, f, r.stdout)
	}
	for _, f := range rep.Checks {
		if f.Status == "unknown" || f.Status == "critical" || f.Status == "warning" {
			t.Errorf("through PgBouncer: %s %s %s", f.Status, f.Code, f.Summary)
		}
	}
}
