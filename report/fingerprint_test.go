package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"
)

// docFingerprint is the algorithm as docs/report.md states it, written
// again from the words rather than from the code.
func docFingerprint(parts ...string) string {
	s := ""
	for _, p := range parts {
		s += fmt.Sprintf("%d:%s", len(p), p)
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:16]
}

func TestFingerprintIsTheDocumentedHash(t *testing.T) {
	r := New(Meta{}, []Finding{{App: "acme-prod", Check: "dns.target", Subject: "shop.acme.com", Status: StatusWarning, Code: "DNS_CNAME_HEROKUAPP"}})
	want := docFingerprint("acme-prod", "dns.target", "shop.acme.com", "DNS_CNAME_HEROKUAPP")
	if got := r.Checks[0].Fingerprint; got != want || got != "454093c24ae932c5" {
		t.Errorf("fingerprint %s, the documented algorithm gives %s, docs/report.md's example shows 454093c24ae932c5", got, want)
	}
}

func TestFingerprintStaysWhileTheProblemDoes(t *testing.T) {
	base := Finding{App: "acme-prod", Check: "tls.certificate", Category: CategoryTLS, Subject: "api.acme.com", Status: StatusWarning,
		Code: "CERT_EXPIRING", Summary: "expires in 20 days", Data: map[string]any{"days": 20}, Duration: 40 * time.Millisecond}
	later := base
	later.Status, later.Summary, later.Data, later.Duration = StatusCritical, "expires in 6 days", map[string]any{"days": 6}, 900*time.Millisecond
	a := New(Meta{GeneratedAt: genTime}, []Finding{base}).Checks[0].Fingerprint
	b := New(Meta{GeneratedAt: genTime.Add(time.Hour)}, []Finding{later}).Checks[0].Fingerprint
	if a != b {
		t.Errorf("status, summary, data or duration changed the fingerprint: %s, %s", a, b)
	}
	for name, change := range map[string]func(*Finding){
		"app":     func(f *Finding) { f.App = "acme-staging" },
		"check":   func(f *Finding) { f.Check = "tls.chain" },
		"subject": func(f *Finding) { f.Subject = "www.acme.com" },
		"code":    func(f *Finding) { f.Code = "CERT_EXPIRED" },
		// The length prefixes keep "ab"+"c" apart from "a"+"bc".
		"boundary": func(f *Finding) { f.App, f.Check = "acme-prodt", "ls.certificate" },
	} {
		f := base
		change(&f)
		if got := New(Meta{}, []Finding{f}).Checks[0].Fingerprint; got == a {
			t.Errorf("another %s, same fingerprint %s", name, got)
		}
	}
}

func TestFingerprintKeyAndOrdinals(t *testing.T) {
	stuck := func(pid int) Finding {
		return Finding{App: "a", Check: "postgres.activity", Category: CategoryPostgres, Subject: fmt.Sprintf("pid %d", pid),
			Key: "query select * from orders where id = ?", Status: StatusWarning, Code: "PG_IDLE_IN_TRANSACTION"}
	}
	one := New(Meta{}, []Finding{stuck(4242)}).Checks
	again := New(Meta{}, []Finding{stuck(5150)}).Checks
	if one[0].Fingerprint != again[0].Fingerprint {
		t.Errorf("a new pid on the same query changed the fingerprint")
	}
	if want := docFingerprint("a", "postgres.activity", "query select * from orders where id = ?", "PG_IDLE_IN_TRANSACTION"); one[0].Fingerprint != want {
		t.Errorf("the key is not what is hashed: %s, want %s", one[0].Fingerprint, want)
	}
	three := New(Meta{}, []Finding{stuck(1), stuck(2), stuck(3)}).Checks
	seen := map[string]bool{}
	for _, f := range three {
		if seen[f.Fingerprint] {
			t.Errorf("fingerprint %s twice in one report", f.Fingerprint)
		}
		seen[f.Fingerprint] = true
	}
	if !seen[one[0].Fingerprint] {
		t.Error("the first of several is not the fingerprint of the one")
	}
	if want := docFingerprint("a", "postgres.activity", "query select * from orders where id = ?", "PG_IDLE_IN_TRANSACTION", "3"); !seen[want] {
		t.Errorf("the third is not the documented ordinal hash %s", want)
	}
}

func TestDynoKey(t *testing.T) {
	for in, want := range map[string]string{
		"web.1":                   "web.1",
		"worker.12":               "worker.12",
		"run.4821":                "run.*",
		"scheduler.7310":          "scheduler.*",
		"release.112":             "release.*",
		"web-1234abcde-123ab":     "web-*",    // Fir, as schema.json's log-session example
		"worker-58f9d8d6b6-x2p4k": "worker-*", // Fir, ten-character deployment hash
		"router":                  "router",
		"dynos":                   "dynos",
		"run.detached":            "run.detached",
	} {
		if got := DynoKey(in); got != want {
			t.Errorf("DynoKey(%q) = %q, want %q", in, got, want)
		}
	}
}
