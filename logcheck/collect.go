package logcheck

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sync"
)

// chunkSize is how much input one worker parses at a time; a line longer
// than a chunk is counted as malformed and skipped, so memory stays bounded
// (workers+2 chunks) whatever the input.
const chunkSize = 4 << 20

// Read analyses a log stream, plain or gzipped (sniffed from its first
// bytes). When ctx ends first, the statistics of the lines read so far come
// back with Truncated set.
func Read(ctx context.Context, r io.Reader) (*Stats, error) {
	return ReadParallel(ctx, r, runtime.GOMAXPROCS(0))
}

// ReadParallel splits the stream into fixed-size chunks cut at line ends and
// parses them on workers goroutines, chunk i going to worker i%workers, then
// merges the workers' statistics in worker order: the result depends on the
// input only, not on scheduling.
func ReadParallel(ctx context.Context, r io.Reader, workers int) (*Stats, error) {
	workers = max(1, min(workers, 8))
	br := bufio.NewReaderSize(r, 64<<10)
	var src io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %v", err)
		}
		defer zr.Close()
		src = zr
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
	truncated, longLines, readErr := splitChunks(ctx, src, queues, bufs)
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	st := analyzers[0].Stats()
	for _, a := range analyzers[1:] {
		st.Merge(a.Stats())
	}
	st.Lines += longLines
	st.Malformed += longLines
	st.Truncated = st.Truncated || truncated
	return st, readErr
}

// splitChunks reads src into chunks that end at a newline and hands them
// out round-robin. It returns whether ctx ended the reading, how many
// over-long lines were skipped, and the read error (nil at EOF).
func splitChunks(ctx context.Context, src io.Reader, queues []chan []byte, bufs *chunkBufs) (bool, int, error) {
	buf := bufs.get()
	n, next, longLines := 0, 0, 0
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
			return true, longLines, nil
		}
		m, err := src.Read(buf[n:])
		n += m
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
			return false, longLines, nil
		}
		if err != nil {
			bufs.put(buf)
			if ctx.Err() != nil {
				return true, longLines, nil
			}
			return false, longLines, err
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

// ReadFile analyses a saved log file; "-" is standard input.
func ReadFile(ctx context.Context, path string, stdin io.Reader) (*Stats, error) {
	if path == "-" {
		growPipe(stdin)
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
