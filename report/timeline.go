package report

import (
	"slices"
	"strconv"
	"time"
)

// Timeline is one app's traffic and memory over time, from its logs, with
// its releases: what the JSON report's timeline holds and what the HTML,
// text and Markdown reports draw. Every string in it comes from outside
// (log lines, the Platform API) and is redacted and escaped like a
// finding's.
type Timeline struct {
	App           string
	BucketSeconds int
	Buckets       []Bucket
	// Memory is each dyno's memory, one point per bucket in which the dyno
	// reported any, in dyno name order.
	Memory   []DynoMemory
	Releases []Release
	Events   []Event
	// Untimed counts the lines that could not be placed (no timestamp, or
	// one without a year or a zone); Dropped what the caps left out.
	Untimed, Dropped int
}

// Bucket is the router lines of one bucket, from T on.
type Bucket struct {
	T                            time.Time
	Requests, Status5xx, HErrors int
	Crashes, Restarts            int
	// Timed is the number of requests whose service time is in P50 and
	// P95 (websocket upgrades, client aborts and idle connections are not
	// timed); P50 and P95 mean nothing when it is 0.
	Timed    int
	P50, P95 float64 // ms
}

// DynoMemory is one dyno's memory samples.
type DynoMemory struct {
	Dyno   string
	Points []MemoryPoint
}

// MemoryPoint is the largest sample of one dyno in one bucket (MB);
// QuotaMB is 0 when the samples did not say.
type MemoryPoint struct {
	T                               time.Time
	TotalMB, RSSMB, SwapMB, QuotaMB float64
}

// Release is one release of the app in the timeline's window, with its
// comparison when one was made.
type Release struct {
	Version     int
	At          time.Time
	Description string
	Comparison  *Comparison
}

// Label is "v42".
func (r Release) Label() string { return "v" + strconv.Itoa(r.Version) }

// Comparison is the router lines of the same length of time before and
// after a release, and what they say.
type Comparison struct {
	Before, After Window
	// Verdict is one of the Verdict* constants; Note says why in words
	// (which sample was too small, which figure got worse).
	Verdict string
	Note    string
	// Regressed names the figures that got clearly worse: "5xx",
	// "h_errors", "p95".
	Regressed []string
	Status    Status // of the regression; ok when there is none
}

// The verdicts of a comparison.
const (
	VerdictRegression = "regression"
	VerdictNone       = "no regression"
	VerdictImproved   = "improved"
	VerdictTooSmall   = "too small a sample"
)

// Window is the router lines of one side of a comparison.
type Window struct {
	From, To                     time.Time
	Requests, Status5xx, HErrors int
	Timed                        int
	P50, P95                     float64 // ms; meaningless when Timed is 0
}

// Rate5xx is the share of requests that failed with a 5xx status.
func (w Window) Rate5xx() float64 { return rate(w.Status5xx, w.Requests) }

// RateH is the share of requests that got an H error.
func (w Window) RateH() float64 { return rate(w.HErrors, w.Requests) }

func rate(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Event is one thing that happened to the app, as its logs said.
type Event struct {
	T    time.Time
	Kind string // release, deploy, rollback, config, scale, restart, crash
	Dyno string // of a restart or a crash
	Text string
}

// mapText returns a copy of t with f applied to every string in it (the
// app, dyno names, release descriptions and notes, events' texts): how
// redaction and neutralisation reach a timeline.
func (t Timeline) mapText(f func(string) string) Timeline {
	out := t
	out.App = f(t.App)
	out.Buckets = slices.Clone(t.Buckets)
	out.Memory = make([]DynoMemory, len(t.Memory))
	for i, d := range t.Memory {
		out.Memory[i] = DynoMemory{Dyno: f(d.Dyno), Points: slices.Clone(d.Points)}
	}
	out.Releases = make([]Release, len(t.Releases))
	for i, r := range t.Releases {
		r.Description = f(r.Description)
		if r.Comparison != nil {
			c := *r.Comparison
			c.Note = f(c.Note)
			c.Regressed = slices.Clone(c.Regressed)
			r.Comparison = &c
		}
		out.Releases[i] = r
	}
	out.Events = make([]Event, len(t.Events))
	for i, e := range t.Events {
		out.Events[i] = Event{T: e.T, Kind: f(e.Kind), Dyno: f(e.Dyno), Text: f(e.Text)}
	}
	return out
}

// End is the end of the last bucket.
func (t *Timeline) End() time.Time {
	if len(t.Buckets) == 0 {
		return time.Time{}
	}
	return t.Buckets[len(t.Buckets)-1].T.Add(time.Duration(t.BucketSeconds) * time.Second)
}

// Start is the start of the first bucket.
func (t *Timeline) Start() time.Time {
	if len(t.Buckets) == 0 {
		return time.Time{}
	}
	return t.Buckets[0].T
}

// ReleaseAt is the release of the given version, nil if the timeline has none.
func (t *Timeline) ReleaseAt(version int) *Release {
	i := slices.IndexFunc(t.Releases, func(r Release) bool { return r.Version == version })
	if i < 0 {
		return nil
	}
	return &t.Releases[i]
}
