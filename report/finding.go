// Package report holds the finding model shared by every check, the report
// built from findings, its redaction, its renderers and the exit code it maps to.
// It knows nothing of the network: checks fill it, commands render it.
package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// SchemaVersion is the version of the JSON report. It changes only when a
// field is renamed or removed; new fields and new codes keep it.
const SchemaVersion = 1

// Tool is the name written into every report.
const Tool = "heroku-checkup"

// Status is the verdict of one check.
type Status string

const (
	StatusOK       Status = "ok"
	StatusInfo     Status = "info"
	StatusWarning  Status = "warning"
	StatusCritical Status = "critical"
	StatusUnknown  Status = "unknown"
	StatusSkipped  Status = "skipped"
)

// Statuses lists every status, worst first: the order reports are sorted in.
var Statuses = []Status{StatusCritical, StatusUnknown, StatusWarning, StatusInfo, StatusOK, StatusSkipped}

// Severity orders statuses for the report's verdict: skipped < ok < info <
// warning < unknown < critical. Unknown sits above warning because a check
// that could not decide may hide anything, and below critical because it has
// not proven a failure.
func (s Status) Severity() int {
	switch s {
	case StatusOK:
		return 1
	case StatusInfo:
		return 2
	case StatusWarning:
		return 3
	case StatusUnknown:
		return 4
	case StatusCritical:
		return 5
	default:
		return 0
	}
}

// IsProblem tells whether a finding with this status asks for attention.
func (s Status) IsProblem() bool {
	return s == StatusWarning || s == StatusCritical || s == StatusUnknown
}

// Category groups checks; the order of Categories is the order of the report.
type Category string

const (
	CategoryPlatform Category = "platform"
	CategoryLogs     Category = "logs"
	CategoryDNS      Category = "dns"
	CategoryTLS      Category = "tls"
	CategoryPostgres Category = "postgres"
	CategoryRedis    Category = "redis"
)

// categories is the one list of categories, in report order, with the
// heading the human renderers give each: the --only/--skip names, the
// usage strings and ParseCategory all read it.
var categories = []struct {
	c     Category
	title string // the heading
	prose string // the word in a sentence
}{
	{CategoryPlatform, "Platform", "platform"},
	{CategoryLogs, "Logs", "logs"},
	{CategoryDNS, "DNS", "DNS"},
	{CategoryTLS, "TLS", "TLS"},
	{CategoryPostgres, "Postgres", "Postgres"},
	{CategoryRedis, "Redis", "Redis"},
}

// Categories in report order.
var Categories = func() []Category {
	out := make([]Category, len(categories))
	for i, c := range categories {
		out[i] = c.c
	}
	return out
}()

// CategoryNames is "platform, logs, dns, tls, postgres", for usage lines.
func CategoryNames(sep string) string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, sep)
}

// CategoryProse is "platform, logs, DNS, TLS and Postgres", for sentences.
func CategoryProse() string {
	words := make([]string, len(categories))
	for i, c := range categories {
		words[i] = c.prose
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func (c Category) rank() int {
	if i := slices.Index(Categories, c); i >= 0 {
		return i
	}
	return len(Categories)
}

// Title is the heading used by the human renderers.
func (c Category) Title() string {
	for _, e := range categories {
		if e.c == c {
			return e.title
		}
	}
	return strings.ToUpper(string(c))
}

// ParseCategory accepts the names of Categories.
func ParseCategory(s string) (Category, error) {
	for _, c := range Categories {
		if string(c) == strings.ToLower(strings.TrimSpace(s)) {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown category %q (want one of %s)", s, CategoryNames(", "))
}

// Finding is one verdict of one check on one subject.
type Finding struct {
	Check    string         // dotted name, e.g. "dns.target"
	Category Category       // one of Categories
	App      string         // the Heroku app, empty for bare subjects
	Subject  string         // a domain, a dyno, a database variable, an index ...
	Status   Status         // ok, info, warning, critical, unknown, skipped
	Code     string         // empty for ok; an ID of the catalogue (package codes) otherwise
	Summary  string         // one line
	Detail   string         // more, for humans
	Remedy   string         // the command or change that fixes it (advice; never run by the tool)
	Docs     string         // a Dev Center article
	Data     map[string]any // evidence: records, dates, counts, percentiles
	Duration time.Duration  // time the check took

	// Key, when set, stands for Subject in the fingerprint: for a subject
	// that names something replaced while the problem persists (a backend's
	// pid, a one-off dyno's number), the key names what stays (the query,
	// run.*). See DynoKey.
	Key string
	// Fingerprint identifies the problem across runs (see fingerprint.go);
	// New sets it.
	Fingerprint string
	// Change and PreviousStatus compare the finding with a baseline report;
	// both are empty when the run had none (see baseline.go).
	Change         Change
	PreviousStatus Status
}

// Meta is what a report says about the run itself.
type Meta struct {
	Version     string
	GeneratedAt time.Time
	Apps        []string
	Duration    time.Duration
}

// Summary counts findings per status.
type Summary struct {
	OK       int `json:"ok"`
	Info     int `json:"info"`
	Warning  int `json:"warning"`
	Critical int `json:"critical"`
	Unknown  int `json:"unknown"`
	Skipped  int `json:"skipped"`
}

// Count returns the number of findings with status s.
func (s Summary) Count(st Status) int {
	switch st {
	case StatusOK:
		return s.OK
	case StatusInfo:
		return s.Info
	case StatusWarning:
		return s.Warning
	case StatusCritical:
		return s.Critical
	case StatusUnknown:
		return s.Unknown
	case StatusSkipped:
		return s.Skipped
	}
	return 0
}

func (s *Summary) add(st Status) {
	switch st {
	case StatusOK:
		s.OK++
	case StatusInfo:
		s.Info++
	case StatusWarning:
		s.Warning++
	case StatusCritical:
		s.Critical++
	case StatusUnknown:
		s.Unknown++
	case StatusSkipped:
		s.Skipped++
	}
}

// Section is extra human-facing evidence a command attaches to a report: a
// table (one row per domain, per certificate ...) or preformatted text (dig's
// answer sections). The JSON report leaves sections out: its findings' data
// already carry the same facts.
type Section struct {
	Title  string
	Header []string
	Rows   [][]string
	Text   string // preformatted; used when Header is empty
}

// Report is the result of one run.
type Report struct {
	SchemaVersion int
	Tool          string
	Meta
	Status   Status
	Summary  Summary
	Checks   []Finding
	Sections []Section
	Notes    []string // shown by the human renderers, e.g. "this is a simulated app"
	// Baseline says what the report was compared with (--baseline); nil
	// when it was not.
	Baseline *BaselineInfo
	// Timelines are the apps' log timelines, when logs were read.
	Timelines []Timeline
}

// New builds a report: it fills defaults, sorts the findings in report order
// and computes the verdict and the counts. Under test it panics on a finding
// that needs a code and has none (CONTRACT.md: every info, warning, critical
// and unknown check has one), so no test can pass with such a finding.
func New(meta Meta, findings []Finding) Report {
	checks := slices.Clone(findings)
	for i := range checks {
		if checks[i].Status == "" {
			checks[i].Status = StatusUnknown
		}
		if checks[i].Status == StatusOK {
			checks[i].Code = ""
		}
	}
	if testing.Testing() {
		if err := CheckCodes(checks, nil); err != nil {
			panic(err)
		}
	}
	codeless(checks)
	Sort(checks)
	fingerprint(checks)
	r := Report{SchemaVersion: SchemaVersion, Tool: Tool, Meta: meta, Checks: checks}
	if r.Apps == nil {
		r.Apps = []string{}
	}
	r.Status = Worst(checks)
	for _, f := range checks {
		r.Summary.add(f.Status)
	}
	return r
}

// UncodedID is the code a finding that needs one and has none gets in a
// report (codes.CheckError's): a bug, which tests catch in New, must still
// not give a user a problem without a code.
const UncodedID = "CHECK_ERROR"

// codeless gives UncodedID to each info, warning, critical or unknown
// finding without a code.
func codeless(checks []Finding) {
	for i := range checks {
		if f := &checks[i]; f.Code == "" && f.Status != StatusOK && f.Status != StatusSkipped {
			f.Code = UncodedID
		}
	}
}

// Worst is the report's status: the most severe of its findings, ok when none
// ran (skipped findings do not count).
func Worst(findings []Finding) Status {
	worst := StatusOK
	for _, f := range findings {
		if f.Status.Severity() > worst.Severity() {
			worst = f.Status
		}
	}
	return worst
}

// Sort puts findings in report order: worst status first, then category,
// subject, app, check and code, so the order never depends on which check
// finished first.
func Sort(findings []Finding) {
	slices.SortStableFunc(findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Status.Severity(), a.Status.Severity()),
			cmp.Compare(a.Category.rank(), b.Category.rank()),
			cmp.Compare(a.Subject, b.Subject),
			cmp.Compare(a.App, b.App),
			cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// Problems returns the findings that ask for attention, in report order.
func (r Report) Problems() []Finding {
	var out []Finding
	for _, f := range r.Checks {
		if f.Status.IsProblem() {
			out = append(out, f)
		}
	}
	return out
}

// ByCategory returns the findings of one category, in report order.
func (r Report) ByCategory(c Category) []Finding {
	var out []Finding
	for _, f := range r.Checks {
		if f.Category == c {
			out = append(out, f)
		}
	}
	return out
}

// CategoriesPresent lists, in report order, the categories that have findings.
func (r Report) CategoriesPresent() []Category {
	var out []Category
	seen := map[Category]bool{}
	for _, f := range r.Checks {
		seen[f.Category] = true
	}
	for _, c := range Categories {
		if seen[c] {
			out = append(out, c)
			delete(seen, c)
		}
	}
	var rest []Category
	for c := range seen {
		rest = append(rest, c)
	}
	slices.Sort(rest)
	return append(out, rest...)
}
