package report

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/golden"
	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
)

var genTime = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// sampleFindings is a small but complete report: every status, every category.
func sampleFindings() []Finding {
	return []Finding{
		{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: "shop.acme.com", Status: StatusWarning,
			Code: "DNS_CNAME_HEROKUAPP", Summary: "shop.acme.com is a CNAME to acme-prod.herokuapp.com, not to its DNS target",
			Detail:   "Requests reach the app, but the *.herokuapp.com certificate is served.",
			Remedy:   "Point shop.acme.com at CNAME mammoth-1234.herokudns.com (see `heroku domains -a acme-prod`)",
			Docs:     "https://devcenter.heroku.com/articles/custom-domains",
			Data:     map[string]any{"records": []string{"shop.acme.com. 300 IN CNAME acme-prod.herokuapp.com."}},
			Duration: 12 * time.Millisecond},
		{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: "www.acme.com", Status: StatusOK,
			Summary: "CNAME to its DNS target mammoth-5678.herokudns.com", Duration: 9 * time.Millisecond},
		{Check: "platform.dynos", Category: CategoryPlatform, App: "acme-prod", Subject: "web.2", Status: StatusCritical,
			Code: "DYNO_CRASHED", Summary: "web.2 crashed", Remedy: "heroku ps:restart web.2 -a acme-prod",
			Data: map[string]any{"state": "crashed", "updated_at": "2026-11-23T09:48:00Z"}, Duration: 80 * time.Millisecond},
		{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "api.acme.com", Status: StatusUnknown,
			Code: "TIMEOUT", Summary: "no TLS handshake within 5s", Duration: 5 * time.Second},
		{Check: "postgres.connection", Category: CategoryPostgres, App: "acme-prod", Subject: "DATABASE_URL", Status: StatusSkipped,
			Summary: "not checked (--skip postgres)"},
		{Check: "logs.router", Category: CategoryLogs, App: "acme-prod", Subject: "router", Status: StatusInfo,
			Code: "H27", Summary: "3 client interrupted requests", Data: map[string]any{"count": 3}},
	}
}

func sampleReport() Report {
	r := New(Meta{Version: "1.2.3", GeneratedAt: genTime, Apps: []string{"acme-prod"}, Duration: 840 * time.Millisecond}, sampleFindings())
	r.Sections = []Section{
		{Title: "Domains", Header: []string{"Domain", "Verdict", "Record to set"},
			Rows: [][]string{{"shop.acme.com", "warning", "CNAME mammoth-1234.herokudns.com"}}},
		{Title: "dig", Text: "shop.acme.com.\t300\tIN\tCNAME\tacme-prod.herokuapp.com.\n"},
	}
	r.Notes = []string{"example note"}
	r.Timelines = []Timeline{sampleTimeline()}
	return r
}

// sampleBaseline is the report of an hour before sampleReport: against it
// web.2's crash is new (it was a warning), the TLS timeout is new, the
// static A record of www is resolved, shop's CNAME and H27 are ongoing, and
// api's certificate, which this run could not reach, is left out.
func sampleBaseline() Report {
	return New(Meta{Version: "1.2.2", GeneratedAt: genTime.Add(-time.Hour), Apps: []string{"acme-prod"}, Duration: 790 * time.Millisecond}, []Finding{
		{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: "shop.acme.com", Status: StatusWarning,
			Code: "DNS_CNAME_HEROKUAPP", Summary: "shop.acme.com is a CNAME to acme-prod.herokuapp.com, not to its DNS target"},
		{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: "www.acme.com", Status: StatusWarning,
			Code: "DNS_STATIC_A_RECORD", Summary: "www.acme.com has fixed A records (203.0.113.10) instead of a CNAME",
			Remedy: "Point www.acme.com at CNAME mammoth-5678.herokudns.com", Docs: "https://devcenter.heroku.com/articles/custom-domains"},
		{Check: "platform.dynos", Category: CategoryPlatform, App: "acme-prod", Subject: "web.2", Status: StatusWarning,
			Code: "DYNO_CRASHED", Summary: "web.2 crashed"},
		{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "api.acme.com", Status: StatusWarning,
			Code: "CERT_EXPIRING", Summary: "api.acme.com's certificate expires in 12 days"},
		{Check: "logs.router", Category: CategoryLogs, App: "acme-prod", Subject: "router", Status: StatusInfo,
			Code: "H27", Summary: "5 client interrupted requests"},
	})
}

func comparedReport(t *testing.T) Report {
	t.Helper()
	return sampleReport().Compare(saved(t, sampleBaseline()))
}

func TestNewOrdersAndCounts(t *testing.T) {
	r := sampleReport()
	if r.Status != StatusCritical {
		t.Fatalf("status = %s, want critical", r.Status)
	}
	want := Summary{OK: 1, Info: 1, Warning: 1, Critical: 1, Unknown: 1, Skipped: 1}
	if r.Summary != want {
		t.Fatalf("summary = %+v, want %+v", r.Summary, want)
	}
	var got []Status
	for _, f := range r.Checks {
		got = append(got, f.Status)
	}
	wantOrder := []Status{StatusCritical, StatusUnknown, StatusWarning, StatusInfo, StatusOK, StatusSkipped}
	for i := range wantOrder {
		if got[i] != wantOrder[i] {
			t.Fatalf("order = %v, want %v", got, wantOrder)
		}
	}
	// The same findings in another order give the same report.
	fs := sampleFindings()
	for i, j := 0, len(fs)-1; i < j; i, j = i+1, j-1 {
		fs[i], fs[j] = fs[j], fs[i]
	}
	r2 := New(r.Meta, fs)
	for i := range r.Checks {
		if r.Checks[i].Subject != r2.Checks[i].Subject || r.Checks[i].Check != r2.Checks[i].Check {
			t.Fatalf("order depends on input order at %d: %s vs %s", i, r.Checks[i].Subject, r2.Checks[i].Subject)
		}
	}
}

func TestWorst(t *testing.T) {
	cases := []struct {
		in   []Status
		want Status
	}{
		{nil, StatusOK},
		{[]Status{StatusSkipped}, StatusOK},
		{[]Status{StatusOK, StatusInfo}, StatusInfo},
		{[]Status{StatusWarning, StatusInfo}, StatusWarning},
		{[]Status{StatusWarning, StatusUnknown}, StatusUnknown},
		{[]Status{StatusCritical, StatusUnknown}, StatusCritical},
	}
	for _, c := range cases {
		var fs []Finding
		for _, s := range c.in {
			fs = append(fs, Finding{Status: s})
		}
		if got := Worst(fs); got != c.want {
			t.Errorf("Worst(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestNewClearsCodeOfOK(t *testing.T) {
	r := New(Meta{}, []Finding{{Status: StatusOK, Code: "SHOULD_GO"}, {Code: "X"}})
	for _, f := range r.Checks {
		if f.Status == StatusOK && f.Code != "" {
			t.Errorf("ok finding kept code %q", f.Code)
		}
		if f.Status == "" {
			t.Errorf("empty status not turned into unknown")
		}
	}
	if r.Status != StatusUnknown {
		t.Errorf("a finding without status must count as unknown, report is %s", r.Status)
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		status Status
		failOn FailOn
		want   int
	}{
		{StatusOK, FailOnWarning, 0},
		{StatusInfo, FailOnWarning, 0},
		{StatusWarning, FailOnWarning, 1},
		{StatusUnknown, FailOnWarning, 3},
		{StatusCritical, FailOnWarning, 2},
		{StatusWarning, FailOnCritical, 0},
		{StatusUnknown, FailOnCritical, 0},
		{StatusCritical, FailOnCritical, 2},
		{StatusCritical, FailOnNever, 0},
		{StatusUnknown, FailOnNever, 0},
		{StatusSkipped, FailOnWarning, 0},
	}
	for _, c := range cases {
		if got := ExitCode(c.status, c.failOn); got != c.want {
			t.Errorf("ExitCode(%s, %s) = %d, want %d", c.status, c.failOn, got, c.want)
		}
	}
	if _, err := ParseFailOn("sometimes"); err == nil {
		t.Error("ParseFailOn accepted a bad value")
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		opts RenderOptions
	}{
		{"report.txt.golden", RenderOptions{Format: FormatText}},
		{"report.color.txt.golden", RenderOptions{Format: FormatText, Color: true}},
		{"report.json.golden", RenderOptions{Format: FormatJSON}},
		{"report.md.golden", RenderOptions{Format: FormatMarkdown}},
		{"report.html.golden", RenderOptions{Format: FormatHTML}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, sampleReport(), c.opts); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, c.name, buf.Bytes())
			if c.opts.Format == FormatJSON {
				schematest.Validate(t, buf.Bytes())
			}
			buf.Reset()
			// The same run compared with a baseline (--baseline).
			if err := Render(&buf, comparedReport(t), c.opts); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, strings.Replace(c.name, "report.", "report.baseline.", 1), buf.Bytes())
			if c.opts.Format == FormatJSON {
				schematest.Validate(t, buf.Bytes())
			}
		})
	}
}

// TestHumanReportsLeadWithTheChanges: text and Markdown say what changed
// before anything else of the run, and list the resolved problem there,
// not among this run's checks.
func TestHumanReportsLeadWithTheChanges(t *testing.T) {
	for _, f := range []Format{FormatText, FormatMarkdown} {
		var buf bytes.Buffer
		if err := Render(&buf, comparedReport(t), RenderOptions{Format: f}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		iChanged := strings.Index(out, "Changed since 2026-11-23 09:00:00 UTC")
		iFirstCheck := strings.Index(out, "web.2 crashed")
		if iChanged < 0 || iFirstCheck < iChanged {
			t.Errorf("%s: does not lead with the changes\n%s", f, out)
		}
		if !strings.Contains(out, "2 new · 1 resolved · 2 ongoing") {
			t.Errorf("%s: no counts of the changes\n%s", f, out)
		}
		if n := strings.Count(out, "fixed A records (203.0.113.10)"); n != 1 {
			t.Errorf("%s: the resolved problem appears %d times, want once (under the changes)", f, n)
		}
	}
	var buf bytes.Buffer
	first := sampleReport().Compare(FirstBaseline())
	if err := Render(&buf, first, RenderOptions{Format: FormatText}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "Changed since no previous report (the first of this history): 4 new · 0 resolved · 0 ongoing") {
		t.Errorf("first run of a history:\n%s", buf.String())
	}
}

func TestPlainTextHasNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sampleReport(), RenderOptions{Format: FormatText}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
		t.Error("text without colour contains ANSI escapes")
	}
	buf.Reset()
	if err := Render(&buf, sampleReport(), RenderOptions{Format: FormatText, Color: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte("\x1b[1;31m")) {
		t.Error("coloured text has no red for critical")
	}
}

func TestTextPutsProblemsFirstWithRemedy(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sampleReport(), RenderOptions{Format: FormatText}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.SplitN(out, "\n", 3)
	if !strings.HasPrefix(lines[1], "CRITICAL") {
		t.Errorf("second line is not the verdict: %q", lines[1])
	}
	iProb := strings.Index(out, "Problems (3)")
	iFix := strings.Index(out, "→ heroku ps:restart web.2 -a acme-prod")
	iTable := strings.Index(out, "\nPlatform\n")
	if iProb < 0 || iFix < 0 || iTable < 0 || !(iProb < iFix && iFix < iTable) {
		t.Errorf("problems with remedies must come before the tables:\n%s", out)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, sampleReport(), RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	back, err := DecodeJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != 1 || back.Status != StatusCritical || len(back.Checks) != 6 || back.Checks[0].Code != "DYNO_CRASHED" {
		t.Errorf("round trip lost data: %+v", back)
	}
	if back.Checks[0].Duration != 80*time.Millisecond {
		t.Errorf("duration_ms lost: %v", back.Checks[0].Duration)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "first"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, "half of a second report")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("a failed write changed the file: %q", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "r.json"), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing into a missing directory did not fail")
	}
}

// TestNewRefusesACodelessProblemUnderTest: CONTRACT.md says every info,
// warning, critical and unknown check has a code; under test, New panics
// on one that has none, so no test can pass with it.
func TestNewRefusesACodelessProblemUnderTest(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an info finding without a code")
		}
	}()
	New(Meta{}, []Finding{{Check: "x", Status: StatusInfo, Summary: "no code"}})
}

func TestCheckCodes(t *testing.T) {
	fs := []Finding{{Status: StatusOK}, {Status: StatusSkipped}, {Status: StatusWarning, Code: "KNOWN"}}
	known := func(id string) bool { return id == "KNOWN" }
	if err := CheckCodes(fs, known); err != nil {
		t.Errorf("a catalogued report: %v", err)
	}
	bad := append(fs, Finding{Status: StatusUnknown, Code: "OTHER", Check: "c", Subject: "s"})
	if err := CheckCodes(bad, known); err == nil || !strings.Contains(err.Error(), "OTHER") {
		t.Errorf("an uncatalogued code: %v", err)
	}
	if err := CheckCodes(bad, nil); err != nil {
		t.Errorf("without a catalogue only missing codes count: %v", err)
	}
}

func TestRaiseFillsFromTheEntry(t *testing.T) {
	c := &Code{ID: "X_CODE", Category: CategoryDNS, Status: StatusWarning, Remedy: "fix {subject} -a {app}", Subject: "DOMAIN", Docs: "https://d"}
	f := c.Raise("acme", Finding{Subject: "www.acme.com", Summary: "s"})
	if f.Code != "X_CODE" || f.Category != CategoryDNS || f.Status != StatusWarning || f.Remedy != "fix www.acme.com -a acme" || f.Docs != "https://d" {
		t.Errorf("raised: %+v", f)
	}
	own := c.Raise("", Finding{Status: StatusCritical, Remedy: "mine", Docs: "https://own"})
	if own.Status != StatusCritical || own.Remedy != "mine" || own.Docs != "https://own" {
		t.Errorf("the rule's own words win: %+v", own)
	}
	if got := c.RemedyFor("", ""); got != "fix DOMAIN -a APP" {
		t.Errorf("placeholders: %q", got)
	}
}

// TestCodelessGetsCheckError: outside tests (where New panics on it), a
// problem without a code still leaves with one.
func TestCodelessGetsCheckError(t *testing.T) {
	fs := []Finding{{Status: StatusWarning}, {Status: StatusUnknown}, {Status: StatusOK}, {Status: StatusSkipped}, {Status: StatusInfo, Code: "X"}}
	codeless(fs)
	for i, want := range []string{UncodedID, UncodedID, "", "", "X"} {
		if fs[i].Code != want {
			t.Errorf("finding %d (%s): code %q, want %q", i, fs[i].Status, fs[i].Code, want)
		}
	}
}
