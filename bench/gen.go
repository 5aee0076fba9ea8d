package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// genLogs writes about size bytes of router, runtime and app lines, the
// same bytes for the same size: a seeded generator, not captured traffic.
func genLogs(w io.Writer, size int64, step time.Duration) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	r := rand.New(rand.NewPCG(2026, 11))
	start := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	paths := []string{"/", "/products/%d", "/cart/items", "/search", "/reports/%d/export", "/api/v2/orders/%d", "/users/%d/settings"}
	methods := []string{"GET", "GET", "POST", "GET", "GET", "GET", "PATCH"}
	var n int64
	var line []byte
	for i := 0; n < size; i++ {
		t := start.Add(time.Duration(i) * step).Format("2006-01-02T15:04:05.000000+00:00")
		line = line[:0]
		switch k := r.IntN(100); {
		case k < 84:
			p := r.IntN(len(paths))
			path := paths[p]
			if path[len(path)-1] == 'd' || p == 4 || p == 6 {
				path = fmt.Sprintf(path, 1+r.IntN(100000))
			}
			status, code := 200, ""
			service := 20 + r.IntN(200)
			switch x := r.IntN(1000); {
			case x < 3:
				status, code, service = 503, ` code=H12 desc="Request timeout"`, 30000
			case x < 5:
				status, code, service = 503, ` code=H10 desc="App crashed"`, 0
			case x < 25:
				status = 500
			case x < 60:
				status = 404
			case x < 90:
				status = 302
			}
			at := "info"
			if code != "" {
				at = "error"
			}
			line = fmt.Appendf(line, `%s heroku[router]: at=%s%s method=%s path="%s" host=www.acme.example request_id=%08x-2b1c-4d3e-8f9a-%012x fwd="203.0.113.%d" dyno=web.%d connect=%dms service=%dms status=%d bytes=%d protocol=https`,
				t, at, code, methods[p], path, r.Uint32(), r.Uint64()&0xffffffffffff, r.IntN(250), 1+r.IntN(4), r.IntN(3), service, status, 300+r.IntN(30000))
		case k < 86:
			mem := 200 + r.Float64()*300
			line = fmt.Appendf(line, "%s heroku[web.%d]: source=web.%d dyno=heroku.123456789.3f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8 sample#load_avg_1m=0.%02d sample#load_avg_5m=0.40 sample#memory_total=%.2fMB sample#memory_rss=%.2fMB sample#memory_cache=12.40MB sample#memory_swap=0.00MB sample#memory_pgpgin=0pages sample#memory_pgpgout=0pages sample#memory_quota=512.00MB",
				t, 1+i%4, 1+i%4, r.IntN(99), mem, mem-12.4)
		default:
			line = fmt.Appendf(line, `%s app[web.%d]: I, [%s #%d]  INFO -- : [%08x] Completed 200 OK in %dms (Views: %.1fms | ActiveRecord: %.1fms | Allocations: %d)`,
				t, 1+r.IntN(4), t, 4+r.IntN(40), r.Uint32(), 10+r.IntN(300), r.Float64()*50, r.Float64()*30, r.IntN(90000))
		}
		line = append(line, '\n')
		m, err := bw.Write(line)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

// genDistinct writes a hostile log of n lines of each kind whose keys are
// all different (issue 13: 300,000 distinct codes took 1.9 GB, as many
// runtime-metrics dynos 2.9 GB): router lines with distinct code= values
// (well-formed up to the shape's 3,000, then not), distinct paths and
// request ids, runtime metrics and state changes of distinct dynos,
// rack-timeout lines of distinct ids and Postgres metrics of distinct
// sources. Every table must stop at its cap.
func genDistinct(w io.Writer, n int) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	t := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	var total int64
	var line []byte
	for i := range n {
		ts := t.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000000+00:00")
		line = fmt.Appendf(line[:0], "%s heroku[router]: at=error code=H%d desc=\"x\" method=GET path=\"/p/w%xq/x%xz\" host=h.example request_id=r-%d fwd=\"203.0.113.1\" dyno=web.%d connect=1ms service=%dms status=503 bytes=0\n",
			ts, 1+i, i, i*7, i, i, i%30000)
		line = fmt.Appendf(line, "%s heroku[web.%d]: source=web.%d sample#load_avg_1m=0.1 sample#memory_total=%d.00MB sample#memory_quota=512.00MB\n", ts, i, i, 100+i%400)
		line = fmt.Appendf(line, "%s heroku[web.%d]: State changed from up to crashed\n", ts, i)
		line = fmt.Appendf(line, "%s app[web.1]: source=rack-timeout id=id-%d wait=0ms timeout=15000ms service=31000ms state=completed\n", ts, i)
		line = fmt.Appendf(line, "%s app[heroku-postgres]: source=DB_%d sample#active-connections=3 sample#table-cache-hit-rate=0.99\n", ts, i)
		m, err := bw.Write(line)
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}
