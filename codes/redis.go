package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// kvsArticle is Dev Center's "Heroku Key-Value Store" (the Heroku Redis
// add-on; updated 2024-12-04, read 2026-11-24): TLS on every plan, the
// maxmemory policy, timeouts, versions.
const kvsArticle = devCenter + "heroku-redis"

// Redis codes: one read-only connection per Redis (INFO; CONFIG GET where
// the server allows it, which Heroku's does not).
var (
	RedisUnreachable = &report.Code{ID: "REDIS_UNREACHABLE", Category: report.CategoryRedis, Status: report.StatusCritical,
		Title:   "heroku-checkup cannot connect to the Redis",
		Why:     "If heroku-checkup cannot connect, the app's workers, caches and sessions may not either; and nothing about the Redis could be checked.",
		Detects: "One connection with the config var's URL under a deadline (rediss:// with Heroku's self-signed certificate accepted as Heroku documents): a refused or timed-out connection, a TLS failure or a refused password.",
		Remedy:  "heroku redis:info {subject} -a {app}", Subject: "REDIS",
		Docs:   kvsArticle,
		Source: kvsArticle + " (all plans require TLS since December 2024; connecting with VERIFY_NONE for the self-signed certificates; updated 2024-12-04, read 2026-11-24); heroku/cli v11.9.0 redis:cli (rejectUnauthorized: false)",
		Test:   "redischeck.TestRulesOnLiteralSnapshots"}

	RedisMemoryHigh = &report.Code{ID: "REDIS_MEMORY_HIGH", Category: report.CategoryRedis, Status: report.StatusWarning,
		Title:   "Used memory is near maxmemory",
		Why:     "At maxmemory the server evicts keys (a cache loses entries) or, under noeviction, refuses every write: jobs cannot be enqueued.",
		Detects: "INFO memory: used_memory against maxmemory: 80% is a warning, 95% critical (heroku-checkup's lines, not Heroku's).",
		Remedy:  "A plan with more memory (heroku addons:upgrade {subject} heroku-redis:<larger plan> -a {app}), or expiries on cache keys", Subject: "REDIS",
		Docs:   kvsArticle,
		Source: kvsArticle + " (each plan's memory is its maxmemory; updated 2024-12-04, read 2026-11-24)",
		Test:   "redischeck.TestRulesOnLiteralSnapshots"}

	RedisEvictions = &report.Code{ID: "REDIS_EVICTIONS", Category: report.CategoryRedis, Status: report.StatusWarning,
		Title:   "Keys were evicted, or writes refused, because memory was full",
		Why:     "Evicted keys are gone: harmless for a cache, lost work for a queue (Sidekiq) or lost sessions; under noeviction the writes themselves failed with OOM errors.",
		Detects: "INFO stats evicted_keys and INFO errorstats errorstat_OOM since the server started (uptime in the evidence): any eviction is a warning, any refused write critical; from the logs alone, Heroku Redis's metrics lines (sample#evicted-keys above 0 in a sample of the window).",
		Remedy:  "For a queue or a store, more memory (heroku addons:upgrade {subject} heroku-redis:<larger plan> -a {app}) and noeviction; for a pure cache, an evicting policy: heroku redis:maxmemory {subject} --policy allkeys-lru -a {app}", Subject: "REDIS",
		Docs:   kvsArticle,
		Source: kvsArticle + " (maxmemory policies, noeviction by default; updated 2024-12-04, read 2026-11-24); heroku/cli v11.9.0 redis:maxmemory --policy",
		Test:   "redischeck.TestRulesOnLiteralSnapshots"}

	RedisConnectionsHigh = &report.Code{ID: "REDIS_CONNECTIONS_HIGH", Category: report.CategoryRedis, Status: report.StatusWarning,
		Title:   "Connected clients are near the server's maxclients",
		Why:     "Past maxclients new connections are refused: a deploy or a scale-up (each dyno opening its own pool) fails to connect.",
		Detects: "INFO clients connected_clients against maxclients (INFO on Redis 7+, else CONFIG GET where allowed): 80% is a warning, 95% critical; the idle timeout is shown when CONFIG GET answers.",
		Remedy:  "Fewer connections per dyno (smaller pools), and close idle ones: heroku redis:timeout {subject} --seconds 300 -a {app}", Subject: "REDIS",
		Docs:   kvsArticle,
		Source: kvsArticle + " (client timeout; updated 2024-12-04, read 2026-11-24); heroku/cli v11.9.0 redis:timeout --seconds",
		Test:   "redischeck.TestRulesOnLiteralSnapshots"}

	RedisRejectedConnections = &report.Code{ID: "REDIS_REJECTED_CONNECTIONS", Category: report.CategoryRedis, Status: report.StatusWarning,
		Title:   "The server refused connections at maxclients",
		Why:     "Some client already failed to connect: a dyno or a job saw 'max number of clients reached'.",
		Detects: "INFO stats rejected_connections above zero since the server started.",
		Remedy:  "Fewer connections per dyno (smaller pools), close idle ones (heroku redis:timeout {subject} --seconds 300 -a {app}), or a plan with more connections", Subject: "REDIS",
		Docs: kvsArticle, Source: kvsArticle + " (updated 2024-12-04, read 2026-11-24)",
		Test: "redischeck.TestRulesOnLiteralSnapshots"}

	RedisVersionDeprecated = &report.Code{ID: "REDIS_VERSION_DEPRECATED", Category: report.CategoryRedis, Status: report.StatusWarning,
		Title:   "The Redis version is deprecated or past end of life on Heroku",
		Why:     "Heroku stops provisioning a deprecated version, then upgrades it for you at a time of its choosing, and supports it no more after end of life.",
		Detects: "For a Heroku Redis add-on, the server's version (valkey_version on Valkey, else redis_version; the Data API's when the server cannot be reached) against Heroku Key-Value Store's lifecycle in redischeck/lifecycle.go: deprecated is a warning, past end of life critical. Other Redis servers are not judged by it.",
		Remedy:  "heroku redis:upgrade {subject} --version 9 -a {app} (test on a staging app first)", Subject: "REDIS",
		Docs:   kvsArticle,
		Source: "Heroku's deprecation emails quoted in public issues (7.2: EOL 2026-12-19, nextstrain/nextstrain.org#1371, 2026-08-20; 6.2: EOL 2024-12-02, deardurham/dear-petition#493, 2024-08-08), read 2026-11-24; the Dev Center version table was not reachable",
		Test:   "redischeck.TestRulesOnLiteralSnapshots"}
)

var redis = []*report.Code{RedisUnreachable, RedisMemoryHigh, RedisEvictions, RedisConnectionsHigh, RedisRejectedConnections, RedisVersionDeprecated}
