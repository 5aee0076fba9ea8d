package logcheck

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// AddReleases adds the Platform API's releases to those the log lines
// named: the API's word (its time, description and status) wins for a
// version both know.
func (s *Stats) AddReleases(rs []Release) {
	tl := &s.Timeline
	for _, r := range rs {
		r.FromAPI = true
		tl.Releases = slices.DeleteFunc(tl.Releases, func(x Release) bool { return x.Version == r.Version })
		tl.Releases = append(tl.Releases, r)
	}
}

// releases are the releases that ran, one per version, in time order: the
// API's word where it has one; else the logs', a release failed when a
// line said its release phase failed, created when the "created" line
// was, and described by the API line written beside it ("Deploy 2c3d4e5
// by ...": the release's description in the API is its first words).
func (tl *Timeline) releases() []Release {
	byVersion := map[int]Release{}
	for _, r := range tl.Releases {
		have, ok := byVersion[r.Version]
		switch {
		case !ok, r.FromAPI:
			byVersion[r.Version] = r
		case have.FromAPI:
		case r.Failed:
			have.Failed = true
			byVersion[r.Version] = have
		default: // the created line: its time is the release's
			r.Failed = have.Failed
			byVersion[r.Version] = r
		}
	}
	var out []Release
	for _, r := range byVersion {
		if r.Failed {
			continue
		}
		if r.Description == "" && !r.FromAPI {
			r.Description = tl.describe(r.At)
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Release) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Version, b.Version)) })
	return out
}

// describe is the release description of the deploy, rollback or config
// change logged within two seconds of at (the API writes it beside the
// "Release vN created" line, before or after it), without its " by USER".
func (tl *Timeline) describe(at time.Time) string {
	best, gap := "", 2*time.Second+1
	for _, e := range tl.Changes {
		if e.Kind == EventScale || e.Kind == EventRelease {
			continue
		}
		if d := absDur(e.At.Sub(at)); d < gap {
			best, gap = e.Text, d
		}
	}
	if i := strings.LastIndex(best, " by "); i > 0 {
		best = best[:i]
	}
	return best
}

// comparison is one release's (or one bucket's releases') comparison.
type comparison struct {
	rel     Release
	cmp     report.Comparison
	tests   map[string]any
	partner []int // other versions released in the same bucket, compared as one
}

// compareReleases compares the router lines before and after each release
// inside the timeline: k buckets on each side (k the same on both: up to
// ReleaseWindow, and never into another release's buckets), the release's
// own bucket left out (it holds both). Releases of one bucket are
// compared as one, the last of them named.
func compareReleases(tl *Timeline, th Thresholds) []comparison {
	if tl.width == 0 {
		return nil
	}
	var inside []Release
	for _, r := range tl.releases() {
		if i := tl.index(r.At); i >= 0 && i < len(tl.b) {
			inside = append(inside, r)
		}
	}
	// Group the releases of one bucket.
	type group struct {
		at   int
		rels []Release
	}
	var groups []group
	for _, r := range inside {
		i := tl.index(r.At)
		if n := len(groups); n > 0 && groups[n-1].at == i {
			groups[n-1].rels = append(groups[n-1].rels, r)
			continue
		}
		groups = append(groups, group{at: i, rels: []Release{r}})
	}
	kmax := max(int(math.Ceil(float64(th.ReleaseWindow)/float64(tl.BucketWidth()))), th.ReleaseMinBuckets)
	var out []comparison
	for gi, g := range groups {
		prev, next := -1, len(tl.b)
		if gi > 0 {
			prev = groups[gi-1].at
		}
		if gi+1 < len(groups) {
			next = groups[gi+1].at
		}
		k := min(g.at-prev-1, next-g.at-1, kmax)
		last := g.rels[len(g.rels)-1]
		c := comparison{rel: last}
		for _, r := range g.rels[:len(g.rels)-1] {
			c.partner = append(c.partner, r.Version)
		}
		c.cmp, c.tests = compareAt(tl, g.at, k, th)
		if len(c.partner) > 0 {
			c.cmp.Note = strings.TrimPrefix(c.cmp.Note+fmt.Sprintf("; released in the same %s as %s: compared as one", widthText(tl.BucketWidth()), versions(c.partner)), "; ")
		}
		out = append(out, c)
	}
	return out
}

func versions(vs []int) string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("v%d", v))
	}
	return strings.Join(out, ", ")
}

// side sums buckets from..to-1.
type side struct {
	requests, errs5xx, errsH int
	service                  Sketch
}

func sumBuckets(tl *Timeline, from, to, skip int) side {
	var s side
	for i := from; i < to; i++ {
		if i == skip {
			continue
		}
		b := &tl.b[i]
		s.requests += int(b.appRequests)
		s.errs5xx += int(b.app5xx)
		s.errsH += int(b.appHErrors)
		s.service.Merge(&b.service)
	}
	return s
}

func (s *side) window(from, to time.Time) report.Window {
	w := report.Window{From: from, To: to, Requests: s.requests, Status5xx: s.errs5xx, HErrors: s.errsH, Timed: s.service.Count()}
	if w.Timed > 0 {
		w.P50, w.P95 = float64(s.service.Quantile(0.5)), float64(s.service.Quantile(0.95))
	}
	return w
}

// compareAt compares the k buckets before bucket at with the k after it.
func compareAt(tl *Timeline, at, k int, th Thresholds) (report.Comparison, map[string]any) {
	c := report.Comparison{Status: report.StatusOK}
	if k < th.ReleaseMinBuckets {
		from, to := tl.bucketStart(max(at-max(k, 0), 0)), tl.bucketStart(at)
		c.Before = report.Window{From: from, To: to}
		c.After = report.Window{From: tl.bucketStart(at + 1), To: tl.bucketStart(at + 1 + max(k, 0))}
		c.Verdict = report.VerdictTooSmall
		c.Note = fmt.Sprintf("only %s of logs on one side of it, before another release or the logs' end (%s needed)",
			durText(time.Duration(max(k, 0))*tl.BucketWidth()), durText(time.Duration(th.ReleaseMinBuckets)*tl.BucketWidth()))
		return c, nil
	}
	before := sumBuckets(tl, at-k, at, -1)
	after := sumBuckets(tl, at+1, at+1+k, -1)
	c.Before = before.window(tl.bucketStart(at-k), tl.bucketStart(at))
	c.After = after.window(tl.bucketStart(at+1), tl.bucketStart(at+1+k))
	minN := int(th.ReleaseMinRequests)
	if before.requests < minN || after.requests < minN {
		c.Verdict = report.VerdictTooSmall
		c.Note = fmt.Sprintf("%d requests before and %d after it (%d needed on each side)", before.requests, after.requests, minN)
		return c, nil
	}
	tests := map[string]any{}
	// notes say what regressed; others what else the tests saw (kept for
	// a comparison without a regression).
	var better, notes, others []string
	// A rise must survive leaving out the after-window's worst bucket:
	// one noisy minute never makes a regression.
	rateTest := func(name, what string, count func(*bucket) uint32, pick func(*side) int, critical float64) {
		t := proportionTest(before.requests, pick(&before), after.requests, pick(&after), th)
		if t.worse {
			worst, most := -1, uint32(0)
			for i := at + 1; i <= at+k; i++ {
				if n := count(&tl.b[i]); n > most {
					worst, most = i, n
				}
			}
			rest := sumBuckets(tl, at+1, at+1+k, worst)
			if r := proportionTest(before.requests, pick(&before), rest.requests, pick(&rest), th); !r.worse {
				t.worse = false
				t.note = fmt.Sprintf("the rise is one %s's (%s)", widthText(tl.BucketWidth()), tl.bucketStart(worst).Format("15:04"))
			}
		}
		tests[name] = t.data()
		switch {
		case t.worse:
			c.Regressed = append(c.Regressed, name)
			notes = append(notes, fmt.Sprintf("%s %s → %s", what, pct(t.pB), pct(t.pA)))
			st := report.StatusWarning
			if t.pA-t.pB >= critical {
				st = report.StatusCritical
			}
			c.Status = worse(c.Status, st)
		case t.better:
			better = append(better, what)
		case t.note != "":
			others = append(others, what+": "+t.note)
		}
	}
	rateTest("5xx", "5xx", func(b *bucket) uint32 { return b.app5xx }, func(s *side) int { return s.errs5xx }, th.RegressionRateCrit)
	rateTest("h_errors", "H errors", func(b *bucket) uint32 { return b.appHErrors }, func(s *side) int { return s.errsH }, th.RegressionRateCrit)

	// p95: a ratio and an absolute floor, and the share of requests slower
	// than the before-window's p95 (5% by definition) clearly up.
	if before.service.Count() < minN || after.service.Count() < minN {
		others = append(others, fmt.Sprintf("service time: %d timed requests before and %d after (%d needed)", before.service.Count(), after.service.Count(), minN))
	} else {
		pt := latencyTest(&before.service, &after.service, th)
		if pt.worse {
			worst, most := -1, 0
			for i := at + 1; i <= at+k; i++ {
				if n := tl.b[i].service.Above(pt.p95B); n > most {
					worst, most = i, n
				}
			}
			rest := sumBuckets(tl, at+1, at+1+k, worst)
			if r := latencyTest(&before.service, &rest.service, th); !r.worse {
				pt.worse = false
				pt.note = fmt.Sprintf("the rise is one %s's (%s)", widthText(tl.BucketWidth()), tl.bucketStart(worst).Format("15:04"))
			}
		}
		tests["p95"] = pt.data()
		switch {
		case pt.worse:
			c.Regressed = append(c.Regressed, "p95")
			notes = append(notes, fmt.Sprintf("p95 service time %d → %d ms", pt.p95B, pt.p95A))
			st := report.StatusWarning
			if float64(pt.p95A) >= th.P95CritRatio*float64(pt.p95B) && pt.p95A-pt.p95B >= th.P95CritFloorMS {
				st = report.StatusCritical
			}
			c.Status = worse(c.Status, st)
		case pt.better:
			better = append(better, "p95 service time")
		case pt.note != "":
			others = append(others, "p95: "+pt.note)
		}
	}
	switch {
	case len(c.Regressed) > 0:
		c.Verdict = report.VerdictRegression
	case len(better) > 0:
		c.Verdict = report.VerdictImproved
		notes = append([]string{"better: " + strings.Join(better, ", ")}, others...)
	default:
		c.Verdict = report.VerdictNone
		notes = others
	}
	c.Note = strings.Join(notes, "; ")
	return c, tests
}

func worse(a, b report.Status) report.Status {
	if b.Severity() > a.Severity() {
		return b
	}
	return a
}

// proportion is the verdict of a two-proportion test.
type proportion struct {
	nB, xB, nA, xA int
	pB, pA, z      float64
	worse, better  bool
	note           string
}

func (p proportion) data() map[string]any {
	return map[string]any{"before": map[string]any{"requests": p.nB, "count": p.xB, "rate": round4(p.pB)},
		"after": map[string]any{"requests": p.nA, "count": p.xA, "rate": round4(p.pA)}, "z": round2(p.z), "worse": p.worse, "note": p.note}
}

// proportionTest is the one-sided two-proportion z-test of a rate that
// rose from xB/nB to xA/nA: worse when z reaches RegressionZ (pooled
// variance, so both sides must expect 5 or more events), the rate at least
// RegressionRatio times the one before, and RegressionRateFloor higher
// (a rise from 0.01% to 0.03% is significant on a busy app and harmless).
func proportionTest(nB, xB, nA, xA int, th Thresholds) proportion {
	p := proportion{nB: nB, xB: xB, nA: nA, xA: xA}
	if nB == 0 || nA == 0 {
		return p
	}
	p.pB, p.pA = float64(xB)/float64(nB), float64(xA)/float64(nA)
	pooled := float64(xB+xA) / float64(nB+nA)
	if pooled*float64(nB) < 5 || pooled*float64(nA) < 5 {
		if xA+xB > 0 {
			p.note = fmt.Sprintf("%d before, %d after: too few to test", xB, xA)
		}
		return p
	}
	if pooled >= 1 {
		return p
	}
	p.z = (p.pA - p.pB) / math.Sqrt(pooled*(1-pooled)*(1/float64(nB)+1/float64(nA)))
	p.worse = p.z >= th.RegressionZ && p.pA >= th.RegressionRatio*p.pB && p.pA-p.pB >= th.RegressionRateFloor
	p.better = p.z <= -th.RegressionZ && p.pB >= th.RegressionRatio*p.pA && p.pB-p.pA >= th.RegressionRateFloor
	return p
}

// latency is the verdict of the p95 test.
type latency struct {
	p95B, p95A    uint32
	slow          proportion // requests slower than the before-window's p95, before and after
	worse, better bool
	note          string
}

func (l latency) data() map[string]any {
	return map[string]any{"p95_before_ms": l.p95B, "p95_after_ms": l.p95A, "slower_than_p95_before": l.slow.data(), "worse": l.worse, "note": l.note}
}

// latencyTest: p95 after at least P95Ratio times p95 before and P95FloorMS
// more, and the share of requests slower than the before-window's p95
// (about 5% there) clearly higher after it, by the same two-proportion
// test as the rates.
func latencyTest(b, a *Sketch, th Thresholds) latency {
	l := latency{p95B: b.Quantile(0.95), p95A: a.Quantile(0.95)}
	l.slow = proportionTest(b.Count(), b.Above(l.p95B), a.Count(), a.Above(l.p95B), th)
	l.worse = l.slow.z >= th.RegressionZ && float64(l.p95A) >= th.P95Ratio*float64(l.p95B) && l.p95A >= l.p95B+th.P95FloorMS
	l.better = float64(l.p95B) >= th.P95Ratio*float64(l.p95A) && l.p95B >= l.p95A+th.P95FloorMS
	return l
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
func round2(f float64) float64 { return math.Round(f*100) / 100 }

func pct(f float64) string {
	if f > 0 && f < 0.001 {
		return fmt.Sprintf("%.2f%%", 100*f)
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// widthText names one bucket of width d: "minute", "hour", "day", or
// "5-minute bucket", "6-hour bucket" ... ("in the same minute", "one
// 5-minute bucket's").
func widthText(d time.Duration) string {
	switch d {
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return widthAdj(d) + " bucket"
}

// widthAdj is "1-minute", "5-minute", "6-hour", "1-day" ... ("5-minute
// buckets").
func widthAdj(d time.Duration) string {
	n, unit := durUnits(d)
	return fmt.Sprintf("%d-%s", n, unit)
}

// durUnits is d in its largest whole unit: 3 "minute", 2 "hour", 1 "day".
func durUnits(d time.Duration) (int, string) {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return int(d / (24 * time.Hour)), "day"
	case d >= time.Hour && d%time.Hour == 0:
		return int(d / time.Hour), "hour"
	}
	return int(d / time.Minute), "minute"
}

func durText(d time.Duration) string {
	n, unit := durUnits(d)
	return fmt.Sprintf("%d %s", n, plural(n, unit))
}

// releaseRules: one DEPLOY_REGRESSION per release after which the 5xx
// rate, the H-error rate or the p95 service time got clearly worse, and
// one finding that says what every other release in the window showed.
func releaseRules(s *Stats, app string, th Thresholds) []report.Finding {
	tl := &s.Timeline
	if tl.width == 0 || s.Requests() == 0 {
		return nil
	}
	cs := compareReleases(tl, th)
	appName := orAPP(app)
	window := fmt.Sprintf(" (%s, %s buckets)", strings.TrimPrefix(windowOf(tl), " "), widthAdj(tl.BucketWidth()))
	if len(cs) == 0 {
		// No release in the window: nothing was compared, and the timeline
		// (which has no release marker) says so.
		return nil
	}
	var out []report.Finding
	var rows []any
	counts := map[string]int{}
	for _, c := range cs {
		counts[c.cmp.Verdict]++
		row := comparisonData(c)
		rows = append(rows, row)
		if c.cmp.Verdict != report.VerdictRegression {
			continue
		}
		v := c.rel.Version
		label := fmt.Sprintf("v%d", v)
		desc := ""
		if c.rel.Description != "" {
			desc = " (" + c.rel.Description + ")"
		}
		prev := previousRelease(tl, v)
		f := report.Finding{Check: "logs.releases", Subject: label, Status: c.cmp.Status, Data: row,
			Summary: fmt.Sprintf("after %s%s at %s: %s (%s before and after it)", label, desc, c.rel.At.UTC().Format("2006-01-02 15:04 UTC"),
				c.cmp.Note, durText(c.cmp.After.To.Sub(c.cmp.After.From))),
			Remedy: fmt.Sprintf("See what %s changed: heroku releases:info %s -a %s; if it is the cause, roll back to the release before it: heroku releases:rollback v%d -a %s",
				label, label, appName, prev, appName)}
		out = append(out, codes.DeployRegression.Raise(app, f))
	}
	compared := len(cs) - counts[report.VerdictTooSmall]
	summary := fmt.Sprintf("%d %s in the logs' window%s", len(cs), plural(len(cs), "release"), window)
	var parts []string
	for _, v := range []string{report.VerdictRegression, report.VerdictNone, report.VerdictImproved, report.VerdictTooSmall} {
		if counts[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
		}
	}
	summary += ": " + strings.Join(parts, ", ")
	st := report.StatusOK
	if compared == 0 {
		st = report.StatusSkipped
	}
	out = append(out, report.Finding{Check: "logs.releases", Subject: "releases", Status: st, Summary: summary,
		Data: map[string]any{"releases": rows, "bucket_seconds": int(tl.width)}})
	return out
}

// previousRelease is the release to roll back to from v: v-1, or the
// newest below it that ran when the API says v-1 failed (a failed
// release never ran).
func previousRelease(tl *Timeline, v int) int {
	ran := map[int]bool{}
	for _, r := range tl.releases() {
		ran[r.Version] = true
	}
	known := func(n int) bool {
		return slices.ContainsFunc(tl.Releases, func(r Release) bool { return r.Version == n })
	}
	prev := v - 1
	for prev > 1 && known(prev) && !ran[prev] {
		prev--
	}
	return prev
}

// comparisonData is a comparison as the finding's evidence.
func comparisonData(c comparison) map[string]any {
	w := func(x report.Window) map[string]any {
		m := map[string]any{"from": evidenceTime(x.From), "to": evidenceTime(x.To), "requests": x.Requests,
			"status_5xx": x.Status5xx, "rate_5xx": round4(x.Rate5xx()), "h_errors": x.HErrors, "rate_h_errors": round4(x.RateH()), "timed": x.Timed}
		if x.Timed > 0 {
			m["p50_ms"], m["p95_ms"] = x.P50, x.P95
		}
		return m
	}
	d := map[string]any{"release": fmt.Sprintf("v%d", c.rel.Version), "at": evidenceTime(c.rel.At), "description": c.rel.Description,
		"verdict": c.cmp.Verdict, "note": c.cmp.Note, "regressed": orEmpty(c.cmp.Regressed),
		"window": map[string]any{"before": w(c.cmp.Before), "after": w(c.cmp.After), "seconds": int(c.cmp.After.To.Sub(c.cmp.After.From).Seconds())}}
	if c.tests != nil {
		d["tests"] = c.tests
	}
	if c.rel.FromAPI {
		d["source"] = "platform api"
	} else {
		d["source"] = "logs"
	}
	if len(c.partner) > 0 {
		d["released_with"] = versions(c.partner)
	}
	return d
}

// windowOf is " between ... and ..." for the timeline's buckets.
func windowOf(tl *Timeline) string {
	start, end := tl.bucketStart(0), tl.bucketStart(len(tl.b))
	if spansDays(start, end.Add(-time.Second)) {
		return fmt.Sprintf(" %s to %s", start.Format("2006-01-02 15:04"), end.Format("2006-01-02 15:04 UTC"))
	}
	return fmt.Sprintf(" %s to %s", start.Format("2006-01-02 15:04"), end.Format("15:04 UTC"))
}
