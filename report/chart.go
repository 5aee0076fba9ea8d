package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The HTML report's charts are inline SVG drawn here, as plain shapes with
// numbers, so the template only places them: no script, no font or image
// to fetch, and nothing from outside but the escaped labels.

// chart is one SVG chart of a timeline: a plot area of W x H user units
// (the SVG scales to the page's width), bars and lines in it, the x axis'
// time ticks, the y axis' value ticks, and the releases as markers.
type chart struct {
	Title   string
	Unit    string // of the y axis
	W, H    float64
	Left    float64 // the plot area's left edge (room for the y ticks)
	Top     float64
	Bars    []bar
	Lines   []line
	YTicks  []tick
	XTicks  []tick
	Markers []marker
	Legend  []legend
	Empty   string // said instead of the chart when there is nothing to draw
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Tip        string
}

// line is a polyline broken at gaps: each of Points is one run of
// "x,y x,y".
type line struct {
	Points []string
	Class  string
}

type tick struct {
	Pos    float64
	Label  string
	Anchor string // of a time label: start, middle or end, so none is cut at an edge
}

type marker struct {
	X     float64
	Label string
	Tip   string
	Class string
}

type legend struct{ Label, Class string }

const (
	chartW      = 960.0
	chartH      = 150.0
	chartLeft   = 56.0
	chartTop    = 18.0
	chartBottom = 22.0
)

func newChart(title, unit string) chart {
	return chart{Title: title, Unit: unit, W: chartW, H: chartH, Left: chartLeft, Top: chartTop}
}

// plot sizes: the plot area's width and height.
func (c *chart) plotW() float64 { return c.W - c.Left - 8 }
func (c *chart) plotH() float64 { return c.H - c.Top - chartBottom }

// scale maps a timeline's buckets to the plot area's x.
type scale struct {
	start, end time.Time
	x0, w      float64
}

func (s scale) x(t time.Time) float64 {
	span := s.end.Sub(s.start)
	if span <= 0 {
		return s.x0
	}
	return s.x0 + s.w*float64(t.Sub(s.start))/float64(span)
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten, so the y ticks
// are round numbers.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func num(v float64) string {
	switch {
	case v >= 10000:
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func (c *chart) yTicks(top float64) {
	for _, f := range []float64{0, 0.5, 1} {
		c.YTicks = append(c.YTicks, tick{Pos: c.Top + c.plotH()*(1-f), Label: num(top * f)})
	}
}

// xTicks labels the start, the end and a few round times between.
func (c *chart) xTicks(s scale, days bool) {
	span := s.end.Sub(s.start)
	step := time.Minute
	for _, d := range []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour,
		2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour} {
		if span/step <= 8 {
			break
		}
		step = d
	}
	for span/step > 8 {
		step *= 2
	}
	format := "15:04"
	if days {
		format = "01-02 15:04"
	}
	for t := s.start.Truncate(step); !t.After(s.end); t = t.Add(step) {
		if t.Before(s.start) {
			continue
		}
		tk := tick{Pos: s.x(t), Label: t.UTC().Format(format), Anchor: "middle"}
		switch {
		case tk.Pos < c.Left+20:
			tk.Anchor = "start"
		case tk.Pos > c.Right()-20:
			tk.Anchor = "end"
		}
		c.XTicks = append(c.XTicks, tk)
	}
}

func (c *chart) markers(s scale, t *Timeline) {
	for _, r := range t.Releases {
		m := marker{X: s.x(r.At), Label: r.Label(), Tip: r.Label() + " " + r.At.UTC().Format("2006-01-02 15:04:05 UTC"), Class: "release"}
		if r.Description != "" {
			m.Tip += ": " + r.Description
		}
		if c := r.Comparison; c != nil && c.Verdict == VerdictRegression {
			m.Class = "release regression"
		}
		c.Markers = append(c.Markers, m)
	}
}

func timelineScale(t *Timeline, c *chart) scale {
	return scale{start: t.Start(), end: t.End(), x0: c.Left, w: c.plotW()}
}

// charts draws a timeline: requests, 5xx and H errors, service time,
// memory against the quota.
func charts(t *Timeline) []chart {
	if len(t.Buckets) == 0 {
		return nil
	}
	width := time.Duration(t.BucketSeconds) * time.Second
	per := "per " + strings.TrimPrefix(bucketWord(width), "1 ")
	days := t.End().Sub(t.Start()) > 24*time.Hour || t.Start().YearDay() != t.End().Add(-time.Second).YearDay()

	reqs := newChart("Requests "+per, "requests")
	s := timelineScale(t, &reqs)
	bw := s.w / float64(len(t.Buckets))
	top := 0.0
	for _, b := range t.Buckets {
		top = max(top, float64(b.Requests))
	}
	top = niceMax(top)
	y := func(c *chart, v, top float64) float64 { return c.Top + c.plotH()*(1-v/top) }
	for i, b := range t.Buckets {
		if b.Requests == 0 {
			continue
		}
		x := s.x0 + float64(i)*bw
		ok := float64(b.Requests - b.Status5xx)
		tip := fmt.Sprintf("%s: %d requests, %d 5xx", b.T.UTC().Format("2006-01-02 15:04"), b.Requests, b.Status5xx)
		reqs.Bars = append(reqs.Bars, bar{X: x, Y: y(&reqs, ok, top), W: max(bw-0.5, 0.5), H: reqs.plotH() * ok / top, Class: "ok", Tip: tip})
		if b.Status5xx > 0 {
			h := reqs.plotH() * float64(b.Status5xx) / top
			reqs.Bars = append(reqs.Bars, bar{X: x, Y: y(&reqs, ok, top) - h, W: max(bw-0.5, 0.5), H: h, Class: "e5xx", Tip: tip})
		}
	}
	reqs.yTicks(top)
	reqs.xTicks(s, days)
	reqs.markers(s, t)
	reqs.Legend = []legend{{"responses", "ok"}, {"5xx", "e5xx"}, {"release", "release"}}

	errs := newChart("5xx and H errors "+per, "errors")
	top = 0
	for _, b := range t.Buckets {
		top = max(top, float64(b.Status5xx), float64(b.HErrors))
	}
	if top == 0 {
		errs.Empty = "No 5xx response and no H error in these logs."
	} else {
		top = niceMax(top)
		for i, b := range t.Buckets {
			x := s.x0 + float64(i)*bw
			tip := fmt.Sprintf("%s: %d 5xx, %d H errors", b.T.UTC().Format("2006-01-02 15:04"), b.Status5xx, b.HErrors)
			if b.Status5xx > 0 {
				h := errs.plotH() * float64(b.Status5xx) / top
				errs.Bars = append(errs.Bars, bar{X: x, Y: errs.Top + errs.plotH() - h, W: max(bw/2-0.25, 0.5), H: h, Class: "e5xx", Tip: tip})
			}
			if b.HErrors > 0 {
				h := errs.plotH() * float64(b.HErrors) / top
				errs.Bars = append(errs.Bars, bar{X: x + bw/2, Y: errs.Top + errs.plotH() - h, W: max(bw/2-0.25, 0.5), H: h, Class: "herr", Tip: tip})
			}
		}
		errs.yTicks(top)
	}
	errs.xTicks(s, days)
	errs.markers(s, t)
	errs.Legend = []legend{{"5xx", "e5xx"}, {"H errors", "herr"}, {"release", "release"}}

	lat := newChart("Router service time "+per+" (ms)", "ms")
	top = 0
	for _, b := range t.Buckets {
		if b.Timed > 0 {
			top = max(top, b.P95)
		}
	}
	if top == 0 {
		lat.Empty = "No timed request in these logs."
	} else {
		top = niceMax(top)
		for _, q := range []struct {
			class string
			v     func(Bucket) float64
		}{{"p50", func(b Bucket) float64 { return b.P50 }}, {"p95", func(b Bucket) float64 { return b.P95 }}} {
			l := line{Class: q.class}
			var run []string
			flush := func() {
				if len(run) == 1 { // one point: a dot-like segment
					run = append(run, run[0])
				}
				if len(run) > 0 {
					l.Points = append(l.Points, strings.Join(run, " "))
				}
				run = nil
			}
			for i, b := range t.Buckets {
				if b.Timed == 0 {
					flush()
					continue
				}
				run = append(run, fmt.Sprintf("%.1f,%.1f", s.x0+(float64(i)+0.5)*bw, y(&lat, q.v(b), top)))
			}
			flush()
			lat.Lines = append(lat.Lines, l)
		}
		lat.yTicks(top)
	}
	lat.xTicks(s, days)
	lat.markers(s, t)
	lat.Legend = []legend{{"p50", "p50"}, {"p95", "p95"}, {"release", "release"}}

	out := []chart{reqs, errs, lat}
	if mem := memoryChart(t, s, bw, days); mem != nil {
		out = append(out, *mem)
	}
	return out
}

// memoryGap is how many buckets without a sample still join two samples
// of a dyno: runtime metrics come every 20 seconds or so, and a dyno that
// said nothing for longer was probably down.
const memoryGap = 5

// memoryChart draws each dyno's memory (one line per dyno) and its quota
// (dashed), in MB.
func memoryChart(t *Timeline, s scale, bw float64, days bool) *chart {
	if len(t.Memory) == 0 {
		return nil
	}
	c := newChart("Memory per dyno (MB), against the quota", "MB")
	index := map[int64]int{}
	for i, b := range t.Buckets {
		index[b.T.Unix()] = i
	}
	top := 0.0
	for _, d := range t.Memory {
		for _, p := range d.Points {
			top = max(top, p.TotalMB, p.QuotaMB)
		}
	}
	top = niceMax(top)
	y := func(v float64) float64 { return c.Top + c.plotH()*(1-v/top) }
	quotas := map[float64]bool{}
	for n, d := range t.Memory {
		class := fmt.Sprintf("mem mem%d", n%6)
		l := line{Class: class}
		var run []string
		last := -2
		for _, p := range d.Points {
			i, ok := index[p.T.Unix()]
			if !ok {
				continue
			}
			if i > last+memoryGap && len(run) > 0 { // a long stretch without samples breaks the line
				l.Points = append(l.Points, strings.Join(append(run, run[len(run)-1]), " "))
				run = nil
			}
			run = append(run, fmt.Sprintf("%.1f,%.1f", s.x0+(float64(i)+0.5)*bw, y(p.TotalMB)))
			last = i
			if p.QuotaMB > 0 {
				quotas[p.QuotaMB] = true
			}
		}
		if len(run) > 0 {
			l.Points = append(l.Points, strings.Join(append(run, run[len(run)-1]), " "))
		}
		c.Lines = append(c.Lines, l)
		c.Legend = append(c.Legend, legend{d.Dyno, class})
	}
	for _, q := range slices.Sorted(maps.Keys(quotas)) {
		c.Lines = append(c.Lines, line{Class: "quota", Points: []string{fmt.Sprintf("%.1f,%.1f %.1f,%.1f", s.x0, y(q), s.x0+s.w, y(q))}})
	}
	if len(quotas) > 0 {
		c.Legend = append(c.Legend, legend{"quota", "quota"})
	}
	c.yTicks(top)
	c.xTicks(s, days)
	c.markers(s, t)
	return &c
}

// bucketWord is "1 minute", "5 minutes", "1 hour" ... for a bucket width.
func bucketWord(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return plural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Right, Bottom: the plot area's other edges; TickX, LabelY, MarkerY:
// where the y ticks, the time labels and the release labels stand.
func (c chart) Right() float64   { return c.Left + c.plotW() }
func (c chart) Bottom() float64  { return c.Top + c.plotH() }
func (c chart) TickX() float64   { return c.Left - 4 }
func (c chart) LabelY() float64  { return c.Top + c.plotH() + 14 }
func (c chart) MarkerY() float64 { return c.Top - 5 }
