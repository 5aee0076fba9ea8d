package logcheck

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkRouterLine(b *testing.B) {
	a := NewAnalyzer()
	line := []byte(routerLine("2026-11-23T09:50:01.123456+00:00", "info", "", "GET", "/users/123/orders/456", 1, 42, 200, "web.1"))
	a.Line(line)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		a.Line(line)
	}
}

func BenchmarkRuntimeLine(b *testing.B) {
	a := NewAnalyzer()
	line := []byte("2026-11-23T09:50:01+00:00 heroku[web.1]: source=web.1 dyno=heroku.123.abc sample#load_avg_1m=0.42 sample#memory_total=530.25MB sample#memory_rss=512.00MB sample#memory_cache=18.25MB sample#memory_swap=0.00MB sample#memory_quota=512.00MB")
	a.Line(line)
	b.ReportAllocs()
	for b.Loop() {
		a.Line(line)
	}
}

func BenchmarkHistogramAdd(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	v := uint32(0)
	for b.Loop() {
		h.Add(v % 40000)
		v += 7919
	}
}

func BenchmarkHistogramQuantile(b *testing.B) {
	var h Histogram
	for i := range 100000 {
		h.Add(uint32(i % 30000))
	}
	b.ReportAllocs()
	for b.Loop() {
		h.Quantile(0.95)
	}
}

func BenchmarkNormalizePath(b *testing.B) {
	dst := make([]byte, 0, 128)
	path := []byte("/api/v2/orders/3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f/items/42?page=2")
	b.ReportAllocs()
	for b.Loop() {
		dst = NormalizePath(dst[:0], path)
	}
}

func BenchmarkReadParallel(b *testing.B) {
	var sb strings.Builder
	for i := range 40000 {
		sb.WriteString(routerLine("2026-11-23T09:50:01.123456+00:00", "info", "", "GET", fmt.Sprintf("/items/%d", i%500), 1, 20+i%300, 200, "web.1"))
		sb.WriteByte('\n')
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(context.Background(), strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
