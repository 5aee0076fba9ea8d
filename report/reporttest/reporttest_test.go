package reporttest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// recorder is a testing.TB that keeps what would fail the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Error(args ...any)         { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, fmt.Sprintf(f, a...)) }

func TestLookupsCheckTheCatalogue(t *testing.T) {
	good := []report.Finding{
		{Check: "a", Subject: "x", Status: report.StatusOK},
		codes.DNSTimeout.Raise("app", report.Finding{Check: "dns.target", Subject: "shop.example.com"}),
		{Check: "logs.codes", Subject: "H42", Status: report.StatusWarning, Code: "H42"}, // a generic Heroku code
	}
	r := &recorder{TB: t}
	if f, ok := Find(r, good, "DNS_TIMEOUT", "shop.example.com"); !ok || f.Status != report.StatusUnknown || len(r.errs) != 0 {
		t.Errorf("Find: %+v %v %v", f, ok, r.errs)
	}
	for _, bad := range []report.Finding{
		{Check: "b", Subject: "y", Status: report.StatusInfo, Summary: "an info without a code"},
		{Check: "c", Subject: "z", Status: report.StatusWarning, Code: "NOT_A_CODE"},
	} {
		r := &recorder{TB: t}
		FindCheck(r, append(slices.Clone(good), bad), "a")
		if len(r.errs) != 1 {
			t.Errorf("%+v passed the catalogue rule: %v", bad, r.errs)
		}
	}
}

// TestNotRaisedSeesRaise is the check reporttest.Main makes after a
// package's tests: an entry counts as raised once Raise made it.
func TestNotRaisedSeesRaise(t *testing.T) {
	if !slices.Contains(NotRaised("sslcheck"), "CERT_WEAK_KEY") {
		t.Fatal("CERT_WEAK_KEY was never raised here, yet NotRaised does not list it")
	}
	codes.CertWeakKey.Raise("", report.Finding{})
	if slices.Contains(NotRaised("sslcheck"), "CERT_WEAK_KEY") {
		t.Error("a raised code is still listed")
	}
	if got := NotRaised("nopackage"); len(got) != 0 {
		t.Errorf("no entry names nopackage: %v", got)
	}
}
