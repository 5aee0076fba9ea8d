package checkup

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/internal/safe"
	"github.com/heroku-checkup/heroku-checkup/platform"
	"github.com/heroku-checkup/heroku-checkup/redischeck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// RedisPart checks every Redis of an app (its Heroku Redis add-ons and any
// *_URL config var holding a redis:// or rediss:// URL, one job per
// server), or the one --redis-url names.
type RedisPart struct {
	RedisURL   string // --redis-url: this Redis instead of the app's
	SkipVerify bool   // --redis-insecure-skip-verify, for --redis-url
	// Data reads the add-ons' redis:info (plan, version); nil leaves it out.
	Data       *heroku.DataClient
	Options    redischeck.Options
	Thresholds redischeck.Thresholds
	Now        func() time.Time
	Timeout    time.Duration // per Redis (default 20s)
	// Unavailable maps an app to why it has nothing to check here and how
	// to include it (the demo without PostgreSQL or redis-server): one
	// skipped finding for that app.
	Unavailable map[string]string
}

func (p *RedisPart) Category() report.Category { return report.CategoryRedis }
func (p *RedisPart) Needs() []platform.Resource {
	return []platform.Resource{platform.ResConfigVars, platform.ResAddOns}
}

// RedisURLSubject names the Redis of --redis-url.
const RedisURLSubject = "redis-url"

// RedisTarget is one Redis server of an app.
type RedisTarget struct {
	redischeck.Target
	App   string
	Addon string   // the Heroku Redis add-on, if the URL is one's
	Plan  string   // its plan
	Also  []string // the other config vars naming the same server
}

// TargetJobs builds one job per Redis.
func (p *RedisPart) TargetJobs(targets []RedisTarget) []runner.Job {
	timeout := or(p.Timeout, 20*time.Second)
	th := p.Thresholds
	if th == (redischeck.Thresholds{}) {
		th = redischeck.DefaultThresholds
	}
	now := orNow(p.Now)
	var jobs []runner.Job
	for _, t := range targets {
		jobs = append(jobs, runner.Job{Name: "redis " + t.Name, Check: "redis.connection", Category: report.CategoryRedis,
			App: t.App, Subject: t.Name, Timeout: timeout,
			Run: func(ctx context.Context) (runner.Result, error) {
				sub := redischeck.Subject{Name: t.Name, App: t.App, Addon: t.Addon, Plan: t.Plan}
				var g safe.Group
				if p.Data != nil && t.Addon != "" {
					// The Data API's view beside the server's, in a third of the
					// job's time at most: its version stands in when the server
					// cannot be reached. A 404 or an error only leaves it out,
					// and a hung Data API costs the server's checks nothing.
					dctx, cancel := context.WithTimeout(ctx, dataShare(ctx, timeout))
					g.Go(func() {
						defer cancel()
						if r, err := p.Data.Redis(dctx, t.Addon); err == nil {
							sub.DataVersion = r.Version
						}
					})
				}
				snap, err := redischeck.Collect(ctx, t.Target, p.Options)
				g.Wait()
				sub.Snapshot, sub.Err = snap, err
				fs := redischeck.Judge(sub, th, now())
				if len(t.Also) > 0 && len(fs) > 0 && fs[0].Check == "redis.connection" && fs[0].Data != nil {
					fs[0].Data["same_server_as"] = t.Also
				}
				return runner.Findings(fs...), nil
			}})
	}
	return jobs
}

func (p *RedisPart) Jobs(_ context.Context, s *platform.Snapshot) ([]runner.Job, error) {
	skip := func(subject, summary string) []runner.Job {
		return skipJob("redis", report.CategoryRedis, s.Name, subject, summary)
	}
	if p.RedisURL != "" {
		return p.TargetJobs([]RedisTarget{{Target: redischeck.Target{Name: RedisURLSubject, URL: p.RedisURL, SkipVerify: p.SkipVerify}, App: s.Name}}), nil
	}
	if why := p.Unavailable[s.Name]; why != "" {
		return skip("REDIS_URL", why), nil
	}
	if !s.Has(platform.ResConfigVars) {
		return nil, s.Err(platform.ResConfigVars)
	}
	targets := RedisTargets(s.Name, s.AddOns, s.ReadConfigVars())
	if len(targets) == 0 {
		return skip(s.Name, "no Redis: no Heroku Redis add-on and no *_URL config var holds a redis:// or rediss:// URL"), nil
	}
	return p.TargetJobs(targets), nil
}

// IsRedisURL tells whether v is a redis:// or rediss:// URL.
func IsRedisURL(v string) bool {
	return strings.HasPrefix(v, "redis://") || strings.HasPrefix(v, "rediss://")
}

// RedisTargets finds an app's Redis servers: the config vars of its Heroku
// Redis add-ons (heroku-redis*, as the Heroku CLI's redis commands find
// them) and any other *_URL config var holding a Redis URL. Several vars
// naming one server (REDIS_URL and REDIS_TLS_URL of one add-on, or the
// same host and password) are one target, by its rediss:// URL when there
// is one: Heroku's TLS URL. The add-ons' rediss:// URLs are connected
// without certificate verification, as Heroku documents for their
// self-signed certificates; other providers' are verified.
func RedisTargets(app string, addons []hk.AddOn, vars map[string]*string) []RedisTarget {
	addonOf := map[string]hk.AddOn{}
	for _, a := range addons {
		if strings.HasPrefix(a.AddonService.Name, "heroku-redis") {
			for _, v := range a.ConfigVars {
				addonOf[v] = a
			}
		}
	}
	groups := map[string][]string{}
	for name, v := range vars {
		if v == nil || !strings.HasSuffix(name, "_URL") || !IsRedisURL(*v) {
			continue
		}
		key := "server:" + serverKey(*v)
		if a, ok := addonOf[name]; ok {
			key = "addon:" + a.Name
		}
		groups[key] = append(groups[key], name)
	}
	var out []RedisTarget
	for key, names := range groups {
		sort.Slice(names, func(i, j int) bool {
			ti, tj := strings.HasPrefix(*vars[names[i]], "rediss://"), strings.HasPrefix(*vars[names[j]], "rediss://")
			if ti != tj {
				return ti
			}
			if (names[i] == "REDIS_URL") != (names[j] == "REDIS_URL") {
				return names[i] == "REDIS_URL"
			}
			return names[i] < names[j]
		})
		t := RedisTarget{Target: redischeck.Target{Name: names[0], URL: *vars[names[0]]}, App: app, Also: names[1:]}
		if strings.HasPrefix(key, "addon:") {
			a := addonOf[names[0]]
			t.Addon, t.Plan, t.SkipVerify = a.Name, a.Plan.Name, true
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// serverKey identifies a Redis server by its host and password (a TLS and a
// plain URL of one server differ in scheme and port).
func serverKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	pass, _ := u.User.Password()
	return strings.ToLower(u.Hostname()) + "\x00" + pass
}
