package dnscheck

import (
	"errors"
	"testing"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func rrs(t *testing.T, lines ...string) []dns.RR {
	t.Helper()
	var out []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rr)
	}
	return out
}

// res builds a lookup result: the records are the answer; CNAMEs among them
// make the chain.
func res(t *testing.T, name string, qtype uint16, rcode int, lines ...string) *Result {
	r := &Result{Name: dns.Fqdn(name), Type: qtype, Rcode: rcode, Answers: rrs(t, lines...)}
	for _, rr := range r.Answers {
		if c, ok := rr.(*dns.CNAME); ok {
			r.Chain = append(r.Chain, c.Target)
		} else if rr.Header().Rrtype == qtype {
			r.Records = append(r.Records, rr)
		}
	}
	return r
}

func TestMain(m *testing.M) { reporttest.Main(m, "dnscheck") }

func TestJudgeLiteralSnapshots(t *testing.T) {
	tgtA := func() *Result { return res(t, target, dns.TypeA, 0, target+". 60 IN A 192.0.2.1") }
	noAAAA := func(name string) *Result { return res(t, name, dns.TypeAAAA, 0) }
	snap := func(host string, a *Result, mut ...func(*Snapshot)) *Snapshot {
		s := &Snapshot{Domain: Domain{Hostname: host, Target: target, ACM: true, App: "acme-prod"}, QueryName: host,
			Apex: IsApex(host), A: a, AAAA: noAAAA(host), TargetA: tgtA(), TargetAAAA: noAAAA(target), CAA: &CAAResult{}}
		for _, m := range mut {
			m(s)
		}
		return s
	}
	cases := []struct {
		name   string
		s      *Snapshot
		check  string
		status report.Status
		code   string
	}{
		{"cname to target", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0,
			"www.acme.com. 300 IN CNAME "+target+".", target+". 60 IN A 192.0.2.1")), "dns.target", report.StatusOK, ""},
		{"apex flattened", snap("acme.com", res(t, "acme.com", dns.TypeA, 0, "acme.com. 60 IN A 192.0.2.1")), "dns.target", report.StatusOK, ""},
		{"herokuapp", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0,
			"www.acme.com. 300 IN CNAME acme.herokuapp.com.", "acme.herokuapp.com. 60 IN A 192.0.2.50")), "dns.target", report.StatusWarning, codes.DNSCNAMEHerokuApp.ID},
		{"herokussl", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0,
			"www.acme.com. 300 IN CNAME x.herokussl.com.", "x.herokussl.com. 60 IN A 192.0.2.60")), "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID},
		{"other target", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0,
			"www.acme.com. 300 IN CNAME other.herokudns.com.", "other.herokudns.com. 60 IN A 192.0.2.9")), "dns.target", report.StatusCritical, codes.DNSTargetMismatch.ID},
		{"static A = target", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 60 IN A 192.0.2.1")), "dns.target", report.StatusWarning, codes.DNSStaticARecord.ID},
		{"static A elsewhere", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 60 IN A 198.51.100.1")), "dns.target", report.StatusCritical, codes.DNSStaticARecord.ID},
		{"apex elsewhere", snap("acme.com", res(t, "acme.com", dns.TypeA, 0, "acme.com. 60 IN A 198.51.100.1")), "dns.target", report.StatusCritical, codes.DNSApexMismatch.ID},
		{"nxdomain", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeNameError)), "dns.target", report.StatusCritical, codes.DNSNXDomain.ID},
		{"no records", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0)), "dns.target", report.StatusCritical, codes.DNSNoRecords.ID},
		{"servfail", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeServerFailure)), "dns.target", report.StatusCritical, codes.DNSServFail.ID},
		{"herokussl, then no answer", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 300 IN CNAME x.herokussl.com."), func(s *Snapshot) {
			s.AErr = &TransportError{Server: "127.0.0.1:53", Timeout: true, Err: errors.New("i/o timeout")}
		}), "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID},
		{"herokussl gone (one answer)", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeNameError,
			"www.acme.com. 300 IN CNAME x.herokussl.com.")), "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuSSL.ID},
		{"herokuapp gone", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeNameError,
			"www.acme.com. 300 IN CNAME old.herokuapp.com.")), "dns.target", report.StatusCritical, codes.DNSCNAMEHerokuApp.ID},
		{"other target servfails", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeServerFailure,
			"www.acme.com. 300 IN CNAME other.herokudns.com.")), "dns.target", report.StatusCritical, codes.DNSTargetMismatch.ID},
		{"own target gone", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeNameError,
			"www.acme.com. 300 IN CNAME "+target+".")), "dns.target", report.StatusCritical, codes.DNSNXDomain.ID},
		{"cdn gone", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, dns.RcodeNameError,
			"www.acme.com. 300 IN CNAME d1.cdn.example.")), "dns.target", report.StatusCritical, codes.DNSNXDomain.ID},
		{"static A, target unresolved", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 60 IN A 198.51.100.1"), func(s *Snapshot) {
			s.TargetA, s.TargetErr = nil, &TransportError{Server: "127.0.0.1:53", Timeout: true, Err: errors.New("i/o timeout")}
		}), "dns.target", report.StatusWarning, codes.DNSStaticARecord.ID},
		{"timeout", snap("www.acme.com", nil, func(s *Snapshot) {
			s.AErr = &TransportError{Server: "127.0.0.1:53", Timeout: true, Err: errors.New("i/o timeout")}
		}), "dns.target", report.StatusUnknown, codes.DNSTimeout.ID},
		{"aaaa away", snap("acme.com", res(t, "acme.com", dns.TypeA, 0, "acme.com. 60 IN A 192.0.2.1"), func(s *Snapshot) {
			s.AAAA = res(t, "acme.com", dns.TypeAAAA, 0, "acme.com. 60 IN AAAA 2001:db8::1")
		}), "dns.aaaa", report.StatusWarning, codes.DNSTargetMismatch.ID},
		{"caa blocks acm", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 300 IN CNAME "+target+".", target+". 60 IN A 192.0.2.1"),
			func(s *Snapshot) {
				s.CAA = &CAAResult{At: "acme.com.", Records: []*dns.CAA{{Tag: "issue", Value: "sectigo.com"}}}
			}), "dns.caa", report.StatusCritical, codes.DNSCAABlocksACM.ID},
		{"caa allows acm", snap("www.acme.com", res(t, "www.acme.com", dns.TypeA, 0, "www.acme.com. 300 IN CNAME "+target+".", target+". 60 IN A 192.0.2.1"),
			func(s *Snapshot) {
				s.CAA = &CAAResult{At: "acme.com.", Records: []*dns.CAA{{Tag: "issue", Value: "letsencrypt.org; validationmethods=http-01"}}}
			}), "dns.caa", report.StatusOK, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := reporttest.FindCheck(t, Judge(c.s), c.check)
			if !ok {
				t.Fatalf("no %s finding", c.check)
			}
			if got.Status != c.status || got.Code != c.code {
				t.Errorf("%s/%s, want %s/%s: %s", got.Status, got.Code, c.status, c.code, got.Summary)
			}
		})
	}
}

func TestCAAAllows(t *testing.T) {
	caa := func(tag, value string) *dns.CAA { return &dns.CAA{Tag: tag, Value: value} }
	cases := []struct {
		name     string
		records  []*dns.CAA
		wildcard bool
		want     bool
	}{
		{"no records", nil, false, true},
		{"only iodef", []*dns.CAA{caa("iodef", "mailto:x@acme.com")}, false, true},
		{"letsencrypt", []*dns.CAA{caa("issue", "letsencrypt.org")}, false, true},
		{"letsencrypt with params", []*dns.CAA{caa("issue", "letsencrypt.org; accounturi=x")}, false, true},
		{"other CA", []*dns.CAA{caa("issue", "digicert.com")}, false, false},
		{"nobody", []*dns.CAA{caa("issue", ";")}, false, false},
		{"wildcard uses issuewild", []*dns.CAA{caa("issue", "letsencrypt.org"), caa("issuewild", ";")}, true, false},
		{"wildcard falls back to issue", []*dns.CAA{caa("issue", "letsencrypt.org")}, true, true},
		{"issuewild does not restrict a plain name", []*dns.CAA{caa("issuewild", ";")}, false, true},
	}
	for _, c := range cases {
		if got := CAAAllows(c.records, c.wildcard, LetsEncrypt); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCAALevelsAndApex(t *testing.T) {
	got := caaLevels("www.shop.acme.co.uk")
	want := []string{"www.shop.acme.co.uk.", "shop.acme.co.uk.", "acme.co.uk."}
	if len(got) != len(want) {
		t.Fatalf("caaLevels = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("caaLevels = %v, want %v", got, want)
		}
	}
	for name, apex := range map[string]bool{"acme.com": true, "www.acme.com": false, "acme.co.uk": true, "shop.acme.co.uk": false, "*.acme.com": false} {
		if IsApex(name) != apex {
			t.Errorf("IsApex(%s) = %v", name, !apex)
		}
	}
}
