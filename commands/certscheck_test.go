package commands

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/internal/nettest"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

func serveTLS(t *testing.T, certs map[string]tls.Certificate) int {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		c := certs[h.ServerName]
		return &c, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestCertsCheckApp(t *testing.T) {
	now := time.Now()
	pki := certgen.NewPKI("Cmd")
	www := pki.Leaf(certgen.Options{DNSNames: []string{"www.acme.example"}, NotAfter: now.Add(60 * 24 * time.Hour)})
	uploaded := pki.Leaf(certgen.Options{DNSNames: []string{"www.acme.example"}, NotAfter: now.Add(20 * 24 * time.Hour)})
	wild := pki.Leaf(certgen.Options{DNSNames: []string{"*.herokuapp.com"}})
	port := serveTLS(t, map[string]tls.Certificate{
		"www.acme.example":  certgen.TLS(www, pki.Intermediate),
		"shop.acme.example": certgen.TLS(wild, pki.Intermediate),
	})

	api := herokutest.New(t, herokutest.Options{Token: "test-token-123456"})
	defer api.Close()
	f := herokutest.SampleApp("acme-prod", now)
	// The app holds another certificate for www than the one served, expiring in 20 days.
	f.SniEndpoints = []hk.SniEndpoint{herokutest.SniEndpoint("acme-prod", "e1", string(certgen.ChainPEM(uploaded, pki.Intermediate)),
		"/CN=Cmd Issuing CA", "/CN=www.acme.example", []string{"www.acme.example"}, now.Add(-time.Hour), uploaded.Cert.NotAfter)}
	api.AddApp(f)
	z := sampleZone(t)

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, pki.Root.PEM(), 0o644)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	h.tlsPort = strconv.Itoa(port)
	code := h.run("certs-check", "-a", "acme-prod", "--resolver", z.Addr, "--ca-file", caFile, "--format", "json")
	if code != 2 {
		t.Fatalf("exit %d\n%s%s", code, h.errOut.String(), h.out.String())
	}
	assertContractJSON(t, h.out.Bytes())
	r := h.report()
	for _, w := range []struct{ code, subject, status string }{
		{"CERT_HEROKU_WILDCARD", "shop.acme.example", "critical"},
		{"CERT_MISMATCH_API", "www.acme.example", "warning"},
		{"SNI_CERT_EXPIRING", "e1", "warning"},
	} {
		f, ok := reporttest.Find(t, r.Checks, w.code, w.subject)
		if !ok || string(f.Status) != w.status {
			t.Errorf("%s on %s: %+v", w.code, w.subject, f)
		}
	}
	for _, c := range r.Checks {
		if c.Subject == "www.acme.example" && c.Check == "tls.certificate" && c.Status != "ok" {
			t.Errorf("www certificate: %s %s", c.Status, c.Summary)
		}
	}

	// Text: one row per domain with issuer, names, expiry and verdict.
	h.run("certs-check", "-a", "acme-prod", "--resolver", z.Addr, "--ca-file", caFile)
	out := h.out.String()
	if !strings.Contains(out, "Certificates") || !strings.Contains(out, "critical CERT_HEROKU_WILDCARD") || !strings.Contains(out, "Cmd Issuing CA") {
		t.Errorf("text report:\n%s", out)
	}
}

func TestCertsCheckArgs(t *testing.T) {
	h := newHarness(t)
	for _, bad := range []string{"host:0", "host:99999", "bad host", "host:https"} {
		if code := h.run("certs-check", bad); code != 3 {
			t.Errorf("%q: exit %d", bad, code)
		}
	}
	if code := h.run("certs-check", "--warn-days", "3", "--crit-days", "7", "x.example"); code != 3 {
		t.Errorf("warn < crit accepted")
	}
	if code := h.run("certs-check", "--ca-file", "/nonexistent.pem", "x.example"); code != 3 || !strings.Contains(h.errOut.String(), "--ca-file") {
		t.Errorf("missing --ca-file: %d %q", code, h.errOut.String())
	}
}

// TestHungTLSServerCostsOneCheck: a domain whose server accepts and never
// handshakes costs its check the run's deadline; the rest is reported.
func TestHungTLSServerCostsOneCheck(t *testing.T) {
	l := nettest.Silent(t).String()
	api := fakeAPI(t)
	z := sampleZone(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	_, h.tlsPort, _ = net.SplitHostPort(l)
	start := time.Now()
	code := h.run("diagnose", "-a", "acme-prod", "--only", "platform,dns,tls", "--resolver", z.Addr, "--format", "json", "--timeout", "2s")
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("took %v with --timeout 2s", took)
	}
	if code != 2 {
		t.Errorf("exit %d", code)
	}
	r := h.report()
	for _, d := range []string{"www.acme.example", "shop.acme.example"} {
		f, ok := reporttest.Find(t, r.Checks, "TIMEOUT", d)
		if !ok || f.Category != "tls" || f.Status != "unknown" {
			t.Errorf("%s: hung handshake not reported as TIMEOUT: %+v", d, f)
		}
	}
	if _, ok := reporttest.Find(t, r.Checks, "DYNO_CRASHED", "web.2"); !ok {
		t.Error("platform findings missing")
	}
	if _, ok := reporttest.Find(t, r.Checks, "DNS_CNAME_HEROKUAPP", "shop.acme.example"); !ok {
		t.Error("DNS findings missing")
	}
}
