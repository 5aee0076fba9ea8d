// Package sandbox runs a simulated production Heroku app on loopback, in
// process: the fake Platform API, a DNS server for its zones, TLS listeners
// with generated certificates, and a log session with router and runtime
// lines. `heroku-checkup diagnose --demo` checks it; the tests and the
// benchmarks use it too. Nothing here sends a packet beyond loopback.
package sandbox

import (
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

// Token is the sandbox API's token; it is a secret like any other, so the
// reports must never show it.
const Token = "HRKU-sandbox-0f3a9c2e7b1d4e6f8a0b"

// Options shape the sandbox.
type Options struct {
	// Latency injected per API request, per DNS query, per TLS handshake and
	// before a log session's first byte (the benchmarks use them).
	APILatency, DNSLatency, TLSLatency, LogLatency time.Duration
	// Apps is how many apps: the realistic ones first (acme-prod on
	// Cedar, then acme-edge on Fir), then generated ones alike ("acme-3",
	// "acme-4" ...); 0 is the two realistic apps. Domains is the number of
	// custom domains per generated app (the realistic ones have their own).
	Apps    int
	Domains int
	// Generated makes every app a generated one (for the benchmarks: N
	// alike apps of Domains domains each, no realistic first app).
	Generated bool
	Now       time.Time
	// Servers starts a throw-away PostgreSQL and redis-server on loopback,
	// seeded with real problems, for the realistic app's DATABASE_URL and
	// REDIS_URL (the demo); each is left out, with the reason, when it is
	// not installed.
	Servers bool
}

// Sandbox is a running simulated app.
type Sandbox struct {
	API     *herokutest.Server
	Data    *herokutest.DataServer // the Data API of the sandbox's add-ons
	DNS     *dnszone.Server
	TLSPort string
	CAFile  string
	Apps    []string
	// PostgresMissing and RedisMissing say why the realistic app has no
	// database or Redis to check, and how to include it (empty: started).
	PostgresMissing, RedisMissing string
	closers                       []func()
	dir                           string
	tlsL                          net.Listener
	wg                            sync.WaitGroup
}

// DemoApp is the name of the realistic app.
const DemoApp = "acme-prod"

// Start runs a sandbox. Close it when done.
func Start(o Options) (*Sandbox, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Apps <= 0 {
		o.Apps = 1
		if !o.Generated {
			o.Apps = 2 // acme-prod (Cedar) and acme-edge (Fir)
		}
	}
	if o.Domains <= 0 {
		o.Domains = 4
	}
	dir, err := os.MkdirTemp("", "heroku-checkup-sandbox")
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{dir: dir}
	ok := false
	defer func() {
		if !ok {
			sb.Close()
		}
	}()

	sb.DNS, err = dnszone.Start(dnszone.Options{Follow: true, Latency: o.DNSLatency})
	if err != nil {
		return nil, err
	}
	sb.API = herokutest.New(&herokutest.Recorder{}, herokutest.Options{Token: Token, Latency: o.APILatency, LogLatency: o.LogLatency, RateLimitRemaining: 4321})
	sb.Data = herokutest.NewData(&herokutest.Recorder{}, Token)

	pki := certgen.NewPKIAt("Sandbox", o.Now)
	sb.CAFile = filepath.Join(dir, "sandbox-ca.pem")
	if err := os.WriteFile(sb.CAFile, pki.Root.PEM(), 0o644); err != nil {
		return nil, err
	}
	certs := map[string]tls.Certificate{}

	// The realistic app, and more like it for the benchmarks.
	from := 1
	if !o.Generated {
		first := demoApp(o.Now, pki, sb.DNS, certs)
		if err := sb.demoData(first, o); err != nil {
			return nil, err
		}
		sb.API.AddApp(first)
		sb.Apps = append(sb.Apps, first.App.Name)
		from = 2
		if o.Apps >= 2 {
			fir := firApp(o.Now, pki, sb.DNS, certs)
			sb.API.AddApp(fir)
			sb.Apps = append(sb.Apps, fir.App.Name)
			from = 3
		}
	}
	for i := from; i <= o.Apps; i++ {
		f := generatedApp(fmt.Sprintf("acme-%d", i), o.Domains, o.Now, pki, sb.DNS, certs)
		sb.API.AddApp(f)
		sb.Apps = append(sb.Apps, f.App.Name)
	}
	sb.API.AddTeam("acme", sb.Apps...)

	// One TLS listener serves every name by SNI; the checks dial it for
	// every custom domain (the sandbox's stand-in for port 443).
	fallback := certgen.TLS(pki.Leaf(certgen.Options{DNSNames: []string{"*.herokuapp.com", "herokuapp.com"},
		NotBefore: o.Now.Add(-30 * day), NotAfter: o.Now.Add(300 * day)}), pki.Intermediate)
	sb.tlsL, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sb.TLSPort = strconv.Itoa(sb.tlsL.Addr().(*net.TCPAddr).Port)
	cfg := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if c, ok := certs[h.ServerName]; ok {
			return &c, nil
		}
		return &fallback, nil
	}}
	sb.wg.Add(1)
	go sb.serveTLS(cfg, o.TLSLatency)
	ok = true
	return sb, nil
}

func (sb *Sandbox) serveTLS(cfg *tls.Config, latency time.Duration) {
	defer sb.wg.Done()
	for {
		c, err := sb.tlsL.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			if latency > 0 {
				time.Sleep(latency)
			}
			tc := tls.Server(c, cfg)
			tc.SetDeadline(time.Now().Add(10 * time.Second))
			if tc.Handshake() == nil {
				tc.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
			}
		}()
	}
}

// Close stops every server and removes the sandbox's files.
func (sb *Sandbox) Close() {
	if sb.tlsL != nil {
		sb.tlsL.Close()
		sb.wg.Wait()
	}
	for i := len(sb.closers) - 1; i >= 0; i-- {
		sb.closers[i]()
	}
	sb.closers = nil
	if sb.API != nil {
		sb.API.Close()
	}
	if sb.Data != nil {
		sb.Data.Close()
	}
	if sb.DNS != nil {
		sb.DNS.Close()
	}
	if sb.dir != "" {
		os.RemoveAll(sb.dir)
	}
}

const day = 24 * time.Hour

// demoApp is acme-prod with the problems the README promises: one of two
// web dynos crashed and flapping, a failed release, no log drain, preboot
// off, a domain still on its herokuapp.com CNAME (so it gets the wildcard
// certificate, and ACM fails for it), an uploaded certificate about to
// expire, and logs with H12, H10, R14 and memory near the quota.
func demoApp(now time.Time, pki *certgen.PKI, zone *dnszone.Server, certs map[string]tls.Certificate) *herokutest.AppFixture {
	f := herokutest.SampleApp(DemoApp, now)
	for i := range f.Features {
		if f.Features[i].Name == "log-runtime-metrics" {
			f.Features[i].Enabled = true
		}
	}
	at := func(d time.Duration) time.Time { return now.Add(-d).UTC().Truncate(time.Second) }
	domain := func(host, target, acm string) hk.Domain {
		d := hk.Domain{ID: herokutest.ID("domain:" + host), Hostname: host, Kind: "custom", Status: "succeeded",
			CName: herokutest.Str(target), CreatedAt: at(200 * day), UpdatedAt: at(2 * day)}
		d.App.ID, d.App.Name = f.App.ID, f.App.Name
		if acm != "" {
			d.AcmStatus = herokutest.Str(acm)
		}
		return d
	}
	apex := domain("acme-demo.example", "fathomless-2345.herokudns.com", "cert issued")
	www := domain("www.acme-demo.example", "mammoth-1234.herokudns.com", "cert issued")
	shop := domain("shop.acme-demo.example", "tranquil-5678.herokudns.com", "failing")
	shop.AcmStatusReason = herokutest.Str("CNAME points at acme-prod-0123456789ab.herokuapp.com, not at tranquil-5678.herokudns.com")
	api := domain("api.acme-demo.example", "infinite-9012.herokudns.com", "")
	f.Domains = []hk.Domain{f.Domains[0], apex, www, shop, api}

	zone.MustAdd(
		"acme-demo.example. 300 IN SOA ns1.dnsimple-demo.example. hostmaster.acme-demo.example. 1 7200 900 1209600 300",
		"acme-demo.example. 300 IN NS ns1.dnsimple-demo.example.",
		"acme-demo.example. 300 IN NS ns2.dnsimple-demo.example.",
		"acme-demo.example. 60 IN A 127.0.0.1", // ALIAS flattened to the target's address
		"www.acme-demo.example. 300 IN CNAME mammoth-1234.herokudns.com.",
		"shop.acme-demo.example. 300 IN CNAME acme-prod-0123456789ab.herokuapp.com.",
		"api.acme-demo.example. 300 IN CNAME infinite-9012.herokudns.com.",
		"fathomless-2345.herokudns.com. 60 IN A 127.0.0.1",
		"mammoth-1234.herokudns.com. 60 IN A 127.0.0.1",
		"tranquil-5678.herokudns.com. 60 IN A 127.0.0.1",
		"infinite-9012.herokudns.com. 60 IN A 127.0.0.1",
		"acme-prod-0123456789ab.herokuapp.com. 60 IN A 127.0.0.1",
	)

	// ACM certificates for the apex and www; an uploaded one for api that
	// expires in five days; shop gets the herokuapp.com wildcard (fallback).
	acmLeaf := pki.Leaf(certgen.Options{DNSNames: []string{"acme-demo.example", "www.acme-demo.example"},
		NotBefore: now.Add(-25 * day), NotAfter: now.Add(65 * day)})
	apiLeaf := pki.Leaf(certgen.Options{DNSNames: []string{"api.acme-demo.example"},
		NotBefore: now.Add(-360 * day), NotAfter: now.Add(5*day + 6*time.Hour)})
	certs["acme-demo.example"] = certgen.TLS(acmLeaf, pki.Intermediate)
	certs["www.acme-demo.example"] = certgen.TLS(acmLeaf, pki.Intermediate)
	certs["api.acme-demo.example"] = certgen.TLS(apiLeaf, pki.Intermediate)
	f.SniEndpoints = []hk.SniEndpoint{
		herokutest.SniEndpoint(f.App.Name, "acm-acme-demo", string(certgen.ChainPEM(acmLeaf, pki.Intermediate)),
			"/O=Let's Encrypt (sandbox)/CN=Sandbox Issuing CA", "/CN=acme-demo.example", []string{"acme-demo.example", "www.acme-demo.example"},
			acmLeaf.Cert.NotBefore, acmLeaf.Cert.NotAfter),
		herokutest.SniEndpoint(f.App.Name, "brachiosaurus-72731", string(certgen.ChainPEM(apiLeaf, pki.Intermediate)),
			"/O=Sandbox/CN=Sandbox Issuing CA", "/CN=api.acme-demo.example", []string{"api.acme-demo.example"},
			apiLeaf.Cert.NotBefore, apiLeaf.Cert.NotAfter),
	}
	// v41 was deployed eight minutes into the log window and made things
	// worse (DEPLOY_REGRESSION); v42, the attempt to fix it, failed in its
	// release phase, so v41 still runs.
	start := logStart(now)
	f.Releases[1].CreatedAt, f.Releases[1].UpdatedAt = start.Add(v41At), start.Add(v41At)
	f.Releases[2].CreatedAt, f.Releases[2].UpdatedAt = start.Add(v42At), start.Add(v42At)
	f.App.ReleasedAt = &f.Releases[1].CreatedAt
	f.Dynos[0].UpdatedAt = start.Add(v41At + 30*time.Second)
	f.Dynos[2].UpdatedAt = start.Add(v41At + 30*time.Second)
	f.LogLines = demoLogs(now, f.App.Name)
	return f
}

// When the demo's releases were made, from the start of its log window.
const (
	v41At = 8*time.Minute + 10*time.Second
	v42At = 16*time.Minute + 5*time.Second
)

// logStart is the start of the demo's 20-minute log window: on a minute,
// so the lines fall into the same timeline buckets whatever second the
// demo runs at.
func logStart(now time.Time) time.Time { return now.UTC().Truncate(time.Minute).Add(-20 * time.Minute) }

// generatedApp is a healthy app with n custom domains, for the benchmarks.
func generatedApp(name string, n int, now time.Time, pki *certgen.PKI, zone *dnszone.Server, certs map[string]tls.Certificate) *herokutest.AppFixture {
	f := herokutest.SampleApp(name, now)
	f.Dynos[1].State = "up"
	f.Releases = f.Releases[:2]
	f.LogDrains = herokutest.SampleLogDrains(name)
	for i := range f.Features {
		f.Features[i].Enabled = true
	}
	f.Domains = f.Domains[:1]
	f.SniEndpoints = nil
	zone.MustAdd(name + ".example. 300 IN NS ns1.dns.example.")
	var names []string
	for i := 1; i <= n; i++ {
		host := fmt.Sprintf("d%d.%s.example", i, name)
		target := fmt.Sprintf("%s-d%d.herokudns.com", name, i)
		d := hk.Domain{ID: herokutest.ID("domain:" + host), Hostname: host, Kind: "custom", Status: "succeeded",
			CName: herokutest.Str(target), AcmStatus: herokutest.Str("cert issued"), CreatedAt: now.Add(-100 * day).UTC().Truncate(time.Second),
			UpdatedAt: now.Add(-day).UTC().Truncate(time.Second)}
		d.App.ID, d.App.Name = f.App.ID, f.App.Name
		f.Domains = append(f.Domains, d)
		zone.MustAdd(host+". 300 IN CNAME "+target+".", target+". 60 IN A 127.0.0.1")
		names = append(names, host)
	}
	leaf := pki.Leaf(certgen.Options{DNSNames: names, NotBefore: now.Add(-10 * day), NotAfter: now.Add(80 * day)})
	for _, h := range names {
		certs[h] = certgen.TLS(leaf, pki.Intermediate)
	}
	f.LogLines = healthyLogs(now, name)
	return f
}

// demoLogs is the last 1,500 lines a log session would return: router
// traffic with a few slow paths, H12 and H10 errors (rack-timeout seeing
// one H12's request run on in the app), runtime metrics with web.1 near
// its quota and an R14, web.2 crashing on boot, the metrics lines Heroku
// Postgres and Heroku Redis write into the app's log, and the deploy of
// v41 after which the 5xx rate rose from 1% to 7% and /search got slower,
// then v42's failed release.
func demoLogs(now time.Time, app string) []string {
	r := rand.New(rand.NewPCG(42, 7))
	start := logStart(now)
	var lines []string
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000+00:00") }
	paths := []struct {
		method, path string
		base         int
	}{{"GET", "/", 40}, {"GET", "/products/%d", 90}, {"POST", "/cart/items", 120}, {"GET", "/search", 300}, {"GET", "/reports/%d/export", 2400}}
	for i := 0; i < 1300; i++ {
		t := start.Add(time.Duration(i) * 900 * time.Millisecond)
		p := paths[r.IntN(len(paths))]
		path := p.path
		if strings.Contains(p.path, "%d") {
			path = fmt.Sprintf(p.path, 1000+r.IntN(9000))
		}
		service := p.base + r.IntN(p.base)
		failPct := 1
		if after := t.Sub(start) > v41At; after {
			failPct = 7
			if p.path == "/search" {
				service *= 3
			}
		}
		status := 200
		if r.IntN(100) < failPct {
			status = 500
		}
		lines = append(lines, fmt.Sprintf(`%s heroku[router]: at=info method=%s path="%s" host=www.acme-demo.example request_id=%08x-2b1c-4d3e-8f9a-%012x fwd="203.0.113.%d" dyno=web.1 connect=%dms service=%dms status=%d bytes=%d protocol=https`,
			ts(t), p.method, path, r.Uint32(), r.Uint64()&0xffffffffffff, r.IntN(250), r.IntN(3), service, status, 500+r.IntN(20000)))
		if i%60 == 0 {
			mem := 380.0 + float64(i)/1300*95
			lines = append(lines, fmt.Sprintf("%s heroku[web.1]: source=web.1 dyno=heroku.123456789.3f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8 sample#load_avg_1m=0.%02d sample#load_avg_5m=0.40 sample#memory_total=%.2fMB sample#memory_rss=%.2fMB sample#memory_cache=12.40MB sample#memory_swap=0.00MB sample#memory_pgpgin=0pages sample#memory_pgpgout=0pages sample#memory_quota=512.00MB",
				ts(t), r.IntN(90), mem, mem-12.4))
		}
	}
	at := func(min int) string { return ts(start.Add(time.Duration(min) * time.Minute)) }
	v41, v42 := ts(start.Add(v41At)), ts(start.Add(v42At))
	lines = append(lines,
		v41+" app[api]: Deploy 5d6e7f8 by user ops@acme.example",
		v41+" app[api]: Release v41 created by user ops@acme.example",
		ts(start.Add(v41At+2*time.Second))+" heroku[web.1]: Restarting",
		ts(start.Add(v41At+3*time.Second))+" heroku[web.1]: State changed from up to starting",
		ts(start.Add(v41At+25*time.Second))+" heroku[web.1]: State changed from starting to up",
		v42+" app[api]: Deploy 9a0b1c2 by user ops@acme.example",
		v42+" app[api]: Release v42 created by user ops@acme.example",
		ts(start.Add(v42At+40*time.Second))+" heroku[release.4821]: Process exited with status 1",
		ts(start.Add(v42At+41*time.Second))+" app[api]: Release v42 command failed by user ops@acme.example",
	)
	for i, p := range []string{"/reports/4411/export", "/reports/5120/export", "/reports/7781/export"} {
		lines = append(lines, fmt.Sprintf(`%s heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="%s" host=www.acme-demo.example request_id=h12-%d fwd="203.0.113.7" dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=https`, at(5+4*i), p, i))
	}
	for i := 0; i < 2; i++ {
		lines = append(lines, fmt.Sprintf(`%s heroku[router]: at=error code=H10 desc="App crashed" method=GET path="/" host=www.acme-demo.example request_id=h10-%d fwd="203.0.113.8" dyno=web.2 connect=0ms service=0ms status=503 bytes=0 protocol=https`, at(14+i), i))
	}
	lines = append(lines,
		fmt.Sprintf("%s heroku[web.1]: Process running mem=530M(103.5%%)", at(17)),
		fmt.Sprintf("%s heroku[web.1]: Error R14 (Memory quota exceeded)", at(17)),
		// The app kept working on the first H12's request after the router gave up.
		fmt.Sprintf("%s app[web.1]: source=rack-timeout id=h12-0 wait=1ms timeout=15000ms service=45210ms state=completed", at(6)),
	)
	for m := 2; m < 20; m += 5 {
		lines = append(lines,
			fmt.Sprintf("%s app[heroku-postgres]: source=DATABASE addon=heroku-postgresql-%s sample#current_transaction=%d sample#db_size=%dbytes sample#tables=41 sample#active-connections=%d sample#waiting-connections=0 sample#index-cache-hit-rate=0.99931 sample#table-cache-hit-rate=0.99874 sample#load-avg-1m=0.12 sample#load-avg-5m=0.1 sample#load-avg-15m=0.08 sample#read-iops=0.2 sample#write-iops=3.1 sample#tmp-disk-used=33849344 sample#tmp-disk-available=72944943104 sample#memory-total=3944948kB sample#memory-free=1236744kB sample#memory-cached=2153992kB sample#memory-postgres=181908kB sample#wal-percentage-used=0.062",
				at(m), app, 4_100_000+m*37, 1_834_512_384+m*4096, 14+m%5),
			fmt.Sprintf("%s app[heroku-redis]: source=REDIS addon=heroku-redis-%s sample#active-connections=%d sample#load-avg-1m=0.02 sample#load-avg-5m=0.03 sample#load-avg-15m=0.03 sample#read-iops=0 sample#write-iops=0.4 sample#memory-total=15664212kB sample#memory-free=9796400kB sample#memory-cached=3751668kB sample#memory-redis=213157600bytes sample#hit-rate=0.9921 sample#evicted-keys=0",
				at(m+1), app, 9+m%3),
		)
	}
	for i := 0; i < 3; i++ {
		lines = append(lines,
			fmt.Sprintf("%s heroku[web.2]: State changed from crashed to starting", at(6+3*i)),
			fmt.Sprintf("%s app[web.2]: /app/config/initializers/redis.rb:4: Redis::CannotConnectError (REDIS_URL=rediss://:redis-secret-xyz123@127.0.0.1:9)", at(6+3*i)),
			fmt.Sprintf("%s heroku[web.2]: Process exited with status 1", at(7+3*i)),
			fmt.Sprintf("%s heroku[web.2]: State changed from starting to crashed", at(7+3*i)),
		)
	}
	sortByTime(lines)
	if len(lines) > 1500 {
		lines = lines[len(lines)-1500:]
	}
	return lines
}

// healthyLogs is quiet traffic with runtime metrics well under the quota.
func healthyLogs(now time.Time, app string) []string {
	var lines []string
	start := now.UTC().Truncate(time.Minute).Add(-10 * time.Minute)
	for i := 0; i < 300; i++ {
		t := start.Add(time.Duration(i) * 2 * time.Second).UTC().Format("2006-01-02T15:04:05.000000+00:00")
		lines = append(lines, fmt.Sprintf(`%s heroku[router]: at=info method=GET path="/" host=%s.example request_id=r%d fwd="203.0.113.1" dyno=web.1 connect=0ms service=%dms status=200 bytes=900 protocol=https`, t, app, i, 30+i%40))
		if i%50 == 0 {
			lines = append(lines, fmt.Sprintf("%s heroku[web.1]: source=web.1 sample#load_avg_1m=0.10 sample#memory_total=210.00MB sample#memory_rss=200.00MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB", t))
		}
	}
	return lines
}

// sortByTime orders lines by their leading timestamp (all the same
// width), as a log session returns them.
func sortByTime(lines []string) {
	sort.SliceStable(lines, func(i, j int) bool { return lines[i][:32] < lines[j][:32] })
}
