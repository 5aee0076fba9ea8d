package logcheck

import "bytes"

// scanKV reads the key=value pairs of a router or metrics line (logfmt, as
// Heroku writes them) the way a person reads a damaged one, calling fn for
// each: an unquoted value runs to the next space (so the router's pre-2014
// unquoted paths keep their "=", as in path=/users?sort=&direction=), a
// quoted one to its closing quote, and a value cut off by the end of the
// line (a terminal's wrap, a paste cut short) ends there. Words without
// "=" are skipped. It reports whether the line was damaged: a quote left
// open, or a stray quote outside a value. The values are slices of msg
// (escapes inside quotes are left as written), so nothing is allocated.
//
// A strict logfmt decoder (go-logfmt) stops at the first such value and
// loses the rest of the line, code and status included; Heroku's own lines
// need no more than this.
func scanKV(msg []byte, fn func(k, v []byte)) (damaged bool) {
	i := 0
	for i < len(msg) {
		for i < len(msg) && msg[i] == ' ' {
			i++
		}
		start := i
		for i < len(msg) && msg[i] != ' ' && msg[i] != '=' && msg[i] != '"' {
			i++
		}
		if i >= len(msg) {
			break
		}
		switch msg[i] {
		case ' ':
			continue // a bare word
		case '"':
			damaged = true // a quote where a key should be: skip the word
			i, _ = wordEnd(msg, i)
			continue
		}
		key := msg[start:i]
		i++ // '='
		if i < len(msg) && msg[i] == '"' {
			vs := i + 1
			end := closingQuote(msg, vs)
			if end < 0 {
				if len(key) > 0 {
					fn(key, msg[vs:])
				}
				return true
			}
			if len(key) > 0 {
				fn(key, msg[vs:end])
			}
			i = end + 1
			if i < len(msg) && msg[i] != ' ' {
				damaged = true // text glued to the closing quote
				i, _ = wordEnd(msg, i)
			}
			continue
		}
		vs := i
		var quote bool
		i, quote = wordEnd(msg, i)
		if quote {
			damaged = true // a stray quote: host=myapp.herokuapp.com"
		}
		if len(key) > 0 {
			fn(key, msg[vs:i])
		}
	}
	return damaged
}

// wordEnd is the index of the space after msg[i:], or len(msg), and
// whether the word holds a quote. Unquoted values are short: a loop beats
// IndexByte's set-up.
func wordEnd(msg []byte, i int) (int, bool) {
	quote := false
	for ; i < len(msg); i++ {
		switch msg[i] {
		case ' ':
			return i, quote
		case '"':
			quote = true
		}
	}
	return i, quote
}

// closingQuote is the index of the quote that closes a value starting at
// i (a backslash escapes a quote), or -1.
func closingQuote(msg []byte, i int) int {
	for {
		j := bytes.IndexByte(msg[i:], '"')
		if j < 0 {
			return -1
		}
		j += i
		backslashes := 0
		for k := j - 1; k >= i && msg[k] == '\\'; k-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j
		}
		i = j + 1
	}
}
