package commands

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func sampleZone(t *testing.T) *dnszone.Server {
	t.Helper()
	z, err := dnszone.Start(dnszone.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(z.Close)
	z.MustAdd(
		"acme.example. 300 IN NS ns1.dns.example.",
		"www.acme.example. 300 IN CNAME mammoth-1234.herokudns.com.",
		"mammoth-1234.herokudns.com. 60 IN A 127.0.0.1",
		"shop.acme.example. 300 IN CNAME acme-prod.herokuapp.com.",
		"acme-prod.herokuapp.com. 60 IN A 127.0.0.1",
		"tranquil-5678.herokudns.com. 60 IN A 127.0.0.1",
	)
	return z
}

func TestDNSCheckApp(t *testing.T) {
	api := fakeAPI(t)
	z := sampleZone(t)
	h := newHarness(t)
	h.env["HEROKU_HOST"] = api.URL
	h.env["HEROKU_API_KEY"] = "test-token-123456"
	code := h.run("dns-check", "-a", "acme-prod", "--resolver", z.Addr, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a herokuapp.com CNAME is a warning)\n%s%s", code, h.errOut.String(), h.out.String())
	}
	assertContractJSON(t, h.out.Bytes())
	r := h.report()
	f, ok := reporttest.Find(t, r.Checks, "DNS_CNAME_HEROKUAPP", "shop.acme.example")
	if !ok {
		t.Fatalf("no DNS_CNAME_HEROKUAPP: %+v", r.Checks)
	}
	if !strings.Contains(f.Remedy, "shop.acme.example. CNAME tranquil-5678.herokudns.com.") {
		t.Errorf("remedy: %s", f.Remedy)
	}
	for _, c := range r.Checks {
		if c.Subject == "www.acme.example" && c.Status != "ok" {
			t.Errorf("correct domain: %s %s", c.Status, c.Summary)
		}
	}

	// The text report has one row per domain with its verdict and the record to set.
	code = h.run("dns-check", "-a", "acme-prod", "--resolver", z.Addr)
	if code != 1 {
		t.Fatalf("text: exit %d", code)
	}
	out := h.out.String()
	var rowShop, rowWWW string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "shop.acme.example") && strings.Contains(line, "tranquil-5678") && strings.Contains(line, "│") {
			rowShop = line
		}
		if strings.Contains(line, "www.acme.example") && strings.Contains(line, "mammoth-1234") && strings.Contains(line, "│") {
			rowWWW = line
		}
	}
	if !strings.Contains(rowShop, "warning DNS_CNAME_HEROKUAPP") || !strings.Contains(rowShop, "CNAME tranquil-5678.herokudns.com") {
		t.Errorf("shop row: %q\n%s", rowShop, out)
	}
	if !strings.Contains(rowWWW, "ok") {
		t.Errorf("www row: %q", rowWWW)
	}
}

func TestDNSCheckBareDomainsWithDig(t *testing.T) {
	z := sampleZone(t)
	h := newHarness(t)
	code := h.run("dns-check", "--resolver", z.Addr, "--dig", "www.acme.example", "gone.acme.example")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (NXDOMAIN)\n%s", code, h.out.String())
	}
	out := h.out.String()
	for _, want := range []string{"DNS_NXDOMAIN", "www.acme.example.\t300\tIN\tCNAME\tmammoth-1234.herokudns.com.", ";; status: NXDOMAIN"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if h.run("dns-check", "not a domain") != 3 || !strings.Contains(h.errOut.String(), "is not a domain name") {
		t.Errorf("bad argument: %q", h.errOut.String())
	}
	if h.run("dns-check", "--resolver", "127.0.0.1:", "x.example") != 3 {
		t.Errorf("bad resolver accepted")
	}
}
