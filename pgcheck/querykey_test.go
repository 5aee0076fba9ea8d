package pgcheck

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/pgcheck/pgtest"
	"github.com/heroku-checkup/heroku-checkup/report"
)

func TestQueryKeyKeepsTheQueryAndDropsWhatChanges(t *testing.T) {
	same := [][]string{
		{"SELECT * FROM orders WHERE id = 42", "select *  from orders\n WHERE id = 97", "SELECT * FROM orders WHERE id = $1"},
		{"SELECT * FROM users WHERE email = 'a@example.com' AND note = 'it''s'", "SELECT * FROM users WHERE email = E'b\\'c@example.com' AND note = ''"},
		{"SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (7)", "SELECT * FROM t WHERE id IN ($1, $2)"},
		{"INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", "INSERT INTO t (a, b) VALUES (3, 'z')"},
		// Rails query logs and sqlcommenter put request and trace ids in comments.
		{"SELECT 1 FROM jobs /*application='Acme',controller='jobs',action='show',traceparent='00-4bf92f35-01'*/",
			"SELECT 1 FROM jobs /*application='Acme',controller='jobs',action='show',traceparent='00-a3ce929d-01'*/",
			"SELECT 1 FROM jobs -- request 7f3a\n"},
		{"SELECT $body$ anything 'at' all $body$, 1.5e-3, .5, 0x1F FROM t", "SELECT $$ else $$, 2, 3.0, 0x2 FROM t"},
		{"UPDATE t SET n = 1 WHERE c = B'1010'", "UPDATE t SET n = 2 WHERE c = B'1'"},
		{"SELECT * FROM t /* outer /* nested */ still comment */ WHERE id = 1", "SELECT * FROM t WHERE id = 2"},
	}
	for _, group := range same {
		want := queryKey(group[0])
		for _, q := range group[1:] {
			if got := queryKey(q); got != want {
				t.Errorf("queryKey(%q) = %q, want %q (as for %q)", q, got, want, group[0])
			}
		}
	}
	differ := [][2]string{
		{"SELECT * FROM orders WHERE id = 1", "SELECT * FROM users WHERE id = 1"},
		{`SELECT "Name" FROM t`, `SELECT "name" FROM t`}, // quoted identifiers keep their case
		{"SELECT col1 FROM t", "SELECT col2 FROM t"},     // digits in a name are not a constant
		{"SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE b = 1"},
	}
	for _, d := range differ {
		if queryKey(d[0]) == queryKey(d[1]) {
			t.Errorf("%q and %q have one key %q", d[0], d[1], queryKey(d[0]))
		}
	}
	if got := queryKey("SELECT 'unterminated"); got != "select ?" {
		t.Errorf("a query cut short: %q", got)
	}
	long := "SELECT " + strings.Repeat("a_rather_long_column_name, ", 40) + "x FROM t WHERE id = "
	if k1, k2 := queryKey(long+"1"), queryKey(long+"123456"); k1 != k2 || len(k1) != 512 {
		t.Errorf("a long query: %d bytes, keys equal %v", len(k1), k1 == k2)
	}
}

func FuzzQueryKey(f *testing.F) {
	for _, s := range []string{"SELECT 1", "SELECT 'a''b'", "$$x$$", "/* /* */", "E'\\", `"a""b"`, "1e+", "$1$2", "-- x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		k := queryKey(q)
		if len(k) > 512 {
			t.Errorf("key of %d bytes", len(k))
		}
		if queryKey(q) != k {
			t.Error("not deterministic")
		}
	})
}

// TestStuckSessionKeepsItsFingerprint, on a real server: the app leaves a
// transaction open, reconnects, and leaves the same one open again (a new
// pid, another id in the query, another trace id in its comment): the
// finding names the new pid, and its fingerprint is the old one.
func TestStuckSessionKeepsItsFingerprint(t *testing.T) {
	e := pgtest.Clean(t)
	th := DefaultThresholds
	th.LongQueryWarn, th.LongQueryCrit = time.Millisecond, time.Hour
	stuck := func(id int, trace string) (string, report.Finding) {
		c := pgtest.Connect(t, e.OwnerURL)
		defer c.Close(context.Background())
		pgtest.Exec(t, c, "BEGIN", fmt.Sprintf("UPDATE accounts SET email = email WHERE id = %d /*traceparent='00-%s-01'*/", id, trace))
		var pid int32
		if err := c.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		// The last query of the session is the UPDATE again, not this SELECT.
		pgtest.Exec(t, c, fmt.Sprintf("UPDATE accounts SET email = email WHERE id = %d /*traceparent='00-%s-01'*/", id, trace))
		watch := pgtest.Connect(t, e.Admin)
		defer watch.Close(context.Background())
		pgtest.WaitFor(t, watch, "the session to idle in its transaction",
			"SELECT coalesce((SELECT state = 'idle in transaction' AND now() - state_change > interval '20 ms' FROM pg_stat_activity WHERE pid = $1), false)", pid)
		s := collect(t, e.OwnerURL, "")
		r := report.New(report.Meta{}, Judge(s, th, time.Now()))
		for _, f := range r.Checks {
			if f.Code == codes.PGIdleInTransaction.ID && f.Subject == fmt.Sprintf("pid %d", pid) {
				return f.Subject, f
			}
		}
		t.Fatalf("no %s for pid %d", codes.PGIdleInTransaction.ID, pid)
		return "", report.Finding{}
	}
	subject1, one := stuck(42, "4bf92f3577b34da6")
	subject2, two := stuck(97, "a3ce929d0e0e4736")
	if subject1 == subject2 {
		t.Fatalf("the same pid twice (%s): the test proves nothing", subject1)
	}
	if one.Fingerprint != two.Fingerprint || one.Fingerprint == "" {
		t.Errorf("%s and %s, the same stuck query: fingerprints %s and %s", subject1, subject2, one.Fingerprint, two.Fingerprint)
	}
}
