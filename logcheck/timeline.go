package logcheck

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// The timeline keeps, per time bucket, what the router said (requests,
// 5xx, H errors, a sketch of the service times), the dynos' memory and
// their crashes and restarts, in constant memory: at most maxBuckets
// buckets, 1 minute wide to start with, each as wide as one of
// bucketWidths. When the lines span more than maxBuckets buckets, the
// buckets are merged into wider ones (each width a multiple of the one
// before, buckets aligned on the epoch, so merging is exact). Lines may
// come in any order: a bucket is found by its time, not by arrival.
const (
	maxBuckets       = 360 // 6 hours of minutes; a week-long archive gets 30-minute buckets
	maxTimelineDynos = 16  // dynos with a memory series; beyond, counted
	maxChangeEvents  = 256 // deploys, rollbacks, config changes, scaling
	maxDynoEvents    = 256 // restarts and crashes listed (every one is counted in its bucket)
	maxReleases      = 256
	eventTextBytes   = 160
)

// bucketWidths are the widths a timeline's buckets can have, in seconds,
// each a multiple of the one before; past a day, they double.
var bucketWidths = []int64{60, 300, 900, 1800, 3600, 7200, 21600, 43200, 86400}

// Times outside these years are a broken timestamp, not a moment of an
// app's life: placing one would stretch the buckets over decades.
var (
	minPlaced = time.Date(2007, 1, 1, 0, 0, 0, 0, time.UTC).Unix() // Heroku's first year
	maxPlaced = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

func nextWidth(w int64) int64 {
	for _, x := range bucketWidths {
		if x > w {
			return x
		}
	}
	return w * 2
}

// memSlot is one dyno's memory in one bucket: the largest sample's values
// (MB) and the quota it was taken against.
type memSlot struct {
	total, rss, swap, quota float32
	n                       uint16
}

func (m *memSlot) merge(o *memSlot) {
	if o.n == 0 {
		return
	}
	m.total, m.rss, m.swap = max(m.total, o.total), max(m.rss, o.rss), max(m.swap, o.swap)
	m.quota = max(m.quota, o.quota)
	m.n += o.n
}

// bucket is one time bucket of the timeline.
type bucket struct {
	requests, status5xx, hErrors uint32
	// The same counts without the lines Heroku's platform answered for
	// itself (maintenance mode, platform errors, clients that hung up):
	// what a release can make worse.
	appRequests, app5xx, appHErrors uint32
	crashes, restarts               uint32
	service                         Sketch
	mem                             [maxTimelineDynos]memSlot
}

func (b *bucket) merge(o *bucket, slots []int) {
	b.requests += o.requests
	b.status5xx += o.status5xx
	b.hErrors += o.hErrors
	b.appRequests += o.appRequests
	b.app5xx += o.app5xx
	b.appHErrors += o.appHErrors
	b.crashes += o.crashes
	b.restarts += o.restarts
	b.service.Merge(&o.service)
	for i := range o.mem {
		if o.mem[i].n == 0 {
			continue
		}
		j := i
		if slots != nil {
			if j = slots[i]; j < 0 {
				continue
			}
		}
		b.mem[j].merge(&o.mem[i])
	}
}

// EventKind is what a timeline event is.
type EventKind string

const (
	EventRelease  EventKind = "release"
	EventDeploy   EventKind = "deploy"
	EventRollback EventKind = "rollback"
	EventConfig   EventKind = "config"
	EventScale    EventKind = "scale"
	EventRestart  EventKind = "restart"
	EventCrash    EventKind = "crash"
)

// Event is one thing that happened to the app, as a log line said it.
type Event struct {
	At   time.Time
	Kind EventKind
	Dyno string // the dyno of a restart or a crash
	Text string // the line's message, cut to eventTextBytes
}

// Release is one release of the app: from a "Release v42 created by ..."
// line, or from the Platform API.
type Release struct {
	Version     int
	At          time.Time
	Description string
	Failed      bool // the API says its release phase failed: it never ran
	FromAPI     bool
}

// Timeline is the log's traffic and memory over time. Its zero value is
// empty and ready.
type Timeline struct {
	width int64    // seconds; 0 while nothing was placed
	lo    int64    // the bucket number (unix seconds / width) of b[0]
	b     []bucket // buckets lo, lo+1, ...
	// The bucket the last line fell in, b[cur], covers unix seconds
	// [curFrom, curTo): the next line most often falls there too, found
	// without a division. curTo is 0 when b changed.
	cur            int
	curFrom, curTo int64
	dynos          []string // the memory slots' dynos
	Changes        []Event  // releases, deploys, rollbacks, config changes, scaling, as the API's lines said them
	Dynos          []Event  // restarts and crashes
	// Releases from the log lines (and the API's, once AddReleases ran).
	Releases []Release
	// Dropped counts what the caps left out: memory samples of dynos
	// beyond maxTimelineDynos, events beyond their caps.
	DynosDropped, EventsDropped int
	// Untimed counts the lines the timeline would have placed but that
	// carry no usable time: no timestamp, Papertrail's viewer times (no
	// year, the viewer's zone) or a time outside 2007-2100.
	Untimed int
}

// bucketAt is the bucket of t, nil (counted as untimed) when t cannot be
// placed. Most lines fall in a bucket that exists: one subtraction and a
// bounds check.
func (tl *Timeline) bucketAt(t time.Time) *bucket {
	sec := t.Unix()
	if sec >= tl.curFrom && sec < tl.curTo {
		return &tl.b[tl.cur]
	}
	if t.IsZero() || sec < minPlaced || sec >= maxPlaced {
		tl.Untimed++
		return nil
	}
	if tl.width == 0 || floorDiv(sec, tl.width)-tl.lo < 0 || floorDiv(sec, tl.width)-tl.lo >= int64(len(tl.b)) {
		tl.extend(sec)
		tl.curTo = 0
	}
	k := floorDiv(sec, tl.width)
	tl.cur, tl.curFrom, tl.curTo = int(k-tl.lo), k*tl.width, (k+1)*tl.width
	return &tl.b[tl.cur]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// extend makes room for the bucket of sec: wider buckets when the span
// would exceed maxBuckets, then more buckets at either end.
func (tl *Timeline) extend(sec int64) {
	if tl.width == 0 {
		// Room for every bucket there will ever be, at once (half a
		// megabyte): the timeline's memory is the same for a short log and
		// a long one, and growing it never copies or leaves garbage.
		tl.width = bucketWidths[0]
		tl.lo = floorDiv(sec, tl.width)
		tl.b = make([]bucket, 1, maxBuckets)
		return
	}
	for {
		k := floorDiv(sec, tl.width)
		lo, hi := min(tl.lo, k), max(tl.lo+int64(len(tl.b))-1, k)
		if hi-lo+1 <= maxBuckets {
			tl.cover(lo, hi)
			return
		}
		tl.coarsen(nextWidth(tl.width))
	}
}

// cover grows the buckets to span bucket numbers lo..hi (within maxBuckets).
func (tl *Timeline) cover(lo, hi int64) {
	if lo < tl.lo {
		n := int(tl.lo - lo)
		old := len(tl.b)
		tl.b = slices.Grow(tl.b, n)[:old+n]
		copy(tl.b[n:], tl.b[:old])
		clear(tl.b[:n])
		tl.lo = lo
	}
	if end := tl.lo + int64(len(tl.b)); hi >= end {
		n := int(hi - end + 1)
		old := len(tl.b)
		tl.b = slices.Grow(tl.b, n)[:old+n] // within the capacity made at the start
		clear(tl.b[old:])
	}
}

// coarsen merges the buckets into buckets of width w, a multiple of the
// current width: bucket k goes into bucket k*width/w. It works in place,
// front to back (a bucket's new place is never after its old one).
func (tl *Timeline) coarsen(w int64) {
	f := w / tl.width
	newLo := floorDiv(tl.lo, f)
	last := int64(-1)
	for i := range tl.b {
		j := floorDiv(tl.lo+int64(i), f) - newLo
		switch {
		case j == int64(i):
			last = j
		case j > last:
			tl.b[j] = tl.b[i]
			last = j
		default:
			tl.b[j].merge(&tl.b[i], nil)
		}
	}
	tl.b = tl.b[:last+1]
	tl.width, tl.lo = w, newLo
	tl.curTo = 0
}

// slot is the memory slot of dyno, -1 when the slots are full.
func (tl *Timeline) slot(dyno []byte) int {
	for i, d := range tl.dynos {
		if d == string(dyno) {
			return i
		}
	}
	if len(tl.dynos) >= maxTimelineDynos {
		return -1
	}
	tl.dynos = append(tl.dynos, string(dyno))
	return len(tl.dynos) - 1
}

// platformCode tells the router's codes that are Heroku's or the client's
// doing, not the app's: no release causes them, so the release comparison
// leaves their lines out (maintenance mode during a deploy answers 503
// H80 to every request).
func platformCode(code []byte) bool {
	switch string(code) {
	case "H15", "H27", "H28", "H80", "H81", "H82", "H83", "H99":
		return true
	}
	return false
}

// router places one router line.
func (tl *Timeline) router(t time.Time, f *routerFields, timed bool) {
	b := tl.bucketAt(t)
	if b == nil {
		return
	}
	isH := len(f.code) > 0 && f.code[0] == 'H'
	fail := f.status >= 500
	if f.haveStatus {
		b.requests++
	}
	if fail {
		b.status5xx++
	}
	if isH {
		b.hErrors++
	}
	if platformCode(f.code) || f.status == 499 {
		return
	}
	if f.haveStatus {
		b.appRequests++
	}
	if fail {
		b.app5xx++
	}
	if isH {
		b.appHErrors++
	}
	if timed {
		b.service.Add(f.service)
	}
}

// memory places one memory sample of dyno (MB; quota 0 when unknown).
func (tl *Timeline) memory(t time.Time, dyno []byte, total, rss, swap, quota float64) {
	if len(dyno) == 0 {
		return
	}
	b := tl.bucketAt(t)
	if b == nil {
		return
	}
	i := tl.slot(dyno)
	if i < 0 {
		tl.DynosDropped++
		return
	}
	m := &b.mem[i]
	m.total, m.rss, m.swap = max(m.total, float32(total)), max(m.rss, float32(rss)), max(m.swap, float32(swap))
	m.quota = max(m.quota, float32(quota))
	m.n++
}

// dynoEvent places a crash or a restart.
func (tl *Timeline) dynoEvent(t time.Time, kind EventKind, dyno, msg []byte) {
	b := tl.bucketAt(t)
	if b == nil {
		return
	}
	if kind == EventCrash {
		b.crashes++
	} else {
		b.restarts++
	}
	if len(tl.Dynos) >= maxDynoEvents {
		tl.EventsDropped++
		return
	}
	tl.Dynos = append(tl.Dynos, Event{At: t, Kind: kind, Dyno: string(dyno), Text: clipText(msg)})
}

// api reads the Platform API's own lines (app[api], heroku[api]):
// releases, deploys, rollbacks, config changes, scaling. It tells whether
// the message was one of them.
func (tl *Timeline) api(t time.Time, msg []byte) bool {
	var kind EventKind
	switch {
	case bytes.HasPrefix(msg, []byte("Release v")):
		// "Release v42 created by ...", and "Release v42 command failed by
		// ..." when its release phase failed: the release never ran.
		v, rest, ok := releaseVersion(msg[len("Release v"):])
		failed := bytes.HasPrefix(rest, []byte(" command failed"))
		if !ok || !(failed || bytes.HasPrefix(rest, []byte(" created"))) {
			return false
		}
		if placed(t, &tl.Untimed) {
			if len(tl.Releases) >= maxReleases {
				tl.EventsDropped++
			} else {
				tl.Releases = append(tl.Releases, Release{Version: v, At: t, Failed: failed})
			}
			// The event is the line as written ("... command failed" too),
			// kept apart from the releases, which the API's may replace.
			tl.change(t, EventRelease, msg)
		}
		return true
	case bytes.HasPrefix(msg, []byte("Deploy ")):
		kind = EventDeploy
	case bytes.HasPrefix(msg, []byte("Rollback to v")):
		kind = EventRollback
	case bytes.HasPrefix(msg, []byte("Set ")) && bytes.Contains(msg, []byte(" config var")),
		bytes.HasPrefix(msg, []byte("Remove ")) && bytes.Contains(msg, []byte(" config var")),
		bytes.HasPrefix(msg, []byte("Config add ")), bytes.HasPrefix(msg, []byte("Config remove ")):
		kind = EventConfig
	case bytes.HasPrefix(msg, []byte("Scaled to ")):
		kind = EventScale
	default:
		return false
	}
	if placed(t, &tl.Untimed) {
		tl.change(t, kind, msg)
	}
	return true
}

// change lists one of the API's events, within maxChangeEvents.
func (tl *Timeline) change(t time.Time, kind EventKind, msg []byte) {
	if len(tl.Changes) >= maxChangeEvents {
		tl.EventsDropped++
		return
	}
	tl.Changes = append(tl.Changes, Event{At: t, Kind: kind, Text: clipText(msg)})
}

// placed tells whether t can be placed, counting it in untimed if not.
func placed(t time.Time, untimed *int) bool {
	if sec := t.Unix(); t.IsZero() || sec < minPlaced || sec >= maxPlaced {
		*untimed++
		return false
	}
	return true
}

// releaseVersion reads the 42 of "42 created by ...", and what follows it.
func releaseVersion(b []byte) (int, []byte, bool) {
	n := 0
	for n < len(b) && isDigit(b[n]) {
		n++
	}
	if n == 0 || n > 9 {
		return 0, nil, false
	}
	v, ok := parseUint(b[:n])
	return int(v), b[n:], ok && v > 0
}

// clipText is a message kept as an event's text: valid UTF-8, cut.
func clipText(b []byte) string {
	b = clipKey(b, eventTextBytes)
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}

// merge adds another timeline (of other lines) into tl. o's buckets may
// be merged into wider ones on the way (the parallel reader merges its
// workers' timelines once, at the end, and keeps no copy).
func (tl *Timeline) merge(o *Timeline) {
	tl.Untimed += o.Untimed
	tl.DynosDropped += o.DynosDropped
	tl.EventsDropped += o.EventsDropped
	tl.Changes, tl.EventsDropped = appendCapped(tl.Changes, o.Changes, maxChangeEvents, tl.EventsDropped)
	tl.Dynos, tl.EventsDropped = appendCapped(tl.Dynos, o.Dynos, maxDynoEvents, tl.EventsDropped)
	tl.Releases, tl.EventsDropped = appendCapped(tl.Releases, o.Releases, maxReleases, tl.EventsDropped)
	if o.width == 0 {
		return
	}
	if tl.width == 0 {
		tl.width, tl.lo, tl.dynos, tl.b = o.width, o.lo, o.dynos, o.b
		o.b = nil
		return
	}
	src := o
	for {
		w := max(tl.width, src.width)
		if tl.width < w {
			tl.coarsen(w)
		}
		if src.width < w {
			src.coarsen(w)
		}
		lo := min(tl.lo, src.lo)
		hi := max(tl.lo+int64(len(tl.b)), src.lo+int64(len(src.b))) - 1
		if hi-lo+1 <= maxBuckets {
			tl.cover(lo, hi)
			break
		}
		tl.coarsen(nextWidth(w))
	}
	slots := make([]int, len(o.dynos))
	for i, d := range o.dynos {
		if slots[i] = tl.slot([]byte(d)); slots[i] < 0 {
			for j := range src.b {
				tl.DynosDropped += int(src.b[j].mem[i].n)
			}
		}
	}
	for i := range src.b {
		tl.b[src.lo+int64(i)-tl.lo].merge(&src.b[i], slots)
	}
	tl.curTo = 0
}

// appendCapped appends what fits under the cap, counting the rest.
func appendCapped[E any](dst, src []E, limit, dropped int) ([]E, int) {
	n := min(len(src), max(limit-len(dst), 0))
	return append(dst, src[:n]...), dropped + len(src) - n
}

// BucketWidth is the buckets' width (0 when nothing was placed).
func (tl *Timeline) BucketWidth() time.Duration { return time.Duration(tl.width) * time.Second }

// Len is the number of buckets, from the first placed line's to the last's.
func (tl *Timeline) Len() int { return len(tl.b) }

// Start is the start of the first bucket.
func (tl *Timeline) Start() time.Time { return tl.bucketStart(0) }

func (tl *Timeline) bucketStart(i int) time.Time {
	return time.Unix((tl.lo+int64(i))*tl.width, 0).UTC()
}

// index is the bucket index of t, which may be outside 0..Len()-1.
func (tl *Timeline) index(t time.Time) int {
	return int(floorDiv(t.Unix(), tl.width) - tl.lo)
}

// Report is the timeline as the report holds it, for app: every bucket
// from the first placed line's to the last's (gaps included, as empty
// buckets), each dyno's memory, the releases inside the window with their
// comparisons, and the events in time order. Nil when no line was read.
func (s *Stats) Report(app string, th Thresholds) *report.Timeline {
	if s.Lines == 0 {
		return nil
	}
	tl := &s.Timeline
	// With nothing placed, the width the buckets would have had.
	out := &report.Timeline{App: app, BucketSeconds: int(max(tl.width, bucketWidths[0])), Buckets: []report.Bucket{}, Memory: []report.DynoMemory{},
		Releases: []report.Release{}, Events: []report.Event{}, Untimed: tl.Untimed, Dropped: tl.DynosDropped + tl.EventsDropped}
	for i := range tl.b {
		b := &tl.b[i]
		rb := report.Bucket{T: tl.bucketStart(i), Requests: int(b.requests), Status5xx: int(b.status5xx), HErrors: int(b.hErrors),
			Crashes: int(b.crashes), Restarts: int(b.restarts), Timed: b.service.Count()}
		if rb.Timed > 0 {
			rb.P50, rb.P95 = float64(b.service.Quantile(0.5)), float64(b.service.Quantile(0.95))
		}
		out.Buckets = append(out.Buckets, rb)
	}
	for slot, d := range tl.dynos {
		dm := report.DynoMemory{Dyno: d}
		for i := range tl.b {
			if m := &tl.b[i].mem[slot]; m.n > 0 {
				dm.Points = append(dm.Points, report.MemoryPoint{T: tl.bucketStart(i), TotalMB: mb(m.total), RSSMB: mb(m.rss), SwapMB: mb(m.swap), QuotaMB: mb(m.quota)})
			}
		}
		if len(dm.Points) > 0 {
			out.Memory = append(out.Memory, dm)
		}
	}
	slices.SortFunc(out.Memory, func(a, b report.DynoMemory) int { return cmp.Compare(a.Dyno, b.Dyno) })
	cmps := map[int]*report.Comparison{}
	for _, c := range compareReleases(tl, th) {
		cc := c.cmp
		cmps[c.rel.Version] = &cc
	}
	start, end := tl.bucketStart(0), tl.bucketStart(len(tl.b))
	for _, r := range tl.releases() {
		// The API's releases are of any time; the logs' are theirs. With
		// no line placed there is no window, and no release inside it.
		if tl.width == 0 || r.At.Before(start) || !r.At.Before(end) {
			continue
		}
		out.Releases = append(out.Releases, report.Release{Version: r.Version, At: r.At.UTC(), Description: r.Description, Comparison: cmps[r.Version]})
	}
	for _, e := range slices.Concat(tl.Changes, tl.Dynos) {
		out.Events = append(out.Events, report.Event{T: e.At.UTC(), Kind: string(e.Kind), Dyno: e.Dyno, Text: e.Text})
	}
	slices.SortStableFunc(out.Events, func(a, b report.Event) int {
		return cmp.Or(a.T.Compare(b.T), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Dyno, b.Dyno))
	})
	return out
}

// mb rounds a float32 sample back to the two decimals the logs wrote.
func mb(f float32) float64 { return math.Round(float64(f)*100) / 100 }
