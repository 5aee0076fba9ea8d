package logcheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return out.Bytes()
}

// repeatReader is n bytes of c, made as they are read.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.c
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// sampleLog is a few lines of a real log (the corpus's Papertrail-viewer
// lines of an app over its memory quota).
func sampleLog(t testing.TB) []byte {
	return []byte(strings.Join(corpusLines(t, "papertrail-viewer.txt")[:4], "\n") + "\n")
}

// TestInputFindings: every analysis says what it read; an input of which
// nothing was understood is never ok, whatever it is (random bytes, one
// 200 MB line, gzipped zeros, an app's own log without Heroku's prefix).
func TestInputFindings(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 12))
	random := make([]byte, 1<<20)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	truncated := gz(t, sampleLog(t))
	truncated = truncated[:len(truncated)-12] // the trailer and some data gone
	padded := append(gz(t, sampleLog(t)), make([]byte, 4096)...)
	garbage := append(gz(t, sampleLog(t)), []byte("garbage")...)
	twoMembers := append(gz(t, sampleLog(t)), gz(t, sampleLog(t))...)
	mostlyBad := append(sampleLog(t), []byte(strings.Repeat("Started GET \"/\" for 1.2.3.4\n", 10))...)
	cases := []struct {
		name   string
		in     func() io.Reader
		code   string
		status report.Status
		says   string
	}{
		{"random bytes", func() io.Reader { return bytes.NewReader(random) }, codes.LogsUnreadable.ID, report.StatusUnknown, "not text"},
		{"one 200 MB line", func() io.Reader { return &repeatReader{'x', 200 << 20} }, codes.LogsUnreadable.ID, report.StatusUnknown, "longer than 4 MiB"},
		{"gzipped zeros", func() io.Reader { return bytes.NewReader(gz(t, make([]byte, 16<<20))) }, codes.LogsUnreadable.ID, report.StatusUnknown, "longer than 4 MiB"},
		{"an app's own log", func() io.Reader { return strings.NewReader("Started GET \"/\" for 1.2.3.4\nCompleted 200 OK in 3ms\n") },
			codes.LogsUnreadable.ID, report.StatusUnknown, "no log prefix"},
		{"mostly not Heroku's", func() io.Reader { return bytes.NewReader(mostlyBad) }, codes.LogsUnreadable.ID, report.StatusWarning, "10 of 14 lines"},
		{"a truncated download", func() io.Reader { return bytes.NewReader(truncated) }, codes.LogsTruncated.ID, report.StatusWarning, "truncated download"},
		{"gzip's trailing zeros", func() io.Reader { return bytes.NewReader(padded) }, "", report.StatusOK, "trailing zero bytes"},
		{"trailing garbage", func() io.Reader { return bytes.NewReader(garbage) }, "", report.StatusOK, "trailing garbage"},
		{"two gzip members", func() io.Reader { return bytes.NewReader(twoMembers) }, "", report.StatusOK, "8 lines"},
		{"a clean log", func() io.Reader { return bytes.NewReader(sampleLog(t)) }, "", report.StatusOK, "4 lines read (Papertrail viewer 4), all understood"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := Read(context.Background(), c.in())
			if err != nil {
				t.Fatal(err)
			}
			fs := Judge(st, "acme-prod", DefaultThresholds)
			f, ok := reporttest.FindCheck(t, fs, "logs.input")
			if !ok {
				t.Fatalf("no logs.input finding: %v", fs)
			}
			if f.Code != c.code || f.Status != c.status || !strings.Contains(f.Summary, c.says) {
				t.Errorf("%s %s %q, want %s %s saying %q", f.Status, f.Code, f.Summary, c.status, c.code, c.says)
			}
			if c.status == report.StatusUnknown {
				for _, g := range fs {
					if g.Status == report.StatusOK {
						t.Errorf("nothing was read, yet %s is ok: %s", g.Check, g.Summary)
					}
				}
			}
			if c.code == codes.LogsTruncated.ID || c.name == "gzip's trailing zeros" {
				// The lines before the break, or before the padding, were analysed.
				if _, ok := reporttest.Find(t, fs, "R14", "R14"); !ok {
					t.Errorf("the lines read were not judged: %v", fs)
				}
			}
		})
	}
}

// TestUnreadSamplesAreQuoted: the report quotes the first lines it could
// not read, short and in valid UTF-8, so the user sees what was given.
func TestUnreadSamplesAreQuoted(t *testing.T) {
	s := analyse("what is this", strings.Repeat("é", 200)+"\xff", "3", "4")
	if len(s.UnreadSamples) != maxSamples || s.UnreadSamples[0] != "what is this" {
		t.Fatalf("samples %q", s.UnreadSamples)
	}
	if len(s.UnreadSamples[1]) > sampleBytes+3 || !strings.HasPrefix(s.UnreadSamples[1], "éé") {
		t.Errorf("sample not clipped: %d bytes", len(s.UnreadSamples[1]))
	}
}
