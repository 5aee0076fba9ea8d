// Package codes is the catalogue: every code heroku-checkup can raise, one
// report.Code each, with its category, default status, meaning, why it
// matters, how it is detected, the remedy template, the Dev Center article
// and where Heroku documents the fact it relies on. Rules raise an entry
// (codes.DNSCNAMEHerokuApp.Raise(app, f)) and state only what is specific
// to their subject; `explain`, `codes` and the README's table print the
// entries. One file per family; All is the one list, written out (as
// golangci-lint keeps its linters), not filled by init functions.
package codes

import (
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/report"
)

//go:generate go run ../internal/gencodes -readme ../README.md

// All is the catalogue in the order `codes` lists it: the general codes,
// then each category in report order.
var All = slices.Concat(general, platform, logs, heroku, dns, tls, postgres, postgresData, redis)

var byID = index(All)

// index maps IDs to entries. A duplicate or empty ID is a bug in this
// package, so it stops the program at once (zlint's registry does the same).
func index(all []*report.Code) map[string]*report.Code {
	m := make(map[string]*report.Code, len(all))
	for _, c := range all {
		if c.ID == "" || strings.ToUpper(c.ID) != c.ID {
			panic("codes: an entry has an empty or lower-case ID: " + c.ID)
		}
		if _, dup := m[c.ID]; dup {
			panic("codes: " + c.ID + " is in the catalogue twice")
		}
		m[c.ID] = c
	}
	return m
}

// Lookup finds an entry by its ID, in any case.
func Lookup(id string) (*report.Code, bool) {
	c, ok := byID[strings.ToUpper(strings.TrimSpace(id))]
	return c, ok
}

// herokuCode is the shape of Heroku's router (H), runtime (R) and logging
// (L) error codes.
var herokuCode = regexp.MustCompile(`^[HRL][0-9]{1,3}$`)

// IsHerokuCode tells whether id has the shape of a Heroku error code.
func IsHerokuCode(id string) bool { return herokuCode.MatchString(id) }

// Heroku is the entry of a Heroku error code seen in the logs: the
// catalogue's, or, for a code Heroku added after this catalogue was
// written, a generic entry under the code's own name that links Heroku's
// list of codes (never an anchor made from the log line's text).
func Heroku(id string) *report.Code {
	if c, ok := byID[id]; ok {
		return c
	}
	return &report.Code{ID: id, Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "Heroku error " + id,
		Why:     "A Heroku error code that this version of heroku-checkup does not describe yet; Heroku's list of error codes explains it.",
		Detects: "A router, runtime or Logplex log line carrying the code.",
		Remedy:  "heroku logs -a {app} | grep " + id, Subject: "CODE",
		Docs: errorCodes, Source: errorCodesSource, Generic: true}
}

// Known tells whether a report may carry id: an entry of the catalogue, or
// a well-formed Heroku error code (raised through its generic entry).
func Known(id string) bool {
	_, ok := byID[id]
	return ok || IsHerokuCode(id)
}

// Suggest lists up to n IDs of the catalogue nearest to a mistyped one:
// those that contain it (or that it contains) first, then by edit distance.
func Suggest(id string, n int) []string {
	id = strings.ToUpper(strings.TrimSpace(id))
	if id == "" {
		return nil
	}
	type cand struct {
		id   string
		rank int
	}
	var cands []cand
	for _, c := range All {
		switch d := distance(id, c.ID); {
		case strings.Contains(c.ID, id) || strings.Contains(id, c.ID):
			cands = append(cands, cand{c.ID, -1000 + d})
		case d <= max(2, len(id)/3):
			cands = append(cands, cand{c.ID, d})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank < cands[j].rank })
	var out []string
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.id)
	}
	return out
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Dev Center articles more than one family links.
const (
	devCenter  = "https://devcenter.heroku.com/articles/"
	errorCodes = devCenter + "error-codes"
	acmArticle = devCenter + "automated-certificate-management"
	sslArticle = devCenter + "ssl"
	domains    = devCenter + "custom-domains"
	// dynoRestarts is where Dev Center now describes restarts, crashes
	// and what Fir does not emit (updated 2025-04-08).
	dynoRestarts = devCenter + "dyno-restarts"
)

// TelemetryDrainsArticle is Dev Center's article on Fir's telemetry drains
// (updated 2024-12-03, read 2026-11-24): the docs of NO_LOG_DRAIN on Fir.
const TelemetryDrainsArticle = devCenter + "working-with-heroku-telemetry-drains"
