package codes

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/herokucli"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// contractCodes are the codes CONTRACT.md lists (its "Codes" section), as
// written there; TestContractListIsCurrent compares them with the file when
// it is at hand.
var contractCodes = []string{
	"DYNO_CRASHED", "DYNO_RESTARTING", "NO_WEB_DYNOS", "SINGLE_WEB_DYNO", "DYNO_ECO_SLEEPS", "STACK_DEPRECATED",
	"STACK_END_OF_LIFE", "MAINTENANCE_MODE", "RELEASE_FAILED", "NO_LOG_DRAIN", "RUNTIME_METRICS_OFF", "PREBOOT_OFF",
	"ACM_FAILING", "SNI_CERT_EXPIRING",
	"H10", "H12", "H13", "H14", "H18", "H27", "R14", "R15", "L10",
	"SLOW_REQUESTS", "REQUEST_QUEUEING", "ERROR_RATE_5XX", "MEMORY_SWAP", "MEMORY_NEAR_QUOTA",
	"DNS_NXDOMAIN", "DNS_NO_RECORDS", "DNS_CNAME_HEROKUAPP", "DNS_CNAME_HEROKUSSL", "DNS_TARGET_MISMATCH",
	"DNS_STATIC_A_RECORD", "DNS_APEX_MISMATCH", "DNS_CAA_BLOCKS_ACM", "DNS_SERVFAIL", "DNS_TIMEOUT",
	"CERT_EXPIRED", "CERT_EXPIRING", "CERT_HOSTNAME_MISMATCH", "CERT_HEROKU_WILDCARD", "CERT_UNTRUSTED",
	"CERT_CHAIN_INCOMPLETE", "CERT_NOT_YET_VALID", "CERT_WEAK_KEY", "CERT_WEAK_SIGNATURE", "TLS_LEGACY_PROTOCOL",
	"TLS_HANDSHAKE_FAILED", "TLS_CONNECT_FAILED", "CERT_MISMATCH_API",
	"PG_UNREACHABLE", "PG_CONNECTIONS_HIGH", "PG_LONG_RUNNING_QUERY", "PG_IDLE_IN_TRANSACTION", "PG_BLOCKED_QUERIES",
	"PG_CACHE_HIT_LOW", "PG_INDEX_HIT_LOW", "PG_UNUSED_INDEX", "PG_INVALID_INDEX", "PG_DUPLICATE_INDEX",
	"PG_TABLE_BLOAT", "PG_VACUUM_STALE", "PG_XID_WRAPAROUND", "PG_SEQUENCE_EXHAUSTION", "PG_SEQ_SCANS",
	"PG_SLOW_QUERIES", "PG_PLAN_LIMIT",
	"PG_NO_BACKUP_SCHEDULE", "PG_BACKUP_FAILED", "PG_BACKUP_STALE", "PG_MAINTENANCE_SCHEDULED",
	"PG_VERSION_DEPRECATED", "PG_VERSION_UNSUPPORTED", "PG_CONNECTION_BUDGET", "PG_DATA_SIZE_LIMIT",
	"REDIS_UNREACHABLE", "REDIS_MEMORY_HIGH", "REDIS_EVICTIONS", "REDIS_CONNECTIONS_HIGH",
	"REDIS_REJECTED_CONNECTIONS", "REDIS_VERSION_DEPRECATED",
	"DEPLOY_REGRESSION",
	"TIMEOUT", "PERMISSION_DENIED", "API_ERROR",
}

// notYetImplemented are the codes of CONTRACT.md that no rule raises yet,
// with the issue that brings them. The catalogue holds only codes the tool
// can raise, so each is here until its rule lands, and then moves to the
// catalogue: this list can only shrink (a code both here and in the
// catalogue fails TestContractCodes).
var notYetImplemented = map[string]string{}

// beyondContract are the codes of the catalogue that CONTRACT.md does not
// name (it allows new ones), each with why it exists; Heroku's own error
// codes are covered by "any H/R/L code seen".
var beyondContract = map[string]string{
	"CHECK_ERROR":           "a check failed for a reason with no code of its own",
	"TLS_ADDRESSES_DIFFER":  "the addresses of one domain serve different certificates",
	"ADDON_NOT_PROVISIONED": "an add-on is not provisioned",
	"STACK_UNKNOWN":         "an info the stack rule gave without a code",
	"ACM_PENDING":           "the ACM infos the platform rules gave without a code",
	"LOGS_EMPTY":            "the info logcheck gave without a code for no line at all",
	"PG_ADDON_STATUS":       "issue 16's follower/HA status from the Data API's info rows, which CONTRACT.md names no code for",
	"LOGS_UNREADABLE":       "log lines that could not be read: an input of which nothing was understood is never ok (issue 14)",
	"LOGS_TRUNCATED":        "a log input that broke off (a truncated gzip download) keeps the lines before, with this warning (issue 13)",
	"PG_STATS_RESET":        "the info pg_stat_statements' young counters gave without a code",
	"PG_PLAN_UNKNOWN":       "the info a plan outside the plan table gave without a code",
	"PG_CLEARTEXT":          "a Postgres session that fell back to cleartext (issue 13, item 15)",
}

// configVarWords are capitalised words of CONTRACT.md's Codes section that
// are config vars, not codes.
var configVarWords = []string{"WEB_CONCURRENCY", "RAILS_MAX_THREADS", "DB_POOL", "REDIS_URL"}

func TestContractCodes(t *testing.T) {
	for _, id := range contractCodes {
		_, inCatalogue := Lookup(id)
		issue, pending := notYetImplemented[id]
		switch {
		case inCatalogue && pending:
			t.Errorf("%s is in the catalogue: remove it from notYetImplemented (%s)", id, issue)
		case !inCatalogue && !pending:
			t.Errorf("CONTRACT.md's %s is neither in the catalogue nor in notYetImplemented", id)
		}
	}
	for id := range notYetImplemented {
		if !slices.Contains(contractCodes, id) {
			t.Errorf("notYetImplemented holds %s, which CONTRACT.md does not list", id)
		}
	}
	for _, c := range All {
		if !slices.Contains(contractCodes, c.ID) && beyondContract[c.ID] == "" && !IsHerokuCode(c.ID) {
			t.Errorf("%s is not in CONTRACT.md: add it to beyondContract with its reason (and tell the lead)", c.ID)
		}
	}
}

// TestContractListIsCurrent compares contractCodes with CONTRACT.md when
// the file is at hand (it lives beside the repository, in ../shared).
func TestContractListIsCurrent(t *testing.T) {
	path := findUp(t, filepath.Join("shared", "CONTRACT.md"))
	if path == "" {
		t.Log("CONTRACT.md is not beside this checkout: the literal list stands alone")
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "## Codes"), strings.Index(text, "## The code catalogue")
	if start < 0 || end < start {
		t.Fatalf("%s has no Codes section", path)
	}
	for _, m := range regexp.MustCompile("`([A-Z][A-Z0-9_]+)`").FindAllStringSubmatch(text[start:end], -1) {
		if !slices.Contains(contractCodes, m[1]) && !slices.Contains(configVarWords, m[1]) {
			t.Errorf("CONTRACT.md names %s, which contractCodes lacks", m[1])
		}
	}
}

// findUp looks for rel in the parents of the working directory.
func findUp(t *testing.T, rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if p := filepath.Join(dir, rel); fileExists(p) {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// checkedDocs are the Dev Center links the catalogue and the rules print,
// each with where someone saw it exist (the article, and the anchor where
// there is one). Checked against the facts note of 2026-11-24 (its §3) and
// re-read on 2026-12-01; a new link joins this list only once someone has
// seen it exist. Error-code anchors are checked apart: see
// errorCodeHeadings.
var checkedDocs = map[string]string{
	acmArticle:                               "DC page crawled (updated 2024-10-16); facts note §3",
	devCenter + "connecting-heroku-postgres": "linked by many repositories (#connecting-in-node-js, #connecting-in-java ...)",
	domains:                                  "DC page; facts note §3",
	domains + "#add-a-custom-root-domain":    "anchor linked by many repositories; facts note §3",
	dynoRestarts:                             "DC page crawled (updated 2025-04-08: restart events not yet available for Fir)",
	devCenter + "eco-dyno-hours":             "linked by a 2026 pricing note; facts note §3",
	errorCodes:                               "DC page crawled (updated 2024-05-07); facts note §3",
	devCenter + "expensive-queries":          "facts note §3 (where slow queries are covered)",
	devCenter + "heroku-postgres-performance-analytics": "linked by many repositories (#pg-diagnose)",
	devCenter + "heroku-postgres-plans":                 "facts note §3",
	devCenter + "http-routing#heroku-router-log-format": "\"Heroku Router Log Format\" in the article's table of contents (updated 2024-11-21); facts note §3",
	devCenter + "log-drains":                            "linked by schema.json's log-drain description; facts note §3",
	devCenter + "log-runtime-metrics":                   "widely linked; facts note §3",
	devCenter + "logging":                               "DC page crawled (updated 2025-11-03); facts note L1",
	devCenter + "maintenance-mode":                      "DC summary crawled; facts note §3",
	devCenter + "managing-add-ons":                      "linked by heroku/cli's addons:upgrade and many repositories",
	devCenter + "managing-vacuum-on-heroku-postgres":    "facts note §3",
	devCenter + "postgres-connection-pooling":           "facts note §3",
	devCenter + "preboot":                               "widely linked; facts note §3",
	devCenter + "releases":                              "linked by many repositories (and #rollback); read 2026-12-01",
	devCenter + "request-timeout":                       "linked from the error-codes page itself; facts note §3",
	devCenter + "scaling":                               "linked by many repositories (#scaling, #process_formation); read 2026-12-01",
	sslArticle:                                          "DC page (updated 2024-02-08); facts note §3",
	devCenter + "stack":                                 "DC page crawled (updated 2024-10-23); facts note §3",
	devCenter + "understanding-postgres-data-caching":   "linked by many repositories (#how-does-postgresql-cache-data)",
	devCenter + "upgrading-heroku-postgres-databases":   "widely linked; documents pg:upgrade:* (updated 2025-10-22); facts note §3",
	TelemetryDrainsArticle:                              "DC page crawled (updated 2024-12-03): heroku telemetry:add, Fir only",
	kvsArticle:                                          "DC page \"Heroku Key-Value Store\" crawled (updated 2024-12-04, read 2026-11-24)",
	pgBackups:                                           "DC page \"Heroku PGBackups\" crawled (updated 2024-05-29, read 2026-11-24)",
	pgMaintenance:                                       "DC page \"Heroku Postgres Maintenance\" crawled (updated 2024-04-15, read 2026-11-24)",
	pgOverPlan:                                          "DC page \"Heroku Postgres Over Plan Capacity\" crawled (updated 2024-04-29, read 2026-11-24)",
	pgVersions:                                          "DC \"Heroku Postgres Version Support\" (updated 2024-10-29), as data-api.md §8.1 and the facts note (P7) cite it",
}

// errorCodeHeadings are the headings of Dev Center's error codes article
// (crawl \"Last updated May 07, 2024\", read 2026-11-24). Dev Center's
// anchor of a heading is anchor(heading), as the article's own table of
// contents links them (#h10-app-crashed, #h16-no-longer-in-use,
// #r14-memory-quota-exceeded in a 2021 copy of it); H82's has an
// apostrophe whose anchor could not be confirmed, so it links the article.
var errorCodeHeadings = []string{
	"H10 App crashed", "H11 Backlog too deep", "H12 Request timeout", "H13 Connection closed without response",
	"H14 No web dynos running", "H15 Idle connection", "H16 (No Longer in Use)", "H17 Poorly formatted HTTP response",
	"H18 Server Request Interrupted", "H19 Backend connection timeout", "H20 App boot timeout",
	"H21 Backend connection refused", "H22 Connection limit reached", "H23 Endpoint misconfigured", "H24 Forced close",
	"H25 HTTP Restriction", "H26 Request Error", "H27 Client Request Interrupted", "H28 Client Connection Idle",
	"H31 Misdirected Request", "H32 TLS Certificate Mismatch", "H80 Maintenance mode", "H81 Blank app",
	"H82 You've used up your dyno hour pool", "H83 Planned Service Degradation", "H99 Platform error",
	"R10 Boot timeout", "R12 Exit timeout", "R13 Attach error", "R14 Memory quota exceeded",
	"R15 Memory quota vastly exceeded", "R16 Detached", "R17 Checksum error", "R99 Platform error",
	"L10 Drain buffer overflow", "L11 Tail buffer overflow", "L12 Local buffer overflow", "L13 Local delivery error",
	"L14 Certificate validation error", "L15 Tail buffer temporarily unavailable",
}

// docsChecked tells whether a link is one someone saw exist.
func docsChecked(url string) bool {
	if _, ok := checkedDocs[url]; ok {
		return true
	}
	if a, ok := strings.CutPrefix(url, errorCodes+"#"); ok {
		for _, h := range errorCodeHeadings {
			if !strings.HasPrefix(h, "H82 ") && anchor(h) == a {
				return true
			}
		}
	}
	return false
}

// badDocs are links the facts note found not to exist, or to be about
// something else.
var badDocs = []string{
	"heroku-postgres-database-tuning#identify-slow-queries", // no such anchor; slow queries are expensive-queries
	"automated-certificate-management#common-problems",      // no such anchor
	"ssl#troubleshooting",                                   // no such anchor
	"heroku-postgres-database-tuning",                       // the VACUUM article, off-topic where it was used
	"ruby-memory-use",                                       // Ruby only; R14 is language-neutral
	"dynos#dyno-crash-restart-policy",                       // restarts moved to dyno-restarts; the anchor is not confirmed today
}

var statuses = []report.Status{report.StatusInfo, report.StatusWarning, report.StatusCritical, report.StatusUnknown}

func TestEntriesAreComplete(t *testing.T) {
	placeholder := regexp.MustCompile(`\{[^}]*\}`)
	for _, c := range All {
		if c.Title == "" || c.Why == "" || c.Detects == "" || c.Remedy == "" {
			t.Errorf("%s: title, why, detects and remedy are all needed", c.ID)
		}
		if !slices.Contains(statuses, c.Status) {
			t.Errorf("%s: default status %q is not one a code can have", c.ID, c.Status)
		}
		if c.Category != "" && !slices.Contains(report.Categories, c.Category) {
			t.Errorf("%s: category %q is not one of report.Categories", c.ID, c.Category)
		}
		general := c.Category == ""
		if !general && (c.Docs == "" || c.Source == "") {
			t.Errorf("%s: a family's code needs its docs and its source", c.ID)
		}
		if c.Docs != "" && !docsChecked(c.Docs) {
			t.Errorf("%s: docs %s is not a Dev Center link of the checked list (checkedDocs, errorCodeHeadings)", c.ID, c.Docs)
		}
		for _, bad := range badDocs {
			if strings.HasSuffix(c.Docs, "/"+bad) {
				t.Errorf("%s: docs %s is a link known not to exist or to be off-topic", c.ID, c.Docs)
			}
		}
		for _, p := range placeholder.FindAllString(c.Remedy, -1) {
			if p != "{app}" && p != "{subject}" {
				t.Errorf("%s: remedy placeholder %s is not {app} or {subject}", c.ID, p)
			}
		}
		if strings.Contains(c.Remedy, "{subject}") && c.Subject == "" {
			t.Errorf("%s: the remedy names {subject} but the entry does not say what it is", c.ID)
		}
		if strings.Contains(c.Remedy, "heroku pg:upgrade ") {
			t.Errorf("%s: heroku pg:upgrade no longer exists (pg:upgrade:prepare/run)", c.ID)
		}
		if c.Generic {
			t.Errorf("%s: a generic entry is made on the fly, never listed", c.ID)
		}
	}
}

// TestHerokuCodesAreHerokus: the error codes carry Heroku's names and link
// their own section of the article, made from those names.
func TestHerokuCodesAreHerokus(t *testing.T) {
	names := map[string]string{"H16": "(No Longer in Use)", "H82": "You've used up your dyno hour pool", "H32": "TLS Certificate Mismatch",
		"H12": "Request timeout", "R14": "Memory quota exceeded", "L10": "Drain buffer overflow"}
	for id, name := range names {
		c, ok := Lookup(id)
		if !ok || c.Title != name {
			t.Errorf("%s: %+v, want Heroku's name %q", id, c, name)
		}
	}
	if c, _ := Lookup("H16"); c.Docs != errorCodes+"#h16-no-longer-in-use" {
		t.Errorf("H16 docs %s", c.Docs)
	}
	for _, c := range heroku {
		if !IsHerokuCode(c.ID) || c.Category != report.CategoryLogs {
			t.Errorf("%s: not a Heroku error code of the logs", c.ID)
		}
		if !slices.Contains(errorCodeHeadings, c.ID+" "+c.Title) {
			t.Errorf("%s: %q is not one of Heroku's headings", c.ID, c.Title)
		}
		if c.ID != "H82" && c.Docs != errorCodes+"#"+anchor(c.ID+" "+c.Title) {
			t.Errorf("%s: docs %s do not link its section", c.ID, c.Docs)
		}
	}
}

func TestLookupHerokuKnownSuggest(t *testing.T) {
	if c, ok := Lookup(" dns_cname_herokuapp "); !ok || c != DNSCNAMEHerokuApp {
		t.Errorf("Lookup is case-insensitive and trims: %v %v", c, ok)
	}
	if _, ok := Lookup("NOPE"); ok {
		t.Error("Lookup found NOPE")
	}
	if c := Heroku("H12"); c != byID["H12"] {
		t.Error("Heroku gives the catalogue's entry")
	}
	g := Heroku("H42")
	if !g.Generic || g.ID != "H42" || g.Docs != errorCodes || g.Status != report.StatusWarning {
		t.Errorf("generic entry: %+v", g)
	}
	for id, want := range map[string]bool{"H12": true, "H42": true, "R999": true, "DNS_TIMEOUT": true, "H1234": false, "X10": false, "h12": false, "": false} {
		if Known(id) != want {
			t.Errorf("Known(%q) = %v", id, !want)
		}
	}
	for typo, want := range map[string]string{"DNS_CNAME_HEROKU": "DNS_CNAME_HEROKUAPP", "PG_SEQ_SCAN": "PG_SEQ_SCANS", "CERT_EXPIRD": "CERT_EXPIRED", "H21X": "H21"} {
		if got := Suggest(typo, 3); len(got) == 0 || got[0] != want {
			t.Errorf("Suggest(%q) = %v, want %s first", typo, got, want)
		}
	}
	if got := Suggest("ZZZZZZZZZZZZ", 3); len(got) != 0 {
		t.Errorf("nothing near: %v", got)
	}
}

func TestIndexRefusesDuplicates(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a duplicate ID was accepted")
		}
	}()
	index([]*report.Code{{ID: "A"}, {ID: "A"}})
}

// TestEveryEntryNamesATestThatRaisesIt checks, without running them, that
// each entry's Test exists in its package and mentions the code (by ID or
// by its variable here); reporttest.Main, run by each of those packages,
// then checks that the package's tests really raised it.
func TestEveryEntryNamesATestThatRaisesIt(t *testing.T) {
	root := filepath.Dir(findUp(t, "go.mod"))
	vars := entryVars(t)
	bodies := map[string]string{} // "pkg.TestName" -> source of the function
	for _, c := range All {
		pkg, name, ok := strings.Cut(c.Test, ".")
		if !ok || !strings.HasPrefix(name, "Test") {
			t.Errorf("%s: Test %q is not package.TestName", c.ID, c.Test)
			continue
		}
		if _, done := bodies[c.Test]; !done {
			bodies[c.Test] = testSource(t, filepath.Join(root, pkg), name)
		}
		body := bodies[c.Test]
		if body == "" {
			t.Errorf("%s: %s does not exist", c.ID, c.Test)
			continue
		}
		mentioned := regexp.MustCompile(`\b` + c.ID + `\b`).MatchString(body)
		if v := vars[c.ID]; v != "" && strings.Contains(body, "codes."+v) {
			mentioned = true
		}
		if !mentioned {
			t.Errorf("%s: %s does not mention it (by ID or as codes.%s)", c.ID, c.Test, vars[c.ID])
		}
	}
	// Each of those packages checks, after its tests, that they raised
	// what names them: its TestMain is reporttest.Main.
	checked := map[string]bool{}
	for _, c := range All {
		pkg, _, _ := strings.Cut(c.Test, ".")
		if checked[pkg] {
			continue
		}
		checked[pkg] = true
		main := testSource(t, filepath.Join(root, pkg), "TestMain")
		if !strings.Contains(main, `reporttest.Main(m, "`+pkg+`")`) {
			t.Errorf("package %s names entries' tests but its TestMain is not reporttest.Main(m, %q)", pkg, pkg)
		}
	}
}

// parseGo parses the Go files of dir whose test-ness is tests.
func parseGo(t *testing.T, fset *token.FileSet, dir string, tests bool) map[string]*ast.File {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*ast.File{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") != tests {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = f
	}
	return out
}

// entryVars maps each ID to the name of its variable in this package.
func entryVars(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, f := range parseGo(t, token.NewFileSet(), ".", false) {
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 {
				return true
			}
			if u, ok := vs.Values[0].(*ast.UnaryExpr); ok {
				if cl, ok := u.X.(*ast.CompositeLit); ok {
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "ID" {
								if lit, ok := kv.Value.(*ast.BasicLit); ok {
									out[strings.Trim(lit.Value, `"`)] = vs.Names[0].Name
								}
							}
						}
					}
				}
			}
			return true
		})
	}
	return out
}

// testSource is the source of the test function name in dir, "" if none.
func testSource(t *testing.T, dir, name string) string {
	fset := token.NewFileSet()
	for path, f := range parseGo(t, fset, dir, true) {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == name && fd.Recv == nil {
				src, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return string(src[fset.Position(fd.Pos()).Offset:fset.Position(fd.End()).Offset])
			}
		}
	}
	return ""
}

// TestRulesRaiseEntries: outside report and this package, no code sets a
// finding's Code by hand (a Finding literal with Code, or an assignment to
// .Code): every code comes from an entry's Raise, so a rule cannot raise a
// code the catalogue does not hold.
func TestRulesRaiseEntries(t *testing.T) {
	root := filepath.Dir(findUp(t, "go.mod"))
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "codes" || rel == "report" || strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				lits := []*ast.CompositeLit{n}
				if a, ok := n.Type.(*ast.ArrayType); ok && isFinding(a.Elt) {
					lits = nil // the elements, which leave their type out
					for _, e := range n.Elts {
						if cl, ok := e.(*ast.CompositeLit); ok {
							lits = append(lits, cl)
						}
					}
				} else if !isFinding(n.Type) {
					return true
				}
				for _, cl := range lits {
					for _, e := range cl.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Code" {
								t.Errorf("%s: a report.Finding literal sets Code by hand; raise a codes entry", fset.Position(kv.Pos()))
							}
						}
					}
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "Code" {
						t.Errorf("%s: an assignment to .Code; raise a codes entry", fset.Position(sel.Pos()))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isFinding tells report.Finding from other types.
func isFinding(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "report" && sel.Sel.Name == "Finding"
}

// TestEveryHerokuHeadingIsCatalogued: the catalogue lists each of Heroku's
// error codes (H32 included), under Heroku's own name.
func TestEveryHerokuHeadingIsCatalogued(t *testing.T) {
	for _, h := range errorCodeHeadings {
		id, title, _ := strings.Cut(h, " ")
		if c, ok := Lookup(id); !ok || c.Title != title {
			t.Errorf("%s: catalogue has %+v", h, c)
		}
	}
}

// TestRemedyTemplatesParseInTheHerokuCLI runs every Heroku CLI command of
// every remedy template (as explain prints it: APP and the subject's
// placeholder word) through the pinned Heroku CLI's own parser, so a
// renamed command or flag fails here. The remedies rules build with real
// subjects are checked by reporttest.Main in each family's tests.
func TestRemedyTemplatesParseInTheHerokuCLI(t *testing.T) {
	texts := map[string]string{}
	for _, c := range append(slices.Clone(All), Heroku("H42")) {
		texts[c.RemedyFor("", "")] = c.ID
		texts[c.RemedyFor("acme-prod", "")] = c.ID
	}
	commands := 0
	for text := range texts {
		commands += len(herokucli.Commands(text))
	}
	if commands < 40 {
		t.Fatalf("only %d commands found in the remedies: is herokucli.Commands reading them?", commands)
	}
	runJS := os.Getenv(herokucli.EnvVar)
	if runJS == "" {
		t.Skipf("%s is not set: ./scripts/test installs the pinned Heroku CLI and sets it", herokucli.EnvVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bad, err := herokucli.CheckTexts(ctx, runJS, texts)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// TestUncodedIsCheckError: the code report.New gives a finding without one
// is the catalogue's CHECK_ERROR.
func TestUncodedIsCheckError(t *testing.T) {
	if CheckError.ID != report.UncodedID {
		t.Errorf("report.UncodedID is %s, the catalogue's CHECK_ERROR is %s", report.UncodedID, CheckError.ID)
	}
}
