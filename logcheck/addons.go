package logcheck

import (
	"bytes"
	"time"
)

// The samples of Heroku Postgres's and Heroku Redis's metrics lines
// (app[heroku-postgres]: source=DATABASE addon=... sample#...), as Dev
// Center's heroku-postgres-metrics-logs and heroku-redis-metrics-logs
// describe them.
const (
	MetricActiveConnections  = iota // sample#active-connections
	MetricWaitingConnections        // sample#waiting-connections (Postgres: waiting on a lock)
	MetricTableCacheHit             // sample#table-cache-hit-rate
	MetricIndexCacheHit             // sample#index-cache-hit-rate
	MetricDBSize                    // sample#db_size, bytes
	MetricLoad1m                    // sample#load-avg-1m
	MetricMemoryTotal               // sample#memory-total, kB
	MetricMemoryFree                // sample#memory-free, kB
	MetricMemoryRedis               // sample#memory-redis, bytes
	MetricHitRate                   // sample#hit-rate (Redis)
	MetricEvictedKeys               // sample#evicted-keys (Redis)
	MetricTmpDiskUsed               // sample#tmp-disk-used, bytes
	MetricTmpDiskAvailable          // sample#tmp-disk-available, bytes
	MetricWALUsed                   // sample#wal-percentage-used
	numMetrics
)

var metricKeys = [numMetrics]string{
	MetricActiveConnections:  "sample#active-connections",
	MetricWaitingConnections: "sample#waiting-connections",
	MetricTableCacheHit:      "sample#table-cache-hit-rate",
	MetricIndexCacheHit:      "sample#index-cache-hit-rate",
	MetricDBSize:             "sample#db_size",
	MetricLoad1m:             "sample#load-avg-1m",
	MetricMemoryTotal:        "sample#memory-total",
	MetricMemoryFree:         "sample#memory-free",
	MetricMemoryRedis:        "sample#memory-redis",
	MetricHitRate:            "sample#hit-rate",
	MetricEvictedKeys:        "sample#evicted-keys",
	MetricTmpDiskUsed:        "sample#tmp-disk-used",
	MetricTmpDiskAvailable:   "sample#tmp-disk-available",
	MetricWALUsed:            "sample#wal-percentage-used",
}

// MetricName is the sample's name without "sample#".
func MetricName(m int) string { return metricKeys[m][len("sample#"):] }

// AddonSample is one metrics line: the values it had (Have is a bit per
// metric).
type AddonSample struct {
	At   time.Time
	Have uint32
	Val  [numMetrics]float64
}

// Has tells whether the sample had metric m.
func (s *AddonSample) Has(m int) bool { return s.Have&(1<<m) != 0 }

// AddonStat is what the metrics lines of one database said: the latest
// sample (by its time), and the worst values of the window.
type AddonStat struct {
	Source  string // the attachment: DATABASE, HEROKU_POSTGRESQL_ROSE, REDIS
	Addon   string // postgresql-clear-67109
	Kind    string // "postgres" or "redis"
	Samples int
	Latest  AddonSample
	// Worst of the window: the largest waiting connections and evicted
	// keys, the lowest hit rates (their Have bits say which were seen).
	Worst AddonSample
}

// lowerIsWorse tells the metrics whose low values are the bad ones.
func lowerIsWorse(m int) bool {
	return m == MetricTableCacheHit || m == MetricIndexCacheHit || m == MetricHitRate || m == MetricMemoryFree || m == MetricTmpDiskAvailable
}

func (s *AddonStat) add(x *AddonSample) {
	s.Samples++
	if s.Samples == 1 || !x.At.Before(s.Latest.At) {
		s.Latest = *x
	}
	s.foldWorst(x)
}

// foldWorst keeps, for each metric of x, the worse of x's value and the
// window's.
func (s *AddonStat) foldWorst(x *AddonSample) {
	for m := range numMetrics {
		if !x.Has(m) {
			continue
		}
		v := x.Val[m]
		if !s.Worst.Has(m) || (lowerIsWorse(m) && v < s.Worst.Val[m]) || (!lowerIsWorse(m) && v > s.Worst.Val[m]) {
			s.Worst.Val[m] = v
			s.Worst.Have |= 1 << m
		}
	}
}

func (s *AddonStat) merge(o *AddonStat) {
	if o.Samples == 0 {
		return
	}
	if !o.Latest.At.Before(s.Latest.At) {
		s.Latest = o.Latest
	}
	s.Samples += o.Samples
	s.foldWorst(&o.Worst)
	if s.Addon == "" {
		s.Addon = o.Addon
	}
}

// addonFields collects one metrics line.
type addonFields struct {
	source, addon []byte
	sample        AddonSample
}

func (f *addonFields) set(k, v []byte) {
	switch string(k) {
	case "source":
		f.source = clipKey(v, maxKeyBytes)
	case "addon":
		f.addon = clipKey(v, maxKeyBytes)
	default:
		if !bytes.HasPrefix(k, []byte("sample#")) {
			return
		}
		for m, key := range metricKeys {
			if string(k) == key {
				if x, ok := parseDecimal(trimUnit(v)); ok {
					f.sample.Val[m] = x
					f.sample.Have |= 1 << m
				}
				return
			}
		}
	}
}

// trimUnit drops the units the metrics carry: 26219348792bytes, 1692568kB.
func trimUnit(v []byte) []byte {
	for _, u := range [...]string{"bytes", "kB", "MB", "pages"} {
		if bytes.HasSuffix(v, []byte(u)) {
			return v[:len(v)-len(u)]
		}
	}
	return v
}

// addon reads a Heroku Postgres or Heroku Redis metrics line.
func (a *Analyzer) addon(dyno, msg []byte, t time.Time, line []byte) {
	var f addonFields
	scanKV(msg, f.set)
	if f.sample.Have == 0 {
		a.unread(ReasonMetrics, line)
		return
	}
	a.st.PlatformLines++
	f.sample.At = t
	kind := "postgres"
	switch {
	case bytes.Contains(dyno, []byte("redis")):
		kind = "redis"
	case bytes.Contains(dyno, []byte("postgres")):
	case f.sample.Has(MetricHitRate) || f.sample.Has(MetricEvictedKeys) || f.sample.Has(MetricMemoryRedis):
		kind = "redis"
	}
	key := f.source
	if len(key) == 0 {
		key = f.addon
	}
	s, ok := a.st.Addons[string(key)]
	if !ok {
		if len(a.st.Addons) >= maxAddons {
			a.st.AddonsDrop++
			return
		}
		s = &AddonStat{Source: string(key), Addon: string(f.addon), Kind: kind}
		a.st.Addons[s.Source] = s
	}
	s.add(&f.sample)
}
