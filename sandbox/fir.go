package sandbox

import (
	"crypto/tls"
	"fmt"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

// FirApp is the name of the sandbox's Fir-generation app.
const FirApp = "acme-edge"

// firApp is acme-edge, a Fir-generation app beside acme-prod, with the
// problems that read differently on Fir: one of its two web pods crashed
// (judged on the process type, restarted with --process-type), and no
// telemetry drain, so with no Logplex its logs are kept nowhere. Its one
// custom domain is healthy: CNAME to its DNS target, ACM certificate.
func firApp(now time.Time, pki *certgen.PKI, zone *dnszone.Server, certs map[string]tls.Certificate) *herokutest.AppFixture {
	f := herokutest.SampleFirApp(FirApp, now)
	f.Dynos[1].State = "crashed"
	f.Dynos[1].UpdatedAt = now.Add(-7 * time.Minute).UTC().Truncate(time.Second)
	f.TelemetryDrains = nil
	f.LogLines = firLogs(now, f.Dynos[0].Name, f.Dynos[1].Name)

	host, target := "edge.acme-demo.example", "brisk-3456.herokudns.com"
	d := hk.Domain{ID: herokutest.ID("domain:" + host), Hostname: host, Kind: "custom", Status: "succeeded",
		CName: herokutest.Str(target), AcmStatus: herokutest.Str("cert issued"),
		CreatedAt: now.Add(-90 * day).UTC().Truncate(time.Second), UpdatedAt: now.Add(-3 * day).UTC().Truncate(time.Second)}
	d.App.ID, d.App.Name = f.App.ID, f.App.Name
	f.Domains = []hk.Domain{f.Domains[0], d}
	zone.MustAdd(host+". 300 IN CNAME "+target+".", target+". 60 IN A 127.0.0.1")

	leaf := pki.Leaf(certgen.Options{DNSNames: []string{host}, NotBefore: now.Add(-20 * day), NotAfter: now.Add(70 * day)})
	certs[host] = certgen.TLS(leaf, pki.Intermediate)
	f.SniEndpoints = []hk.SniEndpoint{herokutest.SniEndpoint(f.App.Name, "acm-acme-edge", string(certgen.ChainPEM(leaf, pki.Intermediate)),
		"/O=Let's Encrypt (sandbox)/CN=Sandbox Issuing CA", "/CN="+host, []string{host}, leaf.Cert.NotBefore, leaf.Cert.NotAfter)}
	return f
}

// firLogs is what acme-edge's live log session sends: router lines from
// heroku-router, a crash of its second web pod from heroku-runtime, the
// app's own lines. No real Fir log line has been published (Dev Center
// names the sources heroku-router, heroku-runtime and heroku-api; the API
// schema the pods' names): they are written in the form heroku logs prints.
func firLogs(now time.Time, web, crashed string) []string {
	start := now.UTC().Truncate(time.Minute).Add(-time.Minute) // on a minute: the same buckets whatever the second
	ts := func(s int) string {
		return start.Add(time.Duration(s) * time.Second).UTC().Format("2006-01-02T15:04:05.000000+00:00")
	}
	var lines []string
	for i := 0; i < 40; i++ {
		lines = append(lines, fmt.Sprintf(`%s heroku-router[%s]: at=info method=GET path="/api/items/%d" host=edge.acme-demo.example request_id=%08x-6a5b-4c3d-8e1f-0a9b8c7d6e5f fwd="203.0.113.%d" dyno=%s connect=1ms service=%dms status=200 bytes=%d protocol=https`,
			ts(i), web, 100+i, 0x5e3b8c00+i, 10+i%200, web, 20+i%35, 400+i*13))
		if i%10 == 0 {
			lines = append(lines, fmt.Sprintf("%s app[%s]: GET /api/items/%d 200 %dms", ts(i), web, 100+i, 18+i%35))
		}
	}
	lines = append(lines,
		fmt.Sprintf("%s heroku-runtime[%s]: Process exited with status 1", ts(41), crashed),
		fmt.Sprintf("%s heroku-runtime[%s]: State changed from up to crashed", ts(41), crashed),
	)
	return lines
}
