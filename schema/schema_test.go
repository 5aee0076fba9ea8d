package schema_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/schema"
	"github.com/heroku-checkup/heroku-checkup/schema/schematest"
)

// TestEveryGoldenReportValidates: every golden file of the repository
// that is a JSON report (not, say, the JSON catalogue of codes) is one the
// schema accepts.
func TestEveryGoldenReportValidates(t *testing.T) {
	files, err := filepath.Glob("../*/testdata/*.golden")
	if err != nil {
		t.Fatal(err)
	}
	reports := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var top struct {
			Tool string `json:"tool"`
		}
		if json.Unmarshal(b, &top) != nil || top.Tool != "heroku-checkup" {
			continue
		}
		reports++
		if err := schematest.Check(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// report.json, report.baseline.json and the demo's.
	if reports < 3 {
		t.Errorf("found %d JSON reports among %d golden files, want at least 3", reports, len(files))
	}
}

func TestSchemaIsDraft2020(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(schema.Report, &s); err != nil {
		t.Fatal(err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["$id"] != schema.ReportID {
		t.Errorf("$schema %v, $id %v", s["$schema"], s["$id"])
	}
}

// valid is the smallest report the schema accepts, with one check of each
// kind that has its own rule, and a timeline.
const valid = `{
  "schema_version": 1, "tool": "heroku-checkup", "version": "1.2.3", "generated_at": "2026-11-23T10:00:00Z",
  "apps": ["acme-prod"], "status": "warning",
  "summary": {"ok": 1, "info": 0, "warning": 1, "critical": 0, "unknown": 0, "skipped": 0},
  "duration_ms": 840,
  "checks": [
    {"check": "dns.target", "category": "dns", "app": "acme-prod", "subject": "shop.acme.com", "status": "warning",
     "code": "DNS_CNAME_HEROKUAPP", "summary": "s", "detail": "", "remedy": "", "docs": "", "data": {"records": []},
     "duration_ms": 12, "fingerprint": "0123456789abcdef"},
    {"check": "dns.target", "category": "dns", "app": "acme-prod", "subject": "www.acme.com", "status": "ok",
     "code": "", "summary": "s", "detail": "", "remedy": "", "docs": "", "data": {}, "duration_ms": 9, "fingerprint": "fedcba9876543210"}
  ],
  "timeline": [
    {"app": "acme-prod", "bucket_seconds": 60,
     "buckets": [{"t": "2026-11-23T09:40:00Z", "requests": 120, "status_5xx": 2, "h_errors": 1, "timed": 118, "p50_ms": 41, "p95_ms": 380.5, "crashes": 0, "restarts": 1},
                 {"t": "2026-11-23T09:41:00Z", "requests": 0, "status_5xx": 0, "h_errors": 0, "timed": 0, "p50_ms": null, "p95_ms": null, "crashes": 0, "restarts": 0}],
     "memory": {"web.1": [{"t": "2026-11-23T09:40:00Z", "total_mb": 412.3, "rss_mb": 400, "swap_mb": 0, "quota_mb": 512}],
                "web.2": [{"t": "2026-11-23T09:41:00Z", "total_mb": 100, "rss_mb": 99, "swap_mb": 0}]},
     "releases": [{"version": 42, "at": "2026-11-23T09:35:00Z", "description": "Deploy 1a2b3c4"},
                  {"version": 43, "at": "2026-11-23T09:40:30Z", "description": "Set FOO config vars",
                   "comparison": {"verdict": "too small a sample", "status": "ok", "regressed": [], "note": "only 1 minute of logs after it",
                     "before": {"from": "2026-11-23T09:40:00Z", "to": "2026-11-23T09:40:00Z", "requests": 0, "status_5xx": 0, "h_errors": 0, "timed": 0, "p50_ms": null, "p95_ms": null},
                     "after": {"from": "2026-11-23T09:41:00Z", "to": "2026-11-23T09:42:00Z", "requests": 0, "status_5xx": 0, "h_errors": 0, "timed": 0, "p50_ms": null, "p95_ms": null}}}],
     "events": [{"t": "2026-11-23T09:40:30Z", "kind": "config", "dyno": "", "text": "Set FOO config vars by user ops@acme.example"},
                {"t": "2026-11-23T09:40:31Z", "kind": "restart", "dyno": "web.1", "text": "State changed from up to starting"}],
     "untimed_lines": 0, "dropped": 0}
  ]
}`

// compared is valid run with --baseline: the warning is new, and a
// resolved problem is listed.
var compared = strings.NewReplacer(
	`"duration_ms": 840,`, `"duration_ms": 840, "baseline": {"generated_at": "2026-11-23T09:00:00Z", "version": "1.2.2", "new": 1, "ongoing": 0, "resolved": 1},`,
	`"duration_ms": 12, "fingerprint": "0123456789abcdef"}`, `"duration_ms": 12, "fingerprint": "0123456789abcdef", "change": "new"}`,
	`"duration_ms": 9, "fingerprint": "fedcba9876543210"}`, `"duration_ms": 9, "fingerprint": "fedcba9876543210"},
    {"check": "dns.target", "category": "dns", "app": "acme-prod", "subject": "old.acme.com", "status": "ok",
     "code": "DNS_NXDOMAIN", "summary": "old.acme.com does not exist", "detail": "", "remedy": "", "docs": "", "data": {},
     "duration_ms": 0, "fingerprint": "00000000000000aa", "change": "resolved", "previous_status": "critical"}`,
).Replace(valid)

func TestSchemaAcceptsReports(t *testing.T) {
	for name, doc := range map[string]string{"plain": valid, "with a baseline": compared,
		"first of a history": strings.Replace(compared, `"generated_at": "2026-11-23T09:00:00Z", "version": "1.2.2", `, "", 1),
		"a skipped check":    strings.Replace(compared, `"subject": "www.acme.com", "status": "ok"`, `"subject": "www.acme.com", "status": "skipped"`, 1)} {
		if err := schematest.Check([]byte(doc)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSchemaRefusesWhatTheContractForbids: each case breaks one rule of
// docs/report.md, and the schema must say no.
func TestSchemaRefusesWhatTheContractForbids(t *testing.T) {
	cases := []struct {
		name, doc, old, new string
	}{
		{"no fingerprint", valid, `, "fingerprint": "0123456789abcdef"`, ``},
		{"a short fingerprint", valid, `"0123456789abcdef"`, `"0123abcd"`},
		{"a member nobody documented", valid, `"duration_ms": 840,`, `"duration_ms": 840, "extra": true,`},
		{"a check member nobody documented", valid, `"duration_ms": 12,`, `"duration_ms": 12, "severity": 3,`},
		{"another schema version", valid, `"schema_version": 1`, `"schema_version": 2`},
		{"a status that does not exist", valid, `"status": "warning",
     "code"`, `"status": "yellow",
     "code"`},
		{"a category that does not exist", valid, `"category": "dns", "app": "acme-prod", "subject": "shop`, `"category": "cdn", "app": "acme-prod", "subject": "shop`},
		{"a warning without a code", valid, `"code": "DNS_CNAME_HEROKUAPP"`, `"code": ""`},
		{"an info without a code", valid, `"status": "ok",
     "code": ""`, `"status": "info",
     "code": ""`},
		{"an ok check with a code", valid, `"status": "ok",
     "code": ""`, `"status": "ok",
     "code": "DNS_NXDOMAIN"`},
		{"a code in lower case", valid, `"DNS_CNAME_HEROKUAPP"`, `"dns_cname_herokuapp"`},
		{"a time that is not RFC 3339", valid, `"generated_at": "2026-11-23T10:00:00Z"`, `"generated_at": "23/11/2026 10:00"`},
		{"change without a baseline", valid, `"fingerprint": "0123456789abcdef"`, `"fingerprint": "0123456789abcdef", "change": "new"`},
		{"a problem without change under a baseline", compared, `, "change": "new"}`, `}`},
		{"an info with a code without change under a baseline", compared, `"status": "warning",
     "code": "DNS_CNAME_HEROKUAPP", "summary": "s", "detail": "", "remedy": "", "docs": "", "data": {"records": []},
     "duration_ms": 12, "fingerprint": "0123456789abcdef", "change": "new"}`, `"status": "info",
     "code": "DNS_CNAME_HEROKUAPP", "summary": "s", "detail": "", "remedy": "", "docs": "", "data": {"records": []},
     "duration_ms": 12, "fingerprint": "0123456789abcdef"}`},
		{"an ok check marked new", compared, `"fingerprint": "fedcba9876543210"}`, `"fingerprint": "fedcba9876543210", "change": "new"}`},
		{"resolved without its old status", compared, `, "previous_status": "critical"`, ``},
		{"resolved with a status", compared, `"subject": "old.acme.com", "status": "ok"`, `"subject": "old.acme.com", "status": "warning"`},
		{"a change that does not exist", compared, `"change": "new"`, `"change": "worse"`},
		{"a baseline without counts", compared, `"new": 1, "ongoing": 0, "resolved": 1`, `"new": 1`},
		{"a timeline bucket without p95", valid, `, "p95_ms": 380.5`, ``},
		{"a release named, not numbered", valid, `"version": 42`, `"version": "v42"`},
		{"a bucket narrower than a minute", valid, `"bucket_seconds": 60`, `"bucket_seconds": 10`},
		{"an event of no known kind", valid, `"kind": "config"`, `"kind": "party"`},
		{"a comparison without its verdict", valid, `"verdict": "too small a sample", `, ``},
		{"a timeline without its events", valid, `"events": [`, `"happenings": [`},
	}
	for _, c := range cases {
		if !strings.Contains(c.doc, c.old) {
			t.Fatalf("%s: the test's document has no %q", c.name, c.old)
		}
		doc := strings.Replace(c.doc, c.old, c.new, 1)
		if err := schematest.Check([]byte(doc)); err == nil {
			t.Errorf("%s: the schema accepts it", c.name)
		}
	}
}

// TestSchemaKnowsEveryCategoryAndStatus: a category or status added to
// the model must be added to the schema too (which may list more: redis is
// reserved for the Redis checks to come).
func TestSchemaKnowsEveryCategoryAndStatus(t *testing.T) {
	var s struct {
		Defs struct {
			Status struct {
				Enum []string `json:"enum"`
			} `json:"status"`
			Check struct {
				Properties struct {
					Category struct {
						Enum []string `json:"enum"`
					} `json:"category"`
				} `json:"properties"`
			} `json:"check"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Report, &s); err != nil {
		t.Fatal(err)
	}
	for _, c := range report.Categories {
		if !slices.Contains(s.Defs.Check.Properties.Category.Enum, string(c)) {
			t.Errorf("category %q is not in the schema", c)
		}
	}
	for _, st := range report.Statuses {
		if !slices.Contains(s.Defs.Status.Enum, string(st)) {
			t.Errorf("status %q is not in the schema", st)
		}
	}
}
