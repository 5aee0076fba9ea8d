package logcheck

import "bytes"

// Format is the framing a log line came in: what the tool that wrote it
// (the Heroku CLI, Logplex's drains, Papertrail, a log service's viewer)
// put around Heroku's message. It is detected line by line, so a file that
// mixes them (a paste from two windows) is read whole.
type Format uint8

const (
	// FormatHeroku: `heroku logs` and log sessions,
	// "2026-11-23T09:50:01.123456+00:00 heroku[router]: at=info ...".
	FormatHeroku Format = iota
	// FormatHerokuNoTime: the same with the timestamp lost or replaced in a
	// paste ("heroku[web.1]: Process exited", "[timestamp] heroku[web.1]:").
	FormatHerokuNoTime
	// FormatPapertrailViewer: Papertrail's event viewer and CLI,
	// "Jan 08 10:55:11 myapp heroku/web.1:  Error R14 ...".
	FormatPapertrailViewer
	// FormatPapertrailTSV: a Papertrail archive row (10 TAB-separated columns).
	FormatPapertrailTSV
	// FormatSyslog: an RFC 5424 frame as Logplex's drains send it,
	// "<158>1 2018-... host heroku router - at=info ...".
	FormatSyslog
	// FormatSyslogCounted: the same with the RFC 6587 octet count in front
	// ("255 <158>1 ..."); several frames may share one line.
	FormatSyslogCounted
	// FormatSyslogReceiver: a frame after a receiver's own timestamp
	// ("2015-10-14 17:47:27.564 295 <158>1 ...", "09 Mar 2020 11:27:50.518146 <45>1 ...").
	FormatSyslogReceiver
	// FormatSyslogBare: what log viewers show of a frame without its PRI and
	// version ("2015-01-26 00:19:09.709711+00:00 heroku web.1 - - ...",
	// "heroku router - - at=info ...").
	FormatSyslogBare
	// FormatMessage: a Heroku message without any prefix (a paste of the
	// message alone: "at=error code=H10 ...", "Error R14 (Memory quota exceeded)").
	FormatMessage
	numFormats
)

var formatNames = [numFormats]string{
	FormatHeroku:           "heroku logs",
	FormatHerokuNoTime:     "heroku logs without timestamps",
	FormatPapertrailViewer: "Papertrail viewer",
	FormatPapertrailTSV:    "Papertrail archive (TSV)",
	FormatSyslog:           "RFC 5424 drain frames",
	FormatSyslogCounted:    "RFC 5424 drain frames with octet counts",
	FormatSyslogReceiver:   "RFC 5424 frames after a receiver's timestamp",
	FormatSyslogBare:       "syslog frames without PRI (a log viewer's)",
	FormatMessage:          "messages without a prefix",
}

func (f Format) String() string {
	if f < numFormats {
		return formatNames[f]
	}
	return "unknown"
}

// record is one log line taken apart: who wrote it and what it said.
type record struct {
	ts     []byte // the timestamp as written, nil when there is none
	tsOK   bool   // ts is known to be a whole ISO timestamp (isoPrefix said so)
	viewer bool   // ts is Papertrail's "Jan 08 10:55:11" (no year, the viewer's time zone)
	source []byte // "heroku", "app", "heroku-router" ...; nil when the line does not say
	dyno   []byte // "router", "web.1", "log-shuttle" ...; nil when it does not say
	msg    []byte
	format Format
}

// frame takes one line apart into r. It returns what follows the record
// on the same line: octet-counted drain frames may follow each other with
// no newline. A line in none of the framings comes back as FormatMessage
// with no source: the message alone, for the caller to judge by its
// content.
func frame(line []byte, r *record) (rest []byte) {
	*r = record{}
	line = trimQuoting(line)
	if len(line) == 0 {
		r.format = FormatMessage
		return nil
	}
	switch c := line[0]; {
	case isDigit(c):
		if tsvID(line) > 0 && splitPapertrail(line, r) {
			return nil
		}
		if n := isoPrefix(line); n > 0 {
			ts, after := line[:n], skipSpaces(line[n:])
			if start, ok := syslogStart(after); ok {
				// A receiver's timestamp (Logentries) before a frame.
				return syslogFrame(after[start:], after[:start], FormatSyslogReceiver, r)
			}
			if splitSourceDyno(after, r) {
				r.ts, r.tsOK, r.format = ts, true, FormatHeroku
				return nil
			}
			if splitBareSyslog(after, r) {
				r.ts, r.tsOK = ts, true
				return nil
			}
			r.ts, r.tsOK, r.msg, r.format = ts, true, after, FormatMessage
			return nil
		}
		if start, ok := syslogStart(line); ok {
			return syslogFrame(line[start:], line[:start], FormatSyslogCounted, r)
		}
		if i := receiverPRI(line); i > 0 {
			return syslogFrame(line[i:], nil, FormatSyslogReceiver, r)
		}
	case c == '<':
		if _, ok := syslogStart(line); ok {
			return syslogFrame(line, nil, FormatSyslog, r)
		}
	case c == 0xc2 && len(line) > 1 && line[1] == 0xbb:
		// Logentries' viewer: "» 07:39:26.195 2014-09-19 11:39:25.9+00:00 heroku router - - ..."
		// or "» 3 Apr 2015 00:33:08.641 2015-04-03 ...": skip to the frame's own time.
		if i := isoWithin(line[2:], 40); i >= 0 {
			inner := line[2+i:]
			if n := isoPrefix(inner); n > 0 && splitBareSyslog(skipSpaces(inner[n:]), r) {
				r.ts, r.tsOK = inner[:n], true
				return nil
			}
		}
		if i := receiverPRI(line); i > 0 {
			return syslogFrame(line[i:], nil, FormatSyslogReceiver, r)
		}
	default:
		if splitViewer(line, r) {
			return nil
		}
	}
	if splitSourceDyno(line, r) {
		r.format = FormatHerokuNoTime
		return nil
	}
	if splitBareSyslog(line, r) {
		return nil
	}
	// "[timestamp] heroku[web.1]: ..." and "018-11-30T13:18:41... heroku[router]: ...":
	// a first word that is no time, then the usual prefix.
	if sp := bytes.IndexByte(line, ' '); sp > 0 && splitSourceDyno(skipSpaces(line[sp+1:]), r) {
		r.format = FormatHerokuNoTime
		return nil
	}
	*r = record{msg: line, format: FormatMessage}
	return nil
}

// trimQuoting drops what pastes put in front of a line: indentation, and
// Markdown's quote marker ("> ").
func trimQuoting(b []byte) []byte {
	for {
		b = skipSpaces(b)
		if len(b) >= 2 && b[0] == '>' && b[1] == ' ' {
			b = b[2:]
			continue
		}
		return b
	}
}

func skipSpaces(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// isoPrefix is the length of the timestamp at the start of b:
// 2026-11-23T09:50:01.123456+00:00, ...Z, 2015-01-26 00:19:09.709711+00:00,
// 2011-02-10 00:19:36 -0800 (Papertrail's help page), or 0.
func isoPrefix(b []byte) int {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return 0
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(b[i]) {
			return 0
		}
	}
	n := 19
	if n < len(b) && b[n] == '.' {
		n++
		for n < len(b) && isDigit(b[n]) {
			n++
		}
	}
	if n < len(b) && b[n] == 'Z' {
		n++
	}
	if z := zoneLen(b[n:]); z > 0 {
		n += z
	} else if n+1 < len(b) && b[n] == ' ' && (b[n+1] == '+' || b[n+1] == '-') {
		if z := zoneLen(b[n+1:]); z > 0 {
			n += 1 + z
		}
	}
	return n
}

// zoneLen is the length of a "+00:00" or "-0800" offset at the start of b.
func zoneLen(b []byte) int {
	if len(b) < 5 || (b[0] != '+' && b[0] != '-') || !isDigit(b[1]) || !isDigit(b[2]) {
		return 0
	}
	if b[3] == ':' && len(b) >= 6 && isDigit(b[4]) && isDigit(b[5]) {
		return 6
	}
	if isDigit(b[3]) && isDigit(b[4]) {
		return 5
	}
	return 0
}

// isoWithin finds the start of a timestamp in the first n bytes of b, or -1.
func isoWithin(b []byte, n int) int {
	for i := 0; i < len(b) && i < n; i++ {
		if isDigit(b[i]) && (i == 0 || b[i-1] == ' ') && isoPrefix(b[i:]) > 0 {
			return i
		}
	}
	return -1
}

// syslogStart reports where the frame begins in b: at once ("<158>1 ..."),
// or after an RFC 6587 octet count ("255 <158>1 ...").
func syslogStart(b []byte) (int, bool) {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i > 0 {
		if i > 7 || i >= len(b) || b[i] != ' ' {
			return 0, false
		}
		i++
	}
	return i, priLen(b[i:]) > 0
}

// priLen is the length of "<PRI>VERSION " at the start of b, or 0.
func priLen(b []byte) int {
	if len(b) < 5 || b[0] != '<' {
		return 0
	}
	i := 1
	for i < len(b) && i <= 4 && isDigit(b[i]) {
		i++
	}
	if i == 1 || i >= len(b) || b[i] != '>' {
		return 0
	}
	i++
	v := i
	for i < len(b) && i-v < 2 && isDigit(b[i]) {
		i++
	}
	if i == v || i >= len(b) || b[i] != ' ' {
		return 0
	}
	return i + 1
}

// receiverPRI finds a frame after a receiver's prefix made of dates and
// times ("09 Mar 2020 11:27:50.518146 <45>1 ..."): the index of its "<".
func receiverPRI(b []byte) int {
	for i := 1; i < len(b) && i < 48; i++ {
		if b[i] == '<' && b[i-1] == ' ' && priLen(b[i:]) > 0 {
			return i
		}
		if c := b[i]; !(isDigit(c) || c == ' ' || c == ':' || c == '.' || c == '-' || c == '+' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80) {
			return 0
		}
	}
	return 0
}

// syslogFrame reads "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG"
// in the layouts Heroku's drains and the tools after them produce. prefix
// is what came before the frame (an octet count, a receiver's timestamp
// and count): the count, when it fits, says where the next frame starts.
func syslogFrame(b, prefix []byte, format Format, r *record) (rest []byte) {
	r.format = format
	if count := trailingCount(prefix); count > 0 {
		b, rest = cutFrame(b, count)
	}
	hdr := priLen(b)
	b = b[hdr:]
	tsEnd := bytes.IndexByte(b, ' ')
	if tsEnd < 0 {
		r.msg = nil
		r.ts = b
		return rest
	}
	if b[0] != '-' {
		r.ts = b[:tsEnd]
	}
	b = b[tsEnd+1:]
	if splitSourceDyno(b, r) {
		// "<134>1 TIME app[heroku-redis]: ...": a drain frame around a
		// heroku logs line, as some drains' tests write them.
		return rest
	}
	var tok [5][]byte
	var after [5][]byte
	cur := b
	n := 0
	for n < 5 {
		cur = skipSpaces(cur)
		if len(cur) == 0 {
			break
		}
		sp := bytes.IndexByte(cur, ' ')
		if sp < 0 {
			tok[n], after[n] = cur, nil
			n++
			break
		}
		tok[n], after[n] = cur[:sp], cur[sp+1:]
		cur = cur[sp+1:]
		n++
	}
	if n == 0 {
		return rest
	}
	// Which token is the app-name (Heroku's source)? Logplex writes
	// "host heroku router -" (HTTPS drains) and "d.TOKEN heroku router - -"
	// (syslog drains); receivers drop the hostname ("heroku router - -");
	// the early HTTPS drains put the dyno there ("heroku web.3 d.TOKEN -").
	var msgAt int // index of the last header token
	switch {
	case n >= 2 && isSource(tok[0]) && !isSource(tok[1]):
		if n >= 3 && bytes.HasPrefix(tok[2], []byte("d.")) {
			// Early HTTPS drains: hostname "heroku", app-name the dyno, procid the drain.
			r.dyno = tok[1]
			if bytes.Equal(tok[1], []byte("router")) {
				r.source = tok[0]
			}
			msgAt = 2
		} else {
			r.source, r.dyno = tok[0], nilDash(tok[1])
			msgAt = 1
		}
	case n >= 3:
		r.source, r.dyno = tok[1], nilDash(tok[2])
		msgAt = 2
	default:
		r.msg = b
		return rest
	}
	r.msg = skipNil(after[msgAt], 2)
	return rest
}

// skipNil drops up to n nil values ("- ") and structured data ("[id k="v"]")
// that stand between the header and the message.
func skipNil(b []byte, n int) []byte {
	for ; n > 0 && len(b) > 0; n-- {
		switch {
		case b[0] == '-' && (len(b) == 1 || b[1] == ' '):
			b = b[min(2, len(b)):]
		case b[0] == '[':
			end := sdEnd(b)
			if end < 0 {
				return b
			}
			b = skipSpaces(b[end:])
		default:
			return b
		}
	}
	return b
}

// sdEnd is the index after the structured data at the start of b (one or
// more [..] elements, with \] escaped inside values), or -1.
func sdEnd(b []byte) int {
	i := 0
	for i < len(b) && b[i] == '[' {
		quoted := false
		for i++; i < len(b); i++ {
			c := b[i]
			if c == '\\' && quoted {
				i++
				continue
			}
			if c == '"' {
				quoted = !quoted
			}
			if c == ']' && !quoted {
				break
			}
		}
		if i >= len(b) {
			return -1
		}
		i++
	}
	return i
}

func nilDash(b []byte) []byte {
	if len(b) == 1 && b[0] == '-' {
		return nil
	}
	return b
}

// trailingCount reads the octet count at the end of prefix ("255 "), or 0.
func trailingCount(prefix []byte) int {
	prefix = bytes.TrimRight(prefix, " ")
	i := len(prefix)
	for i > 0 && isDigit(prefix[i-1]) {
		i--
	}
	if i == len(prefix) || len(prefix)-i > 7 || (i > 0 && prefix[i-1] != ' ') {
		return 0
	}
	n, _ := parseUint(prefix[i:])
	return int(n)
}

// cutFrame splits b after the frame of count octets when another frame
// starts there (counts include the LF that follows a frame, or not, so one
// byte either way is allowed). When the count is wrong (hand-written test
// bodies), the next frame is looked for after the header.
func cutFrame(b []byte, count int) (frame, rest []byte) {
	if count >= len(b) {
		return b, nil
	}
	first := -1
	for _, at := range [...]int{count, count - 1, count + 1} {
		if at <= 0 || at >= len(b) || !isDigit(b[at]) {
			continue
		}
		if _, ok := syslogStart(b[at:]); !ok {
			continue
		}
		if plausibleFrame(b[at:]) {
			return bytes.TrimRight(b[:at], " "), b[at:]
		}
		if first < 0 {
			first = at
		}
	}
	if first > 0 {
		return bytes.TrimRight(b[:first], " "), b[first:]
	}
	for i := priLen(b); i < len(b); {
		j := bytes.Index(b[i:], []byte(" <"))
		if j < 0 {
			break
		}
		j += i + 1 // the "<"
		k := j - 1
		for k > 0 && isDigit(b[k-1]) {
			k--
		}
		if k < j-1 && priLen(b[j:]) > 0 {
			return bytes.TrimRight(b[:k], " "), b[k:]
		}
		i = j
	}
	return b, nil
}

// plausibleFrame tells whether the octet count at the start of b fits what
// follows it: the rest of the line, or the start of yet another frame. It
// decides between "...0.291 <158>1" read as a frame of 291 octets or of 91.
func plausibleFrame(b []byte) bool {
	start, _ := syslogStart(b)
	n, _ := parseUint(b[:start-1])
	body := len(b) - start
	if d := body - int(n); d >= -1 && d <= 1 {
		return true
	}
	if int(n) < body {
		for _, at := range [...]int{int(n), int(n) - 1, int(n) + 1} {
			if at > 0 && at < body {
				if _, ok := syslogStart(b[start+at:]); ok && isDigit(b[start+at]) {
					return true
				}
			}
		}
	}
	return false
}

// isSource tells Heroku's sources: "heroku" (the platform), "app" (the
// dynos' output, add-ons and the API), and Fir's "heroku-router" and
// its siblings.
func isSource(b []byte) bool {
	return bytes.Equal(b, []byte("heroku")) || bytes.Equal(b, []byte("app")) || bytes.HasPrefix(b, []byte("heroku-"))
}

// splitSourceDyno reads "source[dyno]: msg" (and "source: msg" for the
// lines Logplex writes with no process).
func splitSourceDyno(b []byte, r *record) bool {
	i := 0
	for i < len(b) && isNameChar(b[i]) && b[i] != '.' {
		i++
	}
	if i == 0 || i >= len(b) {
		return false
	}
	switch b[i] {
	case '[':
		end := i + 1
		for end < len(b) && isNameChar(b[end]) {
			end++
		}
		if end >= len(b) || b[end] != ']' || end+1 >= len(b) || b[end+1] != ':' {
			return false
		}
		r.source, r.dyno = b[:i], b[i+1:end]
		r.msg = skipSpaces(b[end+2:])
		return true
	case ':':
		if !isSource(b[:i]) || (i+1 < len(b) && b[i+1] != ' ') {
			return false
		}
		r.source, r.msg = b[:i], skipSpaces(b[i+1:])
		return true
	}
	return false
}

func isNameChar(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || isDigit(c) || c == '-' || c == '_' || c == '.'
}

// splitBareSyslog reads "[HOSTNAME] SOURCE PROCID - - msg", a frame that lost
// its PRI and version (and often its time and hostname) in a viewer.
func splitBareSyslog(b []byte, r *record) bool {
	var tok [4][]byte
	cur := b
	for i := range tok {
		sp := bytes.IndexByte(cur, ' ')
		if sp <= 0 {
			if i < 3 {
				return false
			}
			tok[i] = cur
			cur = nil
			break
		}
		tok[i], cur = cur[:sp], cur[sp+1:]
	}
	dash := func(t []byte) bool { return len(t) == 1 && t[0] == '-' }
	switch {
	case isSource(tok[0]) && dash(tok[2]):
		r.source, r.dyno = tok[0], tok[1]
		r.msg = skipNil(b[len(tok[0])+len(tok[1])+2:], 2)
	case isSource(tok[1]) && dash(tok[3]):
		r.source, r.dyno = tok[1], tok[2]
		r.msg = skipNil(b[len(tok[0])+len(tok[1])+len(tok[2])+3:], 2)
	default:
		return false
	}
	r.format = FormatSyslogBare
	return true
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// monthOf is 1-12 for "Jan".."Dec" at the start of b, or 0.
func monthOf(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	for i, m := range months {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			return i + 1
		}
	}
	return 0
}

// splitViewer reads Papertrail's "Jan 08 10:55:11 system program: msg"
// (also with one space and no colon after the program, as some copies have).
func splitViewer(b []byte, r *record) bool {
	// "Jan 08 10:55:11 " is 16 bytes; syslog pads a one-digit day with a space.
	if len(b) < 17 || monthOf(b) == 0 || b[3] != ' ' || b[6] != ' ' || b[9] != ':' || b[12] != ':' || b[15] != ' ' {
		return false
	}
	if !(isDigit(b[5]) && (isDigit(b[4]) || b[4] == ' ') && isDigit(b[7]) && isDigit(b[8]) && isDigit(b[10]) && isDigit(b[11]) && isDigit(b[13]) && isDigit(b[14])) {
		return false
	}
	rest := b[16:]
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return false
	}
	rest = rest[sp+1:] // the system's name
	end := 0
	for end < len(rest) && rest[end] != ' ' {
		end++
	}
	program := bytes.TrimSuffix(rest[:end], []byte(":"))
	if len(program) == 0 {
		return false
	}
	r.ts, r.viewer = b[:15], true
	if slash := bytes.IndexByte(program, '/'); slash > 0 {
		r.source, r.dyno = program[:slash], program[slash+1:]
	} else {
		r.source = program
	}
	r.msg = skipSpaces(rest[end:])
	r.format = FormatPapertrailViewer
	return true
}

// tsvID is the length of a Papertrail row's leading id and its TAB, or 0.
func tsvID(b []byte) int {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	if i == 0 || i >= len(b) || b[i] != '\t' {
		return 0
	}
	return i + 1
}

// splitPapertrail reads a Papertrail archive row: id, generated_at,
// received_at, source_id, source_name, source_ip, facility_name,
// severity_name, program, message; program is "heroku/router" or "app/web.1".
func splitPapertrail(line []byte, r *record) bool {
	field := 0
	start := 0
	var program []byte
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] != '\t' {
			continue
		}
		switch field {
		case 1:
			r.ts = line[start:i]
		case 8:
			program = line[start:i]
		case 9:
			r.msg = line[start:]
			i = len(line)
		}
		field++
		start = i + 1
	}
	if field < 10 || program == nil {
		r.ts, r.msg = nil, nil
		return false
	}
	r.format = FormatPapertrailTSV
	if slash := bytes.IndexByte(program, '/'); slash > 0 {
		r.source, r.dyno = program[:slash], program[slash+1:]
	} else {
		r.source = program
	}
	return true
}
