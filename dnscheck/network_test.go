package dnscheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/report"
)

const target = "mammoth-1234.herokudns.com"

// zone holds one name per case of the issue, served over real DNS.
var zone = []string{
	"herokudns.com. 300 IN SOA ns1.herokudns.com. hostmaster.herokudns.com. 1 7200 900 1209600 300",
	target + ". 60 IN A 192.0.2.1",
	target + ". 60 IN A 192.0.2.2",
	"other-9999.herokudns.com. 60 IN A 192.0.2.9",
	"acme-prod.herokuapp.com. 60 IN A 192.0.2.50",
	"tokyo-2121.herokussl.com. 60 IN A 192.0.2.60",
	"d111.cdn.example. 60 IN A 203.0.113.5",

	"acme.example. 300 IN SOA ns1.dns.example. hostmaster.acme.example. 1 7200 900 1209600 300",
	"acme.example. 300 IN NS ns1.dns.example.",
	"acme.example. 300 IN NS ns2.dns.example.",
	"acme.example. 300 IN A 192.0.2.1", // flattened ALIAS: the target's address
	"www.acme.example. 300 IN CNAME " + target + ".",
	"shop.acme.example. 300 IN CNAME acme-prod.herokuapp.com.",
	"old.acme.example. 300 IN CNAME tokyo-2121.herokussl.com.",
	// Retired names that no longer resolve: the chain, not its dead end, is what to fix.
	"dead.acme.example. 300 IN CNAME retired-4242.herokussl.com.",
	"viacdn.acme.example. 300 IN CNAME edge.cdn.example.",
	"edge.cdn.example. 300 IN CNAME osaka-3131.herokussl.com.",
	"renamed.acme.example. 300 IN CNAME acme-old.herokuapp.com.",
	"moved.acme.example. 300 IN CNAME gone-1111.herokudns.com.",
	"api.acme.example. 300 IN CNAME other-9999.herokudns.com.",
	"cdn.acme.example. 300 IN CNAME d111.cdn.example.",
	"static.acme.example. 300 IN A 192.0.2.1",
	"static2.acme.example. 300 IN A 198.51.100.7",
	"empty.acme.example. 300 IN TXT \"no address here\"",
	"dangling.acme.example. 300 IN CNAME nowhere.acme.example.",
	"loop1.acme.example. 300 IN CNAME loop2.acme.example.",
	"loop2.acme.example. 300 IN CNAME loop1.acme.example.",
	"hop.acme.example. 300 IN CNAME www.acme.example.",
	"*.wild.acme.example. 300 IN CNAME " + target + ".",

	"bad-apex.example. 300 IN A 198.51.100.7",
	"v6.example. 300 IN A 192.0.2.1",
	"v6.example. 300 IN AAAA 2001:db8::1",

	"blocked.example. 300 IN CAA 0 issue \"digicert.com\"",
	"www.blocked.example. 300 IN CNAME " + target + ".",
	"allowed.example. 300 IN CAA 0 issue \"letsencrypt.org\"",
	"www.allowed.example. 300 IN CNAME " + target + ".",
}

func startZone(t *testing.T, follow bool) *dnszone.Server {
	t.Helper()
	s, err := dnszone.Start(dnszone.Options{Follow: follow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.MustAdd(zone...)
	for i := range 40 { // big.acme.example does not fit a 512-byte UDP answer
		s.MustAdd("big.acme.example. 300 IN A 10.0." + itoa(i/250) + "." + itoa(i%250+1))
	}
	s.Truncate("big.acme.example")
	s.ServFail("broken.acme.example")
	s.ServFail("servfail-caa.example")
	s.MustAdd("www.servfail-caa.example. 300 IN CNAME " + target + ".")
	s.Hang("slow.acme.example")
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

func testResolver(s *dnszone.Server) *Resolver {
	return NewResolver(Config{Servers: []string{s.Addr}, ReadTimeout: 300 * time.Millisecond, DialTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
}

func check(t *testing.T, r *Resolver, d Domain) (*Snapshot, map[string]report.Finding) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := Collect(ctx, r, d)
	got := map[string]report.Finding{}
	for _, f := range Judge(s) {
		got[f.Check] = f
	}
	return s, got
}

// TestCodesOnTheWire produces every DNS code of CONTRACT.md through real
// queries, against a server that answers only the first CNAME (so the
// resolver chases chains itself) and one that answers whole chains.
func TestCodesOnTheWire(t *testing.T) {
	cases := []struct {
		host   string
		check  string
		status report.Status
		code   string
		acm    bool
	}{
		{"www.acme.example", "dns.target", report.StatusOK, "", true},
		{"hop.acme.example", "dns.target", report.StatusOK, "", true},
		{"*.wild.acme.example", "dns.target", report.StatusOK, "", true},
		{"acme.example", "dns.target", report.StatusOK, "", true},
		{"shop.acme.example", "dns.target", report.StatusWarning, codes.DNSCNAMEHerokuApp.ID, true},
		{"old.acme.example", "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID, true},
		{"dead.acme.example", "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID, true},
		{"viacdn.acme.example", "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID, true},
		{"renamed.acme.example", "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuApp.ID, true},
		{"moved.acme.example", "dns.target", report.StatusCritical, codes.DNSTargetMismatch.ID, true},
		{"api.acme.example", "dns.target", report.StatusCritical, codes.DNSTargetMismatch.ID, true},
		{"cdn.acme.example", "dns.target", report.StatusWarning, codes.DNSTargetMismatch.ID, true},
		{"static.acme.example", "dns.target", report.StatusWarning, codes.DNSStaticARecord.ID, true},
		{"static2.acme.example", "dns.target", report.StatusCritical, codes.DNSStaticARecord.ID, true},
		{"bad-apex.example", "dns.target", report.StatusCritical, codes.DNSApexMismatch.ID, true},
		{"gone.acme.example", "dns.target", report.StatusCritical, codes.DNSNXDomain.ID, true},
		{"dangling.acme.example", "dns.target", report.StatusCritical, codes.DNSNXDomain.ID, true},
		{"empty.acme.example", "dns.target", report.StatusCritical, codes.DNSNoRecords.ID, true},
		{"broken.acme.example", "dns.target", report.StatusCritical, codes.DNSServFail.ID, true},
		{"loop1.acme.example", "dns.target", report.StatusCritical, codes.DNSServFail.ID, true},
		{"slow.acme.example", "dns.target", report.StatusUnknown, codes.DNSTimeout.ID, true},
		{"v6.example", "dns.aaaa", report.StatusWarning, codes.DNSTargetMismatch.ID, true},
		{"www.blocked.example", "dns.caa", report.StatusCritical, codes.DNSCAABlocksACM.ID, true},
		{"www.blocked.example", "dns.caa", report.StatusInfo, codes.DNSCAABlocksACM.ID, false},
		{"www.allowed.example", "dns.caa", report.StatusOK, "", true},
		{"www.servfail-caa.example", "dns.caa", report.StatusCritical, codes.DNSCAABlocksACM.ID, true},
	}
	for _, follow := range []bool{false, true} {
		srv := startZone(t, follow)
		r := testResolver(srv)
		for _, c := range cases {
			name := c.host
			if follow {
				name += " (chain in one answer)"
			}
			t.Run(name, func(t *testing.T) {
				_, got := check(t, r, Domain{Hostname: c.host, Target: target, ACM: c.acm, App: "acme-prod"})
				f, ok := got[c.check]
				if !ok {
					t.Fatalf("no %s finding; got %v", c.check, got)
				}
				if f.Status != c.status || f.Code != c.code {
					t.Errorf("%s: %s/%s, want %s/%s (%s)", c.check, f.Status, f.Code, c.status, c.code, f.Summary)
				}
				if c.status != report.StatusOK && c.status != report.StatusUnknown && f.Remedy == "" {
					t.Errorf("a problem without a remedy: %s", f.Summary)
				}
			})
		}
	}
}

// TestDeadChainKeepsItsFact: when the record to change is a CNAME to a
// retired or foreign Heroku name, that is the verdict; how the chain ended
// (NXDOMAIN, and where) is kept in the evidence, whichever way the server
// sends the chain.
func TestDeadChainKeepsItsFact(t *testing.T) {
	for _, follow := range []bool{false, true} {
		r := testResolver(startZone(t, follow))
		for host, end := range map[string]string{"dead.acme.example": "retired-4242.herokussl.com",
			"viacdn.acme.example": "osaka-3131.herokussl.com", "renamed.acme.example": "acme-old.herokuapp.com",
			"dangling.acme.example": "nowhere.acme.example"} {
			_, got := check(t, r, Domain{Hostname: host, Target: target, ACM: true, App: "acme-prod"})
			f := got["dns.target"]
			if f.Data["rcode"] != "NXDOMAIN" || f.Data["rcode_name"] != end {
				t.Errorf("%s (follow %v): data rcode %v at %v, want NXDOMAIN at %s (%s)", host, follow, f.Data["rcode"], f.Data["rcode_name"], end, f.Summary)
			}
			if !strings.Contains(f.Summary, end) || !strings.Contains(f.Summary, "NXDOMAIN") {
				t.Errorf("%s: the summary should say where the chain dies: %s", host, f.Summary)
			}
		}
	}
}

func TestCorrectSetupHasNoWarning(t *testing.T) {
	r := testResolver(startZone(t, false))
	for _, host := range []string{"www.acme.example", "acme.example", "www.allowed.example"} {
		_, got := check(t, r, Domain{Hostname: host, Target: target, ACM: true, App: "acme-prod"})
		for _, f := range got {
			if f.Status != report.StatusOK {
				t.Errorf("%s: %s %s %s", host, f.Status, f.Code, f.Summary)
			}
		}
	}
}

func TestRemedyNamesTheRecord(t *testing.T) {
	r := testResolver(startZone(t, false))
	_, got := check(t, r, Domain{Hostname: "shop.acme.example", Target: target, ACM: true, App: "acme-prod"})
	want := "Set shop.acme.example. CNAME mammoth-1234.herokudns.com. at your DNS provider (ns1.dns.example, ns2.dns.example) (see `heroku domains -a acme-prod`)"
	if got["dns.target"].Remedy != want {
		t.Errorf("remedy\n got %q\nwant %q", got["dns.target"].Remedy, want)
	}
	recs, _ := got["dns.target"].Data["records"].([]string)
	if len(recs) == 0 || recs[0] != "shop.acme.example.\t300\tIN\tCNAME\tacme-prod.herokuapp.com." {
		t.Errorf("records in dig format: %q", recs)
	}
	_, got = check(t, r, Domain{Hostname: "www.blocked.example", Target: target, ACM: true, App: "acme-prod"})
	if want := `Add blocked.example. CAA 0 issue "letsencrypt.org" at your DNS provider`; got["dns.caa"].Remedy != want {
		t.Errorf("CAA remedy %q", got["dns.caa"].Remedy)
	}
}

func TestTruncatedAnswerRetriesOverTCP(t *testing.T) {
	srv := startZone(t, false)
	r := testResolver(srv)
	res, err := r.Lookup(context.Background(), "big.acme.example", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 40 {
		t.Errorf("got %d records, want 40", len(res.Records))
	}
	if srv.TCPQueries() != 1 {
		t.Errorf("TCP queries = %d, want 1", srv.TCPQueries())
	}
}

func TestChaseQueriesEachHop(t *testing.T) {
	srv := startZone(t, false)
	r := testResolver(srv)
	res, err := r.Lookup(context.Background(), "hop.acme.example", dns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Chain) != 2 || res.Queries != 3 || len(res.Records) != 2 {
		t.Errorf("chain %v, queries %d, records %d; want 2 hops, 3 queries, 2 records", res.Chain, res.Queries, len(res.Records))
	}
	loop, err := r.Lookup(context.Background(), "loop1.acme.example", dns.TypeA)
	if err != nil || !loop.Loop {
		t.Errorf("loop not detected: %+v %v", loop, err)
	}
}

func TestTransportErrorsAreNotAnswers(t *testing.T) {
	srv := startZone(t, false)
	r := testResolver(srv)
	_, err := r.Lookup(context.Background(), "slow.acme.example", dns.TypeA)
	var te *TransportError
	if !errors.As(err, &te) || !te.Timeout {
		t.Errorf("hung server: %v", err)
	}
	res, err := r.Lookup(context.Background(), "gone.acme.example", dns.TypeA)
	if err != nil || res.Rcode != dns.RcodeNameError {
		t.Errorf("NXDOMAIN is an answer, not an error: %v %v", res, err)
	}
	// A second server is tried when the first does not answer at all.
	dead := NewResolver(Config{Servers: []string{"127.0.0.1:1", srv.Addr}, ReadTimeout: 300 * time.Millisecond})
	res, err = dead.Lookup(context.Background(), "www.acme.example", dns.TypeA)
	if err != nil || len(res.Records) != 2 {
		t.Errorf("fallback to the second server: %v %v", res, err)
	}
}

func TestBareDomains(t *testing.T) {
	r := testResolver(startZone(t, false))
	cases := []struct {
		host   string
		status report.Status
		code   string
	}{
		{"www.acme.example", report.StatusOK, ""},
		{"shop.acme.example", report.StatusWarning, codes.DNSCNAMEHerokuApp.ID},
		{"old.acme.example", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID},
		{"static.acme.example", report.StatusInfo, codes.DNSStaticARecord.ID},
		{"gone.acme.example", report.StatusCritical, codes.DNSNXDomain.ID},
		{"broken.acme.example", report.StatusCritical, codes.DNSServFail.ID},
		{"cdn.acme.example", report.StatusOK, ""},
	}
	for _, c := range cases {
		_, got := check(t, r, Domain{Hostname: c.host})
		f := got["dns.target"]
		if f.Status != c.status || f.Code != c.code {
			t.Errorf("%s: %s/%s, want %s/%s (%s)", c.host, f.Status, f.Code, c.status, c.code, f.Summary)
		}
	}
	_, got := check(t, r, Domain{Hostname: "www.blocked.example"})
	if f := got["dns.caa"]; f.Code != codes.DNSCAABlocksACM.ID || f.Status != report.StatusWarning {
		t.Errorf("bare CAA on a Heroku-looking name: %s/%s", f.Status, f.Code)
	}
}

func TestParseServer(t *testing.T) {
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1:53", "127.0.0.1:5353": "127.0.0.1:5353",
		"::1": "[::1]:53", "[::1]:5300": "[::1]:5300", "ns.example": "ns.example:53"} {
		if got, err := ParseServer(in); err != nil || got != want {
			t.Errorf("ParseServer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{":53", "127.0.0.1:99999", "127.0.0.1:0", "http://x", "https://dns.example/dns-query", "127.0.0.1:dns",
		"ns.example:", "[::1]:", "a b", "user@ns.example", "-ns.example", "ns..example"} {
		if got, err := ParseServer(bad); err == nil {
			t.Errorf("ParseServer(%q) = %q, want an error", bad, got)
		}
	}
}

// TestLostDatagramIsSentAgain: a UDP query that gets no answer is retried
// on the same server before the lookup gives up, as dig does.
func TestLostDatagramIsSentAgain(t *testing.T) {
	srv := startZone(t, true)
	srv.Drop("www.acme.example", 1)
	r := NewResolver(Config{Servers: []string{srv.Addr}, ReadTimeout: 200 * time.Millisecond})
	res, err := r.Lookup(context.Background(), "www.acme.example", dns.TypeA)
	if err != nil || len(res.Records) != 2 {
		t.Errorf("one lost datagram failed the lookup: %v %v", res, err)
	}
	once := NewResolver(Config{Servers: []string{srv.Addr}, ReadTimeout: 200 * time.Millisecond, Tries: 1})
	srv.Drop("www.acme.example", 1)
	if _, err := once.Lookup(context.Background(), "www.acme.example", dns.TypeA); err == nil {
		t.Error("with one try, a lost datagram must be a timeout (the test would not tell otherwise)")
	}
}

// TestQueriesInFlightAreBounded: a checkup of many domains keeps at most
// MaxInFlight queries outstanding at the server.
func TestQueriesInFlightAreBounded(t *testing.T) {
	srv, err := dnszone.Start(dnszone.Options{Follow: true, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.MustAdd(zone...)
	r := NewResolver(Config{Servers: []string{srv.Addr}, MaxInFlight: 4})
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.Lookup(context.Background(), "www.acme.example", dns.TypeA)
		}()
	}
	wg.Wait()
	if m := srv.MaxConcurrent(); m > 4 || m < 2 {
		t.Errorf("at most %d queries at once at the server, want 2 to 4", m)
	}
}

// TestDialThroughResolver: HTTP clients (the API, log sessions) dial the
// address the run's resolver gives, not the system's.
func TestDialThroughResolver(t *testing.T) {
	srv := startZone(t, true)
	srv.MustAdd("api.internal.example. 60 IN A 127.0.0.1")
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "via resolver") }))
	defer web.Close()
	_, port, _ := net.SplitHostPort(web.Listener.Addr().String())
	r := testResolver(srv)
	client := &http.Client{Transport: &http.Transport{DialContext: r.DialContext}}
	resp, err := client.Get("http://api.internal.example:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "via resolver" {
		t.Errorf("got %q", b)
	}
	if _, err := client.Get("http://gone.acme.example:" + port + "/"); err == nil {
		t.Error("a name the resolver does not know was dialled")
	}
}
