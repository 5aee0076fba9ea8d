package pgcheck

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// shorten keeps a query to about n bytes on one line, cut between
// characters (never inside one, which would leave invalid UTF-8).
func shorten(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > n {
		for n > 0 && !utf8.RuneStart(q[n]) {
			n--
		}
		return q[:n] + "…"
	}
	return q
}

func secs(d float64) time.Duration { return time.Duration(d * float64(time.Second)).Round(time.Second) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func qualified(schema, name string) string {
	if schema == "public" {
		return quoteIdent(name)
	}
	return quoteIdent(schema) + "." + quoteIdent(name)
}

func humanBytes(n int64) string { return report.HumanBytes(n) }

func latest(a, b *time.Time) *time.Time {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.After(*b):
		return a
	}
	return b
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func ago(t *time.Time, now time.Time) string {
	if t == nil {
		return "never"
	}
	return report.Ago(now.Sub(*t))
}
