package redischeck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Target is one Redis to check.
type Target struct {
	Name string // the subject: REDIS_URL, or the add-on's name
	URL  string // redis:// or rediss://, with its password
	// SkipVerify accepts the server's certificate unverified. Heroku's
	// Key-Value Store serves self-signed certificates and documents
	// connecting without verification (VERIFY_NONE / ssl_cert_reqs=None; the
	// Heroku CLI's redis:cli uses rejectUnauthorized: false, src/commands/redis/cli.ts):
	// set for the app's Heroku Redis URLs, not for a --redis-url unless asked.
	SkipVerify bool
}

// Options shape a collection.
type Options struct {
	// Timeout bounds the connection and each command (default 10s); the
	// context bounds the whole.
	Timeout time.Duration
	// Dial opens the TCP connection (the run's resolver); nil is net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// RootCAs verifies rediss:// certificates (nil: the system's roots).
	RootCAs *x509.CertPool
}

// URLError is a malformed Redis URL. Its message never holds the URL's password.
type URLError struct{ Msg string }

func (e *URLError) Error() string { return e.Msg }

// ParseURL checks a Redis URL: redis:// or rediss://, a host, an optional
// port and database number. Errors name the URL without its password.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	scheme, _, _ := strings.Cut(raw, "://")
	if scheme != "redis" && scheme != "rediss" {
		return nil, &URLError{Msg: fmt.Sprintf("%s is not a Redis URL: want redis://[:PASSWORD@]HOST[:PORT][/DB] or rediss://...", RedactURL(raw))}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" || u.Opaque != "" {
		return nil, &URLError{Msg: fmt.Sprintf("%s is not a valid Redis URL: want %s://[:PASSWORD@]HOST[:PORT][/DB]", RedactURL(raw), scheme)}
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, &URLError{Msg: fmt.Sprintf("%s has an invalid port", RedactURL(raw))}
		}
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return nil, &URLError{Msg: fmt.Sprintf("%s: the path must be a database number", RedactURL(raw))}
		}
	}
	return u, nil
}

// RedactURL replaces the password of a URL (even a malformed one) with REDACTED.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "the value given"
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	userinfo := rest[:at]
	if user, _, has := strings.Cut(userinfo, ":"); has {
		return scheme + "://" + user + ":REDACTED@" + rest[at+1:]
	}
	return scheme + "://REDACTED@" + rest[at+1:] // a bare password-like userinfo
}

// Addr is host:port of a Redis URL (6379 by default).
func Addr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "6379"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// Collect connects once (one connection, no pool growth, no retries),
// reads INFO and what CONFIG GET allows, and closes. Only read commands are
// sent: HELLO or AUTH to log in, SELECT for a database number, INFO and
// CONFIG GET.
func Collect(ctx context.Context, t Target, o Options) (*Snapshot, error) {
	u, err := ParseURL(t.URL)
	if err != nil {
		return nil, err
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	s := &Snapshot{Name: t.Name, Addr: Addr(u), TLS: u.Scheme == "rediss", TLSUnverified: u.Scheme == "rediss" && t.SkipVerify}
	user := u.User.Username()
	pass, _ := u.User.Password()
	if _, has := u.User.Password(); !has && user != "" {
		// redis://PASSWORD@host: the older form some providers print.
		pass, user = user, ""
	}
	db, _ := strconv.Atoi(strings.Trim(u.Path, "/"))

	dial := o.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
		dial = d.DialContext
	}
	var tlsCfg *tls.Config
	if s.TLS {
		tlsCfg = &tls.Config{ServerName: u.Hostname(), RootCAs: o.RootCAs, MinVersion: tls.VersionTLS12,
			InsecureSkipVerify: t.SkipVerify} // #nosec: Heroku's documented setting for its self-signed certificates
	}
	opt := &redis.Options{
		Addr: s.Addr, Username: user, Password: pass, DB: db,
		Protocol:                 2, // HELLO 2, or AUTH on servers older than Redis 6
		PoolSize:                 1,
		MaxIdleConns:             1,
		MaxRetries:               -1,
		DialerRetries:            1, // one dial: a refused port or a failed handshake is the answer, not a cue to wait and redial
		DialTimeout:              o.Timeout,
		ReadTimeout:              o.Timeout,
		WriteTimeout:             o.Timeout,
		DisableIdentity:          true, // no CLIENT SETINFO: nothing but reads
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		ContextTimeoutEnabled:    true,
		Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil || tlsCfg == nil {
				return c, err
			}
			tc := tls.Client(c, tlsCfg)
			if err := tc.HandshakeContext(ctx); err != nil {
				c.Close()
				return nil, &TLSError{Err: err}
			}
			return tc, nil
		},
	}
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	client := redis.NewClient(opt)
	defer client.Close()

	info, err := client.Info(ctx).Result()
	if err != nil {
		return nil, classify(err)
	}
	ParseInfo(info, s)

	// CONFIG GET for what INFO does not say: the idle timeout (Heroku sets
	// 300 s; 0 keeps idle connections forever) and, before Redis 7, maxclients.
	s.Config = map[string]string{}
	params := []string{"timeout"}
	if s.MaxClientsFrom == "" {
		params = append(params, "maxclients")
	}
	if s.MaxMemoryPolicy == "" {
		params = append(params, "maxmemory", "maxmemory-policy")
	}
	for _, p := range params {
		kv, err := client.ConfigGet(ctx, p).Result()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			s.ConfigRefused = oneLine(err.Error())
			break
		}
		for k, v := range kv {
			s.Config[k] = v
		}
	}
	if v, ok := s.Config["maxclients"]; ok && s.MaxClientsFrom == "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			s.MaxClients, s.MaxClientsFrom = n, "CONFIG GET"
		}
	}
	if v, ok := s.Config["maxmemory-policy"]; ok && s.MaxMemoryPolicy == "" {
		s.MaxMemoryPolicy = v
	}
	if v, ok := s.Config["maxmemory"]; ok && s.MaxMemory == 0 {
		s.MaxMemory, _ = strconv.ParseInt(v, 10, 64)
	}
	return s, nil
}

// quiet drops go-redis's own log lines (its pool logs failed dials to
// stderr): a check reports through its findings, never by printing.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// TLSError is a failed TLS handshake with the server.
type TLSError struct{ Err error }

func (e *TLSError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// UnverifiedCert tells whether a TLS failure is a certificate the client
// could not verify (Heroku's self-signed ones, without SkipVerify).
func (e *TLSError) UnverifiedCert() bool {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var ve *tls.CertificateVerificationError
	return errors.As(e.Err, &ua) || errors.As(e.Err, &hn) || errors.As(e.Err, &ci) || errors.As(e.Err, &ve)
}

// AuthError is the server refusing the credentials.
type AuthError struct{ Msg string }

func (e *AuthError) Error() string { return e.Msg }

func classify(err error) error {
	var te *TLSError
	if errors.As(err, &te) {
		return te
	}
	msg := err.Error()
	for _, p := range []string{"WRONGPASS", "NOAUTH", "invalid password", "invalid username-password", "failed to authenticate"} {
		if strings.Contains(msg, p) {
			return &AuthError{Msg: oneLine(msg)}
		}
	}
	return err
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
