// Package reporttest is what the tests of every package ask of findings:
// the finding with a code (on a subject), the finding of a check, the codes
// a list holds; every lookup also checks CONTRACT.md's rule on codes. Main
// runs a package's tests and then checks that the catalogue entries naming
// one of its tests were raised by them.
package reporttest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/internal/herokucli"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Catalogued fails t for every finding that needs a code and has none, or
// has one the catalogue does not hold.
func Catalogued(t testing.TB, fs []report.Finding) {
	t.Helper()
	if err := report.CheckCodes(fs, codes.Known); err != nil {
		t.Error(err)
	}
}

// Find returns the first finding with code, on subject unless subject is
// empty, after checking that every finding of fs is catalogued.
func Find(t testing.TB, fs []report.Finding, code, subject string) (report.Finding, bool) {
	t.Helper()
	Catalogued(t, fs)
	for _, f := range fs {
		if f.Code == code && (subject == "" || f.Subject == subject) {
			return f, true
		}
	}
	return report.Finding{}, false
}

// FindCheck returns the first finding of check.
func FindCheck(t testing.TB, fs []report.Finding, check string) (report.Finding, bool) {
	t.Helper()
	Catalogued(t, fs)
	for _, f := range fs {
		if f.Check == check {
			return f, true
		}
	}
	return report.Finding{}, false
}

// Codes maps "CODE|subject" to each finding that has a code.
func Codes(t testing.TB, fs []report.Finding) map[string]report.Finding {
	t.Helper()
	return byCode(t, fs, func(f report.Finding) string { return f.Code + "|" + f.Subject })
}

// Statuses maps each code of fs to the status it was raised with.
func Statuses(t testing.TB, fs []report.Finding) map[string]report.Status {
	t.Helper()
	m := map[string]report.Status{}
	for k, f := range byCode(t, fs, func(f report.Finding) string { return f.Code }) {
		m[k] = f.Status
	}
	return m
}

// byCode maps key(f) to each finding f that has a code, the last one winning.
func byCode(t testing.TB, fs []report.Finding, key func(report.Finding) string) map[string]report.Finding {
	t.Helper()
	Catalogued(t, fs)
	m := map[string]report.Finding{}
	for _, f := range fs {
		if f.Code != "" {
			m[key(f)] = f
		}
	}
	return m
}

// AllOK fails t for every finding of fs that is not ok: what a healthy
// subject must give.
func AllOK(t testing.TB, fs []report.Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Status != report.StatusOK {
			t.Errorf("%s %s on %q (%s): %s", f.Status, f.Code, f.Subject, f.Check, f.Summary)
		}
	}
}

// Main runs a package's tests (call it from TestMain with the package's
// name) and, when every test ran and passed, fails the run if a catalogue
// entry whose Test names a test of this package was never raised (the entry
// would claim a test that does not prove it), or if a Heroku CLI command in
// a remedy or detail the tests raised is refused by the real Heroku CLI
// (see CheckCommands).
func Main(m *testing.M, pkg string) {
	code := m.Run()
	if code == 0 && ranEverything() {
		if missing := NotRaised(pkg); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "reporttest: these codes name a test of package %s but no test of it raised them: %s\n",
				pkg, strings.Join(missing, ", "))
			code = 1
		}
	}
	if code == 0 && !CheckCommands(os.Stderr, pkg) {
		code = 1
	}
	os.Exit(code)
}

// CheckCommands runs every Heroku CLI command named by the remedies and
// details raised in this test binary through the pinned Heroku CLI's own
// parser (herokucli), when ./scripts/test has said where it is, and writes
// each refusal to w. It tells whether all passed; without the CLI it says
// so and passes.
func CheckCommands(w io.Writer, pkg string) bool {
	texts := report.RaisedTexts()
	if len(texts) == 0 {
		return true
	}
	runJS := os.Getenv(herokucli.EnvVar)
	if runJS == "" {
		fmt.Fprintf(w, "reporttest: %s is not set, so the Heroku CLI commands of package %s's findings were not checked (./scripts/test sets it)\n",
			herokucli.EnvVar, pkg)
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bad, err := herokucli.CheckTexts(ctx, runJS, texts)
	if err != nil {
		fmt.Fprintf(w, "reporttest: checking package %s's commands against the Heroku CLI: %v\n", pkg, err)
		return false
	}
	for _, b := range bad {
		fmt.Fprintf(w, "reporttest: package %s prints a command the Heroku CLI refuses: %s\n", pkg, b)
	}
	return len(bad) == 0
}

// NotRaised lists the entries whose Test is in pkg and that Raise has not
// made in this test binary.
func NotRaised(pkg string) []string {
	raised := report.RaisedCodes()
	var out []string
	for _, c := range codes.All {
		if strings.HasPrefix(c.Test, pkg+".") && !slices.Contains(raised, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// ranEverything tells whether the run had no -run, -skip or -short to leave
// tests out.
func ranEverything() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return !testing.Short()
}
