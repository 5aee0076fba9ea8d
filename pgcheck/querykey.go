package pgcheck

import (
	"regexp"
	"strings"
)

// queryKey is what names a query across runs, for the fingerprint of a
// finding whose subject is a session ("pid 4242": the pid changes when the
// app reconnects, the stuck query does not) or a pg_stat_statements entry
// (whose queryid changes with the major version, and when a table it reads
// is recreated).
// Like pg_stat_statements' normalisation it replaces constants with ?, and
// goes further so that runs of one query agree: string, dollar-quoted,
// numeric and bit/hex literals and $n parameters become ?, lists of them
// (IN (1, 2, 3), VALUES (…), (…)) become one, comments go (Rails' query
// logs and sqlcommenter put request and trace ids there), whitespace is
// collapsed and, outside double-quoted identifiers, case is folded. It is
// cut at 512 bytes: pg_stat_activity cuts a query at
// track_activity_query_size, after literals whose length varies, so only
// the start of a long query is the same from run to run.
func queryKey(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	space := false
	emit := func(s string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(s)
	}
	identChar := func(c byte) bool {
		return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
			i++
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
			space = true
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			i = skipBlockComment(q, i)
			space = true
		case c == '\'':
			i = skipString(q, i, false)
			emit("?")
		case c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			emit(q[i:min(j, len(q))])
			i = j
		case c == '$' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9' && (i == 0 || !identChar(q[i-1])):
			i++
			for i < len(q) && q[i] >= '0' && q[i] <= '9' {
				i++
			}
			emit("?")
		case c == '$' && (i == 0 || !identChar(q[i-1])):
			if end, ok := skipDollarQuote(q, i); ok {
				i = end
				emit("?")
				break
			}
			emit("$")
			i++
		case (c >= '0' && c <= '9' || c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9') && (i == 0 || !identChar(q[i-1])):
			for i < len(q) && (identChar(q[i]) || q[i] == '.' ||
				(q[i] == '+' || q[i] == '-') && (q[i-1] == 'e' || q[i-1] == 'E')) {
				i++
			}
			emit("?")
		case identChar(c):
			j := i
			for j < len(q) && identChar(q[j]) {
				j++
			}
			word := strings.ToLower(q[i:j])
			if j < len(q) && q[j] == '\'' && (word == "e" || word == "b" || word == "x" || word == "n") {
				// A prefixed literal: E'…' (with backslash escapes), B'…', X'…', N'…'.
				i = skipString(q, j, word == "e")
				emit("?")
				break
			}
			emit(word)
			i = j
		default:
			emit(string(c))
			i++
		}
	}
	s := b.String()
	s = listOfConstants.ReplaceAllString(s, "?")
	s = listOfRows.ReplaceAllString(s, "(?)")
	if len(s) > 512 {
		s = s[:512]
	}
	return s
}

var (
	// "?, ?, ?" is one "?".
	listOfConstants = regexp.MustCompile(`\?(?: ?, ?\?)+`)
	// "(?), (?)" is one "(?)": multi-row VALUES.
	listOfRows = regexp.MustCompile(`\(\?\)(?: ?, ?\(\?\))+`)
)

// skipString returns the index after the string literal that starts at the
// quote q[i]: a doubled quote is a quote inside it, and so is a quote after
// a backslash in an E'…' string. An unterminated string (a query cut short)
// runs to the end.
func skipString(q string, i int, backslash bool) int {
	for j := i + 1; j < len(q); j++ {
		switch {
		case backslash && q[j] == '\\':
			j++
		case q[j] == '\'':
			if j+1 < len(q) && q[j+1] == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipDollarQuote reads $tag$…$tag$ starting at q[i]; false when q[i] does
// not start a dollar quote.
func skipDollarQuote(q string, i int) (int, bool) {
	j := i + 1
	for j < len(q) && (q[j] == '_' || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || q[j] >= '0' && q[j] <= '9' || q[j] >= 0x80) {
		j++
	}
	if j >= len(q) || q[j] != '$' {
		return 0, false
	}
	tag := q[i : j+1]
	if end := strings.Index(q[j+1:], tag); end >= 0 {
		return j + 1 + end + len(tag), true
	}
	return len(q), true
}

// skipBlockComment returns the index after the /* … */ comment at q[i];
// Postgres nests them.
func skipBlockComment(q string, i int) int {
	depth := 0
	for i < len(q) {
		switch {
		case strings.HasPrefix(q[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(q[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(q)
}
