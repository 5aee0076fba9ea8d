package redischeck

import (
	"strconv"
	"strings"
	"time"
)

// Lifecycle is one line of Heroku Key-Value Store's version lifecycle.
type Lifecycle struct {
	Version    string    // major.minor, as Heroku names its versions ("7.2")
	EndOfLife  time.Time // no longer supported after this day
	Deprecated bool      // announced: no new provisioning, forced upgrades before EndOfLife
	Source     string
}

// date is a day in UTC.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// lifecycleRead is when the table below was read from its sources.
const lifecycleRead = "2026-11-24"

// lifecycle is Heroku Key-Value Store's version support, read 2026-11-24.
// Dev Center's "Version Support and Legacy Infrastructure" table (in
// devcenter.heroku.com/articles/heroku-redis) was not reachable; the dates
// are those of Heroku's own deprecation emails, quoted in public issues.
// A version newer than every line here (8, 9) is taken as supported: Heroku
// named 9 the upgrade target for 7.2 (2026-08).
var lifecycle = []Lifecycle{
	// 4, 5 and 6.0 were deprecated in 2023, before 6.2: their end of life is
	// taken as no later than 6.2's (the exact days were not found).
	{Version: "4", EndOfLife: date(2024, 12, 2), Deprecated: true,
		Source: "Heroku changelog item 2541 (versions 4, 5 and 6.0 deprecated, 2023), quoted in sciencehistory/scihist_digicoll#2122 (2023-04-07); end of life no later than 6.2's"},
	{Version: "5", EndOfLife: date(2024, 12, 2), Deprecated: true,
		Source: "Heroku changelog item 2541, as for 4"},
	{Version: "6.0", EndOfLife: date(2024, 12, 2), Deprecated: true,
		Source: "Heroku changelog item 2541, as for 4"},
	{Version: "6.2", EndOfLife: date(2024, 12, 2), Deprecated: true,
		Source: "Heroku's email: 6.2 'will not be supported after 02 Dec, 2024 ... forced upgrades after 31 Oct, 2024' (deardurham/dear-petition#493, 2024-08-08)"},
	{Version: "7.2", EndOfLife: date(2026, 12, 19), Deprecated: true,
		Source: "Heroku's email: 7.2 (7.2.14) 'will not be supported after 19 Dec, 2026 ... upgrade to version 9 ... disallowing provisioning ... from 19 Oct, 2026' (nextstrain/nextstrain.org#1371, 2026-08-20)"},
}

// LookupLifecycle finds the lifecycle line of a server version ("7.2.4",
// "6.2.14", "5.0.7", "8.1.1"): by major.minor first, then by major. ok is
// false for a version the table does not hold (a supported one).
func LookupLifecycle(version string) (Lifecycle, bool) {
	parts := strings.Split(strings.TrimSpace(version), ".")
	if len(parts) == 0 {
		return Lifecycle{}, false
	}
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return Lifecycle{}, false
	}
	mm := parts[0]
	if len(parts) > 1 {
		mm += "." + parts[1]
	}
	for _, l := range lifecycle {
		if l.Version == mm {
			return l, true
		}
	}
	for _, l := range lifecycle {
		if l.Version == parts[0] {
			return l, true
		}
	}
	// Between listed versions (7.0, which Heroku offered before 7.2): no
	// longer supported than the next newer listed one.
	for _, l := range lifecycle {
		if versionLess(mm, l.Version) && major >= 4 {
			l.Source = "older than " + l.Version + ", supported no longer than it: " + l.Source
			return l, true
		}
	}
	// Older than anything listed (Redis 3 and before): long past its end.
	if major < 4 {
		return Lifecycle{Version: parts[0], EndOfLife: date(2024, 12, 2), Deprecated: true,
			Source: "older than 4, the oldest version of the table: past its end of life like 4"}, true
	}
	return Lifecycle{}, false
}

// versionLess compares dotted versions numerically ("7.0" < "7.2" < "8").
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
