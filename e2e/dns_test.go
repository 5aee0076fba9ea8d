package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startNSD runs NSD, a real authoritative server, unprivileged on a
// loopback port with the zones given (name -> zone file text), and waits
// until it answers.
func startNSD(t *testing.T, zones map[string]string) string {
	t.Helper()
	nsd := need(t, "nsd", "nsd")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	port := freePort(t)
	conf := fmt.Sprintf(`server:
  ip-address: 127.0.0.1
  port: %d
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: %q
  pidfile: %q
  database: ""
  xfrdfile: %q
  zonelistfile: %q
  logfile: %q
  server-count: 1
  verbosity: 1
  hide-version: yes
remote-control:
  control-enable: no
`, port, dir, filepath.Join(dir, "nsd.pid"), filepath.Join(dir, "xfrd.state"), filepath.Join(dir, "zone.list"), filepath.Join(dir, "nsd.log"))
	for name, text := range zones {
		file := name + ".zone"
		if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		conf += fmt.Sprintf("zone:\n  name: %q\n  zonefile: %q\n", name, file)
	}
	confPath := filepath.Join(dir, "nsd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startDaemon(t, nsd, "-d", "-c", confPath)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// Ready when it answers a SOA query for a zone it serves (polled, not slept).
	var zone string
	for z := range zones {
		zone = z
	}
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if r, _, err := c.Exchange(m, addr); err == nil && r.Rcode == dns.RcodeSuccess {
			return addr
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "nsd.log"))
			t.Fatalf("nsd did not answer on %s: %s", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

const acmeZone = `$ORIGIN acme.example.
$TTL 300
@        IN SOA ns1.acme.example. hostmaster.acme.example. 1 7200 900 1209600 300
@        IN NS  ns1.acme.example.
ns1      IN A   127.0.0.1
@        IN A   127.0.0.1
@        IN CAA 0 issue "letsencrypt.org"
www      IN CNAME mammoth-1234.herokudns.com.
shop     IN CNAME acme-prod.herokuapp.com.
legacy   IN CNAME tokyo-2121.herokussl.com.
static   IN A   127.0.0.1
elsewhere IN A  127.0.0.99
other    IN CNAME other-9999.herokudns.com.
txtonly  IN TXT "no address"
dangling IN CNAME missing.acme.example.
loop1    IN CNAME loop2.acme.example.
loop2    IN CNAME loop1.acme.example.
`

const herokuZone = `$ORIGIN herokudns.com.
$TTL 60
@             IN SOA ns1.herokudns.com. hostmaster.herokudns.com. 1 7200 900 1209600 60
@             IN NS  ns1.herokudns.com.
ns1           IN A   127.0.0.1
mammoth-1234  IN A   127.0.0.1
other-9999    IN A   127.0.0.2
`

const herokuAppZone = `$ORIGIN herokuapp.com.
$TTL 60
@          IN SOA ns1.herokuapp.com. hostmaster.herokuapp.com. 1 7200 900 1209600 60
@          IN NS  ns1.herokuapp.com.
ns1        IN A   127.0.0.1
acme-prod  IN A   127.0.0.1
`

const blockedZone = `$ORIGIN blocked.example.
$TTL 300
@    IN SOA ns1.blocked.example. hostmaster.blocked.example. 1 7200 900 1209600 300
@    IN NS  ns1.blocked.example.
ns1  IN A   127.0.0.1
@    IN CAA 0 issue "digicert.com"
www  IN CNAME mammoth-1234.herokudns.com.
`

// TestDNSCheckAgainstNSD runs `heroku-checkup dns-check --resolver` against
// NSD serving real zone files. NSD is authoritative only: it answers a CNAME
// to another zone without its target, so the chains are chased by the tool.
func TestDNSCheckAgainstNSD(t *testing.T) {
	addr := startNSD(t, map[string]string{"acme.example": acmeZone, "herokudns.com": herokuZone,
		"herokuapp.com": herokuAppZone, "blocked.example": blockedZone})

	// A correct setup: exit 0, nothing but ok.
	r := run(t, nil, "dns-check", "--resolver", addr, "--format", "json", "www.acme.example", "acme.example")
	rep := decode(t, r)
	if r.code != 0 || rep.Status != "ok" {
		t.Errorf("correct setup: exit %d, status %s\n%s", r.code, rep.Status, r.stdout)
	}

	// Every code a bare domain can produce.
	r = run(t, nil, "dns-check", "--resolver", addr, "--format", "json",
		"shop.acme.example", "legacy.acme.example", "static.acme.example", "gone.acme.example",
		"txtonly.acme.example", "loop1.acme.example", "www.blocked.example")
	rep = decode(t, r)
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	want := []struct{ check, subject, status, code string }{
		{"dns.target", "shop.acme.example", "warning", "DNS_CNAME_HEROKUAPP"},
		{"dns.target", "legacy.acme.example", "critical", "DNS_CNAME_HEROKUSSL"}, // its target does not even resolve here
		{"dns.target", "static.acme.example", "info", "DNS_STATIC_A_RECORD"},
		{"dns.target", "gone.acme.example", "critical", "DNS_NXDOMAIN"},
		{"dns.target", "txtonly.acme.example", "critical", "DNS_NO_RECORDS"},
		{"dns.target", "loop1.acme.example", "critical", "DNS_SERVFAIL"},
		{"dns.caa", "www.blocked.example", "warning", "DNS_CAA_BLOCKS_ACM"},
	}
	for _, w := range want {
		f, ok := rep.find(w.check, w.subject)
		if !ok || f.Status != w.status || f.Code != w.code {
			t.Errorf("%s %s: got %+v, want %s/%s", w.check, w.subject, f, w.status, w.code)
		}
	}
	f, _ := rep.find("dns.target", "shop.acme.example")
	recs, _ := f.Data["records"].([]any)
	if len(recs) == 0 || recs[0] != "shop.acme.example.\t300\tIN\tCNAME\tacme-prod.herokuapp.com." {
		t.Errorf("evidence in dig format: %v", recs)
	}
}
