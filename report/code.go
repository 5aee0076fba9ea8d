package report

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Code is one entry of the catalogue of codes (package codes holds them
// all): what a finding's code means, its default status, why it matters, how
// heroku-checkup detects it, what fixes it and where Heroku documents it.
// `heroku-checkup explain`, `codes` and the README's table print entries;
// rules raise them with Raise.
type Code struct {
	ID       string
	Category Category // empty for the general codes, which take the category of the check that raises them
	Status   Status   // the default status; a rule may raise it higher or lower for a subject
	Title    string   // the one-line meaning (for Heroku's error codes, Heroku's own name)
	Why      string   // why it matters
	Detects  string   // how heroku-checkup detects it
	// Remedy is a template: {app} and {subject} are filled in by Raise, and
	// shown as APP and the Subject word by explain.
	Remedy  string
	Subject string // what {subject} names, as a placeholder word: DYNO, DOMAIN, DATABASE ...
	Docs    string // a Dev Center article
	Source  string // where Heroku documents the fact the rule relies on, with the date read when it may change
	// Test names the test that raises the code, as "package.TestName"; the
	// catalogue's tests check that it exists, mentions the code and raises it.
	Test string
	// Generic marks an entry made on the fly for a well-formed Heroku error
	// code the catalogue does not list yet.
	Generic bool
}

// Raise makes a finding of this code. f holds what is specific to the
// subject: check, subject, summary, detail, evidence, and its own status,
// remedy or docs where the subject calls for them. Raise sets the code and,
// where f leaves them empty, the code's category, default status, remedy
// (the template, with app and f's subject) and docs. Identity (check, app,
// subject) not set here is stamped by the runner from the job.
func (c *Code) Raise(app string, f Finding) Finding {
	f.Code = c.ID
	if f.Category == "" {
		f.Category = c.Category
	}
	if f.Status == "" {
		f.Status = c.Status
	}
	if f.Remedy == "" {
		f.Remedy = c.RemedyFor(app, f.Subject)
	}
	if f.Docs == "" {
		f.Docs = c.Docs
	}
	if testing.Testing() {
		raised.Store(c.ID, true)
		for _, text := range []string{f.Remedy, f.Detail} {
			if text != "" {
				raisedTexts.LoadOrStore(text, c.ID)
			}
		}
	}
	return f
}

// RemedyFor fills the remedy template: an empty app or subject becomes the
// placeholder word a user replaces.
func (c *Code) RemedyFor(app, subject string) string {
	if app == "" {
		app = "APP"
	}
	if subject == "" {
		subject = c.SubjectWord()
	}
	return strings.NewReplacer("{app}", app, "{subject}", subject).Replace(c.Remedy)
}

// SubjectWord is the placeholder shown for {subject} when there is none.
func (c *Code) SubjectWord() string {
	if c.Subject == "" {
		return "SUBJECT"
	}
	return c.Subject
}

// raised records, in test binaries only, the codes raised while the tests
// ran, so that a package's tests can prove they raise the entries that name
// them (reporttest.Main).
var raised sync.Map

// raisedTexts records, in test binaries only, the remedies and details of
// the findings raised, each with its code, so that the commands they name
// can be checked against the Heroku CLI (reporttest.Main).
var raisedTexts sync.Map

// RaisedTexts maps each remedy and detail Raise made in this test binary
// to the code it was raised with; it is always empty outside tests.
func RaisedTexts() map[string]string {
	out := map[string]string{}
	raisedTexts.Range(func(k, v any) bool {
		out[k.(string)] = v.(string)
		return true
	})
	return out
}

// RaisedCodes lists the codes Raise made in this test binary, sorted; it
// is always empty outside tests.
func RaisedCodes() []string {
	var out []string
	raised.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	slices.Sort(out)
	return out
}

// CheckCodes returns an error naming every finding that breaks CONTRACT.md's
// rule on codes: an info, warning, critical or unknown finding without a
// code, or (when known is given) with a code the catalogue does not hold.
func CheckCodes(findings []Finding, known func(id string) bool) error {
	var bad []string
	for _, f := range findings {
		switch {
		case f.Status == StatusOK || f.Status == StatusSkipped:
		case f.Code == "":
			bad = append(bad, fmt.Sprintf("%s %s on %q has no code: %s", f.Status, f.Check, f.Subject, f.Summary))
		case known != nil && !known(f.Code):
			bad = append(bad, fmt.Sprintf("%s %s on %q has code %s, which is not in the catalogue", f.Status, f.Check, f.Subject, f.Code))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("findings break the catalogue rule:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}
