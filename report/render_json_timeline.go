package report

import (
	"slices"
	"time"
)

// The timeline's wire form (docs/report.md, schema/report.schema.json).
type jsonTimeline struct {
	App           string                  `json:"app"`
	BucketSeconds int                     `json:"bucket_seconds"`
	Buckets       []jsonBucket            `json:"buckets"`
	Memory        map[string][]jsonMemory `json:"memory"`
	Releases      []jsonRelease           `json:"releases"`
	Events        []jsonEvent             `json:"events"`
	Untimed       int                     `json:"untimed_lines"`
	Dropped       int                     `json:"dropped"`
}

// jsonCounts are the router figures of a bucket and of a release's
// before/after window, in the same members (embedded: flattened in place).
type jsonCounts struct {
	Requests  int      `json:"requests"`
	Status5xx int      `json:"status_5xx"`
	HErrors   int      `json:"h_errors"`
	Timed     int      `json:"timed"`
	P50       *float64 `json:"p50_ms"`
	P95       *float64 `json:"p95_ms"`
}

func wireCounts(requests, status5xx, hErrors, timed int, p50, p95 float64) jsonCounts {
	return jsonCounts{Requests: requests, Status5xx: status5xx, HErrors: hErrors, Timed: timed, P50: ms(timed, p50), P95: ms(timed, p95)}
}

type jsonBucket struct {
	T string `json:"t"`
	jsonCounts
	Crashes  int `json:"crashes"`
	Restarts int `json:"restarts"`
}

type jsonMemory struct {
	T       string   `json:"t"`
	TotalMB float64  `json:"total_mb"`
	RSSMB   float64  `json:"rss_mb"`
	SwapMB  float64  `json:"swap_mb"`
	QuotaMB *float64 `json:"quota_mb,omitempty"`
}

type jsonRelease struct {
	Version     int             `json:"version"`
	At          string          `json:"at"`
	Description string          `json:"description"`
	Comparison  *jsonComparison `json:"comparison,omitempty"`
}

type jsonComparison struct {
	Verdict   string     `json:"verdict"`
	Status    Status     `json:"status"`
	Regressed []string   `json:"regressed"`
	Note      string     `json:"note"`
	Before    jsonWindow `json:"before"`
	After     jsonWindow `json:"after"`
}

type jsonWindow struct {
	From string `json:"from"`
	To   string `json:"to"`
	jsonCounts
}

type jsonEvent struct {
	T    string `json:"t"`
	Kind string `json:"kind"`
	Dyno string `json:"dyno"`
	Text string `json:"text"`
}

func wireTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func readTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// ms is a percentile on the wire: null when nothing was timed.
func ms(timed int, v float64) *float64 {
	if timed == 0 {
		return nil
	}
	return &v
}

func orZero(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func wireWindow(w Window) jsonWindow {
	return jsonWindow{From: wireTime(w.From), To: wireTime(w.To), jsonCounts: wireCounts(w.Requests, w.Status5xx, w.HErrors, w.Timed, w.P50, w.P95)}
}

func (w jsonWindow) window() Window {
	return Window{From: readTime(w.From), To: readTime(w.To), Requests: w.Requests, Status5xx: w.Status5xx, HErrors: w.HErrors,
		Timed: w.Timed, P50: orZero(w.P50), P95: orZero(w.P95)}
}

func wireTimeline(t Timeline) jsonTimeline {
	out := jsonTimeline{App: t.App, BucketSeconds: t.BucketSeconds, Buckets: []jsonBucket{}, Memory: map[string][]jsonMemory{},
		Releases: []jsonRelease{}, Events: []jsonEvent{}, Untimed: t.Untimed, Dropped: t.Dropped}
	for _, b := range t.Buckets {
		out.Buckets = append(out.Buckets, jsonBucket{T: wireTime(b.T), jsonCounts: wireCounts(b.Requests, b.Status5xx, b.HErrors, b.Timed, b.P50, b.P95),
			Crashes: b.Crashes, Restarts: b.Restarts})
	}
	for _, d := range t.Memory {
		pts := make([]jsonMemory, 0, len(d.Points))
		for _, p := range d.Points {
			m := jsonMemory{T: wireTime(p.T), TotalMB: p.TotalMB, RSSMB: p.RSSMB, SwapMB: p.SwapMB}
			if p.QuotaMB > 0 {
				q := p.QuotaMB
				m.QuotaMB = &q
			}
			pts = append(pts, m)
		}
		out.Memory[d.Dyno] = pts
	}
	for _, r := range t.Releases {
		jr := jsonRelease{Version: r.Version, At: wireTime(r.At), Description: r.Description}
		if c := r.Comparison; c != nil {
			jr.Comparison = &jsonComparison{Verdict: c.Verdict, Status: c.Status, Regressed: c.Regressed, Note: c.Note,
				Before: wireWindow(c.Before), After: wireWindow(c.After)}
			if jr.Comparison.Regressed == nil {
				jr.Comparison.Regressed = []string{}
			}
		}
		out.Releases = append(out.Releases, jr)
	}
	for _, e := range t.Events {
		out.Events = append(out.Events, jsonEvent{T: wireTime(e.T), Kind: e.Kind, Dyno: e.Dyno, Text: e.Text})
	}
	return out
}

func (in jsonTimeline) timeline() Timeline {
	t := Timeline{App: in.App, BucketSeconds: in.BucketSeconds, Untimed: in.Untimed, Dropped: in.Dropped}
	for _, b := range in.Buckets {
		t.Buckets = append(t.Buckets, Bucket{T: readTime(b.T), Requests: b.Requests, Status5xx: b.Status5xx, HErrors: b.HErrors,
			Timed: b.Timed, P50: orZero(b.P50), P95: orZero(b.P95), Crashes: b.Crashes, Restarts: b.Restarts})
	}
	for _, name := range sortedKeys(in.Memory) {
		d := DynoMemory{Dyno: name}
		for _, p := range in.Memory[name] {
			d.Points = append(d.Points, MemoryPoint{T: readTime(p.T), TotalMB: p.TotalMB, RSSMB: p.RSSMB, SwapMB: p.SwapMB, QuotaMB: orZero(p.QuotaMB)})
		}
		t.Memory = append(t.Memory, d)
	}
	for _, r := range in.Releases {
		rel := Release{Version: r.Version, At: readTime(r.At), Description: r.Description}
		if c := r.Comparison; c != nil {
			rel.Comparison = &Comparison{Verdict: c.Verdict, Status: c.Status, Regressed: c.Regressed, Note: c.Note,
				Before: c.Before.window(), After: c.After.window()}
		}
		t.Releases = append(t.Releases, rel)
	}
	for _, e := range in.Events {
		t.Events = append(t.Events, Event{T: readTime(e.T), Kind: e.Kind, Dyno: e.Dyno, Text: e.Text})
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
