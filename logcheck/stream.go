package logcheck

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// readBuf is the line buffer: a longer line is counted as malformed and
// skipped, so memory stays constant whatever the input.
const readBuf = 256 << 10

// Read analyses a log stream, plain or gzipped (sniffed from its first
// bytes). When ctx ends first, the statistics of the lines read so far come
// back with Truncated set.
func Read(ctx context.Context, r io.Reader) (*Stats, error) {
	a := NewAnalyzer()
	err := a.ReadFrom(ctx, r)
	return a.Stats(), err
}

// ReadFrom feeds a stream to the analyzer.
func (a *Analyzer) ReadFrom(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, readBuf)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gzip: %v", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, readBuf)
	}
	skipping := false
	for n := 0; ; n++ {
		if n&0xfff == 0 && ctx.Err() != nil {
			a.st.Truncated = true
			return nil
		}
		line, err := br.ReadSlice('\n')
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			if !skipping {
				a.st.Lines++
				a.st.Malformed++
			}
			skipping = true
			continue
		case skipping:
			skipping = false
			if err == nil {
				continue
			}
		default:
			if len(line) > 0 {
				a.Line(line)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			if ctx.Err() != nil {
				a.st.Truncated = true
				return nil
			}
			return err
		}
	}
}

// ReadFile analyses a saved log file; "-" is standard input.
func ReadFile(ctx context.Context, path string, stdin io.Reader) (*Stats, error) {
	if path == "-" {
		return Read(ctx, stdin)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(ctx, f)
}

// ReadSession streams a log session URL (logplex) until it ends or ctx
// does. The URL carries its own credentials: no token is sent.
func ReadSession(ctx context.Context, client *http.Client, url string) (*Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return &Stats{Truncated: true, Codes: map[string]*CodeStat{}, Paths: map[string]*PathStat{}, Dynos: map[string]*DynoMem{}, States: map[string]*DynoStates{}}, nil
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("log session answered %s", resp.Status)
	}
	return Read(ctx, resp.Body)
}

// Sections renders the error codes, the status counts and the slowest paths.
func Sections(s *Stats) []report.Section {
	var out []report.Section
	if len(s.Codes) > 0 {
		var rows [][]string
		for _, c := range s.CodesSorted() {
			first, last := "-", "-"
			if !c.First.IsZero() {
				first, last = c.First.UTC().Format(time.TimeOnly), c.Last.UTC().Format(time.TimeOnly)
			}
			desc := c.Desc
			if desc == "" {
				desc = codes[c.Code].desc
			}
			rows = append(rows, []string{c.Code, desc, strconv.Itoa(c.Count), joinMax(c.Dynos, 4), first, last})
		}
		out = append(out, report.Section{Title: "Heroku error codes in the logs", Header: []string{"Code", "Description", "Count", "Dynos", "First", "Last"}, Rows: rows})
	}
	if s.Requests() > 0 {
		var rows [][]string
		for st, c := range s.Status {
			if c > 0 {
				rows = append(rows, []string{strconv.Itoa(st), strconv.FormatUint(c, 10)})
			}
		}
		out = append(out, report.Section{Title: "Responses by status", Header: []string{"Status", "Count"}, Rows: rows})
		var prow [][]string
		for _, p := range s.SlowestPaths(10) {
			prow = append(prow, []string{p.Method, p.Path, strconv.FormatUint(p.Hist.Count(), 10),
				fmt.Sprintf("%.0f", p.Hist.Mean()), strconv.Itoa(int(p.Hist.Quantile(0.95))), strconv.Itoa(int(p.Hist.Max())), strconv.Itoa(p.Errors)})
		}
		out = append(out, report.Section{Title: "Slowest paths (service time, ms)", Header: []string{"Method", "Path", "Count", "Mean", "p95", "Max", "5xx"}, Rows: prow})
	}
	return out
}

func joinMax(ss []string, n int) string {
	if len(ss) == 0 {
		return "-"
	}
	if len(ss) > n {
		return fmt.Sprintf("%s +%d", strings.Join(ss[:n], ", "), len(ss)-n)
	}
	return strings.Join(ss, ", ")
}
