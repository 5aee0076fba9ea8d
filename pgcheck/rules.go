package pgcheck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Thresholds of the rules; DefaultThresholds documents each.
type Thresholds struct {
	LongQueryWarn, LongQueryCrit    time.Duration
	ConnWarn, ConnCrit              float64
	HitWarn, HitCrit                float64
	MinHitBlocks                    int64
	UnusedIndexMinBytes             int64
	BloatMinBytes                   int64
	BloatWarn, BloatCrit            float64
	SeqScanMinRows, SeqScanMinBytes int64
	SeqScanMinFullReads             float64
	SeqScanRowShare                 float64
	XIDWarnAge, XIDCritAge          int64
	SequenceWarn, SequenceCrit      float64
	SlowMeanMS                      float64
	SlowShare                       float64
	StatsYoung                      time.Duration
	PlanWarn, PlanCrit              float64
}

// DefaultThresholds: queries/transactions over 5 min warn and over 1 h are
// critical; connections at 75%/90% of the effective limit; hit rates under
// 99%/95% once 1,000 blocks (8 MB) were touched; unused indexes from 256 kB;
// bloat from 1 MB at 20%/50% dead; sequential scans on tables of 10,000+
// rows and 8 MB+ read whole 3+ times (beyond one read a day, what a daily
// pg:backups run costs) with half or more of the rows they give read that
// way; wraparound when fewer than
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
	SeqScanMinRows: 10000, SeqScanMinBytes: 8 << 20, SeqScanMinFullReads: 3, SeqScanRowShare: 0.5,
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
	code := codes.CheckError
	summary := fmt.Sprintf("reading %s failed: %s", what, pgMessage(err))
	var pe *pgconn.PgError
	switch {
	case IsPermission(err):
		code = codes.PermissionDenied
		summary = fmt.Sprintf("permission denied reading %s: %s", what, pgMessage(err))
	case errors.As(err, &pe) && pe.Code != "57014" && pe.Code != "55P03": // statement and lock timeouts are timeouts
	case isTimeout(err) || j.s.Deadline:
		code = codes.Timeout
		summary = fmt.Sprintf("could not read %s before the deadline: %v", what, err)
	}
	j.raise(code, report.Finding{Check: check, Summary: summary}, "")
	return true
}

// isTimeout: a statement or lock timeout, or a context or network deadline.
func isTimeout(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "57014" || pe.Code == "55P03"
	}
	return pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
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
	if s.ConnectErr != nil && s.Deadline {
		// Still connecting when the check's time was up: it could not
		// decide, which is not the database refusing.
		j.raise(codes.Timeout, report.Finding{Check: "postgres.connection",
			Summary: "no session before the check's deadline: " + connectReason(s.ConnectErr),
			Data:    map[string]any{"error": connectReason(s.ConnectErr)}}, "")
		return j.out
	}
	if s.ConnectErr != nil {
		j.raise(codes.PGUnreachable, report.Finding{Check: "postgres.connection",
			Summary: "cannot connect: " + connectReason(s.ConnectErr),
			Data:    map[string]any{"error": connectReason(s.ConnectErr)}}, "check the URL, the network and the credentials")
		// What Heroku Data says does not need the session.
		j.heroku()
		j.version()
		j.budget()
		return j.out
	}
	if j.unknownPart("server", "postgres.connection", "the server's version and role") {
		return j.out
	}
	j.add(report.Finding{Check: "postgres.connection", Status: report.StatusOK,
		Summary: fmt.Sprintf("connected to %s as %s (%s), read-only, one session", s.Database, s.User, shortVersion(s.Version)),
		Data: map[string]any{"server_version_num": s.VersionNum, "database": s.Database, "user": s.User, "pooler": s.Pooler,
			"database_size_bytes": s.DBSize}})
	j.version()
	if !s.TLS && !s.Loopback {
		j.raise(codes.PGCleartext, report.Finding{Check: "postgres.tls",
			Summary: "the session is not encrypted: the password and every query crossed the network in cleartext",
			Detail:  "The server does not offer TLS, or the URL's sslmode (prefer, allow, disable) let the session fall back to cleartext.",
			Data:    map[string]any{"tls": false, "pooler": s.Pooler}}, "connect with sslmode=require (or verify-full), and enable TLS on the server")
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
	j.heroku()
	j.budget()
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
