package redischeck

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/redischeck/redistest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func TestMain(m *testing.M) { reporttest.Main(m, "redischeck") }

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// healthy is a literal snapshot of a Heroku premium-0 Redis with nothing wrong.
func healthy() Subject {
	return Subject{Name: "REDIS_URL", App: "acme-prod", Addon: "redis-cubed-12345", Plan: "heroku-redis:premium-0",
		Snapshot: &Snapshot{Name: "REDIS_URL", Addr: "ec2-3-91-0-1.compute-1.amazonaws.com:20450", TLS: true, TLSUnverified: true,
			ServerName: "valkey", Version: "8.1.1", RedisVersion: "7.2.4", Mode: "standalone", Role: "master", UptimeSeconds: 86400 * 9,
			ConnectedClients: 12, MaxClients: 40, MaxClientsFrom: "INFO",
			UsedMemory: 12 << 20, MaxMemory: 50 << 20, MaxMemoryPolicy: "noeviction",
			Keys: 4000, ConfigRefused: "ERR unknown command 'CONFIG'", Config: map[string]string{}}}
}

func TestHealthy(t *testing.T) {
	fs := Judge(healthy(), DefaultThresholds, now)
	if len(fs) != 6 {
		t.Errorf("every check that ran says so: %d findings", len(fs))
	}
	reporttest.AllOK(t, fs)
	if f, _ := reporttest.FindCheck(t, fs, "redis.connection"); !strings.Contains(f.Summary, "not verified") {
		t.Errorf("the unverified certificate is not said: %s", f.Summary)
	}
}

func TestRulesOnLiteralSnapshots(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Subject)
		code   string
		status report.Status
		remedy string
	}{
		{"unreachable", func(s *Subject) {
			s.Snapshot, s.Err = nil, errors.New("dial tcp 10.0.0.1:20450: connect: connection refused")
		},
			codes.RedisUnreachable.ID, report.StatusCritical, "heroku redis:info redis-cubed-12345 -a acme-prod"},
		{"self-signed, verified, on a bare URL", func(s *Subject) {
			s.App, s.Addon, s.Snapshot, s.Err = "", "", nil, &TLSError{Err: errorsX509()}
		}, codes.RedisUnreachable.ID, report.StatusCritical, "--redis-insecure-skip-verify"},
		{"memory 85%", func(s *Subject) { s.Snapshot.UsedMemory = 85 * (50 << 20) / 100 }, codes.RedisMemoryHigh.ID, report.StatusWarning, "heroku addons:upgrade redis-cubed-12345"},
		{"memory full", func(s *Subject) { s.Snapshot.UsedMemory = 50 << 20 }, codes.RedisMemoryHigh.ID, report.StatusCritical, ""},
		{"evictions", func(s *Subject) { s.Snapshot.MaxMemoryPolicy, s.Snapshot.EvictedKeys = "allkeys-lru", 1200 }, codes.RedisEvictions.ID, report.StatusWarning, "redis:maxmemory redis-cubed-12345 --policy allkeys-lru"},
		{"writes refused", func(s *Subject) { s.Snapshot.OOMErrors = 31 }, codes.RedisEvictions.ID, report.StatusCritical, ""},
		{"clients 85%", func(s *Subject) { s.Snapshot.ConnectedClients = 34 }, codes.RedisConnectionsHigh.ID, report.StatusWarning, "heroku redis:timeout redis-cubed-12345 --seconds 300 -a acme-prod"},
		{"clients at the limit", func(s *Subject) { s.Snapshot.ConnectedClients = 40 }, codes.RedisConnectionsHigh.ID, report.StatusCritical, ""},
		{"rejected", func(s *Subject) { s.Snapshot.RejectedConnections = 3 }, codes.RedisRejectedConnections.ID, report.StatusWarning, ""},
		{"7.2 deprecated", func(s *Subject) { s.Snapshot.Version = "7.2.14" }, codes.RedisVersionDeprecated.ID, report.StatusWarning, "heroku redis:upgrade redis-cubed-12345 --version 9"},
		{"7.0 (before 7.2): deprecated with it", func(s *Subject) { s.Snapshot.ServerName, s.Snapshot.Version = "redis", "7.0.15" }, codes.RedisVersionDeprecated.ID, report.StatusWarning, ""},
		{"6.2 past end of life", func(s *Subject) { s.Snapshot.ServerName, s.Snapshot.Version = "redis", "6.2.14" }, codes.RedisVersionDeprecated.ID, report.StatusCritical, ""},
		{"memory full, another provider's Redis on the app", func(s *Subject) { s.Addon, s.Plan, s.Snapshot.UsedMemory = "", "", 50<<20 },
			codes.RedisMemoryHigh.ID, report.StatusCritical, "a server with more maxmemory"},
		{"evictions, another provider's Redis on the app", func(s *Subject) {
			s.Addon, s.Plan, s.Snapshot.MaxMemoryPolicy, s.Snapshot.EvictedKeys = "", "", "allkeys-lru", 1200
		}, codes.RedisEvictions.ID, report.StatusWarning, "more maxmemory, or noeviction"},
		{"unreachable, the Data API's version", func(s *Subject) { s.Snapshot, s.Err, s.DataVersion = nil, errors.New("i/o timeout"), "7.2.14" },
			codes.RedisVersionDeprecated.ID, report.StatusWarning, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := healthy()
			c.mutate(&sub)
			fs := Judge(sub, DefaultThresholds, now)
			f, ok := reporttest.Find(t, fs, c.code, "REDIS_URL")
			if !ok {
				t.Fatalf("no %s in %+v", c.code, fs)
			}
			if f.Status != c.status {
				t.Errorf("%s is %s, want %s: %s", c.code, f.Status, c.status, f.Summary)
			}
			if !strings.Contains(f.Remedy, c.remedy) {
				t.Errorf("remedy %q lacks %q", f.Remedy, c.remedy)
			}
		})
	}
}

// TestVersionPastEndOfLifeByDate: 7.2 turns from deprecated to past end
// of life on the day Heroku named.
func TestVersionPastEndOfLifeByDate(t *testing.T) {
	sub := healthy()
	sub.Snapshot.Version = "7.2.4"
	for day, want := range map[time.Time]report.Status{
		time.Date(2026, 12, 18, 23, 0, 0, 0, time.UTC): report.StatusWarning,
		time.Date(2026, 12, 19, 0, 0, 0, 0, time.UTC):  report.StatusCritical,
	} {
		st := reporttest.Statuses(t, Judge(sub, DefaultThresholds, day))
		if st[codes.RedisVersionDeprecated.ID] != want {
			t.Errorf("on %s: %s, want %s", day, st[codes.RedisVersionDeprecated.ID], want)
		}
	}
	for _, v := range []string{"8.0.2", "9.0.0", "7.4.1"} {
		sub.Snapshot.Version = v
		if _, ok := reporttest.Find(t, Judge(sub, DefaultThresholds, now), codes.RedisVersionDeprecated.ID, ""); ok {
			t.Errorf("%s called deprecated", v)
		}
	}
}

// TestProblemServerFindings: the real server seeded with problems gives
// each code, and the password appears nowhere in the findings.
func TestProblemServerFindings(t *testing.T) {
	p := redistest.SeedProblems(t)
	s, err := Collect(redistest.Ctx(t), Target{Name: "REDIS_URL", URL: p.URL()}, Options{})
	fs := Judge(Subject{Name: "REDIS_URL", App: "acme-prod", Snapshot: s, Err: err}, DefaultThresholds, now)
	got := reporttest.Statuses(t, fs)
	for code, want := range map[string]report.Status{
		codes.RedisMemoryHigh.ID:          report.StatusCritical,
		codes.RedisEvictions.ID:           report.StatusWarning,
		codes.RedisConnectionsHigh.ID:     report.StatusWarning, // 7 of 8: 88%
		codes.RedisRejectedConnections.ID: report.StatusWarning,
	} {
		if got[code] != want {
			t.Errorf("%s: %q, want %s (all: %v)", code, got[code], want, got)
		}
	}
	for _, f := range fs {
		if strings.Contains(f.Summary+f.Detail+f.Remedy+strings.Join(dataStrings(f.Data), " "), p.Password) {
			t.Errorf("the password is in %s", f.Check)
		}
	}
}

func dataStrings(m map[string]any) []string {
	var out []string
	for k, v := range m {
		if s, ok := v.(string); ok {
			out = append(out, k+"="+s)
		}
	}
	return out
}

func errorsX509() error { return x509.UnknownAuthorityError{} }
