// Package logcheck reads Heroku router and runtime log lines, from a log
// session, `heroku logs` output, Papertrail (viewer or archive), log-drain
// frames (RFC 5424, with or without octet counts) or pasted messages,
// gzipped or not, streamed in constant memory, and judges them: every
// H/R/L error code, slow requests, queueing, 5xx rate, memory and swap,
// flapping dynos, Heroku Postgres metrics, app-side timeouts. Every line
// it cannot read is counted, with why.
package logcheck

import (
	"bytes"
	"time"
	"unicode/utf8"
)

// Analyzer reads lines one at a time. Router lines are parsed without
// allocating: values are slices of the line, and map lookups with
// string(bytes) keys do not copy.
type Analyzer struct {
	st      Stats
	scratch []byte
	plain   []byte // a line with its colour codes taken out
	// sse: the lines are a server-sent-events stream (a log session read
	// as the Heroku CLI reads it): "id:", "event:" and "retry:" lines are
	// the stream's, and "data: " carries the log line.
	sse      bool
	sseError bool     // the last event line was "event: error": its data is the error
	rec      record   // the line being read
	lineFir  bool     // the line is a Fir app's
	days     dayCache // of the lines' timestamps
}

// NewAnalyzer returns an empty analyzer.
func NewAnalyzer() *Analyzer {
	return &Analyzer{st: newStats(), scratch: make([]byte, 0, 256)}
}

// Line reads one log line (without its newline). A line may hold several
// drain frames; each counts as a line.
func (a *Analyzer) Line(line []byte) {
	line = trimEnd(line)
	if len(line) == 0 {
		return
	}
	if bytes.IndexByte(line, 0x1b) >= 0 {
		// `heroku logs` on a terminal, or with --force-colors / FORCE_COLORS.
		a.plain = stripANSI(a.plain[:0], line)
		line = trimEnd(a.plain)
		if len(line) == 0 {
			return
		}
	}
	if a.sse {
		var ok bool
		if line, ok = a.sseLine(line); !ok {
			return
		}
	} else if bytes.HasPrefix(line, dataPrefix) {
		line = line[len(dataPrefix):]
	}
	for len(line) > 0 {
		rest := frame(line, &a.rec)
		a.st.Lines++
		a.dispatch(&a.rec, line)
		line = rest
	}
}

var dataPrefix = []byte("data: ")

// trimEnd drops the line's end and the spaces Papertrail and pastes leave.
func trimEnd(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ' ', '\t', '\r', '\n':
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}

// sseLine reads one line of a server-sent-events stream: the log line a
// data field carries, or nothing for the stream's own fields.
func (a *Analyzer) sseLine(line []byte) ([]byte, bool) {
	field, value, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return line, true
	}
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(field) {
	case "data":
		if a.sseError {
			a.sseError = false
			if a.st.ReadError == "" {
				a.st.ReadError = "the log stream sent an error event: " + clip(value)
			}
			return nil, false
		}
		return value, len(value) > 0
	case "event":
		a.sseError = string(value) == "error"
		return nil, false
	case "id", "retry", "":
		return nil, false
	}
	return line, true
}

// stripANSI appends b without its escape sequences: CSI (ESC [ ... final
// byte: the colours), OSC (ESC ] ... BEL or ESC \) and other two-byte
// escapes.
func stripANSI(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		if b[i] != 0x1b {
			dst = append(dst, b[i])
			continue
		}
		switch {
		case i+1 < len(b) && b[i+1] == '[':
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			i = j
		case i+1 < len(b) && b[i+1] == ']':
			j := i + 2
			for j < len(b) && b[j] != 0x07 && !(b[j] == 0x1b && j+1 < len(b) && b[j+1] == '\\') {
				j++
			}
			if j < len(b) && b[j] == 0x1b {
				j++
			}
			i = j
		default:
			i++
		}
	}
	return dst
}

// dispatch hands a record to the reader of its source.
func (a *Analyzer) dispatch(r *record, line []byte) {
	a.st.Formats[r.format]++
	a.lineFir = false
	a.read(r, a.time(r), line)
	if a.lineFir {
		a.st.FirLines++
	}
}

func (a *Analyzer) read(r *record, t time.Time, line []byte) {
	src, dyno, msg := r.source, clipKey(r.dyno, maxKeyBytes), r.msg
	if bytes.HasPrefix(src, herokuDash) {
		// Fir: "heroku-router", "heroku-runtime", "heroku-api".
		a.lineFir = true
		switch string(src[len(herokuDash):]) {
		case "router":
			dyno = routerName
		case "api":
			dyno = apiName
		}
		src = herokuName
	}
	switch {
	case src == nil:
		a.message(dyno, msg, t, line, ReasonNoPrefix)
	case string(src) == "heroku" && string(dyno) == "router":
		a.router(msg, t, line)
	case string(src) == "heroku":
		a.platform(dyno, msg, t, line)
	case string(src) == "app":
		a.app(dyno, msg, t, line)
	case string(dyno) == "router":
		// A frame whose app-name is Logplex's channel token (the input side).
		a.router(msg, t, line)
	default:
		a.message(dyno, msg, t, line, ReasonNotHeroku)
	}
}

var (
	herokuDash = []byte("heroku-")
	herokuName = []byte("heroku")
	routerName = []byte("router")
	apiName    = []byte("api")
)

func (a *Analyzer) time(r *record) time.Time {
	if r.ts == nil {
		return time.Time{}
	}
	var t time.Time
	var ok bool
	switch {
	case r.viewer:
		t, ok = parseViewerTime(r.ts)
		a.st.ViewerTimes = a.st.ViewerTimes || ok
	case r.tsOK:
		t, ok = a.days.parse(r.ts)
	default:
		t, ok = parseTime(r.ts)
	}
	if !ok {
		return time.Time{}
	}
	a.st.First = minTime(a.st.First, t)
	a.st.Last = maxTime(a.st.Last, t)
	return t
}

// message reads a message whose source the line does not say (a paste of
// the message alone, an early drain frame) by its content.
func (a *Analyzer) message(dyno, msg []byte, t time.Time, line []byte, reason Reason) {
	switch {
	case isRouterMessage(msg):
		a.router(msg, t, line)
	case isPlatformMessage(msg) || bytes.Contains(msg, sampleLoad) || bytes.Contains(msg, sampleMemory):
		a.platform(dyno, msg, t, line)
	case bytes.Contains(msg, sampleDBSize) || bytes.Contains(msg, sampleActive) || bytes.Contains(msg, sampleHitRate):
		a.addon(dyno, msg, t, line)
	case dyno != nil && reason == ReasonNoPrefix:
		// An early HTTPS drain's frame names the dyno but not the source:
		// a log line, whoever wrote it.
		a.st.AppLines++
	default:
		a.unread(reason, line)
	}
}

// isRouterMessage tells a router line by its fields: "at=info method=...",
// "sock=client at=warning ...", the pre-2013 "Error H12 (...) -> GET ...".
func isRouterMessage(msg []byte) bool {
	if bytes.HasPrefix(msg, []byte("at=")) || bytes.HasPrefix(msg, []byte("sock=")) || bytes.HasPrefix(msg, []byte("- at=")) {
		return true
	}
	if bytes.HasPrefix(msg, errorPrefix) && len(msg) > 7 && msg[6] == 'H' && bytes.Contains(msg, []byte(" -> ")) {
		return true
	}
	if i := bytes.Index(msg, []byte(" at=")); i >= 0 && (bytes.Contains(msg[i:], []byte(" status=")) || bytes.Contains(msg[i:], []byte(" code="))) {
		return true
	}
	// Dev Center's H31 example lost its "at=": "error code=H31 method=GET ... connect= service= status=421".
	// Apps' own request lines (lograge: method= path= status= duration=)
	// have no router timings; the tail of a wrapped router line has no
	// method or code.
	return bytes.Contains(msg, []byte(" status=")) && (bytes.Contains(msg, []byte(" service=")) || bytes.Contains(msg, []byte(" connect="))) &&
		(bytes.Contains(msg, []byte("code=")) || bytes.Contains(msg, []byte("method=")))
}

// isPlatformMessage tells the dyno manager's, Logplex's and the API's
// messages, pasted without their prefix.
func isPlatformMessage(msg []byte) bool {
	if (bytes.HasPrefix(msg, errorPrefix) && codeAt(msg[len(errorPrefix):]) > 0) || isTailCode(msg) {
		return true
	}
	for _, p := range platformMessages {
		if bytes.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

var platformMessages = [][]byte{stateChange, exited, processRunning, []byte("Starting process with command"),
	[]byte("Stopping all processes with SIG"), []byte("Stopping process with SIG"), []byte("Restarting"), []byte("Cycling"),
	[]byte("Idling"), []byte("Unidling"), []byte("Awaiting client"), []byte("Client connection closed"),
	[]byte("Scaled to "), []byte("Release v"), []byte("Deploy "), []byte("Build started"), []byte("Build succeeded"), []byte("Build failed")}

func (a *Analyzer) unread(reason Reason, line []byte) {
	if reason == ReasonNoPrefix || reason == ReasonNotHeroku {
		if !isText(line) {
			reason = ReasonBinary
		}
	}
	a.st.Unread[reason]++
	if len(a.st.UnreadSamples) < maxSamples {
		a.st.UnreadSamples = append(a.st.UnreadSamples, clip(line))
	}
}

// clipKey cuts a value from the logs that becomes a key or a name in the
// statistics (a dyno, a path, a request id) to n bytes, at a character's
// start: the tables are capped in entries, and so in bytes.
func clipKey(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// clip is a short, valid-UTF-8 copy of b for the report.
func clip(b []byte) string {
	if len(b) > sampleBytes {
		b = b[:sampleBytes]
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// isText tells text from binary data: no NUL, few other control bytes,
// and mostly valid UTF-8.
func isText(b []byte) bool {
	ctl, bad := 0, 0
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			if c == 0 {
				return false
			}
			if c < 0x20 && c != '\t' {
				ctl++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		i += n
	}
	return ctl*20 < len(b) && bad*10 < len(b)
}

// routerFields are the router line's values the analysis uses.
type routerFields struct {
	code, desc, method, path, dyno, requestID []byte
	service, connect                          uint32
	status                                    int
	haveService, haveConnect, haveStatus      bool
	badStatus                                 bool
}

func (f *routerFields) set(k, v []byte) {
	switch string(k) {
	case "code":
		f.code = v
	case "desc":
		f.desc = clipKey(v, maxDescBytes)
	case "method":
		f.method = clipKey(v, maxKeyBytes)
	case "path":
		f.path = clipKey(v, maxPathBytes)
	case "dyno", "web": // web=web.1 in the 2010 form
		if len(v) > 0 && string(v) != "none" {
			f.dyno = clipKey(v, maxKeyBytes)
		}
	case "request_id":
		f.requestID = clipKey(v, maxKeyBytes)
	case "service":
		f.service, f.haveService = parseMillis(v)
	case "connect":
		f.connect, f.haveConnect = parseMillis(v)
	case "status":
		if len(v) == 0 {
			return
		}
		if n, ok := parseUint(v); ok && n >= 100 && n < 600 {
			f.status, f.haveStatus = int(n), true
		} else {
			f.badStatus = true
		}
	}
}

func (a *Analyzer) router(msg []byte, t time.Time, line []byte) {
	msg = bytes.TrimPrefix(msg, []byte("- "))
	var f routerFields
	damaged := false
	switch {
	case bytes.HasPrefix(msg, errorPrefix):
		damaged = oldRouterError(msg, &f)
	case isOldRequest(msg):
		damaged = oldRequest(msg, &f)
	default:
		damaged = scanKV(msg, f.set)
	}
	if f.code != nil {
		f.code = trimMarkup(f.code)
		if !isHerokuCode(f.code) {
			a.unread(ReasonBadCode, line)
			return
		}
	}
	if !f.haveStatus && f.code == nil {
		a.unread(ReasonRouter, line)
		return
	}
	a.st.RouterLines++
	if damaged || f.badStatus {
		a.st.RouterPartial++
	}
	if f.haveStatus {
		a.st.Status[f.status]++
	} else {
		a.st.NoStatus++
	}
	if isFirDyno(f.dyno) {
		a.lineFir = true
	}
	// Time that is not work stays out of the percentiles: an upgraded
	// connection's life, a client that hung up, an idle connection cut.
	timed := f.haveService
	switch {
	case f.status == 101:
		a.st.Upgrades++
		a.st.UpgradeMaxMS = max(a.st.UpgradeMaxMS, f.service)
		timed = false
	case f.status == 499 || string(f.code) == "H27":
		a.st.Aborted++
		timed = false
	case string(f.code) == "H15" || string(f.code) == "H28":
		a.st.Idle++
		timed = false
	}
	if timed {
		a.st.Service.Add(f.service)
	}
	a.st.Timeline.router(t, &f, timed)
	if f.haveConnect {
		a.st.Connect.Add(f.connect)
	}
	if f.code != nil {
		a.code(f.code, f.desc, f.dyno, t)
		if string(f.code) == "H12" || string(f.code) == "H13" {
			a.st.Timeouts.router(f.code, f.requestID, f.dyno, t)
		}
	}
	if timed && f.method != nil && f.path != nil {
		a.path(f.method, f.path, f.service, f.status >= 500)
	}
}

// trimMarkup drops Markdown emphasis and code marks pasted around a value
// (code=**H27**, code=`H12`).
func trimMarkup(b []byte) []byte {
	return bytes.Trim(b, "*_`")
}

// isHerokuCode tells the shape of Heroku's router (H), runtime (R) and
// logging (L) error codes, [HRL][0-9]{1,3} (codes.IsHerokuCode, on bytes).
func isHerokuCode(b []byte) bool {
	if len(b) < 2 || len(b) > 4 || (b[0] != 'H' && b[0] != 'R' && b[0] != 'L') {
		return false
	}
	for _, c := range b[1:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// oldRouterError reads the router's form until 2012:
// "Error H12 (Request timeout) -> GET myapp.herokuapp.com/path dyno=web.1 queue= wait= service=30000ms status=503 bytes=0".
func oldRouterError(msg []byte, f *routerFields) bool {
	rest := msg[len(errorPrefix):]
	n := codeAt(rest)
	if n == 0 {
		return true
	}
	f.code = rest[:n]
	rest = rest[n:]
	if lp := bytes.IndexByte(rest, '('); lp >= 0 {
		if rp := bytes.IndexByte(rest[lp:], ')'); rp > 0 {
			f.desc = rest[lp+1 : lp+rp]
		}
	}
	if _, after, ok := bytes.Cut(rest, []byte(" -> ")); ok {
		return oldRequest(after, f)
	}
	return false
}

// isOldRequest tells the 2011-2012 router form, "GET host/path dyno=web.3 ...".
func isOldRequest(msg []byte) bool {
	i := 0
	for i < len(msg) && msg[i] >= 'A' && msg[i] <= 'Z' {
		i++
	}
	return i >= 3 && i <= 7 && i < len(msg) && msg[i] == ' ' && bytes.Contains(msg, []byte(" service="))
}

func oldRequest(msg []byte, f *routerFields) bool {
	method, rest, _ := bytes.Cut(msg, []byte(" "))
	url, kv, _ := bytes.Cut(rest, []byte(" "))
	f.method = method
	if slash := bytes.IndexByte(url, '/'); slash >= 0 {
		f.path = url[slash:]
	} else {
		f.path = []byte("/")
	}
	return scanKV(kv, f.set)
}

func (a *Analyzer) code(code, desc, dyno []byte, t time.Time) {
	cs, ok := a.st.Codes[string(code)]
	if !ok {
		if len(a.st.Codes) >= maxCodes {
			a.st.CodesDropped++
			return
		}
		cs = &CodeStat{Code: string(code), Desc: string(desc)}
		a.st.Codes[cs.Code] = cs
	}
	cs.Count++
	if !t.IsZero() {
		cs.First = minTime(cs.First, t)
		cs.Last = maxTime(cs.Last, t)
	}
	if len(dyno) > 0 && len(cs.Dynos) < maxCodeDyno {
		found := false
		for _, d := range cs.Dynos {
			if d == string(dyno) {
				found = true
				break
			}
		}
		if !found {
			cs.Dynos = append(cs.Dynos, string(dyno))
		}
	}
}

func (a *Analyzer) path(method, path []byte, service uint32, failed bool) {
	key := append(append(a.scratch[:0], method...), ' ')
	key = NormalizePath(key, path)
	a.scratch = key
	ps, ok := a.st.Paths[string(key)]
	if !ok {
		if len(a.st.Paths) >= maxPaths {
			a.st.PathOverflow++
			ps = a.st.overflowRow()
		} else {
			k := string(key)
			ps = &PathStat{Method: string(method), Path: k[len(method)+1:]}
			a.st.Paths[k] = ps
		}
	}
	ps.Hist.Add(service)
	if failed {
		ps.Errors++
	}
}

var (
	errorPrefix    = []byte("Error ")
	stateChange    = []byte("State changed from ")
	exited         = []byte("Process exited")
	processRunning = []byte("Process running mem=")
	sampleMemory   = []byte("sample#memory_total")
	sampleLoad     = []byte("sample#load_avg_1m")
	sampleDBSize   = []byte("sample#db_size")
	sampleActive   = []byte("sample#active-connections")
	sampleHitRate  = []byte("sample#hit-rate")
)

// platform reads the lines of Heroku's own processes about a dyno
// (heroku[web.1]), Logplex (heroku[logplex]) and the API: error codes,
// runtime metrics, memory, state changes and exits. Unrecognised messages
// of these sources are theirs, read and left.
func (a *Analyzer) platform(dyno, msg []byte, t time.Time, line []byte) {
	msg = bytes.TrimPrefix(msg, []byte("- "))
	if isFirDyno(dyno) {
		a.lineFir = true
	}
	if (dyno == nil || string(dyno) == "api") && a.st.Timeline.api(t, msg) {
		a.st.PlatformLines++
		return
	}
	switch {
	case bytes.HasPrefix(msg, errorPrefix) || isTailCode(msg):
		// "Error R14 (Memory quota exceeded)", "Error L10 (output buffer overflow): ...",
		// a tail session's "L11 (Tail buffer overflow) -> ...", log-shuttle's
		// "Error L12: 222 messages dropped ...", and the router's pre-2013
		// "Error H12 (Request timeout) -> GET ..." when it lost its source.
		rest := bytes.TrimPrefix(msg, errorPrefix)
		if n := codeAt(rest); n > 0 {
			if rest[0] == 'H' && bytes.Contains(rest, []byte(" -> ")) {
				a.router(msg, t, line)
				return
			}
			var desc []byte
			if lp := bytes.IndexByte(rest, '('); lp >= 0 {
				if rp := bytes.IndexByte(rest[lp:], ')'); rp > 0 {
					desc = rest[lp+1 : lp+rp]
				}
			}
			a.code(rest[:n], desc, dyno, t)
			a.st.PlatformLines++
			return
		}
	case bytes.HasPrefix(msg, stateChange):
		a.stateChange(dyno, msg[len(stateChange):], t, msg)
	case bytes.HasPrefix(msg, exited):
		a.exit(dyno, msg[len(exited):])
	case bytes.HasPrefix(msg, processRunning):
		a.running(dyno, msg[len(processRunning):], t, line)
		return
	case bytes.HasPrefix(msg, []byte("Stopping ")) && bytes.HasSuffix(msg, []byte("SIGKILL")):
		if st := a.states(dyno); st != nil {
			st.Killed++
		}
	case bytes.Equal(msg, []byte("Restarting")) || bytes.Equal(msg, []byte("Cycling")):
		if st := a.states(dyno); st != nil {
			st.Restarts++
		}
	case bytes.Contains(msg, sampleMemory) || bytes.Contains(msg, sampleLoad):
		a.runtime(dyno, msg, t, line)
		return
	}
	a.st.PlatformLines++
}

// codeAt is the length of the Heroku error code at the start of b, or 0.
func codeAt(b []byte) int {
	if len(b) < 2 || (b[0] != 'R' && b[0] != 'L' && b[0] != 'H') {
		return 0
	}
	n := 1
	for n < len(b) && n <= 3 && isDigit(b[n]) {
		n++
	}
	if n == 1 || (n < len(b) && (isDigit(b[n]) || b[n]|0x20 >= 'a' && b[n]|0x20 <= 'z')) {
		return 0
	}
	return n
}

// isTailCode tells a Logplex line that starts with its code, "L11 (Tail
// buffer overflow) -> ...", from any other message.
func isTailCode(msg []byte) bool {
	return len(msg) >= 5 && msg[0] == 'L' && isDigit(msg[1]) && isDigit(msg[2]) && msg[3] == ' ' && msg[4] == '('
}

// states is the life-cycle counters of dyno, nil when the line names no
// dyno or the table is full.
func (a *Analyzer) states(dyno []byte) *DynoStates {
	if len(dyno) == 0 {
		return nil
	}
	st, ok := a.st.States[string(dyno)]
	if !ok {
		if len(a.st.States) >= maxDynos {
			a.st.StatesDrop++
			return nil
		}
		st = &DynoStates{}
		a.st.States[string(dyno)] = st
	}
	return st
}

// stateChange reads "up to crashed" of "State changed from up to crashed".
func (a *Analyzer) stateChange(dyno, change []byte, t time.Time, msg []byte) {
	from, to, ok := bytes.Cut(change, []byte(" to "))
	if !ok {
		return
	}
	switch {
	case string(to) == "crashed":
		a.st.Timeline.dynoEvent(t, EventCrash, dyno, msg)
	case string(to) == "starting" && string(from) == "up":
		// A restart says "Restarting" (or "Cycling") and then this line:
		// this one is counted, once.
		a.st.Timeline.dynoEvent(t, EventRestart, dyno, msg)
	}
	st := a.states(dyno)
	if st == nil {
		return
	}
	switch string(to) {
	case "crashed":
		st.Crashed++
	case "starting":
		if string(from) == "crashed" {
			st.CrashRestarts++
		} else if string(from) == "up" {
			st.Restarts++
		}
	}
}

// exit reads " with status 137" of "Process exited with status 137".
func (a *Analyzer) exit(dyno, rest []byte) {
	st := a.states(dyno)
	if st == nil {
		return
	}
	num, ok := bytes.CutPrefix(rest, []byte(" with status "))
	if !ok {
		st.Exits[ExitUnknown]++
		return
	}
	n, ok := parseUint(num)
	if !ok || n > 255 {
		st.Exits[ExitUnknown]++
		return
	}
	switch n {
	case 0:
		st.Exits[ExitClean]++
	case 137:
		st.Exits[ExitKilled]++
	case 143:
		st.Exits[ExitTerm]++
	default:
		st.Exits[ExitError]++
	}
	if st.ExitStatuses == nil {
		st.ExitStatuses = map[int]int{}
	}
	st.ExitStatuses[int(n)]++
}

// running reads the dyno manager's "533M(104.3%)" (or "528MB(103.3%)") of
// "Process running mem=533M(104.3%)": the dyno's memory and its share of
// the quota, written next to each R14 and R15.
func (a *Analyzer) running(dyno, b []byte, t time.Time, line []byte) {
	lp := bytes.IndexByte(b, '(')
	if lp <= 0 || !bytes.HasSuffix(b, []byte("%)")) {
		a.unread(ReasonMetrics, line)
		return
	}
	mb, ok1 := parseDecimal(bytes.TrimSuffix(bytes.TrimSuffix(b[:lp], []byte("B")), []byte("M")))
	pct, ok2 := parseDecimal(b[lp+1 : len(b)-2])
	if !ok1 || !ok2 || pct <= 0 {
		a.unread(ReasonMetrics, line)
		return
	}
	a.st.PlatformLines++
	a.st.Timeline.memory(t, dyno, mb, 0, 0, mb*100/pct)
	m := a.mem(dyno)
	if m == nil {
		return
	}
	m.Running++
	m.MaxTotal = max(m.MaxTotal, mb)
	m.MaxShare = max(m.MaxShare, pct/100)
}

// mem is the memory row of a dyno ("" for lines that name none), nil when
// the table is full.
func (a *Analyzer) mem(dyno []byte) *DynoMem {
	m, ok := a.st.Dynos[string(dyno)]
	if !ok {
		if len(a.st.Dynos) >= maxDynos {
			a.st.DynosDropped++
			return nil
		}
		m = &DynoMem{Dyno: string(dyno)}
		a.st.Dynos[m.Dyno] = m
	}
	return m
}

// runtimeFields are the samples of a log-runtime-metrics line.
type runtimeFields struct {
	source                             []byte
	total, rss, swap, quota, load      float64
	haveTotal, haveLoad, badMem, badLd bool
}

func (f *runtimeFields) set(k, v []byte) {
	var ok bool
	switch string(k) {
	case "source":
		f.source = clipKey(v, maxKeyBytes)
	case "sample#memory_total":
		f.total, ok = parseMB(v)
		f.haveTotal, f.badMem = ok, !ok
	case "sample#memory_rss":
		f.rss, _ = parseMB(v)
	case "sample#memory_swap":
		f.swap, _ = parseMB(v)
	case "sample#memory_quota":
		f.quota, _ = parseMB(v)
	case "sample#load_avg_1m":
		f.load, ok = parseDecimal(v)
		f.haveLoad, f.badLd = ok, !ok
	}
}

// runtime reads a log-runtime-metrics line: memory samples and load
// averages come on separate lines, and both count.
func (a *Analyzer) runtime(dyno, msg []byte, t time.Time, line []byte) {
	var f runtimeFields
	scanKV(msg, f.set)
	if !f.haveTotal && !f.haveLoad {
		a.unread(ReasonMetrics, line)
		return
	}
	a.st.RuntimeLines++
	name := dyno
	if len(f.source) > 0 {
		name = f.source
	}
	if isFirDyno(name) {
		a.lineFir = true
	}
	if f.haveTotal {
		a.st.Timeline.memory(t, name, f.total, f.rss, f.swap, f.quota)
	}
	m := a.mem(name)
	if m == nil {
		return
	}
	if f.haveLoad {
		m.LoadSamples++
		m.MaxLoad = max(m.MaxLoad, f.load)
	}
	if !f.haveTotal {
		return
	}
	m.Samples++
	m.MaxTotal = max(m.MaxTotal, f.total)
	m.MaxRSS = max(m.MaxRSS, f.rss)
	m.MaxSwap = max(m.MaxSwap, f.swap)
	if f.quota > 0 {
		m.Quota = f.quota
		m.MaxShare = max(m.MaxShare, f.total/f.quota)
	}
}

// app reads the dynos' own output, where Heroku writes some lines too
// (log-shuttle's L12/L13, a one-off dyno's R13, the add-ons' metrics) and
// where app servers say they timed a request out.
func (a *Analyzer) app(dyno, msg []byte, t time.Time, line []byte) {
	switch {
	case bytes.HasPrefix(msg, errorPrefix) && codeAt(msg[len(errorPrefix):]) > 0:
		// log-shuttle's "Error L12: 222 messages dropped ...", and a one-off
		// dyno's "Error R13 (Attach error) -> ...".
		a.platform(dyno, msg, t, line)
		return
	case bytes.HasPrefix(dyno, []byte("heroku-")) || bytes.Contains(msg, sampleDBSize) || bytes.Contains(msg, sampleHitRate):
		if bytes.Contains(msg, []byte("sample#")) {
			a.addon(dyno, msg, t, line)
			return
		}
	}
	a.st.AppLines++
	if isFirDyno(dyno) {
		a.lineFir = true
	}
	if string(dyno) == "api" && a.st.Timeline.api(t, msg) {
		return
	}
	a.appTimeout(dyno, msg, t)
}

// isFirDyno tells Fir's dyno names, "web-1234abcde-123ab" (process type,
// deployment hash, instance), from Cedar's "web.1".
func isFirDyno(b []byte) bool {
	return len(firType(b)) > 0
}

// firType is the process type of a Fir dyno name, or nil.
func firType(b []byte) []byte {
	last := bytes.LastIndexByte(b, '-')
	if last <= 0 || len(b)-last-1 != 5 {
		return nil
	}
	// The Heroku CLI's own test: /^web-[0-9a-z]+-[0-9a-z]{5}$/ (src/lib/apps/generation.ts).
	mid := bytes.LastIndexByte(b[:last], '-')
	if mid <= 0 || last-mid-1 < 1 {
		return nil
	}
	for _, c := range b[mid+1:] {
		if !(isDigit(c) || (c >= 'a' && c <= 'z') || c == '-') {
			return nil
		}
	}
	return b[:mid]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<40 {
			return 0, false
		}
	}
	return n, true
}

// parseMillis reads "30000ms" (and "12" without unit).
func parseMillis(b []byte) (uint32, bool) {
	b = bytes.TrimSuffix(b, []byte("ms"))
	n, ok := parseUint(b)
	if !ok || n > 1<<31 {
		return 0, false
	}
	return uint32(n), true
}

// parseDecimal reads "123.45" (and ".5") without allocating: the digits as
// one integer scaled once, which rounds as strconv does for up to 15 digits.
func parseDecimal(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var mant int64
	decimals := -1
	digits := 0
	for _, c := range b {
		switch {
		case c == '.' && decimals < 0:
			decimals = 0
		case isDigit(c):
			mant = mant*10 + int64(c-'0')
			digits++
			if decimals >= 0 {
				decimals++
			}
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	if decimals <= 0 {
		return float64(mant), true
	}
	return float64(mant) / pow10[decimals], true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// parseMB reads "210.65MB" (runtime metrics use MB).
func parseMB(b []byte) (float64, bool) {
	return parseDecimal(bytes.TrimSuffix(b, []byte("MB")))
}

// parseTime reads 2026-11-23T09:50:01.123456+00:00, ...Z, -0800, and
// Papertrail's 2026-11-23 09:50:01 (with a space, and " -0800"), without
// allocating. No zone means UTC.
func parseTime(b []byte) (time.Time, bool) {
	n := isoPrefix(b)
	if n == 0 {
		return time.Time{}, false
	}
	return parseISO(b[:n])
}

// parseISO reads a timestamp isoPrefix has measured.
func parseISO(b []byte) (time.Time, bool) {
	return (&dayCache{}).parse(b)
}

// dayCache remembers the start of the last day parsed: a log's lines come
// in time order, so most share their date with the line before, and the
// calendar arithmetic of time.Date is done once a day, not once a line.
type dayCache struct {
	date  [10]byte
	start time.Time
}

func (c *dayCache) parse(b []byte) (time.Time, bool) {
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	nsec := 0
	rest := b[19:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100_000_000
		for i < len(rest) && isDigit(rest[i]) {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		rest = rest[i:]
	}
	offset := 0
	if len(rest) > 0 && rest[0] == 'Z' {
		rest = nil // "Z", and Logplex's odd "Z+00:00"
	}
	rest = skipSpaces(rest)
	if z := zoneLen(rest); z > 0 {
		mins := 0
		if z == 6 {
			mins = num(rest[4:6])
		} else {
			mins = num(rest[3:5])
		}
		offset = (num(rest[1:3])*60 + mins) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	}
	hour, minute, sec := num(b[11:13]), num(b[14:16]), num(b[17:19])
	if hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	if string(b[:10]) != string(c.date[:]) || c.start.IsZero() {
		month, day := num(b[5:7]), num(b[8:10])
		if month < 1 || month > 12 || day < 1 || day > 31 {
			return time.Time{}, false
		}
		c.start = time.Date(num(b[0:4]), time.Month(month), day, 0, 0, 0, 0, time.UTC)
		copy(c.date[:], b[:10])
	}
	secs := hour*3600 + minute*60 + sec - offset
	return c.start.Add(time.Duration(secs)*time.Second + time.Duration(nsec)), true
}

// parseViewerTime reads Papertrail's "Jan 08 10:55:11": year 0, in the
// viewer's time zone (which the line does not say).
func parseViewerTime(b []byte) (time.Time, bool) {
	if len(b) != 15 {
		return time.Time{}, false
	}
	day := int(b[5] - '0')
	if b[4] != ' ' {
		day += 10 * int(b[4]-'0')
	}
	two := func(s []byte) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
	hour, minute, sec := two(b[7:9]), two(b[10:12]), two(b[13:15])
	if day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	return time.Date(0, time.Month(monthOf(b)), day, hour, minute, sec, 0, time.UTC), true
}
