package logcheck

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-logfmt/logfmt"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// fuzzSeeds are the corpus's real lines and the edge cases of the framings.
func fuzzSeeds(f *testing.F) [][]byte {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	var out [][]byte
	for _, file := range files {
		for _, l := range corpusLines(f, filepath.Base(file)) {
			out = append(out, []byte(l))
		}
	}
	for _, l := range append(firLines,
		"", "<", "<1>1 ", "1 <", "99999999 <158>1 x", "12 <158>1 2026-11-23T09:50:01Z host heroku router - at=info status=200 12 <158>1 x",
		"» ", "» 2026-11-23 09:50:01", "Jan  8 10:55:11 a b", "Jan 08 10:55:11 a heroku/router:", "data: ", "\x1b[", "\x1b",
		`heroku[router]: code="`, `at=info code=H12 status=`, `at=info status=99999999999999999999`, "Error H", "Error R14 (",
		"Process running mem=(%)", "Process running mem=1M(0%)", "source=x sample#memory_total=1e9MB", "2026-13-45T99:99:99+99:99 heroku[web.1]: x",
		"1\t2\t3\t4\t5\t6\t7\t8\t9", "1\t2\t3\t4\t5\t6\t7\t8\theroku/router\tat=info status=200") {
		out = append(out, []byte(l))
	}
	return out
}

// FuzzLine: no line, however broken, stops the analysis or yields a code
// outside the catalogue's rule, and the counts stay consistent.
func FuzzLine(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		a := NewAnalyzer()
		a.Line(line)
		a.Line(line) // the analyzer's state (day cache, scratch) carries over
		s := a.Stats()
		if s.UnreadLines() > s.Lines || s.Lines > 2*len(line) {
			t.Fatalf("lines %d, unread %d, for %d bytes", s.Lines, s.UnreadLines(), len(line))
		}
		for k, c := range s.Codes {
			if !isHerokuCode([]byte(k)) || c.Count <= 0 {
				t.Fatalf("code %q counted %d", k, c.Count)
			}
		}
		fs := Judge(s, "acme-prod", DefaultThresholds)
		if err := report.CheckCodes(fs, codes.Known); err != nil {
			t.Fatal(err)
		}
		Sections(s)
	})
}

// FuzzFrame: what a frame takes apart lies inside the line, and what
// follows it on the line is shorter than the line.
func FuzzFrame(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	within := func(line, part []byte) bool {
		if len(part) == 0 {
			return true
		}
		start := cap(line) - cap(part)
		return start >= 0 && start+len(part) <= len(line) && bytes.Equal(line[start:start+len(part)], part)
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var r record
		rest := frame(line, &r)
		if len(rest) >= len(line) && len(line) > 0 {
			t.Fatalf("rest %q is no shorter than the line", rest)
		}
		for _, part := range [][]byte{r.ts, r.source, r.dyno, r.msg, rest} {
			if !within(line, part) {
				t.Fatalf("%q is not inside %q", part, line)
			}
		}
		if r.format >= numFormats {
			t.Fatalf("format %d", r.format)
		}
	})
}

func FuzzNormalizePath(f *testing.F) {
	for _, p := range []string{"/", "", "/users/123?x=1", "/sockjs/1/abc/websocket", "/socket.io/1/websocket/x", "//", "/a//b/", "?", "/socket.io/1/xhr-polling", strings.Repeat("/a", 100)} {
		f.Add([]byte(p))
	}
	f.Fuzz(func(t *testing.T, path []byte) {
		out := NormalizePath(nil, path)
		if len(out) == 0 || bytes.ContainsAny(out, "?#") {
			t.Fatalf("NormalizePath(%q) = %q", path, out)
		}
		if again := NormalizePath(nil, out); len(again) > len(out)+len(":session") {
			t.Fatalf("not stable: %q then %q", out, again)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-11-23T09:50:01.123456+00:00", "2011-02-10 00:19:36 -0800", "2012-12-10T03:00:48Z+00:00", "2026-02-30T25:61:61Z", "Jan  8 10:55:11", "Feb 29 00:00:00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if tm, ok := parseTime(b); ok && tm.IsZero() {
			t.Fatalf("%q: ok but zero", b)
		}
		if len(b) == 15 && monthOf(b) > 0 {
			parseViewerTime(b)
		}
		var c dayCache
		if n := isoPrefix(b); n > 0 {
			c.parse(b[:n])
			c.parse(b[:n])
		}
	})
}

func FuzzScanKV(f *testing.F) {
	for _, s := range []string{`a=1 b="x y" c=`, `a="open`, `"=oops`, `a="x\"y" b=2`, `a=b"c d="e"f`, `= = =`, `a==b`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		scanKV(msg, func(k, v []byte) {
			if len(k) == 0 || bytes.ContainsAny(k, " =") {
				t.Fatalf("key %q of %q", k, msg)
			}
			if len(v) > len(msg) {
				t.Fatalf("value %q longer than %q", v, msg)
			}
		})
	})
}

// FuzzScanKVAgreesWithLogfmt holds scanKV to go-logfmt, the reference
// decoder, on every record go-logfmt reads without error: the same
// key=value pairs in the same order, and the record not called damaged.
// (Left out: records with a backslash, which go-logfmt unescapes and
// scanKV keeps as written; control bytes and tabs, which go-logfmt takes
// for spaces and Heroku never writes; bare keys and empty values, which
// scanKV skips as nothing to read; text glued to a closing quote, which
// go-logfmt reads as the next key and scanKV skips as damaged.)
func FuzzScanKVAgreesWithLogfmt(f *testing.F) {
	for _, s := range []string{`at=info method=GET path="/" host=a.herokuapp.com status=200 bytes=12`, `a="x y" b=2`, `a=1 a=2`, `k="" v=1`} {
		f.Add([]byte(s))
	}
	for _, s := range fuzzSeeds(f)[:80] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		if bytes.IndexByte(msg, '\\') >= 0 || bytes.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f || r == utf8.RuneError }) {
			return
		}
		type kv struct{ k, v string }
		var want []kv
		d := logfmt.NewDecoder(bytes.NewReader(msg))
		for d.ScanRecord() {
			for d.ScanKeyval() {
				if len(d.Value()) > 0 {
					want = append(want, kv{string(d.Key()), string(d.Value())})
				}
			}
		}
		if d.Err() != nil || bytes.IndexByte(msg, '\n') >= 0 || !tidyQuotes(msg) {
			return // not one well-formed record: scanKV's own fuzz covers it
		}
		var got []kv
		damaged := scanKV(msg, func(k, v []byte) {
			if len(v) > 0 {
				got = append(got, kv{string(k), string(v)})
			}
		})
		if damaged || !slices.Equal(got, want) {
			t.Fatalf("%q: scanKV %q (damaged %v), go-logfmt %q", msg, got, damaged, want)
		}
	})
}

// tidyQuotes: every quote opens a value (after "=") or closes one (before
// a space or the end).
// (The fuzz gives it no backslash: a quote is never escaped.)
func tidyQuotes(msg []byte) bool {
	open := false
	for i, c := range msg {
		switch {
		case c != '"':
		case open:
			if i+1 < len(msg) && msg[i+1] != ' ' {
				return false
			}
			open = false
		case i == 0 || msg[i-1] != '=':
			return false
		default:
			open = true
		}
	}
	return !open
}

// FuzzReadStream: any input, plain or gzipped, ends in statistics or, when
// nothing at all could be read, an error; never a panic or a hang.
func FuzzReadStream(f *testing.F) {
	for _, s := range fuzzSeeds(f)[:40] {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add([]byte{0x1f, 0x8b}, false)
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, false)
	f.Fuzz(func(t *testing.T, in []byte, zip bool) {
		if zip {
			in = gz(t, in)
		}
		st, err := ReadParallel(context.Background(), bytes.NewReader(in), 2)
		if err == nil && st == nil {
			t.Fatal("no statistics and no error")
		}
		if err == nil {
			Judge(st, "", DefaultThresholds)
		}
	})
}
