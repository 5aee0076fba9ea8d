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

// CheckURL tells whether a database URL is one a session can be opened
// with, as libpq would read it; the error never quotes the URL (it holds a
// password). Flags are checked with it before anything runs.
func CheckURL(raw string) error {
	_, _, err := connConfig(Target{URL: raw}, Session{})
	return err
}

func connConfig(t Target, s Session) (*pgx.ConnConfig, bool, error) {
	if !IsPostgresURL(t.URL) {
		return nil, false, ErrBadURL
	}
	env := s.Env
	if env == nil {
		env = func(string) string { return "" }
	}
	// The URL goes to pgx as written: its parser reads a URL exactly as
	// libpq does (%XX decoded, + kept). Re-encoding it through net/url
	// would turn %20 into +, which libpq reads as a plus. Only sslmode is
	// added, when neither the URL nor PGSSLMODE names one.
	raw := t.URL
	if _, ok := queryValue(raw, "sslmode"); !ok {
		mode := env("PGSSLMODE")
		if mode == "" {
			mode = "require"
			if u, err := url.Parse(raw); err == nil && isLoopback(u.Hostname()) {
				mode = "prefer"
			}
		}
		sep := "?"
		if strings.Contains(afterUserinfo(raw), "?") {
			sep = "&"
		}
		raw += sep + "sslmode=" + mode
	}
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrBadURL, redactErr(err))
	}
	cfg.ConnectTimeout = s.or(s.ConnectTimeout, 10*time.Second)
	if s.LookupFunc != nil {
		cfg.LookupFunc = s.LookupFunc
	}
	cfg.RuntimeParams["application_name"] = "heroku-checkup"
	// pgbouncer=true is a client's hint (Prisma's), not a server setting.
	bouncer, _ := queryValue(raw, "pgbouncer")
	delete(cfg.RuntimeParams, "pgbouncer")
	pooler := strings.Contains(strings.ToUpper(t.Name), "CONNECTION_POOL") || cfg.Port == 6432 || bouncer == "true"
	if pooler {
		applyPooler(cfg)
	} else {
		for _, set := range sessionSettings(s) {
			cfg.RuntimeParams[set[0]] = set[1]
		}
	}
	return cfg, pooler, nil
}

// afterUserinfo is what follows a URL's user:password@, which may itself
// hold a '?' or '&' (libpq stops the userinfo only at '@' before a '/').
func afterUserinfo(raw string) string {
	rest := raw
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "@/"); i >= 0 && rest[i] == '@' {
		rest = rest[i+1:]
	}
	return rest
}

// queryValue finds a parameter of a postgres URL's query, its key and value
// percent-decoded as libpq decodes them (a + stays a +).
func queryValue(raw, key string) (string, bool) {
	rest := afterUserinfo(raw)
	i := strings.IndexByte(rest, '?')
	if i < 0 {
		return "", false
	}
	found, value := false, ""
	for _, kv := range strings.Split(rest[i+1:], "&") {
		k, v, _ := strings.Cut(kv, "=")
		if dk, err := url.PathUnescape(k); err == nil && dk == key {
			dv, err := url.PathUnescape(v)
			if err != nil {
				dv = v
			}
			found, value = true, dv // the last one wins, as in libpq
		}
	}
	return value, found
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
