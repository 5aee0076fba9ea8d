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
	// sio is how far a Socket.IO 0.9 path has got: socket.io, protocol,
	// transport, session.
	sio, start, prevAt := 0, 0, 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		s := path[start:i]
		at := len(dst)
		switch {
		case len(s) == 0:
		case sio == 3:
			dst = append(dst, ":session"...)
		case i == len(path) && sockJSTransport(s) && sockJSSession(path[:max(start-1, 0)]):
			// SockJS: /prefix/<server: 1-4 digits>/<session>/<transport>
			dst = append(dst[:prevAt], ":session/"...)
			dst = append(dst, s...)
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
		if sio > 0 || len(s) == len("socket.io") {
			switch {
			case string(s) == "socket.io":
				sio = 1
			case sio == 1 && allDigits(s):
				sio = 2
			case sio == 2 && socketIOTransport(s):
				sio = 3
			default:
				sio = 0
			}
		}
		if i < len(path) {
			dst = append(dst, '/')
		}
		prevAt = at
		start = i + 1
	}
	return dst
}

// sockJSSession tells whether path ends in SockJS's "/<server>/<session>":
// a server id of 1 to 4 digits, then a session id.
func sockJSSession(path []byte) bool {
	i := bytes.LastIndexByte(path, '/')
	if i < 0 || i == len(path)-1 || !tokenChars(path[i+1:]) {
		return false
	}
	j := bytes.LastIndexByte(path[:i], '/')
	server := path[j+1 : i]
	return len(server) > 0 && len(server) <= 4 && allDigits(server)
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
