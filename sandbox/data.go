package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/pgcheck/pgtest"
	"github.com/heroku-checkup/heroku-checkup/redischeck/redistest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

// How to include what the demo left out.
const (
	postgresHint = "install PostgreSQL (Debian: apt-get install postgresql, as ./scripts/setup does) to include a real database seeded with problems"
	redisHint    = "install redis-server (Debian: apt-get install redis-server, as ./scripts/setup does) to include a real Redis seeded with problems"
)

// demoData gives the realistic app its Heroku Data: the Postgres add-on
// as pg:info, pg:backups and data:maintenances would show it (a failed
// latest backup, the last good one two days old, maintenance in three days,
// pg:info's Connections limit), the Redis add-on's redis:info, the config
// vars that size its pools (a formation that can open more connections
// than the plan allows) and, with o.Servers, a real PostgreSQL and
// redis-server on loopback behind DATABASE_URL and REDIS_URL.
func (sb *Sandbox) demoData(f *herokutest.AppFixture, o Options) error {
	now := o.Now
	pg, redis := f.AddOns[0], f.AddOns[1]
	f.ConfigVars["WEB_CONCURRENCY"] = herokutest.Str("4")
	f.ConfigVars["RAILS_MAX_THREADS"] = herokutest.Str("16")

	sched := herokutest.ID("schedule:" + f.App.Name)
	sb.Data.AddSchedules(pg.ID, []any{herokutest.Schedule(2, "DATABASE_URL", "America/New_York", sched)})
	sb.Data.AddTransfers(f.App.Name, []any{
		herokutest.Backup(41, "DATABASE", now.Add(-74*time.Hour), now.Add(-74*time.Hour), now.Add(-73*time.Hour), true, sched),
		herokutest.Backup(42, "DATABASE", now.Add(-50*time.Hour), now.Add(-50*time.Hour), now.Add(-49*time.Hour), true, sched),
		herokutest.Backup(43, "DATABASE", now.Add(-26*time.Hour), now.Add(-26*time.Hour), now.Add(-25*time.Hour), false, sched),
		herokutest.Backup(44, "DATABASE", now.Add(-2*time.Hour), now.Add(-2*time.Hour), now.Add(-time.Hour), false, sched),
	})
	window := "Tuesdays 02:00 to 06:00 UTC"
	sb.Data.AddMaintenances(f.App.ID, map[string]any{"maintenances": []any{
		herokutest.MaintenanceEntry("heroku-postgresql", pg.Name, "standard-0", "DATABASE_URL", "pending", window,
			now.Add(3*24*time.Hour).Truncate(time.Hour), now.Add(9*24*time.Hour).Truncate(time.Hour)),
	}})

	info := herokutest.PGInfo{AddonID: pg.ID, Name: pg.Name, Plan: "standard-0", PlanTitle: "Standard 0", Status: "Available",
		Version: "17.5", DataBytes: 212 << 20, Tables: 14, ConnUsed: 9, ConnLimit: 120, ContinuousProtection: "On",
		MaintenanceWindow: window, Host: "127.0.0.1", Port: 9, User: "u3kf9", Password: herokutest.SampleSecrets[0], DB: "d8k2j1",
		Created: now.Add(-300 * 24 * time.Hour)}
	sb.PostgresMissing = "the demo ran without its servers (--demo-servers=false): no database to check"
	if o.Servers {
		if err := sb.startPostgres(f, &info); err != nil {
			sb.PostgresMissing = fmt.Sprintf("PostgreSQL could not be started (%v): %s", err, postgresHint)
		}
	}
	sb.Data.AddDatabase(pg.ID, info.Body())

	sb.RedisMissing = "the demo ran without its servers (--demo-servers=false): no Redis to check"
	redisURL := *f.ConfigVars["REDIS_URL"]
	if o.Servers {
		if u, err := sb.startRedis(); err != nil {
			sb.RedisMissing = fmt.Sprintf("redis-server could not be started (%v): %s", err, redisHint)
		} else {
			redisURL = u
			f.ConfigVars["REDIS_URL"] = herokutest.Str(u)
			sb.RedisMissing = ""
		}
	}
	ru, _ := url.Parse(redisURL)
	sb.Data.AddRedis(redis.Name, redis.ID, herokutest.RedisInfo(redis.Name, redis.ID, "premium-0", "7.2.14", ru.Redacted(), true))
	return nil
}

// startPostgres starts a cluster seeded with pg-health's problems and
// points DATABASE_URL at it.
func (sb *Sandbox) startPostgres(f *herokutest.AppFixture, info *herokutest.PGInfo) error {
	if _, err := pgtest.BinDir(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, err := pgtest.StartCluster(ctx)
	if err != nil {
		return err
	}
	sb.closers = append(sb.closers, c.Stop)
	seeder := &pgtest.Seeder{}
	sb.closers = append(sb.closers, seeder.Close)
	var p *pgtest.Problems
	if err := seeder.Run(func(t pgtest.T) { p = pgtest.SeedProblemsAt(t, c.URL) }); err != nil {
		return err
	}
	f.ConfigVars["DATABASE_URL"] = herokutest.Str(p.OwnerURL)
	u, _ := url.Parse(p.OwnerURL)
	host, port, _ := net.SplitHostPort(u.Host)
	info.Host, info.User, info.DB, info.Password = host, u.User.Username(), u.Path[1:], ""
	fmt.Sscan(port, &info.Port)
	info.Version = fmt.Sprint(c.Major)
	sb.PostgresMissing = ""
	return nil
}

// startRedis starts a redis-server seeded with redis-health's problems,
// with a TLS port serving a self-signed certificate as Heroku's does, and
// returns its rediss:// URL.
func (sb *Sandbox) startRedis() (string, error) {
	if _, err := redistest.Binary(); err != nil {
		return "", err
	}
	leaf := certgen.MustNew(certgen.Options{CommonName: "ec2-3-91-0-1.compute-1.amazonaws.com", IPs: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour)}, nil)
	cert, key := filepath.Join(sb.dir, "redis-cert.pem"), filepath.Join(sb.dir, "redis-key.pem")
	if err := os.WriteFile(cert, leaf.PEM(), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(key, leaf.KeyPEM(), 0o600); err != nil {
		return "", err
	}
	p, err := redistest.StartProblems(cert, key)
	if err != nil {
		return "", err
	}
	sb.closers = append(sb.closers, p.Close)
	return p.TLSURL(), nil
}
