package logcheck

// scanKV reads key=value pairs the way a person reads a damaged logfmt
// line, calling fn for each: an unquoted value runs to the next space
// (so the router's pre-2014 unquoted paths keep their "=", as in
// path=/users?sort=&direction=), a quoted one to its closing quote, and a
// value cut off by the end of the line (a terminal's wrap, a paste cut
// short) ends there. Words without "=" are skipped. It reports whether
// the line was damaged: a quote left open, or a stray quote outside a
// value. It serves the lines go-logfmt refuses; the values are slices of
// msg (escapes inside quotes are left as written).
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
			for i < len(msg) && msg[i] != ' ' {
				i++
			}
			continue
		}
		key := msg[start:i]
		i++ // '='
		if i < len(msg) && msg[i] == '"' {
			i++
			vs := i
			for i < len(msg) && msg[i] != '"' {
				if msg[i] == '\\' && i+1 < len(msg) {
					i++
				}
				i++
			}
			if i >= len(msg) {
				fn(key, msg[vs:])
				return true
			}
			fn(key, msg[vs:i])
			i++
			if i < len(msg) && msg[i] != ' ' {
				damaged = true // text glued to the closing quote
				for i < len(msg) && msg[i] != ' ' {
					i++
				}
			}
			continue
		}
		vs := i
		for i < len(msg) && msg[i] != ' ' {
			if msg[i] == '"' {
				damaged = true // a stray quote: host=myapp.herokuapp.com"
			}
			i++
		}
		if len(key) > 0 {
			fn(key, msg[vs:i])
		}
	}
	return damaged
}
