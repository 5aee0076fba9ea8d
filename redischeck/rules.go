package redischeck

import (
	"errors"
	"fmt"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Thresholds of the rules: heroku-checkup's lines, not Heroku's.
type Thresholds struct {
	MemWarn, MemCrit   float64 // used_memory / maxmemory
	ConnWarn, ConnCrit float64 // connected_clients / maxclients
}

// DefaultThresholds: memory at 80%/95% of maxmemory, clients at 80%/95% of maxclients.
var DefaultThresholds = Thresholds{MemWarn: 0.8, MemCrit: 0.95, ConnWarn: 0.8, ConnCrit: 0.95}

// Subject is what the rules judge: the collection's result and what the
// app's add-on says about it.
type Subject struct {
	Name  string // the subject: REDIS_URL, --redis-url
	App   string // empty for a bare --redis-url
	Addon string // the Heroku Redis add-on (redis-cubed-12345), if any
	Plan  string // its plan (heroku-redis:premium-0)
	// DataVersion is the version the Data API reports for the add-on
	// (redis:info), used when the server cannot be reached.
	DataVersion string
	Snapshot    *Snapshot // nil when the connection failed
	Err         error     // why it failed
}

// Judge turns a collection into findings. Pure.
func Judge(sub Subject, th Thresholds, now time.Time) []report.Finding {
	j := &judge{sub: sub, th: th, now: now}
	if sub.Snapshot == nil {
		j.unreachable()
		if sub.DataVersion != "" {
			j.version(sub.DataVersion, "the Data API (redis:info)")
		}
		return j.out
	}
	s := sub.Snapshot
	tls := "plain TCP"
	switch {
	case s.TLSUnverified:
		tls = "TLS, certificate not verified (Heroku's self-signed certificate, as Heroku documents)"
	case s.TLS:
		tls = "TLS, certificate verified"
	}
	data := map[string]any{"address": s.Addr, "server": s.ServerName, "version": s.Version, "redis_version": s.RedisVersion,
		"mode": s.Mode, "role": s.Role, "uptime_seconds": s.UptimeSeconds, "tls": tls, "keys": s.Keys}
	if s.ConfigRefused != "" {
		data["config_get"] = "refused: " + s.ConfigRefused + " (Heroku disables CONFIG; INFO was enough)"
	}
	if sub.Addon != "" {
		data["addon"], data["plan"] = sub.Addon, sub.Plan
	}
	j.add(report.Finding{Check: "redis.connection", Status: report.StatusOK,
		Summary: fmt.Sprintf("connected to %s %s at %s (%s), read-only, one connection", s.ServerName, s.Version, s.Addr, tls), Data: data})
	j.memory(s)
	j.evictions(s)
	j.clients(s)
	j.rejected(s)
	j.version(s.Version, "the server's INFO")
	return j.out
}

type judge struct {
	sub Subject
	th  Thresholds
	now time.Time
	out []report.Finding
}

func (j *judge) add(f report.Finding) {
	if f.Subject == "" {
		f.Subject = j.sub.Name
	}
	j.out = append(j.out, f)
}

// raise records a finding of code; plain is the advice for a Redis that is
// no Heroku Key-Value Store add-on (--redis-url, or another provider's
// REDISCLOUD_URL on an app), where the catalogue's heroku redis:* remedy
// does not apply.
func (j *judge) raise(code *report.Code, f report.Finding, plain string) {
	if f.Subject == "" {
		f.Subject = j.sub.Name
	}
	if f.Remedy == "" && j.sub.Addon == "" && plain != "" {
		f.Remedy = plain
	}
	if f.Remedy == "" && j.sub.Addon != "" {
		// The CLI names a Redis by its add-on or its config var; the add-on is unambiguous.
		f.Remedy = code.RemedyFor(j.sub.App, j.sub.Addon)
	}
	j.out = append(j.out, code.Raise(j.sub.App, f))
}

func (j *judge) unreachable() {
	err := j.sub.Err
	if err == nil {
		err = errors.New("no answer")
	}
	reason := err.Error()
	data := map[string]any{"error": reason}
	plain := "check the URL, the network and the password"
	var te *TLSError
	var ae *AuthError
	switch {
	case errors.As(err, &te) && te.UnverifiedCert():
		reason = "its TLS certificate could not be verified: " + te.Err.Error()
		plain = "Heroku's Redis certificates are self-signed: pass --redis-insecure-skip-verify (as Heroku documents) or --ca-file with the server's certificate"
	case errors.As(err, &ae):
		reason = "the server refused the password: " + ae.Msg
		plain = "the URL's password is not the server's: take the current one from the config var"
	}
	j.raise(codes.RedisUnreachable, report.Finding{Check: "redis.connection", Summary: "cannot connect: " + reason, Data: data}, plain)
}

func pct(r float64) string { return fmt.Sprintf("%.0f%%", 100*r) }

func (j *judge) memory(s *Snapshot) {
	data := map[string]any{"used_memory": s.UsedMemory, "used_memory_peak": s.UsedMemoryPeak, "maxmemory": s.MaxMemory,
		"maxmemory_policy": s.MaxMemoryPolicy, "mem_fragmentation_ratio": s.MemFragmentationRatio}
	if s.MaxMemory <= 0 {
		j.add(report.Finding{Check: "redis.memory", Status: report.StatusOK, Data: data,
			Summary: fmt.Sprintf("%s used, no maxmemory set (the server grows until the machine's memory; Heroku's plans always set one)", humanBytes(s.UsedMemory))})
		return
	}
	r := s.MemoryUsed()
	summary := fmt.Sprintf("%s of %s maxmemory used (%s, policy %s)", humanBytes(s.UsedMemory), humanBytes(s.MaxMemory), pct(r), s.MaxMemoryPolicy)
	f := report.Finding{Check: "redis.memory", Data: data, Summary: summary}
	switch {
	case r < j.th.MemWarn:
		f.Status = report.StatusOK
		j.add(f)
		return
	case r >= j.th.MemCrit:
		f.Status = report.StatusCritical
	}
	if !s.Evicting() {
		f.Detail = "Under noeviction, writes fail with OOM errors once maxmemory is reached."
	}
	j.raise(codes.RedisMemoryHigh, f, "a server with more maxmemory, or expiries on cache keys")
}

func (j *judge) evictions(s *Snapshot) {
	data := map[string]any{"evicted_keys": s.EvictedKeys, "oom_errors": s.OOMErrors, "maxmemory_policy": s.MaxMemoryPolicy,
		"uptime_seconds": s.UptimeSeconds, "expired_keys": s.ExpiredKeys}
	since := "since the server started " + ago(s.UptimeSeconds)
	switch {
	case s.OOMErrors > 0:
		j.raise(codes.RedisEvictions, report.Finding{Check: "redis.evictions", Status: report.StatusCritical, Data: data,
			Summary: fmt.Sprintf("%d writes refused for memory (OOM) %s, under %s", s.OOMErrors, since, s.MaxMemoryPolicy)},
			"more maxmemory; for a pure cache, an evicting policy (CONFIG SET maxmemory-policy allkeys-lru)")
	case s.EvictedKeys > 0:
		j.raise(codes.RedisEvictions, report.Finding{Check: "redis.evictions", Data: data,
			Summary: fmt.Sprintf("%d keys evicted %s (policy %s)", s.EvictedKeys, since, s.MaxMemoryPolicy),
			Detail:  "Harmless for a pure cache; lost data for a queue (Sidekiq), sessions or anything stored."},
			"more maxmemory, or noeviction for a queue or a store")
	default:
		j.add(report.Finding{Check: "redis.evictions", Status: report.StatusOK, Data: data,
			Summary: "no key evicted and no write refused for memory " + since})
	}
}

func (j *judge) clients(s *Snapshot) {
	data := map[string]any{"connected_clients": s.ConnectedClients, "blocked_clients": s.BlockedClients,
		"maxclients": s.MaxClients, "maxclients_from": s.MaxClientsFrom}
	if t, ok := s.Config["timeout"]; ok {
		data["idle_timeout_seconds"] = t
	}
	if s.MaxClients <= 0 {
		why := "this server's INFO does not give maxclients"
		if s.ConfigRefused != "" {
			why += " and CONFIG GET is refused"
		}
		j.add(report.Finding{Check: "redis.clients", Status: report.StatusSkipped, Data: data,
			Summary: fmt.Sprintf("%d clients connected; %s, so the limit is unknown", s.ConnectedClients, why)})
		return
	}
	r := float64(s.ConnectedClients) / float64(s.MaxClients)
	f := report.Finding{Check: "redis.clients", Data: data,
		Summary: fmt.Sprintf("%d of %d clients connected (%s of maxclients)", s.ConnectedClients, s.MaxClients, pct(r))}
	if t, ok := s.Config["timeout"]; ok && t == "0" {
		f.Detail = "The idle timeout is 0: idle connections are never closed."
	}
	switch {
	case r < j.th.ConnWarn:
		f.Status = report.StatusOK
		j.add(f)
		return
	case r >= j.th.ConnCrit:
		f.Status = report.StatusCritical
	}
	j.raise(codes.RedisConnectionsHigh, f, "fewer connections per process (smaller pools), and an idle timeout (CONFIG SET timeout 300)")
}

func (j *judge) rejected(s *Snapshot) {
	data := map[string]any{"rejected_connections": s.RejectedConnections, "total_connections_received": s.TotalConnections,
		"uptime_seconds": s.UptimeSeconds, "maxclients": s.MaxClients}
	if s.RejectedConnections == 0 {
		j.add(report.Finding{Check: "redis.rejected", Status: report.StatusOK, Data: data,
			Summary: "no connection refused since the server started " + ago(s.UptimeSeconds)})
		return
	}
	j.raise(codes.RedisRejectedConnections, report.Finding{Check: "redis.rejected", Data: data,
		Summary: fmt.Sprintf("%d connections refused at maxclients since the server started %s", s.RejectedConnections, ago(s.UptimeSeconds))},
		"fewer connections per process, an idle timeout, or a larger maxclients")
}

func (j *judge) version(v, from string) {
	if v == "" {
		return
	}
	if j.sub.Addon == "" {
		// Heroku's lifecycle is its add-ons'; another provider's Redis
		// or a server of one's own follows its own.
		j.add(report.Finding{Check: "redis.version", Status: report.StatusOK, Data: map[string]any{"version": v, "from": from},
			Summary: fmt.Sprintf("version %s (not a Heroku Redis add-on: Heroku Key-Value Store's lifecycle does not apply)", v)})
		return
	}
	l, listed := LookupLifecycle(v)
	data := map[string]any{"version": v, "from": from, "lifecycle_read": lifecycleRead}
	if !listed {
		j.add(report.Finding{Check: "redis.version", Status: report.StatusOK, Data: data,
			Summary: fmt.Sprintf("version %s is not deprecated on Heroku Key-Value Store (lifecycle read %s)", v, lifecycleRead)})
		return
	}
	data["end_of_life"], data["source"] = l.EndOfLife.Format("2006-01-02"), l.Source
	f := report.Finding{Check: "redis.version", Data: data}
	if !j.now.Before(l.EndOfLife) {
		f.Status = report.StatusCritical
		f.Summary = fmt.Sprintf("version %s is past its end of life on Heroku Key-Value Store (%s)", v, l.EndOfLife.Format("2006-01-02"))
	} else {
		f.Summary = fmt.Sprintf("version %s is deprecated on Heroku Key-Value Store: end of life %s, forced upgrades before then", v, l.EndOfLife.Format("2006-01-02"))
	}
	j.raise(codes.RedisVersionDeprecated, f, "upgrade to a current Redis or Valkey major version")
}

func ago(sec int64) string { return report.Ago(time.Duration(sec) * time.Second) }

func humanBytes(n int64) string { return report.HumanBytes(n) }
