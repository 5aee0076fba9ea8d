package redischeck

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/nettest"
	"github.com/heroku-checkup/heroku-checkup/redischeck/redistest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

func start(t *testing.T, c redistest.Config) *redistest.Server {
	t.Helper()
	s, err := redistest.Start(c)
	if err != nil {
		t.Fatalf("%v: these tests need a real redis-server; run ./scripts/setup (it installs Debian's redis-server)", err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestCollectPlantedProblems reads a real server whose memory, clients and
// connections were pushed past their limits, and whose CONFIG is disabled
// as on Heroku.
func TestCollectPlantedProblems(t *testing.T) {
	p := redistest.SeedProblems(t)
	s, err := Collect(redistest.Ctx(t), Target{Name: "REDIS_URL", URL: p.URL()}, Options{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if s.MaxMemory != 2<<20 || s.MaxMemoryPolicy != "allkeys-lru" || s.MemoryUsed() < 0.9 {
		t.Errorf("memory: used %d of %d (%s), %.2f", s.UsedMemory, s.MaxMemory, s.MaxMemoryPolicy, s.MemoryUsed())
	}
	if s.EvictedKeys == 0 || !s.Evicting() {
		t.Errorf("evicted_keys = %d", s.EvictedKeys)
	}
	if s.RejectedConnections < 1 || s.MaxClients != 8 || s.MaxClientsFrom != "INFO" || s.ConnectedClients != 7 {
		t.Errorf("clients %d of %d (from %q), rejected %d", s.ConnectedClients, s.MaxClients, s.MaxClientsFrom, s.RejectedConnections)
	}
	if !strings.Contains(s.ConfigRefused, "unknown command") || len(s.Config) != 0 {
		t.Errorf("CONFIG was not refused as on Heroku: %q %v", s.ConfigRefused, s.Config)
	}
	if s.Version == "" || s.ServerName == "" || s.Keys == 0 || s.Addr != p.Addr || s.TLS {
		t.Errorf("server: %+v", s)
	}
	if strings.Contains(fmt.Sprintf("%+v", *s), p.Password) {
		t.Errorf("the snapshot holds the password: %+v", *s)
	}
}

func TestCollectNoEvictionRefusesWrites(t *testing.T) {
	srv, refused, err := redistest.StartNoEviction()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s, err := Collect(redistest.Ctx(t), Target{Name: "REDIS_URL", URL: srv.URL()}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.OOMErrors != int64(refused) || s.EvictedKeys != 0 || s.Evicting() {
		t.Errorf("OOM errors %d (seeded %d), evicted %d, policy %s", s.OOMErrors, refused, s.EvictedKeys, s.MaxMemoryPolicy)
	}
	// CONFIG is allowed here: the idle timeout is read.
	if s.ConfigRefused != "" || s.Config["timeout"] != "0" {
		t.Errorf("CONFIG GET: %q %v", s.ConfigRefused, s.Config)
	}
}

func TestCollectClean(t *testing.T) {
	srv := start(t, redistest.Config{Password: "clean-pass-2f8a", MaxMemory: "64mb", MaxMemoryPolicy: "volatile-lru"})
	if _, err := srv.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	stop, err := srv.Monitor()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Collect(redistest.Ctx(t), Target{URL: srv.URL() + "/0"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Only reads reached the server. MONITOR does not log administrative
	// commands (CONFIG, AUTH), so CONFIG GET is checked by its answer below.
	seen := stop()
	if !slices.Contains(seen, "info") {
		t.Errorf("MONITOR saw %q, want INFO among them", seen)
	}
	for _, c := range seen {
		switch c {
		case "info", "config", "hello", "auth", "select":
		default:
			t.Errorf("the collector sent %q", c)
		}
	}
	if s.Config["timeout"] != "0" || s.Config["maxmemory"] != "" {
		t.Errorf("CONFIG GET asked %v: want timeout only (INFO has the rest)", s.Config)
	}
	if s.EvictedKeys != 0 || s.RejectedConnections != 0 || s.OOMErrors != 0 || s.MemoryUsed() > 0.2 || s.Keys != 1 {
		t.Errorf("clean server: %+v", s)
	}
}

func TestCollectWrongPassword(t *testing.T) {
	srv := start(t, redistest.Config{Password: "right-pass-77aa"})
	_, err := Collect(redistest.Ctx(t), Target{URL: "redis://:wrong-pass-1234@" + srv.Addr}, Options{})
	var ae *AuthError
	if !errors.As(err, &ae) || strings.Contains(err.Error(), "wrong-pass-1234") {
		t.Errorf("wrong password: %#v", err)
	}
}

// TestCollectTLSSelfSigned: a rediss:// server with a self-signed
// certificate, as Heroku's are: refused when verified, read when the
// target says so (Heroku's documented VERIFY_NONE), and read verified when
// the CA is given.
func TestCollectTLSSelfSigned(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	leaf := certgen.MustNew(certgen.Options{CommonName: "ec2-3-91-0-1.compute-1.amazonaws.com", IPs: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}, nil)
	cert, key := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(cert, leaf.PEM(), 0o600)
	os.WriteFile(key, leaf.KeyPEM(), 0o600)
	srv := start(t, redistest.Config{Password: "tls-pass-9d3e", TLSCert: cert, TLSKey: key})
	if !strings.HasPrefix(srv.TLSURL(), "rediss://") {
		t.Fatal(srv.TLSURL())
	}

	_, err := Collect(redistest.Ctx(t), Target{URL: srv.TLSURL()}, Options{})
	var te *TLSError
	if !errors.As(err, &te) || !te.UnverifiedCert() {
		t.Fatalf("self-signed, verified: %v", err)
	}
	s, err := Collect(redistest.Ctx(t), Target{URL: srv.TLSURL(), SkipVerify: true}, Options{})
	if err != nil || !s.TLS || !s.TLSUnverified || s.Version == "" {
		t.Fatalf("self-signed, unverified: %+v %v", s, err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf.Cert)
	s, err = Collect(redistest.Ctx(t), Target{URL: srv.TLSURL()}, Options{RootCAs: pool})
	if err != nil || s.TLSUnverified {
		t.Fatalf("self-signed, trusted: %+v %v", s, err)
	}
}

// TestCollectHungServer: a server that accepts and never answers costs
// the deadline, no more.
func TestCollectHungServer(t *testing.T) {
	addr := nettest.Silent(t).String()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Collect(ctx, Target{URL: "redis://:pw-hung-0000@" + addr}, Options{Timeout: 10 * time.Second})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("hung server: %v after %v", err, time.Since(start))
	}
}

// TestCollectDialsOnce: a refused connection is reported after one dial
// (go-redis's pool would otherwise dial five times, 100 ms apart, before
// answering). After a failed dial the pool may start one background
// probe of its own, which Close stops: at most two dials in all.
func TestCollectDialsOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	for _, scheme := range []string{"redis", "rediss"} {
		var dials atomic.Int32
		dial := func(ctx context.Context, network, a string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, a)
		}
		_, err := Collect(context.Background(), Target{URL: scheme + "://:pw@" + addr}, Options{Timeout: 5 * time.Second, Dial: dial})
		if n := dials.Load(); err == nil || n > 2 {
			t.Errorf("%s: %d dials, error %v; want one (and the pool's probe) and an error", scheme, n, err)
		}
	}
}

func TestParseURL(t *testing.T) {
	good := []string{"redis://127.0.0.1:6379", "rediss://:p@ec2-1-2-3-4.compute-1.amazonaws.com:20450", "redis://h:p@host/2", "redis://host"}
	for _, u := range good {
		if _, err := ParseURL(u); err != nil {
			t.Errorf("ParseURL(%q): %v", u, err)
		}
	}
	bad := []string{"postgres://u:sekrit-pw@host/db", "redis://:sekrit-pw@host:99999", "redis://:sekrit-pw@/0", "redis://:sekrit-pw@host/x", "sekrit-pw", "http://:sekrit-pw@host"}
	for _, u := range bad {
		_, err := ParseURL(u)
		var ue *URLError
		if !errors.As(err, &ue) {
			t.Errorf("ParseURL(%q) = %v, want a URLError", u, err)
			continue
		}
		if strings.Contains(err.Error(), "sekrit-pw") {
			t.Errorf("ParseURL(%q) error shows the password: %v", u, err)
		}
	}
}

// TestParseInfoValkey: Valkey reports redis_version 7.2.4 for
// compatibility whatever its own version; the snapshot takes valkey_version.
func TestParseInfoValkey(t *testing.T) {
	var s Snapshot
	ParseInfo("# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\nredis_mode:standalone\r\n# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=0\r\ndb1:keys=3,expires=0,avg_ttl=0\r\n# Errorstats\r\nerrorstat_OOM:count=7\r\n", &s)
	if s.Version != "8.1.1" || s.RedisVersion != "7.2.4" || s.ServerName != "valkey" || s.Keys != 15 || s.OOMErrors != 7 || s.Mode != "standalone" {
		t.Errorf("%+v", s)
	}
}
