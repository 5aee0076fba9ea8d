package logcheck

import (
	"fmt"
	"maps"
	"slices"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// addonRules gives the verdicts pg-health and redis-health give, from the
// metrics lines Heroku Postgres and Heroku Redis write into the app's log:
// cache hit rates and connections waiting on a lock; evicted keys. The
// latest sample is judged where a state is (as the health commands judge
// the database as it is now), the window where an event is (an eviction);
// the worst of the window is in the evidence.
func addonRules(s *Stats, app string, th Thresholds) []report.Finding {
	var out []report.Finding
	for _, n := range slices.Sorted(maps.Keys(s.Addons)) {
		switch a := s.Addons[n]; a.Kind {
		case "postgres":
			out = append(out, postgresMetrics(a, app, th)...)
		case "redis":
			out = append(out, redisMetrics(a, app))
		}
	}
	return out
}

// redisMetrics judges Heroku Redis's metrics lines. Used memory against
// maxmemory and clients against maxclients are not in them (redis-health
// reads those with INFO); evicted keys are.
func redisMetrics(a *AddonStat, app string) report.Finding {
	subject := attachmentVar(a.Source)
	target := a.Addon
	if target == "" {
		target = a.Source
	}
	data := metricsData(a)
	from := fmt.Sprintf(" (Heroku Redis metrics in the logs, %d samples)", a.Samples)
	if a.Worst.Has(MetricEvictedKeys) && a.Worst.Val[MetricEvictedKeys] > 0 {
		return codes.RedisEvictions.Raise(app, report.Finding{Check: "logs.redis", Subject: subject, Data: data,
			Summary: fmt.Sprintf("%s: %.0f keys evicted in one sample (memory full)%s", subject, a.Worst.Val[MetricEvictedKeys], from),
			Remedy:  codes.RedisEvictions.RemedyFor(app, target)})
	}
	summary := subject + ":"
	if a.Latest.Has(MetricActiveConnections) {
		summary += fmt.Sprintf(" %.0f connections,", a.Latest.Val[MetricActiveConnections])
	}
	if a.Latest.Has(MetricHitRate) {
		summary += fmt.Sprintf(" hit rate %.1f%%,", 100*a.Latest.Val[MetricHitRate])
	}
	if a.Worst.Has(MetricEvictedKeys) {
		summary += " no key evicted,"
	}
	return report.Finding{Check: "logs.redis", Category: report.CategoryRedis, Subject: subject, Status: report.StatusOK, Data: data,
		Summary: summary[:len(summary)-1] + from}
}

// attachmentVar is the config var of an attachment ("DATABASE" is
// DATABASE_URL), the subject pg-health uses for the same database.
func attachmentVar(source string) string {
	if source == "" {
		return "DATABASE_URL"
	}
	return source + "_URL"
}

func metricsData(a *AddonStat) map[string]any {
	latest, worst := map[string]any{}, map[string]any{}
	for m := range numMetrics {
		if a.Latest.Has(m) {
			latest[MetricName(m)] = a.Latest.Val[m]
		}
		if a.Worst.Has(m) {
			worst[MetricName(m)] = a.Worst.Val[m]
		}
	}
	d := map[string]any{"source": a.Source, "addon": a.Addon, "samples": a.Samples, "latest": latest, "worst": worst}
	if !a.Latest.At.IsZero() {
		d["latest_at"] = evidenceTime(a.Latest.At)
	}
	return d
}

func postgresMetrics(a *AddonStat, app string, th Thresholds) []report.Finding {
	subject := attachmentVar(a.Source)
	target := a.Addon
	if target == "" {
		target = a.Source
	}
	data := metricsData(a)
	var out []report.Finding
	from := fmt.Sprintf(" (Heroku Postgres metrics in the logs, latest of %d samples)", a.Samples)
	for _, h := range []struct {
		metric int
		code   *report.Code
		what   string
	}{{MetricTableCacheHit, codes.PGCacheHitLow, "table"}, {MetricIndexCacheHit, codes.PGIndexHitLow, "index"}} {
		if !a.Latest.Has(h.metric) {
			continue
		}
		r := a.Latest.Val[h.metric]
		if r >= th.PGHitWarn {
			continue
		}
		st := report.StatusWarning
		if r < th.PGHitCrit {
			st = report.StatusCritical
		}
		out = append(out, h.code.Raise(app, report.Finding{Check: "logs.postgres", Subject: subject, Status: st, Data: data,
			Summary: fmt.Sprintf("%s: %s cache hit rate %.2f%%%s", subject, h.what, 100*r, from),
			Remedy:  h.code.RemedyFor(app, target)}))
	}
	if a.Latest.Has(MetricWaitingConnections) && a.Latest.Val[MetricWaitingConnections] > 0 {
		out = append(out, codes.PGBlockedQueries.Raise(app, report.Finding{Check: "logs.postgres", Subject: subject, Data: data,
			Summary: fmt.Sprintf("%s: %.0f connections waiting on a lock%s", subject, a.Latest.Val[MetricWaitingConnections], from),
			Remedy: fmt.Sprintf("See which session holds the lock: heroku pg:locks %s -a %s; end it with heroku pg:kill PID %s -a %s",
				target, orAPP(app), target, orAPP(app))}))
	}
	if len(out) > 0 {
		return out
	}
	summary := fmt.Sprintf("%s:", subject)
	if a.Latest.Has(MetricActiveConnections) {
		summary += fmt.Sprintf(" %.0f connections,", a.Latest.Val[MetricActiveConnections])
	}
	if a.Latest.Has(MetricTableCacheHit) {
		summary += fmt.Sprintf(" table cache hit %.2f%%,", 100*a.Latest.Val[MetricTableCacheHit])
	}
	if a.Latest.Has(MetricIndexCacheHit) {
		summary += fmt.Sprintf(" index cache hit %.2f%%,", 100*a.Latest.Val[MetricIndexCacheHit])
	}
	if a.Latest.Has(MetricWaitingConnections) {
		summary += " no connection waiting on a lock,"
	}
	summary = summary[:len(summary)-1] + from
	return []report.Finding{{Check: "logs.postgres", Category: report.CategoryPostgres, Subject: subject, Status: report.StatusOK,
		Summary: summary, Data: data}}
}
