package pgcheck

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/internal/nettest"
	"github.com/heroku-checkup/heroku-checkup/pgcheck/pgtest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func collect(t *testing.T, url string, plan string) *Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := Collect(ctx, Target{Name: "DATABASE_URL", URL: url, App: "acme-prod", Plan: plan}, Session{})
	if s.ConnectErr != nil {
		t.Fatalf("connect: %v", s.ConnectErr)
	}
	for part, err := range s.Errs {
		t.Errorf("reading %s: %v", part, err)
	}
	return s
}

// TestRealServerProblems seeds every problem for real and checks that one
// read-only session finds each, with the right subject.
func TestRealServerProblems(t *testing.T) {
	p := pgtest.SeedProblems(t)
	s := collect(t, p.OwnerURL, "heroku-postgresql:hobby-dev")
	th := DefaultThresholds
	th.LongQueryWarn, th.LongQueryCrit = time.Second, time.Hour
	th.XIDWarnAge = 10 // every real database is older than this: the rule on real ages
	fs := Judge(s, th, time.Now())

	want := []struct {
		code, subject string
		status        report.Status
	}{
		{codes.PGConnectionsHigh.ID, "DATABASE_URL", report.StatusCritical},
		{codes.PGLongRunningQuery.ID, fmt.Sprintf("pid %d", p.LongPID), report.StatusWarning},
		{codes.PGIdleInTransaction.ID, fmt.Sprintf("pid %d", p.IdlePID), report.StatusWarning},
		{codes.PGIdleInTransaction.ID, fmt.Sprintf("pid %d", p.LockRootPID), report.StatusWarning},
		{codes.PGBlockedQueries.ID, fmt.Sprintf("pid %d", p.LockWaitPID), report.StatusCritical}, // waiting longer than --long-query
		{codes.PGBlockedQueries.ID, fmt.Sprintf("pid %d", p.LockTopPID), report.StatusCritical},
		{codes.PGCacheHitLow.ID, "DATABASE_URL", ""},
		{codes.PGIndexHitLow.ID, "DATABASE_URL", report.StatusCritical},
		{codes.PGUnusedIndex.ID, "public.big_payload_idx", report.StatusWarning},
		{codes.PGDuplicateIndex.ID, "public.big_val_b", report.StatusWarning},
		{codes.PGInvalidIndex.ID, "public.dups_val_key", report.StatusWarning},
		{codes.PGTableBloat.ID, "public.bloated", report.StatusCritical},
		{codes.PGTableBloat.ID, "public.vacuumed", report.StatusCritical},
		{codes.PGVacuumStale.ID, "public.bloated", report.StatusWarning},
		{codes.PGSeqScans.ID, "public.events", report.StatusWarning},
		{codes.PGSequenceExhaustion.ID, "public.order_no", report.StatusCritical},
		{codes.PGSequenceExhaustion.ID, "public.legacy_id_seq", report.StatusWarning},
		{codes.PGXIDWraparound.ID, "database " + p.DB, report.StatusWarning},
		{codes.PGSlowQueries.ID, "", report.StatusWarning},
		{codes.PGPlanLimit.ID, "DATABASE_URL", report.StatusCritical},
	}
	for _, w := range want {
		f, ok := reporttest.Find(t, fs, w.code, w.subject)
		if !ok {
			t.Errorf("no %s on %q", w.code, w.subject)
			continue
		}
		if w.status != "" && f.Status != w.status {
			t.Errorf("%s on %s: %s, want %s (%s)", w.code, w.subject, f.Status, w.status, f.Summary)
		}
		if f.Remedy == "" {
			t.Errorf("%s on %s has no remedy", w.code, w.subject)
		}
	}
	// A small table scanned hundreds of times is no problem: Postgres prefers
	// a sequential scan there.
	for _, small := range []string{"public.flags", "public.big"} {
		if f, ok := reporttest.Find(t, fs, codes.PGSeqScans.ID, small); ok {
			t.Errorf("a small table is flagged: %s", f.Summary)
		}
	}
	// The chain is told whole: top waits for wait and root, root is the root.
	f, _ := reporttest.Find(t, fs, codes.PGBlockedQueries.ID, fmt.Sprintf("pid %d", p.LockTopPID))
	if f.Data["root_pid"] != p.LockRootPID || !strings.Contains(f.Remedy, fmt.Sprint(p.LockRootPID)) {
		t.Errorf("lock chain root: %v, remedy %q", f.Data["root_pid"], f.Remedy)
	}
	if f, _ := reporttest.Find(t, fs, codes.PGTableBloat.ID, "public.vacuumed"); !strings.Contains(fmt.Sprint(f.Data["estimated_from"]), "pg_stats") {
		t.Errorf("the vacuumed table's bloat comes from pg_stats: %v", f.Data["estimated_from"])
	}
	if s.OwnSessions != 1 {
		t.Errorf("the checker held %d sessions, want 1", s.OwnSessions)
	}
	for _, f := range fs {
		if f.Status == report.StatusUnknown {
			t.Errorf("unknown finding with full privileges: %s %s", f.Code, f.Summary)
		}
	}
}

func TestSessionIsReadOnly(t *testing.T) {
	e := pgtest.Clean(t)
	conn, _, err := Connect(context.Background(), Target{Name: "DATABASE_URL", URL: e.OwnerURL}, Session{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(context.Background(), "CREATE TABLE should_fail (id int)")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" {
		t.Errorf("a write through the checker's session must fail read-only (25006), got %v", err)
	}
	var app, ro, st string
	conn.QueryRow(context.Background(), "SELECT current_setting('application_name'), current_setting('default_transaction_read_only'), current_setting('statement_timeout')").Scan(&app, &ro, &st)
	if app != "heroku-checkup" || ro != "on" || st != "10s" {
		t.Errorf("session settings: application_name=%s read_only=%s statement_timeout=%s", app, ro, st)
	}
}

func TestCleanDatabaseHasNoWarning(t *testing.T) {
	e := pgtest.Clean(t)
	s := collect(t, e.OwnerURL, "heroku-postgresql:standard-0")
	for _, f := range Judge(s, DefaultThresholds, time.Now()) {
		if f.Check == "postgres.version" {
			continue // the installed server's major is the machine's, not a planted problem (15 is deprecated on Heroku)
		}
		if f.Status == report.StatusWarning || f.Status == report.StatusCritical || f.Status == report.StatusUnknown {
			t.Errorf("clean database: %s %s %s: %s", f.Status, f.Code, f.Subject, f.Summary)
		}
	}
}

// TestWithoutReadAllStats proves the privilege self-check: a role that
// cannot see other sessions gets unknown, never a false ok.
func TestWithoutReadAllStats(t *testing.T) {
	p := pgtest.SeedProblems(t)
	admin := pgtest.Connect(t, p.Admin)
	defer admin.Close(context.Background())
	pgtest.Exec(t, admin, "REVOKE ALL ON pg_stat_statements FROM PUBLIC")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := Collect(ctx, Target{Name: "DATABASE_URL", URL: p.NoStatURL}, Session{})
	if s.ConnectErr != nil {
		t.Fatal(s.ConnectErr)
	}
	th := DefaultThresholds
	th.LongQueryWarn = time.Second
	fs := Judge(s, th, time.Now())
	for _, check := range []string{"postgres.privileges", "postgres.activity", "postgres.locks", "postgres.statements"} {
		found := false
		for _, f := range fs {
			if f.Check == check {
				found = true
				if f.Status != report.StatusUnknown || f.Code != codes.PermissionDenied.ID {
					t.Errorf("%s: %s %s (%s), want unknown PERMISSION_DENIED", check, f.Status, f.Code, f.Summary)
				}
			}
		}
		if !found {
			t.Errorf("no %s finding", check)
		}
	}
	if _, ok := reporttest.Find(t, fs, codes.PGLongRunningQuery.ID, ""); ok {
		t.Error("hidden sessions cannot be judged long")
	}
}

func TestUnreachable(t *testing.T) {
	base := pgtest.AdminURL(t)
	for name, url := range map[string]string{
		"closed port":  "postgres://u:secretpw@127.0.0.1:1/db",
		"unknown role": pgtest.WithUserDB(base, "no_such_role_x", "postgres"),
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		s := Collect(ctx, Target{Name: "DATABASE_URL", URL: url}, Session{})
		cancel()
		fs := Judge(s, DefaultThresholds, time.Now())
		if len(fs) != 1 || fs[0].Code != codes.PGUnreachable.ID || fs[0].Status != report.StatusCritical {
			t.Errorf("%s: %+v", name, fs)
		}
		if strings.Contains(fs[0].Summary, "secretpw") {
			t.Errorf("%s: the password leaked into %q", name, fs[0].Summary)
		}
	}
}

// TestDeadlineIsTimeoutNotUnreachable: a server that accepts the
// connection and never answers, still waiting when the check's deadline
// passes, is unknown TIMEOUT (the check could not decide), not critical
// PG_UNREACHABLE; the same for the run's deadline passing mid-way.
func TestDeadlineIsTimeoutNotUnreachable(t *testing.T) {
	addr := nettest.Silent(t).String() // accepts, never answers
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s := Collect(ctx, Target{Name: "DATABASE_URL", URL: "postgres://u:pw@" + addr + "/db?sslmode=disable"}, Session{})
	fs := Judge(s, DefaultThresholds, time.Now())
	if len(fs) != 1 || fs[0].Code != codes.Timeout.ID || fs[0].Status != report.StatusUnknown {
		t.Fatalf("a check still connecting at its deadline: %+v", fs)
	}
	if !strings.Contains(fs[0].Summary, "deadline") {
		t.Errorf("the summary should say the deadline passed: %s", fs[0].Summary)
	}
}

// TestURLOptionsAsLibpqReadsThem: the URL reaches the server as libpq would
// read it: %20 is a space, and nothing is re-encoded on the way.
func TestURLOptionsAsLibpqReadsThem(t *testing.T) {
	e := pgtest.Clean(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := e.OwnerURL + "&options=-c%20work_mem%3D7MB"
	if !strings.Contains(e.OwnerURL, "?") {
		url = e.OwnerURL + "?options=-c%20work_mem%3D7MB"
	}
	conn, _, err := Connect(ctx, Target{Name: "DATABASE_URL", URL: url}, Session{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var wm string
	if err := conn.QueryRow(ctx, "SHOW work_mem").Scan(&wm); err != nil || wm != "7MB" {
		t.Errorf("work_mem = %q (%v), want the URL's options=-c work_mem=7MB", wm, err)
	}
}

// TestPgbouncerHintStaysClientSide: Prisma's ?pgbouncer=true is read as a
// pooler hint and never sent to the server, which would refuse it as an
// unknown setting and the whole session with it.
func TestPgbouncerHintStaysClientSide(t *testing.T) {
	e := pgtest.Clean(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, _ := neturl.Parse(e.OwnerURL)
	q := u.Query()
	q.Set("pgbouncer", "true")
	u.RawQuery = q.Encode()
	conn, pooler, err := Connect(ctx, Target{Name: "DATABASE_URL", URL: u.String()}, Session{})
	if err != nil {
		t.Fatalf("the hint reached the server: %v", err)
	}
	defer conn.Close(context.Background())
	if !pooler {
		t.Error("pgbouncer=true is not taken as a pooler")
	}
}

// TestCleartextFallbackWarns: sslmode=prefer to a server without TLS falls
// back to a cleartext session; beyond loopback that is a warning.
func TestCleartextFallbackWarns(t *testing.T) {
	e := pgtest.Clean(t)
	u, _ := neturl.Parse(e.OwnerURL)
	port := u.Port()
	u.Host = "db.checkup.test:" + port
	q := u.Query()
	q.Set("sslmode", "prefer")
	u.RawQuery = q.Encode()
	sess := Session{LookupFunc: func(context.Context, string) ([]string, error) { return []string{"127.0.0.1"}, nil }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s := Collect(ctx, Target{Name: "DATABASE_URL", URL: u.String()}, sess)
	if s.ConnectErr != nil {
		t.Fatal(s.ConnectErr)
	}
	fs := Judge(s, DefaultThresholds, time.Now())
	f, ok := reporttest.Find(t, fs, codes.PGCleartext.ID, "DATABASE_URL")
	if !ok || f.Status != report.StatusWarning {
		t.Fatalf("no PG_CLEARTEXT warning for a cleartext session to db.checkup.test: %+v", fs)
	}
	// On loopback, where nothing crosses a network, cleartext is no finding.
	s = Collect(ctx, Target{Name: "DATABASE_URL", URL: e.OwnerURL}, Session{})
	if _, ok := reporttest.Find(t, Judge(s, DefaultThresholds, time.Now()), codes.PGCleartext.ID, ""); ok {
		t.Error("a loopback session is flagged as cleartext")
	}
}
