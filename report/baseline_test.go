package report

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// saved renders r as --format json does and reads it back as a baseline.
func saved(t *testing.T, r Report) *Baseline {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, r, RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	b, err := DecodeBaseline(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func find(r Report, check, subject, code string) (Finding, bool) {
	for _, f := range r.Checks {
		if f.Check == check && f.Subject == subject && f.Code == code {
			return f, true
		}
	}
	return Finding{}, false
}

func dnsFinding(subject string, st Status, code, summary string) Finding {
	return Finding{Check: "dns.target", Category: CategoryDNS, App: "acme-prod", Subject: subject, Status: st, Code: code, Summary: summary}
}

// TestCompareEveryChange walks one problem through each change: a problem
// that stays, one fixed, one new, one that got worse, one that got better.
func TestCompareEveryChange(t *testing.T) {
	meta := Meta{Version: "1.2.2", GeneratedAt: genTime, Apps: []string{"acme-prod"}}
	before := New(meta, []Finding{
		dnsFinding("shop.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP", "shop.acme.com is a CNAME to acme-prod.herokuapp.com"),
		dnsFinding("old.acme.com", StatusCritical, "DNS_NXDOMAIN", "old.acme.com does not exist"),
		dnsFinding("api.acme.com", StatusWarning, "DNS_STATIC_A_RECORD", "api.acme.com has fixed A records"),
		dnsFinding("cdn.acme.com", StatusCritical, "DNS_TARGET_MISMATCH", "cdn.acme.com points elsewhere"),
		dnsFinding("www.acme.com", StatusOK, "", "CNAME to its DNS target"),
		{Check: "platform.features", Category: CategoryPlatform, App: "acme-prod", Subject: "preboot", Status: StatusInfo, Code: "PREBOOT_OFF", Summary: "preboot is off"},
	})
	now := New(Meta{Version: "1.2.3", GeneratedAt: genTime.Add(time.Hour), Apps: []string{"acme-prod"}}, []Finding{
		dnsFinding("shop.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP", "shop.acme.com is still a CNAME to acme-prod.herokuapp.com"),
		dnsFinding("old.acme.com", StatusOK, "", "CNAME to its DNS target"),
		dnsFinding("api.acme.com", StatusCritical, "DNS_STATIC_A_RECORD", "api.acme.com has fixed A records, and ACM fails"),
		dnsFinding("cdn.acme.com", StatusWarning, "DNS_TARGET_MISMATCH", "cdn.acme.com points elsewhere"),
		dnsFinding("www.acme.com", StatusWarning, "DNS_CAA_BLOCKS_ACM", "CAA forbids Let's Encrypt"),
		{Check: "platform.features", Category: CategoryPlatform, App: "acme-prod", Subject: "preboot", Status: StatusOK, Summary: "preboot is on"},
	}).Compare(saved(t, before))

	want := []struct {
		subject, code string
		status        Status
		change        Change
		previous      Status
	}{
		{"shop.acme.com", "DNS_CNAME_HEROKUAPP", StatusWarning, ChangeOngoing, ""},
		{"old.acme.com", "DNS_NXDOMAIN", StatusOK, ChangeResolved, StatusCritical},
		{"api.acme.com", "DNS_STATIC_A_RECORD", StatusCritical, ChangeNew, StatusWarning}, // got worse: news
		{"cdn.acme.com", "DNS_TARGET_MISMATCH", StatusWarning, ChangeOngoing, StatusCritical},
		{"www.acme.com", "DNS_CAA_BLOCKS_ACM", StatusWarning, ChangeNew, ""},
		{"preboot", "PREBOOT_OFF", StatusOK, ChangeResolved, StatusInfo},
	}
	for _, w := range want {
		check := "dns.target"
		if w.subject == "preboot" {
			check = "platform.features"
		}
		f, ok := find(now, check, w.subject, w.code)
		if !ok {
			t.Errorf("%s %s missing", w.subject, w.code)
			continue
		}
		if f.Status != w.status || f.Change != w.change || f.PreviousStatus != w.previous {
			t.Errorf("%s %s: %s, %s, was %q; want %s, %s, was %q", w.subject, w.code, f.Status, f.Change, f.PreviousStatus, w.status, w.change, w.previous)
		}
	}
	gone, _ := find(now, "dns.target", "old.acme.com", "DNS_NXDOMAIN")
	was, _ := find(before, "dns.target", "old.acme.com", "DNS_NXDOMAIN")
	if gone.Summary != "old.acme.com does not exist" || gone.Fingerprint != was.Fingerprint || gone.Remedy != "" {
		t.Errorf("a resolved problem keeps its old summary and fingerprint, and has no remedy: %+v", gone)
	}
	for _, f := range now.Checks {
		if f.Status == StatusOK && f.Change != "" && f.Change != ChangeResolved {
			t.Errorf("an ok check has change %q: %+v", f.Change, f)
		}
	}
	if fixed, _ := find(now, "dns.target", "old.acme.com", ""); fixed.Change != "" {
		t.Errorf("the ok check of the fixed domain has change %q", fixed.Change)
	}
	if now.Summary.OK != 4 || now.Summary.Warning != 3 || now.Summary.Critical != 1 || len(now.Checks) != 8 {
		t.Errorf("summary %+v over %d checks: resolved findings count as ok checks", now.Summary, len(now.Checks))
	}
	c, ok := now.Changes()
	if !ok || len(c.New) != 2 || len(c.Resolved) != 2 || len(c.Ongoing) != 2 || !c.Since.GeneratedAt.Equal(genTime) || c.Since.Version != "1.2.2" {
		t.Errorf("Changes() = %+v", c)
	}
	if c.New[0].Status != StatusCritical {
		t.Errorf("Changes().New is not in report order: %+v", c.New)
	}
}

func TestCompareAgainstItselfChangesNothing(t *testing.T) {
	r := sampleReport()
	again := r.Compare(saved(t, r))
	c, _ := again.Changes()
	if len(c.New) != 0 || len(c.Resolved) != 0 || len(c.Ongoing) != 4 {
		t.Errorf("the same report as baseline: %d new, %d resolved, %d ongoing", len(c.New), len(c.Resolved), len(c.Ongoing))
	}
	if again.ExitCode(FailOnNew) != ExitOK || again.ExitCode(FailOnWarning) != ExitCritical {
		t.Errorf("exit codes: new %d, warning %d", again.ExitCode(FailOnNew), again.ExitCode(FailOnWarning))
	}
	// Comparing the compared report again (a history of three runs) is
	// the same: its resolved findings are not problems to resolve twice.
	third := again.Compare(saved(t, again))
	if c, _ := third.Changes(); len(c.New) != 0 || len(c.Resolved) != 0 || len(third.Checks) != len(r.Checks) {
		t.Errorf("third run: %+v", c)
	}
}

// TestCompareNeedsTheCheckToHaveRun: a problem whose check did not run or
// could not decide this time is not resolved.
func TestCompareNeedsTheCheckToHaveRun(t *testing.T) {
	before := New(Meta{GeneratedAt: genTime, Apps: []string{"acme-prod"}}, []Finding{
		dnsFinding("shop.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP", "CNAME to herokuapp.com"),
		{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "api.acme.com", Status: StatusCritical, Code: "CERT_EXPIRING", Summary: "expires in 5 days"},
		{Check: "postgres.bloat", Category: CategoryPostgres, App: "acme-prod", Subject: "public.events", Status: StatusWarning, Code: "PG_TABLE_BLOAT", Summary: "bloated"},
	})
	base := saved(t, before)
	cases := []struct {
		name     string
		findings []Finding
		resolved []string
	}{
		{"every check ran and found them gone", []Finding{
			dnsFinding("www.acme.com", StatusOK, "", "fine"), // shop.acme.com was removed from the app
			{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "api.acme.com", Status: StatusOK, Summary: "renewed"},
			{Check: "postgres.bloat", Category: CategoryPostgres, App: "acme-prod", Subject: "DATABASE_URL", Status: StatusOK, Summary: "no bloat"},
		}, []string{"DNS_CNAME_HEROKUAPP", "CERT_EXPIRING", "PG_TABLE_BLOAT"}},
		{"--skip dns, a TLS timeout on that domain, the database unreachable", []Finding{
			{Check: "dns", Category: CategoryDNS, App: "acme-prod", Subject: "acme-prod", Status: StatusSkipped, Summary: "not checked (--skip dns)"},
			{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "www.acme.com", Status: StatusOK, Summary: "fine"},
			{Check: "tls.certificate", Category: CategoryTLS, App: "acme-prod", Subject: "api.acme.com", Status: StatusUnknown, Code: "TIMEOUT", Summary: "no handshake"},
			{Check: "postgres.connection", Category: CategoryPostgres, App: "acme-prod", Subject: "DATABASE_URL", Status: StatusCritical, Code: "PG_UNREACHABLE", Summary: "refused"},
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := New(Meta{GeneratedAt: genTime.Add(time.Hour), Apps: []string{"acme-prod"}}, c.findings).Compare(base)
			ch, _ := now.Changes()
			var got []string
			for _, f := range ch.Resolved {
				got = append(got, f.Code)
			}
			if strings.Join(got, ",") != strings.Join(c.resolved, ",") {
				t.Errorf("resolved %v, want %v", got, c.resolved)
			}
		})
	}
}

func TestFirstBaselineMakesEveryProblemNew(t *testing.T) {
	r := sampleReport().Compare(FirstBaseline())
	c, ok := r.Changes()
	if !ok || len(c.New) != 4 || !c.Since.GeneratedAt.IsZero() {
		t.Errorf("first run: %+v", c)
	}
	if r.ExitCode(FailOnNew) != ExitCritical {
		t.Errorf("first run, --fail-on new: exit %d, want 2", r.ExitCode(FailOnNew))
	}
}

// TestFailOnNewExitCodes: the exit code of the worst new problem, as the
// exit-code table has it; 0 when nothing new reaches warning.
func TestFailOnNewExitCodes(t *testing.T) {
	base := saved(t, New(Meta{GeneratedAt: genTime}, []Finding{
		dnsFinding("shop.acme.com", StatusCritical, "DNS_NXDOMAIN", "gone"),
	}))
	cases := []struct {
		name string
		add  []Finding
		want int
	}{
		{"nothing new, an old critical stays", nil, ExitOK},
		{"a new info", []Finding{{Check: "platform.features", Category: CategoryPlatform, Subject: "preboot", Status: StatusInfo, Code: "PREBOOT_OFF"}}, ExitOK},
		{"a new warning", []Finding{dnsFinding("www.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP", "")}, ExitWarning},
		{"a new unknown", []Finding{dnsFinding("www.acme.com", StatusUnknown, "TIMEOUT", "")}, ExitUnknown},
		{"a new critical and a new warning", []Finding{dnsFinding("www.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP", ""),
			dnsFinding("api.acme.com", StatusCritical, "DNS_SERVFAIL", "")}, ExitCritical},
	}
	for _, c := range cases {
		fs := append([]Finding{dnsFinding("shop.acme.com", StatusCritical, "DNS_NXDOMAIN", "still gone")}, c.add...)
		r := New(Meta{GeneratedAt: genTime.Add(time.Hour)}, fs).Compare(base)
		if got := r.ExitCode(FailOnNew); got != c.want {
			t.Errorf("%s: exit %d, want %d", c.name, got, c.want)
		}
		if got := r.ExitCode(FailOnWarning); got != ExitCritical {
			t.Errorf("%s: --fail-on warning exit %d, want 2", c.name, got)
		}
	}
	if _, err := ParseFailOn("new"); err != nil {
		t.Error(err)
	}
}

func TestDecodeBaselineRefusesWhatItCannotCompare(t *testing.T) {
	var good bytes.Buffer
	if err := Render(&good, sampleReport(), RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, doc, want string
	}{
		{"empty", "", "the file is empty"},
		{"text report", "heroku-checkup 1.2.3 · acme-prod\nCRITICAL ...", "is not a heroku-checkup JSON report"},
		{"cut short", good.String()[:200], "is not a heroku-checkup JSON report"},
		{"two reports", good.String() + good.String(), "more than one JSON value"},
		{"another tool's JSON", `{"schema_version": 1, "checks": []}`, `no "tool": "heroku-checkup"`},
		{"another schema", strings.Replace(good.String(), `"schema_version": 1`, `"schema_version": 2`, 1), "has schema_version 2 and this heroku-checkup writes 1"},
		{"no time", strings.Replace(good.String(), `"generated_at": "2026-11-23T10:00:00Z"`, `"generated_at": "yesterday"`, 1), `generated_at "yesterday"`},
		{"bad status", strings.Replace(good.String(), `"status": "warning"`, `"status": "yellow"`, 1), `has status "yellow"`},
	}
	for _, c := range cases {
		_, err := DecodeBaseline(strings.NewReader(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want one line containing %q", c.name, err, c.want)
		}
	}
	if _, err := DecodeBaseline(&good); err != nil {
		t.Errorf("a report of this version: %v", err)
	}
}

func TestDecodeBaselineOfAReportWithoutFingerprints(t *testing.T) {
	var buf bytes.Buffer
	r := sampleReport()
	if err := Render(&buf, r, RenderOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	// What a version before fingerprints wrote: the same, less them.
	var kept []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if !strings.Contains(l, `"fingerprint":`) {
			kept = append(kept, l)
		}
	}
	b, err := DecodeBaseline(strings.NewReader(fixTrailingCommas(strings.Join(kept, "\n"))))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := New(r.Meta, sampleFindings()).Compare(b).Changes()
	if len(c.New) != 0 || len(c.Resolved) != 0 || len(c.Ongoing) != 4 {
		t.Errorf("a baseline without fingerprints: %d new, %d resolved, %d ongoing", len(c.New), len(c.Resolved), len(c.Ongoing))
	}
}

// fixTrailingCommas removes the comma left before a closing brace when a
// member is cut out of indented JSON.
func fixTrailingCommas(s string) string {
	lines := strings.Split(s, "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasSuffix(lines[i], ",") && strings.HasPrefix(strings.TrimSpace(lines[i+1]), "}") {
			lines[i] = strings.TrimSuffix(lines[i], ",")
		}
	}
	return strings.Join(lines, "\n")
}

func TestReadBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "last.json")
	_, err := ReadBaseline(context.Background(), missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing+" does not exist") {
		t.Errorf("missing: %v", err)
	}
	if _, err := ReadBaseline(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, err := ReadBaseline(context.Background(), bad); err == nil || !strings.HasPrefix(err.Error(), bad+" is not a heroku-checkup JSON report") {
		t.Errorf("malformed: %v", err)
	}
}

func TestCheckApps(t *testing.T) {
	b := saved(t, New(Meta{GeneratedAt: genTime, Apps: []string{"acme-prod", "acme-staging"}}, nil))
	if err := b.CheckApps([]string{"acme-staging", "acme-prod"}); err != nil {
		t.Errorf("the same apps in another order: %v", err)
	}
	// A team that lost an app, or gained one: compared.
	if err := b.CheckApps([]string{"acme-prod"}); err != nil {
		t.Errorf("one app fewer: %v", err)
	}
	if err := b.CheckApps([]string{"acme-prod", "acme-staging", "acme-edge"}); err != nil {
		t.Errorf("one app more: %v", err)
	}
	err := b.CheckApps([]string{"acme-edge", "acme-api"})
	if err == nil || err.Error() != "is a report of acme-prod, acme-staging, not of acme-api, acme-edge: compare runs of the same apps" {
		t.Errorf("no app in common: %v", err)
	}
	bare := saved(t, New(Meta{GeneratedAt: genTime}, nil))
	if err := bare.CheckApps(nil); err != nil {
		t.Errorf("bare subjects both times: %v", err)
	}
	if err := bare.CheckApps([]string{"acme-prod"}); err == nil || !strings.Contains(err.Error(), "a report of no app") {
		t.Errorf("bare baseline, app run: %v", err)
	}
}

// FuzzDecodeBaseline: whatever the file holds, reading it as a baseline
// never panics, and a refusal is one line.
func FuzzDecodeBaseline(f *testing.F) {
	var good bytes.Buffer
	if err := Render(&good, sampleReport(), RenderOptions{Format: FormatJSON}); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good.String(), "", "{}", `{"tool": "heroku-checkup", "schema_version": 1}`, "[]", "null", good.String()[:300]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		b, err := DecodeBaseline(strings.NewReader(doc))
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("a refusal of two lines: %q", err)
			}
			return
		}
		New(Meta{Apps: b.Apps}, nil).Compare(b)
	})
}

// TestCompareTeamChanged: a --team run whose team lost acme-staging and
// gained acme-edge since the baseline. acme-prod's problems compare as
// ever; acme-edge's are new; acme-staging's, which nothing decided on this
// time, are neither resolved nor carried on.
func TestCompareTeamChanged(t *testing.T) {
	on := func(app, subject string, st Status, code string) Finding {
		f := dnsFinding(subject, st, code, subject)
		f.App = app
		return f
	}
	before := New(Meta{GeneratedAt: genTime, Apps: []string{"acme-prod", "acme-staging"}}, []Finding{
		on("acme-prod", "shop.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP"),
		on("acme-staging", "staging.acme.com", StatusCritical, "DNS_NXDOMAIN"),
	})
	b := saved(t, before)
	apps := []string{"acme-prod", "acme-edge"}
	if err := b.CheckApps(apps); err != nil {
		t.Fatal(err)
	}
	now := New(Meta{GeneratedAt: genTime.Add(time.Hour), Apps: apps}, []Finding{
		on("acme-prod", "shop.acme.com", StatusWarning, "DNS_CNAME_HEROKUAPP"),
		on("acme-edge", "edge.acme.com", StatusWarning, "DNS_TARGET_MISMATCH"),
	}).Compare(b)
	if f, ok := find(now, "dns.target", "shop.acme.com", "DNS_CNAME_HEROKUAPP"); !ok || f.Change != ChangeOngoing {
		t.Errorf("acme-prod's problem: %+v", f)
	}
	if f, ok := find(now, "dns.target", "edge.acme.com", "DNS_TARGET_MISMATCH"); !ok || f.Change != ChangeNew {
		t.Errorf("the new app's problem: %+v", f)
	}
	for _, f := range now.Checks {
		if f.App == "acme-staging" {
			t.Errorf("the app that left is in the report: %+v", f)
		}
	}
	if len(now.Checks) != 2 {
		t.Errorf("%d checks, want 2", len(now.Checks))
	}
}
