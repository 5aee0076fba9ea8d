// Package redischeck checks an app's Redis (Heroku Key-Value Store, Heroku
// Redis, or any Redis or Valkey behind a REDIS_URL): it collects a snapshot
// over one read-only connection (INFO, and CONFIG GET where the server
// allows it: Heroku's does not) and judges it with pure rules. The
// password is used to log in and never appears in a snapshot or a finding.
package redischeck

import (
	"strconv"
	"strings"
)

// Snapshot is what one connection learned about a Redis server.
type Snapshot struct {
	Name string // the subject: the config var (REDIS_URL) or the add-on
	Addr string // host:port, no credentials
	TLS  bool   // rediss://
	// TLSUnverified: the certificate was not verified, as Heroku documents
	// for its self-signed certificates (VERIFY_NONE).
	TLSUnverified bool

	ServerName    string // redis, or valkey
	Version       string // the server's own version (valkey_version on Valkey, which reports redis_version 7.2.4 for compatibility)
	RedisVersion  string // redis_version as INFO reports it
	Mode          string // standalone, cluster, sentinel
	Role          string // master, slave
	UptimeSeconds int64

	ConnectedClients int64
	BlockedClients   int64
	MaxClients       int64  // 0: unknown
	MaxClientsFrom   string // "INFO", "CONFIG GET", or "" when unknown

	UsedMemory            int64
	UsedMemoryPeak        int64
	MaxMemory             int64  // 0: no limit set (or unknown)
	MaxMemoryPolicy       string // noeviction, allkeys-lru ...
	MemFragmentationRatio float64

	EvictedKeys         int64
	RejectedConnections int64
	ExpiredKeys         int64
	KeyspaceHits        int64
	KeyspaceMisses      int64
	TotalConnections    int64
	OOMErrors           int64 // errorstat_OOM: writes refused because memory is full (Redis 6.2+)
	Keys                int64 // summed over the keyspace

	// Config is what CONFIG GET answered for the settings INFO lacks;
	// ConfigRefused holds the server's refusal when it does not allow
	// CONFIG (Heroku disables it).
	Config        map[string]string
	ConfigRefused string
}

// ParseInfo reads the text of INFO into a snapshot's server fields.
func ParseInfo(text string, s *Snapshot) {
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields[k] = v
		if strings.HasPrefix(k, "db") {
			if n, err := strconv.Atoi(k[2:]); err == nil && n >= 0 {
				s.Keys += subfield(v, "keys")
			}
		}
	}
	num := func(k string) int64 {
		n, _ := strconv.ParseInt(strings.TrimSpace(fields[k]), 10, 64)
		return n
	}
	s.ServerName = fields["server_name"]
	if s.ServerName == "" {
		s.ServerName = "redis"
	}
	s.RedisVersion = fields["redis_version"]
	s.Version = s.RedisVersion
	if v := fields["valkey_version"]; v != "" {
		s.Version = v
	}
	s.Mode = fields["redis_mode"]
	if s.Mode == "" {
		s.Mode = fields["server_mode"]
	}
	s.Role = fields["role"]
	s.UptimeSeconds = num("uptime_in_seconds")
	s.ConnectedClients = num("connected_clients")
	s.BlockedClients = num("blocked_clients")
	if _, ok := fields["maxclients"]; ok {
		s.MaxClients, s.MaxClientsFrom = num("maxclients"), "INFO"
	}
	s.UsedMemory = num("used_memory")
	s.UsedMemoryPeak = num("used_memory_peak")
	s.MaxMemory = num("maxmemory")
	s.MaxMemoryPolicy = fields["maxmemory_policy"]
	s.MemFragmentationRatio, _ = strconv.ParseFloat(fields["mem_fragmentation_ratio"], 64)
	s.EvictedKeys = num("evicted_keys")
	s.RejectedConnections = num("rejected_connections")
	s.ExpiredKeys = num("expired_keys")
	s.KeyspaceHits = num("keyspace_hits")
	s.KeyspaceMisses = num("keyspace_misses")
	s.TotalConnections = num("total_connections_received")
	s.OOMErrors = subfield(fields["errorstat_OOM"], "count")
}

// subfield reads n from "a=1,n=2,...".
func subfield(v, name string) int64 {
	for _, kv := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(kv, "=")
		if ok && k == name {
			n, _ := strconv.ParseInt(val, 10, 64)
			return n
		}
	}
	return 0
}

// MemoryUsed is used memory against maxmemory, 0 when no limit is known.
func (s *Snapshot) MemoryUsed() float64 {
	if s.MaxMemory <= 0 {
		return 0
	}
	return float64(s.UsedMemory) / float64(s.MaxMemory)
}

// Evicting tells whether the policy evicts keys when memory is full
// (everything but noeviction).
func (s *Snapshot) Evicting() bool {
	return s.MaxMemoryPolicy != "" && s.MaxMemoryPolicy != "noeviction"
}
