package sandbox

import (
	"crypto/tls"
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
