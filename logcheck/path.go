package logcheck

import "bytes"

// NormalizePath appends path to dst with its query dropped and its ids
// collapsed, so that requests for one route share a row:
// /users/123 -> /users/:id, /orders/3f2b...-uuid -> /orders/:uuid,
// /assets/app-9f8e7d6c5b4a3f2e.js keeps its name but long hex runs and
// opaque tokens (a bot token such as 1020076156:AAGF...) become :hash and
// :token; the session segment of SockJS (/sockjs/649/elwp7owd/websocket)
// and of Socket.IO 0.9 (/socket.io/1/xhr-polling/<sid>) becomes :session.
func NormalizePath(dst, path []byte) []byte {
	for i, c := range path {
		if c == '?' || c == '#' {
			path = path[:i]
			break
		}
	}
	if len(path) == 0 {
		return append(dst, '/')
	}
	sessions := sessionSegments(path)
	start, seg := 0, 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		s := path[start:i]
		switch {
		case len(s) == 0:
		case seg < 64 && sessions&(1<<seg) != 0:
			dst = append(dst, ":session"...)
		case allDigits(s):
			dst = append(dst, ":id"...)
		case isUUID(s):
			dst = append(dst, ":uuid"...)
		case len(s) >= 16 && allHex(s):
			dst = append(dst, ":hash"...)
		case len(s) >= 20 && hasDigit(s) && tokenChars(s):
			dst = append(dst, ":token"...)
		default:
			dst = append(dst, s...)
		}
		if i < len(path) {
			dst = append(dst, '/')
		}
		start = i + 1
		seg++
	}
	return dst
}

// sessionSegments marks (bit i: the i-th segment, counting the empty one
// before the leading slash) the session ids of SockJS and Socket.IO 0.9
// paths: each session is a new id, and would take a row of its own.
func sessionSegments(path []byte) uint64 {
	if !sockJSTransport(path[bytes.LastIndexByte(path, '/')+1:]) && !bytes.Contains(path, []byte("/socket.io/")) {
		return 0
	}
	var segs [64][]byte
	n := 0
	start := 0
	for i := 0; i <= len(path) && n < len(segs); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		segs[n] = path[start:i]
		n++
		start = i + 1
	}
	var marks uint64
	for i := 2; i < n; i++ {
		// SockJS: /prefix/<server: 1-4 digits>/<session>/<transport>
		if sockJSTransport(segs[i]) && len(segs[i-2]) <= 4 && allDigits(segs[i-2]) && len(segs[i-1]) > 0 && tokenChars(segs[i-1]) {
			marks |= 1 << (i - 1)
		}
		// Socket.IO 0.9: /socket.io/<protocol>/<transport>/<session>
		if i+1 < n && string(segs[i-2]) == "socket.io" && allDigits(segs[i-1]) && socketIOTransport(segs[i]) && len(segs[i+1]) > 0 {
			marks |= 1 << (i + 1)
		}
	}
	return marks
}

func sockJSTransport(b []byte) bool {
	switch string(b) {
	case "websocket", "xhr", "xhr_send", "xhr_streaming", "eventsource", "htmlfile", "jsonp", "jsonp_send":
		return true
	}
	return false
}

func socketIOTransport(b []byte) bool {
	switch string(b) {
	case "websocket", "xhr-polling", "jsonp-polling", "htmlfile", "flashsocket":
		return true
	}
	return false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func allHex(b []byte) bool {
	for _, c := range b {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func hasDigit(b []byte) bool {
	for _, c := range b {
		if c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

func tokenChars(b []byte) bool {
	for _, c := range b {
		if !(isHex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

func isUUID(b []byte) bool {
	if len(b) != 36 {
		return false
	}
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}
