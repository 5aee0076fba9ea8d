// Package pgcheck gives a Postgres database the checks of pg:diagnose,
// pg-extras and pghero in one short, read-only session: it reads the
// catalogs and statistics views into a snapshot (gated on the server
// version, the installed extensions and the role's privileges) and judges
// the snapshot with pure rules.
package pgcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Target is one database to check.
type Target struct {
	Name string // the subject: the config var (DATABASE_URL), never the URL
	URL  string
	App  string
	Plan string // the Heroku plan when known (heroku-postgresql:standard-0)
}

// Session settings of CONTRACT.md's conventions: one connection, read-only,
// bounded statements.
type Session struct {
	ConnectTimeout   time.Duration // 10s
	StatementTimeout time.Duration // 10s
	LockTimeout      time.Duration // 1s
	IdleTxTimeout    time.Duration // 30s
	// Env reads PGSSLMODE; nil is the process environment.
	Env func(string) string
	// LookupFunc resolves the database's host (--resolver); nil is the system's.
	LookupFunc func(ctx context.Context, host string) ([]string, error)
}

func (s Session) or(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Connect opens the check's single session. TLS as the Heroku CLI does it:
// sslmode=require unless the URL or PGSSLMODE says otherwise, prefer for a
// loopback host. Behind PgBouncer (Heroku connection pooling) it uses the
// simple protocol and SETs the timeouts after connecting, as PgBouncer
// refuses unknown startup parameters.
func Connect(ctx context.Context, t Target, s Session) (*pgx.Conn, bool, error) {
	cfg, pooler, err := connConfig(t, s)
	if err != nil {
		return nil, false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil && !pooler && isUnsupportedStartupParam(err) {
		// Not recognised as a pooler by its URL, but it is one.
		pooler = true
		cfg, _, _ = connConfig(t, s)
		applyPooler(cfg)
		conn, err = pgx.ConnectConfig(ctx, cfg)
	}
	if err != nil {
		return nil, pooler, err
	}
	if pooler {
		for _, set := range sessionSettings(s) {
			if _, err := conn.Exec(ctx, "SET "+set[0]+" = '"+set[1]+"'"); err != nil {
				conn.Close(ctx)
				return nil, pooler, fmt.Errorf("SET %s: %w", set[0], err)
			}
		}
	}
	return conn, pooler, nil
}

func sessionSettings(s Session) [][2]string {
	ms := func(d time.Duration) string { return fmt.Sprint(d.Milliseconds()) }
	return [][2]string{
		{"default_transaction_read_only", "on"},
		{"statement_timeout", ms(s.or(s.StatementTimeout, 10*time.Second))},
		{"lock_timeout", ms(s.or(s.LockTimeout, time.Second))},
		{"idle_in_transaction_session_timeout", ms(s.or(s.IdleTxTimeout, 30*time.Second))},
	}
}

// ErrBadURL is a database URL that cannot be parsed.
var ErrBadURL = errors.New("not a postgres:// URL")

func connConfig(t Target, s Session) (*pgx.ConnConfig, bool, error) {
	u, err := url.Parse(t.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return nil, false, ErrBadURL
	}
	q := u.Query()
	env := s.Env
	if env == nil {
		env = func(string) string { return "" }
	}
	if q.Get("sslmode") == "" && env("PGSSLMODE") == "" {
		mode := "require"
		if isLoopback(u.Hostname()) {
			mode = "prefer"
		}
		q.Set("sslmode", mode)
	} else if q.Get("sslmode") == "" {
		q.Set("sslmode", env("PGSSLMODE"))
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrBadURL, redactErr(err))
	}
	cfg.ConnectTimeout = s.or(s.ConnectTimeout, 10*time.Second)
	if s.LookupFunc != nil {
		cfg.LookupFunc = s.LookupFunc
	}
	cfg.RuntimeParams["application_name"] = "heroku-checkup"
	pooler := strings.Contains(strings.ToUpper(t.Name), "CONNECTION_POOL") || u.Port() == "6432" || q.Get("pgbouncer") == "true"
	if pooler {
		applyPooler(cfg)
	} else {
		for _, set := range sessionSettings(s) {
			cfg.RuntimeParams[set[0]] = set[1]
		}
	}
	return cfg, pooler, nil
}

func applyPooler(cfg *pgx.ConnConfig) {
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	for _, k := range []string{"default_transaction_read_only", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"} {
		delete(cfg.RuntimeParams, k)
	}
}

func isUnsupportedStartupParam(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "08P01" {
		return true
	}
	return strings.Contains(err.Error(), "unsupported startup parameter")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasPrefix(host, "/") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactErr keeps a parse error from echoing the URL (and its password).
func redactErr(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return "cannot parse the connection string"
	}
	return msg
}

// DatabaseURLSubject is the subject of the database --database-url names.
const DatabaseURLSubject = "database-url"

// IsPostgresURL tells whether a config var value is a Postgres URL.
func IsPostgresURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") && u.Host != ""
}
