package logcheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/heroku-checkup/heroku-checkup/internal/localfile"
)

// chunkSize is how much input one worker parses at a time; a line longer
// than a chunk is counted as not understood and skipped, so memory stays
// bounded (workers+2 chunks) whatever the input.
const chunkSize = 4 << 20

// Options change how a stream is read.
type Options struct {
	// SSE: the stream is server-sent events (a log session read as the
	// Heroku CLI reads it), each data field a log line.
	SSE bool
	// Workers parse chunks in parallel (default GOMAXPROCS, at most 8).
	Workers int
}

// Read analyses a log stream, plain or gzipped (sniffed from its first
// bytes). When ctx ends first, the statistics of the lines read so far come
// back with Truncated set.
func Read(ctx context.Context, r io.Reader) (*Stats, error) {
	return ReadStream(ctx, r, Options{})
}

// ReadParallel is Read on a given number of workers.
func ReadParallel(ctx context.Context, r io.Reader, workers int) (*Stats, error) {
	return ReadStream(ctx, r, Options{Workers: workers})
}

// ReadStream splits the stream into fixed-size chunks cut at line ends and
// parses them on workers goroutines, chunk i going to worker i%workers, then
// merges the workers' statistics in worker order: the result depends on the
// input only, not on scheduling. A stream that breaks off (a truncated
// gzip download, a reset connection) keeps the lines read before, with
// ReadError saying so; only a stream of which nothing could be read is an
// error.
func ReadStream(ctx context.Context, r io.Reader, opts Options) (*Stats, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, 8))
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	var notes []string
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		defer zr.Close()
		zr.Multistream(false)
		src = &gunzip{br: br, zr: zr, notes: &notes}
	}
	analyzers := make([]*Analyzer, workers)
	queues := make([]chan []byte, workers)
	// Chunk buffers come from a pool shared by every analysis of the run
	// (a diagnose of 50 apps reads 50 log sessions) and are taken only as
	// needed: a 1,500-line session uses one.
	bufs := &chunkBufs{free: make(chan []byte, workers+2), limit: workers + 2}
	defer bufs.release()
	var wg sync.WaitGroup
	for i := range workers {
		analyzers[i] = NewAnalyzer()
		analyzers[i].sse = opts.SSE
		queues[i] = make(chan []byte, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range queues[i] {
				analyzers[i].lines(chunk)
				bufs.put(chunk)
			}
		}()
	}
	truncated, longLines, read, readErr := splitChunks(ctx, src, queues, bufs)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	st := analyzers[0].Stats()
	for _, a := range analyzers[1:] {
		st.Merge(a.Stats())
	}
	st.Lines += longLines
	st.Unread[ReasonTooLong] += longLines
	st.Truncated = st.Truncated || truncated
	st.Notes = append(st.Notes, notes...)
	if readErr != nil {
		if read == 0 {
			return st, readErr
		}
		st.ReadError = describeReadError(readErr)
	}
	return st, nil
}

// describeReadError says what a broken stream means to the user.
func describeReadError(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the input ends in the middle of its gzip data (a truncated download?)"
	case errors.Is(err, gzip.ErrChecksum):
		return "the gzip data fails its checksum (a corrupt file)"
	case errors.Is(err, gzip.ErrHeader):
		return "a gzip member's header is broken"
	}
	return err.Error()
}

// gunzip reads a .gz as gzip(1) does: its members one after the other;
// after the last, zero bytes (tape or block padding) are ignored, and
// other trailing bytes are ignored with a note, as gzip warns.
type gunzip struct {
	br    *bufio.Reader
	zr    *gzip.Reader
	notes *[]string
	done  bool
}

func (g *gunzip) Read(p []byte) (int, error) {
	for !g.done {
		n, err := g.zr.Read(p)
		if err != io.EOF {
			return n, err
		}
		next, _ := g.br.Peek(2)
		switch {
		case len(next) == 0:
			g.done = true
		case len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b:
			if err := g.zr.Reset(g.br); err != nil {
				return n, err
			}
			g.zr.Multistream(false)
		default:
			g.done = true
			if zeros, err := onlyZeros(g.br); err != nil {
				return n, err
			} else if zeros {
				*g.notes = append(*g.notes, "trailing zero bytes after the gzip data were ignored (as gzip -d does)")
			} else {
				*g.notes = append(*g.notes, "trailing garbage after the gzip data was ignored (gzip -d warns of it too)")
			}
		}
		if n > 0 {
			return n, nil
		}
	}
	return 0, io.EOF
}

// onlyZeros reads r to its end and tells whether every byte was zero.
func onlyZeros(r io.Reader) (bool, error) {
	buf := make([]byte, 32<<10)
	zeros := true
	for {
		n, err := r.Read(buf)
		for _, c := range buf[:n] {
			if c != 0 {
				zeros = false
			}
		}
		if err == io.EOF {
			return zeros, nil
		}
		if err != nil {
			return zeros, err
		}
	}
}

// splitChunks reads src into chunks that end at a newline and hands them
// out round-robin. It returns whether ctx ended the reading, how many
// over-long lines were skipped, how many bytes were read, and the read
// error (nil at EOF).
func splitChunks(ctx context.Context, src io.Reader, queues []chan []byte, bufs *chunkBufs) (bool, int, int64, error) {
	buf := bufs.get()
	n, next, longLines := 0, 0, 0
	var read int64
	skipping := false
	send := func(b []byte) {
		queues[next%len(queues)] <- b
		next++
	}
	for {
		if ctx.Err() != nil {
			if n > 0 && !skipping {
				send(buf[:n])
			}
			return true, longLines, read, nil
		}
		m, err := src.Read(buf[n:])
		n += m
		read += int64(m)
		if skipping {
			if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
				n = copy(buf, buf[i+1:n])
				skipping = false
			} else {
				n = 0
			}
		}
		if n == len(buf) || (err != nil && n > 0) {
			cut := n
			if err == nil {
				cut = bytes.LastIndexByte(buf[:n], '\n') + 1
				if cut == 0 { // one line longer than a chunk
					longLines++
					skipping = true
					n = 0
					continue
				}
			}
			nb := bufs.get()
			rest := copy(nb, buf[cut:n])
			send(buf[:cut])
			buf, n = nb, rest
		}
		if err == io.EOF {
			bufs.put(buf)
			return false, longLines, read, nil
		}
		if err != nil {
			bufs.put(buf)
			if ctx.Err() != nil {
				return true, longLines, read, nil
			}
			return false, longLines, read, err
		}
	}
}

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// chunkBufs hands out at most limit chunk buffers, allocating (from the
// pool) only when none is free.
type chunkBufs struct {
	free  chan []byte
	limit int
	mu    sync.Mutex
	taken [][]byte
}

func (c *chunkBufs) get() []byte {
	select {
	case b := <-c.free:
		return b
	default:
	}
	c.mu.Lock()
	if len(c.taken) < c.limit {
		b := *chunkPool.Get().(*[]byte)
		c.taken = append(c.taken, b)
		c.mu.Unlock()
		return b
	}
	c.mu.Unlock()
	return <-c.free
}

func (c *chunkBufs) put(b []byte) { c.free <- b[:cap(b)] }

// release returns every buffer to the pool once the workers are done.
func (c *chunkBufs) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range c.taken {
		b = b[:cap(b)]
		chunkPool.Put(&b)
	}
	c.taken = nil
}

// lines parses every line of a chunk.
func (a *Analyzer) lines(chunk []byte) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			a.Line(chunk)
			return
		}
		a.Line(chunk[:i])
		chunk = chunk[i+1:]
	}
}

// ReadFile analyses a saved log file; "-" is standard input. The file is
// opened and read under ctx: a FIFO or a pipe (<(zcat logs.gz)) whose
// writer never comes, or never writes, costs the deadline, no more.
func ReadFile(ctx context.Context, path string, stdin io.Reader) (*Stats, error) {
	if path == "-" {
		growPipe(stdin)
		return Read(ctx, stdin)
	}
	f, err := localfile.Open(ctx, path, localfile.Stream)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(ctx, f)
}

// ReadSession streams a log session URL (logplex) until it ends or ctx
// does. The URL carries its own credentials: no token is sent. A stream of
// server-sent events (what Fir's sessions and the Heroku CLI's reader
// speak) is read as such.
func ReadSession(ctx context.Context, client *http.Client, url string) (*Stats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream, text/plain;q=0.9")
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			st := newStats()
			st.Truncated = true
			return &st, nil
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &SessionError{Status: resp.StatusCode, Text: resp.Status}
	}
	sse := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	return ReadStream(ctx, resp.Body, Options{SSE: sse})
}

// SessionError is a log stream that answered with an HTTP error.
type SessionError struct {
	Status int
	Text   string
}

func (e *SessionError) Error() string { return "log session answered " + e.Text }
