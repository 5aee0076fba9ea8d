package logcheck

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The corpus (testdata/corpus) is real Heroku log lines that people
// published, each with its source in testdata/corpus/SOURCES.md.

// corpusLines reads one file of the corpus, line by line.
func corpusLines(t testing.TB, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus", file))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// corpusLine is line n (from 1) of a corpus file.
func corpusLine(t testing.TB, file string, n int) string {
	t.Helper()
	lines := corpusLines(t, file)
	if n < 1 || n > len(lines) {
		t.Fatalf("%s has no line %d", file, n)
	}
	return lines[n-1]
}

// corpusFragments are the corpus lines that are not log lines but pieces
// of one: records a terminal or an e-mail client re-wrapped as they were
// published (SOURCES.md says which). Every other line must be understood.
var corpusFragments = map[string][]int{
	"process-exit.txt":            {102},
	"router-errors.txt":           {21, 22, 23, 25, 26, 27, 29, 30, 31},
	"router-pre2014-unquoted.txt": {9, 10},
	"sockjs-socketio.txt":         {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29},
	"websocket.txt":               {10, 12},
}

// TestCorpusIsRead reads every line of the corpus on its own and checks
// that it is understood, but for the wrapped fragments; and that the
// fragments, not dropped silently, are counted as not understood.
func TestCorpusIsRead(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	if err != nil || len(files) < 15 {
		t.Fatalf("corpus: %v %v", files, err)
	}
	total := 0
	for _, path := range files {
		file := filepath.Base(path)
		lines := corpusLines(t, file)
		var unread []int
		for i, l := range lines {
			s := analyse(l)
			if s.Lines == 0 {
				t.Errorf("%s:%d: not even counted: %q", file, i+1, l)
			}
			if s.UnreadLines() > 0 {
				unread = append(unread, i+1)
			}
		}
		if want := corpusFragments[file]; !slices.Equal(unread, want) {
			t.Errorf("%s: lines not understood %v, want %v", file, unread, want)
		}
		// The whole file, read as a stream, counts the same.
		st, err := Read(context.Background(), strings.NewReader(strings.Join(lines, "\n")+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if st.UnreadLines() != len(corpusFragments[file]) {
			t.Errorf("%s read whole: %d not understood (%v), want %d", file, st.UnreadLines(), st.Unread, len(corpusFragments[file]))
		}
		total += len(lines)
	}
	if total < 400 {
		t.Errorf("the corpus has %d lines", total)
	}
}

// TestCorpusLines reads exact published lines of every framing and checks
// what was taken from each.
func TestCorpusLines(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		file   string
		line   int
		format Format
		code   string // the error code counted, if any
		status int    // the router status counted, if any
		dyno   string // the dyno the code or memory row names
		at     time.Time
	}{
		// heroku logs, modern and pre-2014 router lines.
		{"router-errors.txt", 1, FormatHeroku, "H12", 503, "web.1", utc("2016-01-15T16:13:56.982182Z")},
		{"router-pre2014-unquoted.txt", 1, FormatHeroku, "H12", 503, "web.1", utc("2013-08-27T16:10:37.244807Z")},
		// A stray quote at the end (bytes=') keeps code and status.
		{"router-pre2014-unquoted.txt", 5, FormatHeroku, "H10", 503, "", utc("2013-09-03T04:48:18.045626Z")},
		// The 2012 form: GET host/path dyno= ... status=.
		{"router-pre2014-unquoted.txt", 12, FormatHeroku, "", 200, "", utc("2012-06-06T16:40:26Z")},
		// The 2010-2012 form: Error H12 (Request timeout) -> POST host/path ...
		{"router-pre2014-unquoted.txt", 20, FormatHeroku, "H12", 503, "web.1", utc("2012-01-20T02:10:47Z")},
		{"router-pre2014-unquoted.txt", 16, FormatHeroku, "H10", 0, "web.1", utc("2010-10-07T04:51:12Z")},
		// A line cut inside a quoted value (desc="Connecti): the code stays.
		{"router-errors.txt", 12, FormatHeroku, "H13", 0, "", utc("2022-10-16T13:21:08.211637Z")},
		// "- " after the prefix, as one poster wrote every line.
		{"router-errors.txt", 13, FormatHeroku, "H10", 503, "", utc("2018-03-03T03:13:13.912788Z")},
		// Pasted without timestamp, or with a damaged one.
		{"router-errors.txt", 6, FormatHerokuNoTime, "H10", 503, "", time.Time{}},
		{"router-errors.txt", 8, FormatMessage, "H10", 503, "", time.Time{}},
		{"process-exit.txt", 71, FormatHerokuNoTime, "", 0, "", time.Time{}},
		// Papertrail's viewer (no year) and its archive (TSV).
		{"papertrail-viewer.txt", 4, FormatPapertrailViewer, "R14", 0, "web.1", time.Date(0, 1, 8, 10, 55, 11, 0, time.UTC)},
		{"papertrail-viewer.txt", 21, FormatPapertrailViewer, "H10", 503, "", time.Date(0, 7, 16, 22, 52, 43, 0, time.UTC)},
		{"rack-timeout.txt", 5, FormatPapertrailViewer, "H12", 503, "web.1", time.Date(0, 6, 2, 15, 33, 25, 0, time.UTC)},
		// RFC 5424 drain frames: octet counted, two on one line, after a receiver's timestamp, without PRI.
		{"syslog-rfc5424.txt", 6, FormatSyslogCounted, "R14", 0, "web.1", utc("2015-10-14T18:00:03.978860Z")},
		{"syslog-rfc5424.txt", 1, FormatSyslogCounted, "L10", 0, "logplex", utc("2014-11-11T08:24:24.064853Z")},
		{"syslog-rfc5424.txt", 10, FormatSyslogReceiver, "H27", 499, "web.1", utc("2018-10-02T10:53:35.559454Z")},
		{"syslog-rfc5424.txt", 31, FormatSyslogReceiver, "R14", 0, "web.1", utc("2020-03-09T03:28:09.081517Z")},
		{"syslog-rfc5424.txt", 17, FormatSyslogBare, "", 304, "", utc("2014-09-19T11:39:25.901328Z")},
		{"websocket.txt", 2, FormatSyslogBare, "", 101, "", time.Time{}},
		{"logplex-l-codes.txt", 1, FormatMessage, "L10", 0, "", time.Time{}},
		{"r14-r15.txt", 42, FormatSyslogBare, "R14", 0, "web.1", time.Time{}},
	}
	for _, c := range cases {
		line := corpusLine(t, c.file, c.line)
		s := analyse(line)
		name := c.file + ":" + strconv.Itoa(c.line)
		if s.UnreadLines() != 0 {
			t.Errorf("%s: not understood (%v): %q", name, s.Unread, line)
			continue
		}
		var got Format = numFormats
		for f, n := range s.Formats {
			if n > 0 {
				got = Format(f)
			}
		}
		if got != c.format {
			t.Errorf("%s: framing %q, want %q", name, got, c.format)
		}
		if c.code != "" {
			cs := s.Codes[c.code]
			if cs == nil {
				t.Errorf("%s: no %s: %v", name, c.code, keysOf(s.Codes))
				continue
			}
			if c.dyno != "" && !slices.Contains(cs.Dynos, c.dyno) {
				t.Errorf("%s: %s on %v, want %s", name, c.code, cs.Dynos, c.dyno)
			}
		}
		if c.status != 0 && s.Status[c.status] != 1 {
			t.Errorf("%s: status %d not counted: %v", name, c.status, statusCounts(s))
		}
		if !s.First.Equal(c.at) {
			t.Errorf("%s: time %v, want %v", name, s.First, c.at)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCorpusFramesShareALine: Logplex's drains send octet-counted frames
// back to back; the count says where the next one starts (here an L10
// frame with no newline before the next, as a drain received it).
func TestCorpusFramesShareALine(t *testing.T) {
	s := analyse(corpusLine(t, "syslog-rfc5424.txt", 1))
	if s.Lines != 2 || s.Codes["L10"] == nil || s.States["web.1"] == nil {
		t.Errorf("two frames: lines %d, codes %v, states %v", s.Lines, keysOf(s.Codes), keysOf(s.States))
	}
	// A hand-written count that does not fit still splits at the next frame.
	s = analyse(`62 <158>1 2013-03-27T20:02:24+00:00 host heroku router - at=info method=GET path="/" host=x.example dyno=web.1 connect=1ms service=5ms status=200 bytes=1` +
		`62 <158>1 2013-03-27T20:02:25+00:00 host heroku router - at=info method=GET path="/" host=x.example dyno=web.1 connect=1ms service=5ms status=404 bytes=1`)
	if s.Lines != 2 || s.Status[200] != 1 || s.Status[404] != 1 {
		t.Errorf("wrong counts: lines %d, %v", s.Lines, statusCounts(s))
	}
}

// TestColourCodes: heroku logs on a terminal (or with --force-colors)
// colours every field, as the Heroku CLI's colorize does; the colours go,
// the line stays. The line is the CLI's own colorize test input (a written
// line: no user published one with its escape bytes).
func TestColourCodes(t *testing.T) {
	plain := `2018-01-01T00:00:00.00+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path=/ host=myapp.herokuapp.com dyno=web.1 connect= service=30000ms status=503 bytes=0 protocol=http`
	var b strings.Builder
	head, body, _ := strings.Cut(plain, ": ")
	b.WriteString("\x1b[38;5;40m" + head + ":\x1b[39m ")
	for i, f := range strings.Fields(body) {
		if i > 0 {
			b.WriteByte(' ')
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok { // the second word of desc="Request timeout", coloured on its own
			b.WriteString("\x1b[38;5;248m" + f + "\x1b[39m")
			continue
		}
		b.WriteString("\x1b[38;5;248m" + k + "=\x1b[39m\x1b[38;2;255;135;135m\x1b[1m" + v + "\x1b[22m\x1b[39m")
	}
	coloured := b.String()
	if !strings.Contains(coloured, "\x1b[") {
		t.Fatal("no colour")
	}
	for name, line := range map[string]string{"plain": plain, "coloured": coloured} {
		s := analyse(line)
		if s.Codes["H12"] == nil || s.Status[503] != 1 || s.UnreadLines() != 0 || s.Service.Max() != 30000 {
			t.Errorf("%s: codes %v, statuses %v, unread %v", name, keysOf(s.Codes), statusCounts(s), s.Unread)
		}
	}
	if got := string(stripANSI(nil, []byte(coloured))); got != plain {
		t.Errorf("stripped:\n%s\nwant\n%s", got, plain)
	}
}

func TestStripANSIKeepsText(t *testing.T) {
	for in, want := range map[string]string{"a\x1b[1;31mb\x1b[0mc\x1b": "abc", "a\x1b]52;c;ZXZpbA==\x07b": "ab",
		"a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b": "alinkb", "\x1b(Bx": "Bx"} {
		if got := stripANSI(nil, []byte(in)); !bytes.Equal(got, []byte(want)) {
			t.Errorf("stripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}
