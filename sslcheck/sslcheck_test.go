package sslcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/internal/nettest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

const day = 24 * time.Hour

// fixtures: one test PKI and a leaf per case of the issue.
type fixtures struct {
	pki, other *certgen.PKI
	roots      *x509.CertPool
	now        time.Time
	chains     map[string][]*certgen.Cert // SNI name -> served chain
	splitOld   []*certgen.Cert            // what the second address of split.test serves
}

var fx = newFixtures()

func newFixtures() *fixtures {
	now := time.Now()
	f := &fixtures{pki: certgen.NewPKI("Test"), other: certgen.NewPKI("Unknown"), now: now, chains: map[string][]*certgen.Cert{}}
	f.roots = x509.NewCertPool()
	f.roots.AddCert(f.pki.Root.Cert)
	leaf := func(name string, o certgen.Options) *certgen.Cert {
		if o.DNSNames == nil {
			o.DNSNames = []string{name}
		}
		if o.NotBefore.IsZero() {
			o.NotBefore = now.Add(-30 * day)
		}
		if o.NotAfter.IsZero() {
			o.NotAfter = now.Add(80 * day)
		}
		return f.pki.Leaf(o)
	}
	in := f.pki.Intermediate
	f.chains["good.test"] = []*certgen.Cert{leaf("good.test", certgen.Options{}), in}
	f.chains["expired.test"] = []*certgen.Cert{leaf("expired.test", certgen.Options{NotBefore: now.Add(-100 * day), NotAfter: now.Add(-2 * day)}), in}
	f.chains["soon5.test"] = []*certgen.Cert{leaf("soon5.test", certgen.Options{NotAfter: now.Add(5*day + time.Hour)}), in}
	f.chains["soon20.test"] = []*certgen.Cert{leaf("soon20.test", certgen.Options{NotAfter: now.Add(20*day + time.Hour)}), in}
	f.chains["future.test"] = []*certgen.Cert{leaf("future.test", certgen.Options{NotBefore: now.Add(3 * day), NotAfter: now.Add(90 * day)}), in}
	f.chains["wrongname.test"] = []*certgen.Cert{leaf("wrongname.test", certgen.Options{DNSNames: []string{"other.test"}}), in}
	f.chains["shop.acme.test"] = []*certgen.Cert{leaf("shop.acme.test", certgen.Options{DNSNames: []string{"*.herokuapp.com", "herokuapp.com"}}), in}
	f.chains["selfsigned.test"] = []*certgen.Cert{certgen.MustNew(certgen.Options{CommonName: "selfsigned.test", DNSNames: []string{"selfsigned.test"},
		NotBefore: now.Add(-day), NotAfter: now.Add(300 * day)}, nil)}
	f.chains["nointer.test"] = []*certgen.Cert{leaf("nointer.test", certgen.Options{})}
	f.chains["unknownca.test"] = []*certgen.Cert{f.other.Leaf(certgen.Options{DNSNames: []string{"unknownca.test"}}), f.other.Intermediate, f.other.Root}
	f.chains["weakkey.test"] = []*certgen.Cert{leaf("weakkey.test", certgen.Options{RSABits: 1024}), in}
	f.chains["sha1.test"] = []*certgen.Cert{leaf("sha1.test", certgen.Options{RSABits: 2048}), in}
	// SHA-1 needs an RSA issuer: a separate RSA intermediate signs it.
	rsaInter := certgen.MustNew(certgen.Options{CommonName: "Test RSA Issuing CA", IsCA: true, RSABits: 2048,
		NotBefore: now.Add(-day), NotAfter: now.Add(400 * day)}, f.pki.Root)
	f.chains["sha1.test"] = []*certgen.Cert{certgen.MustNew(certgen.Options{CommonName: "sha1.test", DNSNames: []string{"sha1.test"},
		SigAlg: x509.SHA1WithRSA, NotBefore: now.Add(-day), NotAfter: now.Add(80 * day)}, rsaInter), rsaInter}
	f.chains["disorder.test"] = []*certgen.Cert{leaf("disorder.test", certgen.Options{}), f.pki.Root, in}
	f.chains["api.acme.test"] = []*certgen.Cert{leaf("api.acme.test", certgen.Options{}), in}
	f.chains["split.test"] = []*certgen.Cert{leaf("split.test", certgen.Options{}), in}
	f.splitOld = []*certgen.Cert{leaf("split.test", certgen.Options{NotAfter: now.Add(20*day + time.Hour)}), in}
	return f
}

func (f *fixtures) rules() Rules {
	return Rules{Now: f.now, Roots: f.roots, Intermediates: []*x509.Certificate{f.pki.Intermediate.Cert}}
}

func x509Chain(cs []*certgen.Cert) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		out = append(out, c.Cert)
	}
	return out
}

func TestMain(m *testing.M) { reporttest.Main(m, "sslcheck") }

// TestRulesOnGeneratedCertificates judges literal snapshots: the chains
// made above, as if served, with now injected.
func TestRulesOnGeneratedCertificates(t *testing.T) {
	cases := []struct {
		host   string
		custom bool
		want   map[string]report.Status
	}{
		{"good.test", false, map[string]report.Status{}},
		{"expired.test", false, map[string]report.Status{codes.CertExpired.ID: report.StatusCritical}},
		{"soon5.test", false, map[string]report.Status{codes.CertExpiring.ID: report.StatusCritical}},
		{"soon20.test", false, map[string]report.Status{codes.CertExpiring.ID: report.StatusWarning}},
		{"future.test", false, map[string]report.Status{codes.CertNotYetValid.ID: report.StatusCritical}},
		{"wrongname.test", false, map[string]report.Status{codes.CertHostnameMismatch.ID: report.StatusCritical}},
		{"shop.acme.test", true, map[string]report.Status{codes.CertHerokuWildcard.ID: report.StatusCritical}},
		{"selfsigned.test", false, map[string]report.Status{codes.CertUntrusted.ID: report.StatusCritical}},
		{"nointer.test", false, map[string]report.Status{codes.CertChainIncomplete.ID: report.StatusCritical}},
		{"unknownca.test", false, map[string]report.Status{codes.CertUntrusted.ID: report.StatusCritical}},
		{"weakkey.test", false, map[string]report.Status{codes.CertWeakKey.ID: report.StatusCritical}},
		{"sha1.test", false, map[string]report.Status{codes.CertWeakSignature.ID: report.StatusCritical}},
		{"disorder.test", false, map[string]report.Status{codes.CertChainIncomplete.ID: report.StatusWarning}},
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			s := &Snapshot{Target: Target{Host: c.host, Port: "443", Custom: c.custom},
				Addrs: []Addr{{Addr: "192.0.2.1:443", Version: tls.VersionTLS13, Cipher: tls.TLS_AES_128_GCM_SHA256, Chain: x509Chain(fx.chains[c.host])}}}
			got := reporttest.Statuses(t, Judge(s, fx.rules()))
			if len(got) != len(c.want) {
				t.Errorf("codes %v, want %v", got, c.want)
			}
			for code, st := range c.want {
				if got[code] != st {
					t.Errorf("%s: %s, want %s (all: %v)", code, got[code], st, got)
				}
			}
		})
	}
}

func TestUntrustedToldApart(t *testing.T) {
	judge := func(host string) string {
		s := &Snapshot{Target: Target{Host: host, Port: "443"}, Addrs: []Addr{{Addr: "192.0.2.1:443", Chain: x509Chain(fx.chains[host])}}}
		for _, f := range Judge(s, fx.rules()) {
			if f.Code == codes.CertUntrusted.ID {
				return f.Summary
			}
		}
		return ""
	}
	if s := judge("selfsigned.test"); !strings.Contains(s, "self-signed") {
		t.Errorf("self-signed: %q", s)
	}
	if s := judge("unknownca.test"); !strings.Contains(s, "unknown CA (Unknown Root CA)") {
		t.Errorf("unknown CA: %q", s)
	}
}

func TestGoodCertificateReportsDaysLeft(t *testing.T) {
	s := &Snapshot{Target: Target{Host: "good.test", Port: "443"}, Addrs: []Addr{{Addr: "192.0.2.1:443", Version: tls.VersionTLS13, Chain: x509Chain(fx.chains["good.test"])}}}
	fs := Judge(s, fx.rules())
	var ok *report.Finding
	for i := range fs {
		if fs[i].Check == "tls.certificate" {
			ok = &fs[i]
		}
	}
	if ok == nil || ok.Status != report.StatusOK || !strings.Contains(ok.Summary, "(79 days left)") {
		t.Fatalf("good certificate: %+v", ok)
	}
	if ok.Data["sha256"] == "" || ok.Data["serial"] == "" || len(ok.Data["chain"].([]map[string]any)) != 2 {
		t.Errorf("evidence: %v", ok.Data)
	}
}

func TestThresholdsAreFlags(t *testing.T) {
	s := &Snapshot{Target: Target{Host: "soon20.test", Port: "443"}, Addrs: []Addr{{Addr: "192.0.2.1:443", Chain: x509Chain(fx.chains["soon20.test"])}}}
	r := fx.rules()
	r.WarnDays, r.CritDays = 45, 21
	if got := reporttest.Statuses(t, Judge(s, r)); got[codes.CertExpiring.ID] != report.StatusCritical {
		t.Errorf("--crit-days 21 with 20 days left: %v", got)
	}
	r.WarnDays, r.CritDays = 10, 5
	if got := reporttest.Statuses(t, Judge(s, r)); len(got) != 0 {
		t.Errorf("--warn-days 10 with 20 days left: %v", got)
	}
}

func TestAPIMismatch(t *testing.T) {
	s := &Snapshot{Target: Target{Host: "api.acme.test", Port: "443", App: "acme", APICerts: []*x509.Certificate{fx.chains["good.test"][0].Cert}},
		Addrs: []Addr{{Addr: "192.0.2.1:443", Chain: x509Chain(fx.chains["api.acme.test"])}}}
	if got := reporttest.Statuses(t, Judge(s, fx.rules())); got[codes.CertMismatchAPI.ID] != report.StatusWarning {
		t.Errorf("mismatch: %v", got)
	}
	s.Target.APICerts = []*x509.Certificate{fx.chains["api.acme.test"][0].Cert}
	if got := reporttest.Statuses(t, Judge(s, fx.rules())); len(got) != 0 {
		t.Errorf("match: %v", got)
	}
}

// ---- the network half: real handshakes on loopback ----

// tlsServer serves every fixture chain by SNI on 127.0.0.1 (and, with a
// second certificate, on 127.0.0.2 at the same port).
func tlsServer(t *testing.T, ip string, port int, chains map[string][]*certgen.Cert, cfg func(*tls.Config)) int {
	t.Helper()
	certs := map[string]tls.Certificate{}
	for name, ch := range chains {
		certs[name] = certgen.TLS(ch[0], ch[1:]...)
	}
	tc := &tls.Config{GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if h.ServerName == "nocert.test" {
			return nil, fmt.Errorf("no certificate for %s", h.ServerName) // the server aborts the handshake
		}
		if c, ok := certs[h.ServerName]; ok {
			return &c, nil
		}
		c := certs["good.test"]
		return &c, nil
	}}
	if cfg != nil {
		cfg(tc)
	}
	l, err := tls.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), tc)
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
			go func() {
				c.(*tls.Conn).Handshake()
				c.Close()
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

func TestHandshakesOnLoopback(t *testing.T) {
	zone, err := dnszone.Start(dnszone.Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zone.Close) // after the parallel subtests, not when this function returns
	for name := range fx.chains {
		zone.MustAdd(name + ". 60 IN A 127.0.0.1")
	}
	zone.MustAdd("legacy.test. 60 IN A 127.0.0.1", "silent.test. 60 IN A 127.0.0.1", "closed.test. 60 IN A 127.0.0.1", "nocert.test. 60 IN A 127.0.0.1",
		"split.test. 60 IN A 127.0.0.1", "split.test. 60 IN A 127.0.0.2")
	res := dnscheck.NewResolver(dnscheck.Config{Servers: []string{zone.Addr}})

	port := tlsServer(t, "127.0.0.1", 0, fx.chains, nil)
	// split.test: 127.0.0.2 serves another certificate on the same port.
	other := map[string][]*certgen.Cert{"good.test": fx.splitOld, "split.test": fx.splitOld}
	tlsServer(t, "127.0.0.2", port, other, nil)
	legacyPort := tlsServer(t, "127.0.0.1", 0, map[string][]*certgen.Cert{"good.test": fx.chains["good.test"]}, func(c *tls.Config) {
		c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
	})
	silent := nettest.Silent(t).Port
	closed := func() int {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return p
	}()

	cfg := Config{Resolver: res, HandshakeTimeout: 500 * time.Millisecond, DialTimeout: time.Second}
	cases := []struct {
		host string
		port int
		want map[string]report.Status
	}{
		{"good.test", port, map[string]report.Status{}},
		{"expired.test", port, map[string]report.Status{codes.CertExpired.ID: report.StatusCritical}},
		{"soon5.test", port, map[string]report.Status{codes.CertExpiring.ID: report.StatusCritical}},
		{"soon20.test", port, map[string]report.Status{codes.CertExpiring.ID: report.StatusWarning}},
		{"future.test", port, map[string]report.Status{codes.CertNotYetValid.ID: report.StatusCritical}},
		{"wrongname.test", port, map[string]report.Status{codes.CertHostnameMismatch.ID: report.StatusCritical}},
		{"selfsigned.test", port, map[string]report.Status{codes.CertUntrusted.ID: report.StatusCritical}},
		{"nointer.test", port, map[string]report.Status{codes.CertChainIncomplete.ID: report.StatusCritical}},
		{"unknownca.test", port, map[string]report.Status{codes.CertUntrusted.ID: report.StatusCritical}},
		{"weakkey.test", port, map[string]report.Status{codes.CertWeakKey.ID: report.StatusCritical}},
		{"sha1.test", port, map[string]report.Status{codes.CertWeakSignature.ID: report.StatusCritical}},
		{"legacy.test", legacyPort, map[string]report.Status{codes.TLSLegacyProtocol.ID: report.StatusCritical}},
		{"silent.test", silent, map[string]report.Status{codes.Timeout.ID: report.StatusUnknown}},
		{"closed.test", closed, map[string]report.Status{codes.TLSConnectFailed.ID: report.StatusCritical}},
		{"nocert.test", port, map[string]report.Status{codes.TLSHandshakeFailed.ID: report.StatusCritical}},
		{"split.test", port, map[string]report.Status{codes.TLSAddressesDiffer.ID: report.StatusWarning, codes.CertExpiring.ID: report.StatusWarning}},
		{"missing.test", port, map[string]report.Status{codes.TLSConnectFailed.ID: report.StatusCritical}},
	}
	for _, c := range cases {
		t.Run(c.host, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s := Collect(ctx, cfg, Target{Host: c.host, Port: strconv.Itoa(c.port)})
			got := reporttest.Statuses(t, Judge(s, fx.rules()))
			if len(got) != len(c.want) {
				t.Errorf("codes %v, want %v", got, c.want)
			}
			for code, st := range c.want {
				if got[code] != st {
					t.Errorf("%s: %q, want %s (all %v)", code, got[code], st, got)
				}
			}
		})
	}
}

func TestHerokuWildcardOnTheWire(t *testing.T) {
	zone, err := dnszone.Start(dnszone.Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	defer zone.Close()
	zone.MustAdd("shop.acme.test. 60 IN CNAME acme-0123456789ab.herokuapp.com.", "acme-0123456789ab.herokuapp.com. 60 IN A 127.0.0.1")
	port := tlsServer(t, "127.0.0.1", 0, fx.chains, nil)
	cfg := Config{Resolver: dnscheck.NewResolver(dnscheck.Config{Servers: []string{zone.Addr}})}
	s := Collect(context.Background(), cfg, Target{Host: "shop.acme.test", Port: strconv.Itoa(port), App: "acme",
		AppDomain: "acme-0123456789ab.herokuapp.com", Custom: true})
	var f report.Finding
	for _, x := range Judge(s, fx.rules()) {
		if x.Code == codes.CertHerokuWildcard.ID {
			f = x
		}
	}
	if f.Status != report.StatusCritical || !strings.Contains(f.Summary, "points at a herokuapp.com name (the app's own is acme-0123456789ab.herokuapp.com), not at its DNS target") {
		t.Errorf("heroku wildcard: %+v", f)
	}
	if f.Data["protocol"] != "TLS 1.3" || f.Data["sha256"] == "" {
		t.Errorf("evidence: %v", f.Data)
	}
}

func TestSectionsOneRowPerDomain(t *testing.T) {
	s := &Snapshot{Target: Target{Host: "good.test", Port: "443"}, Addrs: []Addr{{Addr: "192.0.2.1:443", Version: tls.VersionTLS13, Chain: x509Chain(fx.chains["good.test"])}}}
	secs := Sections(s, Judge(s, fx.rules()), fx.now)
	if len(secs) != 1 || len(secs[0].Rows) != 1 {
		t.Fatalf("sections: %+v", secs)
	}
	row := strings.Join(secs[0].Rows[0], "|")
	for _, want := range []string{"good.test", "Test Issuing CA", "(79d)", "|2|", "TLS 1.3", "ok"} {
		if !strings.Contains(row, want) {
			t.Errorf("row %q lacks %q", row, want)
		}
	}
}

// TestDeadlineIsTimeoutNotConnectFailed: a dial the check's deadline cut
// short is unknown TIMEOUT (the check could not decide), not a critical
// TLS_CONNECT_FAILED the server never earned.
func TestDeadlineIsTimeoutNotConnectFailed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()                                                                       // the deadline has passed as the dial starts
	res := dnscheck.NewResolver(dnscheck.Config{Servers: []string{"127.0.0.1:1"}}) // an address needs no lookup
	s := Collect(ctx, Config{Resolver: res, SkipLegacyProbe: true}, Target{Host: "127.0.0.1", Port: port})
	got := reporttest.Statuses(t, Judge(s, Rules{Now: time.Now()}))
	if len(got) != 1 || got[codes.Timeout.ID] != report.StatusUnknown {
		t.Errorf("codes %v, want unknown TIMEOUT alone", got)
	}
}

// TestCAFilesThatNeverEnd: --ca-file is read under the deadline and within
// MaxCAFile; SSL_CERT_FILE, which Go reads itself, must be a regular file.
func TestCAFilesThatNeverEnd(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "ca.pem")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "no writer opened", "/dev/zero": "larger than 8 MiB"} {
		wait := 300 * time.Millisecond // what the FIFO costs
		if path != fifo {
			wait = time.Minute // reading 8 MiB under -race on a busy machine
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		_, _, err := LoadRoots(ctx, path)
		cancel()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--ca-file %s: %v, want %q", path, err, want)
		}
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	dir := t.TempDir()
	os.Symlink("/dev/zero", filepath.Join(dir, "zero.pem"))
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SSL_CERT_FILE": "/dev/zero"}, "SSL_CERT_FILE: /dev/zero is not a regular file (a character device)"},
		{map[string]string{"SSL_CERT_FILE": fifo}, "is not a regular file (a named pipe)"},
		{map[string]string{"SSL_CERT_DIR": dir}, "SSL_CERT_DIR: " + filepath.Join(dir, "zero.pem") + " is not a regular file"},
		{map[string]string{"SSL_CERT_FILE": "/nonexistent/ca.pem"}, ""}, // Go skips it too
		{map[string]string{}, ""},
	} {
		err := CheckCertEnv(env(c.env))
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v: %v, want %q", c.env, err, c.want)
		}
	}
}
