package logcheck

// NormalizePath appends path to dst with its query dropped and its ids
// collapsed, so that requests for one route share a row:
// /users/123 -> /users/:id, /orders/3f2b...-uuid -> /orders/:uuid,
// /assets/app-9f8e7d6c5b4a3f2e.js keeps its name but long hex runs and
// opaque tokens become :hash and :token.
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
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		seg := path[start:i]
		switch {
		case len(seg) == 0:
		case allDigits(seg):
			dst = append(dst, ":id"...)
		case isUUID(seg):
			dst = append(dst, ":uuid"...)
		case len(seg) >= 16 && allHex(seg):
			dst = append(dst, ":hash"...)
		case len(seg) >= 20 && hasDigit(seg) && tokenChars(seg):
			dst = append(dst, ":token"...)
		default:
			dst = append(dst, seg...)
		}
		if i < len(path) {
			dst = append(dst, '/')
		}
		start = i + 1
	}
	return dst
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
		if !(isHex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '-' || c == '_') {
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
