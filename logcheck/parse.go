// Package logcheck reads Heroku router and runtime log lines, from a log
// session, `heroku logs` output or Papertrail archives (gzipped or not),
// streamed in constant memory, and judges them: every H/R/L error code,
// slow requests, queueing, 5xx rate, memory and swap, flapping dynos.
package logcheck

import (
	"bytes"
	"io"
	"time"

	"github.com/go-logfmt/logfmt"
)

// maxPaths bounds the per-path table: a flood of unique paths (a scanner,
// ids that escaped normalisation) goes to one overflow row instead of
// growing memory.
const maxPaths = 2000

// Analyzer reads lines one at a time. Router lines are parsed without
// allocating: go-logfmt's decoder hands out slices of its own buffer, and
// map lookups with string(bytes) keys do not copy.
type Analyzer struct {
	st      Stats
	feed    lineFeeder
	dec     *logfmt.Decoder
	scratch []byte
}

// NewAnalyzer returns an empty analyzer.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{st: Stats{Codes: map[string]*CodeStat{}, Paths: map[string]*PathStat{},
		Dynos: map[string]*DynoMem{}, States: map[string]*DynoStates{}}, scratch: make([]byte, 0, 256)}
	a.dec = logfmt.NewDecoder(&a.feed)
	return a
}

// lineFeeder gives the decoder exactly one record at a time, so a single
// long-lived decoder (and its buffer) serves every line.
type lineFeeder struct{ pending []byte }

func (f *lineFeeder) Read(p []byte) (int, error) {
	if len(f.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

// record hands msg to the decoder as one record.
func (a *Analyzer) record(msg []byte) bool {
	a.scratch = append(append(a.scratch[:0], msg...), '\n')
	a.feed.pending = a.scratch
	if a.dec.ScanRecord() {
		return true
	}
	a.dec = logfmt.NewDecoder(&a.feed) // a dead decoder is replaced, rarely
	return a.dec.ScanRecord()
}

func (a *Analyzer) resetDecoder() {
	a.feed.pending = nil
	a.dec = logfmt.NewDecoder(&a.feed)
}

// Line reads one log line (without its newline).
func (a *Analyzer) Line(line []byte) {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 {
		return
	}
	a.st.Lines++
	var ts, source, dyno, msg []byte
	var ok bool
	if bytes.IndexByte(line, '\t') >= 0 {
		ts, source, dyno, msg, ok = splitPapertrail(line)
	} else {
		ts, source, dyno, msg, ok = splitHeroku(line)
	}
	if !ok {
		a.st.Malformed++
		return
	}
	t, tok := parseTime(ts)
	if tok {
		if a.st.First.IsZero() || t.Before(a.st.First) {
			a.st.First = t
		}
		if t.After(a.st.Last) {
			a.st.Last = t
		}
	}
	switch {
	case string(source) == "heroku" && string(dyno) == "router":
		a.router(msg, t)
	case string(source) == "heroku":
		a.platform(dyno, msg, t)
	case string(source) == "app" && (string(dyno) == "log-shuttle" || bytes.HasPrefix(dyno, []byte("run."))) && bytes.HasPrefix(msg, errorPrefix):
		// Heroku writes some errors into the app's stream: log-shuttle's
		// "Error L12: 222 messages dropped ...", and a one-off dyno's
		// "Error R13 (Attach error) -> ...".
		a.platform(dyno, msg, t)
	default:
		a.st.AppLines++
	}
}

// splitHeroku reads "2026-11-23T09:50:01.123456+00:00 heroku[router]: msg".
func splitHeroku(line []byte) (ts, source, dyno, msg []byte, ok bool) {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return
	}
	ts, rest := line[:sp], line[sp+1:]
	lb := bytes.IndexByte(rest, '[')
	end := bytes.Index(rest, []byte("]: "))
	if lb <= 0 || end < lb {
		// "2026-... app[web.1]:" with an empty message
		if e := bytes.Index(rest, []byte("]:")); lb > 0 && e > lb && e+2 == len(rest) {
			return ts, rest[:lb], rest[lb+1 : e], nil, true
		}
		return
	}
	return ts, rest[:lb], rest[lb+1 : end], rest[end+3:], true
}

// splitPapertrail reads a Papertrail archive row: id, generated_at,
// received_at, source_id, source_name, source_ip, facility_name,
// severity_name, program, message; program is "heroku/router" or "app/web.1".
func splitPapertrail(line []byte) (ts, source, dyno, msg []byte, ok bool) {
	field := 0
	start := 0
	var program []byte
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] != '\t' {
			continue
		}
		switch field {
		case 1:
			ts = line[start:i]
		case 8:
			program = line[start:i]
		case 9:
			msg = line[start:]
			i = len(line)
		}
		field++
		start = i + 1
	}
	if field < 10 || program == nil {
		return nil, nil, nil, nil, false
	}
	slash := bytes.IndexByte(program, '/')
	if slash <= 0 {
		return ts, program, nil, msg, true
	}
	return ts, program[:slash], program[slash+1:], msg, true
}

func (a *Analyzer) router(msg []byte, t time.Time) {
	if !a.record(msg) {
		a.st.Malformed++
		return
	}
	var code, desc, method, path, dyno []byte
	var service, connect uint32
	var status int
	var haveService, haveConnect bool
	for a.dec.ScanKeyval() {
		k, v := a.dec.Key(), a.dec.Value()
		switch string(k) {
		case "code":
			code = v
		case "desc":
			desc = v
		case "method":
			method = v
		case "path":
			path = v
		case "dyno":
			dyno = v
		case "service":
			service, haveService = parseMillis(v)
		case "connect":
			connect, haveConnect = parseMillis(v)
		case "status":
			if n, ok := parseUint(v); ok && n < 600 {
				status = int(n)
			}
		}
	}
	if a.dec.Err() != nil {
		a.st.Malformed++
		a.resetDecoder()
		return
	}
	if status == 0 && code == nil {
		a.st.Malformed++
		return
	}
	a.st.RouterLines++
	a.st.Status[status]++
	if haveService {
		a.st.Service.Add(service)
	}
	if haveConnect {
		a.st.Connect.Add(connect)
	}
	if code != nil {
		a.code(code, desc, dyno, t)
	}
	if method != nil && path != nil && haveService {
		a.path(method, path, service, status >= 500)
	}
}

func (a *Analyzer) code(code, desc, dyno []byte, t time.Time) {
	cs, ok := a.st.Codes[string(code)]
	if !ok {
		cs = &CodeStat{Code: string(code), Desc: string(desc)}
		a.st.Codes[cs.Code] = cs
	}
	cs.Count++
	if !t.IsZero() {
		if cs.First.IsZero() || t.Before(cs.First) {
			cs.First = t
		}
		if t.After(cs.Last) {
			cs.Last = t
		}
	}
	if len(dyno) > 0 && len(cs.Dynos) < 50 {
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
			ps, ok = a.st.Paths["* (other paths)"]
			if !ok {
				ps = &PathStat{Method: "*", Path: "(other paths)"}
				a.st.Paths["* (other paths)"] = ps
			}
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
	errorPrefix = []byte("Error ")
	stateChange = []byte("State changed from ")
	exited      = []byte("Process exited with status")
	sampleMark  = []byte("sample#memory_total")
)

// platform reads heroku[web.1] and heroku[logplex] lines: runtime metrics,
// R/L error codes, state changes.
func (a *Analyzer) platform(dyno, msg []byte, t time.Time) {
	switch {
	case bytes.HasPrefix(msg, errorPrefix) || isTailCode(msg):
		// "Error R14 (Memory quota exceeded)", "Error L10 (output buffer overflow): ...",
		// and a tail session's "L11 (Tail buffer overflow) -> ...".
		rest := bytes.TrimPrefix(msg, errorPrefix)
		if len(rest) >= 3 && (rest[0] == 'R' || rest[0] == 'L' || rest[0] == 'H') && isDigit(rest[1]) && isDigit(rest[2]) {
			code := rest[:3]
			desc := []byte(nil)
			if lp := bytes.IndexByte(rest, '('); lp >= 0 {
				if rp := bytes.IndexByte(rest[lp:], ')'); rp > 0 {
					desc = rest[lp+1 : lp+rp]
				}
			}
			a.code(code, desc, dyno, t)
			return
		}
	case bytes.HasPrefix(msg, stateChange):
		st := a.states(dyno)
		if bytes.HasSuffix(msg, []byte(" to crashed")) {
			st.Crashed++
		} else if bytes.HasSuffix(msg, []byte(" to starting")) {
			st.Starting++
		}
		return
	case bytes.HasPrefix(msg, exited):
		a.states(dyno).Exits++
		return
	case bytes.Contains(msg, sampleMark):
		a.runtime(dyno, msg)
		return
	}
}

// isTailCode tells a Logplex line that starts with its code, "L11 (Tail
// buffer overflow) -> ...", from any other message.
func isTailCode(msg []byte) bool {
	return len(msg) >= 5 && msg[0] == 'L' && isDigit(msg[1]) && isDigit(msg[2]) && msg[3] == ' ' && msg[4] == '('
}

func (a *Analyzer) states(dyno []byte) *DynoStates {
	st, ok := a.st.States[string(dyno)]
	if !ok {
		st = &DynoStates{}
		a.st.States[string(dyno)] = st
	}
	return st
}

func (a *Analyzer) runtime(dyno, msg []byte) {
	if !a.record(msg) {
		a.st.Malformed++
		return
	}
	name := dyno
	var total, rss, swap, quota, load float64
	var haveTotal bool
	for a.dec.ScanKeyval() {
		k, v := a.dec.Key(), a.dec.Value()
		switch string(k) {
		case "source":
			name = v
		case "sample#memory_total":
			total, haveTotal = parseMB(v)
		case "sample#memory_rss":
			rss, _ = parseMB(v)
		case "sample#memory_swap":
			swap, _ = parseMB(v)
		case "sample#memory_quota":
			quota, _ = parseMB(v)
		case "sample#load_avg_1m":
			load, _ = parseDecimal(v)
		}
	}
	if a.dec.Err() != nil || !haveTotal {
		a.st.Malformed++
		a.resetDecoder()
		return
	}
	a.st.RuntimeLines++
	m, ok := a.st.Dynos[string(name)]
	if !ok {
		m = &DynoMem{Dyno: string(name)}
		a.st.Dynos[m.Dyno] = m
	}
	m.Samples++
	m.MaxTotal = max(m.MaxTotal, total)
	m.MaxRSS = max(m.MaxRSS, rss)
	m.MaxSwap = max(m.MaxSwap, swap)
	m.MaxLoad = max(m.MaxLoad, load)
	if quota > 0 {
		m.Quota = quota
	}
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

// parseDecimal reads "123.45" without allocating: the digits as one integer
// scaled once, which rounds as strconv does for up to 15 digits.
func parseDecimal(b []byte) (float64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var mant int64
	decimals := -1
	for _, c := range b {
		switch {
		case c == '.' && decimals < 0:
			decimals = 0
		case isDigit(c):
			mant = mant*10 + int64(c-'0')
			if decimals >= 0 {
				decimals++
			}
		default:
			return 0, false
		}
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

// parseTime reads 2026-11-23T09:50:01.123456+00:00, ...Z, or Papertrail's
// 2026-11-23 09:50:01, without allocating. No zone means UTC.
func parseTime(b []byte) (time.Time, bool) {
	if len(b) < 19 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			n = n*10 + int(c-'0')
		}
		return n
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(b[i]) {
			return time.Time{}, false
		}
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
	if len(rest) >= 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' {
		offset = (num(rest[1:3])*60 + num(rest[4:6])) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	}
	t := time.Date(num(b[0:4]), time.Month(num(b[5:7])), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19]), nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}
