package report

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The text report's timeline: per app, a sparkline of requests, 5xx and
// p95 service time, one column per bucket (or per few buckets, so a line
// stays under sparkWidth columns), with the releases marked under them.
// The Markdown report's: a before/after table per release.

const sparkWidth = 60

var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// sparkColumn is what one column of the sparkline sums up.
type sparkColumn struct {
	requests, e5xx int
	p95            float64
	timed          bool
	release        bool
}

func sparkColumns(t *Timeline) ([]sparkColumn, int) {
	per := int(math.Ceil(float64(len(t.Buckets)) / sparkWidth))
	cols := make([]sparkColumn, (len(t.Buckets)+per-1)/per)
	for i, b := range t.Buckets {
		c := &cols[i/per]
		c.requests += b.Requests
		c.e5xx += b.Status5xx
		if b.Timed > 0 {
			c.p95, c.timed = max(c.p95, b.P95), true // the worst bucket's p95 stands for the column
		}
	}
	for _, r := range t.Releases {
		if i := int(r.At.Sub(t.Start()) / (time.Duration(t.BucketSeconds) * time.Second)); i >= 0 && i < len(t.Buckets) {
			cols[i/per].release = true
		}
	}
	return cols, per
}

// spark is one row: a block per column, scaled to the row's peak; a column
// with nothing (a gap, no 5xx) is a space.
func spark(cols []sparkColumn, v func(sparkColumn) (float64, bool)) (string, float64) {
	peak := 0.0
	for _, c := range cols {
		if x, ok := v(c); ok {
			peak = max(peak, x)
		}
	}
	var b strings.Builder
	for _, c := range cols {
		x, ok := v(c)
		if !ok || x <= 0 || peak <= 0 {
			b.WriteByte(' ')
			continue
		}
		i := int(math.Ceil(x/peak*float64(len(sparkBlocks)))) - 1
		b.WriteRune(sparkBlocks[max(0, min(i, len(sparkBlocks)-1))])
	}
	return b.String(), peak
}

func renderTimelineText(ew *errWriter, p palette, t *Timeline) {
	if len(t.Buckets) == 0 {
		return
	}
	cols, per := sparkColumns(t)
	width := time.Duration(t.BucketSeconds) * time.Second
	title := "Timeline"
	if t.App != "" {
		title += " of " + t.App
	}
	unit := "per " + strings.TrimPrefix(bucketWord(time.Duration(per)*width), "1 ")
	ew.printf("\n%s\n", p.bold(fmt.Sprintf("%s: %s to %s, a column %s", title, timeLabel(t.Start()), timeLabel(t.End()), unit)))
	reqs, peakR := spark(cols, func(c sparkColumn) (float64, bool) { return float64(c.requests), true })
	errs, peakE := spark(cols, func(c sparkColumn) (float64, bool) { return float64(c.e5xx), true })
	lat, peakL := spark(cols, func(c sparkColumn) (float64, bool) { return c.p95, c.timed })
	ew.printf("  requests  │%s│ peak %s %s\n", reqs, num(peakR), unit)
	ew.printf("  5xx       │%s│ peak %s %s\n", p.status(StatusCritical, errs), num(peakE), unit)
	ew.printf("  p95 (ms)  │%s│ peak %s ms\n", lat, num(peakL))
	if len(t.Releases) == 0 {
		return
	}
	var marks strings.Builder
	for _, c := range cols {
		if c.release {
			marks.WriteString("▲")
		} else {
			marks.WriteByte(' ')
		}
	}
	ew.printf("  releases  │%s│\n", marks.String())
	for _, r := range t.Releases {
		line := fmt.Sprintf("    ▲ %s %s", r.Label(), r.At.UTC().Format("2006-01-02 15:04:05"))
		if r.Description != "" {
			line += " " + r.Description
		}
		if c := r.Comparison; c != nil {
			verdict := c.Verdict
			if c.Verdict == VerdictRegression {
				verdict = p.status(c.Status, "REGRESSION ("+strings.Join(c.Regressed, ", ")+")")
			}
			line += " · " + verdict
			if c.Note != "" {
				line += ": " + c.Note
			}
		}
		ew.printf("%s\n", line)
	}
}

// renderReleasesMarkdown writes, per release of each timeline, its router
// figures before and after it. Values are escaped by md.
func renderReleasesMarkdown(ew *errWriter, r Report, md func(string) string) {
	for _, t := range r.Timelines {
		if len(t.Releases) == 0 {
			continue
		}
		title := "Releases in the logs"
		if t.App != "" {
			title += ": " + md(t.App)
		}
		ew.printf("## %s\n\n", title)
		for _, rel := range t.Releases {
			head := fmt.Sprintf("### %s · %s", rel.Label(), timeLabel(rel.At))
			if rel.Description != "" {
				head += " · " + md(rel.Description)
			}
			ew.printf("%s\n\n", head)
			c := rel.Comparison
			if c == nil {
				ew.printf("Not compared.\n\n")
				continue
			}
			b, a := c.Before, c.After
			span := func(w Window) string { return w.From.UTC().Format("15:04") + "–" + w.To.UTC().Format("15:04") }
			count := func(n, of int) string { return fmt.Sprintf("%s (%d)", pctText(rate(n, of)), n) }
			mdTable(ew, []string{"", "before (" + span(b) + ")", "after (" + span(a) + ")"}, [][]string{
				{"requests", fmt.Sprint(b.Requests), fmt.Sprint(a.Requests)},
				{"5xx", count(b.Status5xx, b.Requests), count(a.Status5xx, a.Requests)},
				{"H errors", count(b.HErrors, b.Requests), count(a.HErrors, a.Requests)},
				{"p95 service time (ms)", msOrDash(b), msOrDash(a)},
			})
			verdict := c.Verdict
			if c.Verdict == VerdictRegression {
				verdict = fmt.Sprintf("**%s: %s** (%s)", strings.ToUpper(string(c.Status)), c.Verdict, strings.Join(c.Regressed, ", "))
			}
			if c.Note != "" {
				verdict += " · " + md(c.Note)
			}
			ew.printf("\nVerdict: %s\n\n", verdict)
		}
	}
}
