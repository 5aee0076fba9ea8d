package logcheck

import (
	"maps"
	"slices"
	"sort"
	"time"
)

// Caps of the tables keyed by values from the logs: a hostile or broken
// input (300,000 distinct codes or dynos) fills a table up to its cap, and
// what did not fit is counted, never stored.
const (
	maxPaths    = 2000 // method + path patterns; beyond, one overflow row
	maxCodes    = 256  // distinct error codes (Heroku has about 50)
	maxDynos    = 500  // dynos with memory samples, and dynos with state changes
	maxAddons   = 64   // Postgres and Redis sources with metrics
	maxTracked  = 4096 // request ids and events kept to match app-side timeouts with the router's
	maxCodeDyno = 50   // dynos listed per code
	maxSamples  = 3    // unread lines quoted in the report
	sampleBytes = 160  // of each quoted line
	// Values kept as keys or names are cut to these lengths, so the capped
	// tables are bounded in bytes too.
	maxKeyBytes  = 64  // dynos, methods, request ids, add-on sources
	maxPathBytes = 512 // paths, before their ids are folded
	maxDescBytes = 120 // a code's description
)

// Reason says why a line was not understood.
type Reason uint8

const (
	// ReasonNoPrefix: no framing (timestamp and source, syslog frame,
	// Papertrail columns) and not a Heroku message either.
	ReasonNoPrefix Reason = iota
	// ReasonNotHeroku: a syslog frame or Papertrail row from a program that
	// is not Heroku's, whose message is not Heroku's either.
	ReasonNotHeroku
	// ReasonBinary: not text (NUL or other control bytes).
	ReasonBinary
	// ReasonTooLong: a line longer than a chunk (4 MiB).
	ReasonTooLong
	// ReasonRouter: a router line with neither a status nor an error code.
	ReasonRouter
	// ReasonBadCode: a router line whose code= is not a Heroku error code.
	ReasonBadCode
	// ReasonMetrics: a metrics line without a readable sample.
	ReasonMetrics
	numReasons
)

var reasonNames = [numReasons]string{
	ReasonNoPrefix:  "no log prefix and not a Heroku message",
	ReasonNotHeroku: "not from Heroku (another program's syslog frame or Papertrail row)",
	ReasonBinary:    "not text (binary data)",
	ReasonTooLong:   "longer than 4 MiB",
	ReasonRouter:    "a router line with neither status nor code",
	ReasonBadCode:   "code= is not a Heroku error code",
	ReasonMetrics:   "a metrics line without a readable sample",
}

func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// CodeStat is one Heroku error code seen in the logs.
type CodeStat struct {
	Code  string
	Desc  string
	Count int
	First time.Time
	Last  time.Time
	Dynos []string
}

// PathStat is the service time of one method + path pattern.
type PathStat struct {
	Method string
	Path   string
	Hist   Histogram
	Errors int // 5xx
}

// DynoMem is what runtime metrics and the dyno manager said about one
// dyno's memory and load. Shares are of the quota the dyno had when the
// sample was taken, so a dyno resized in the window is judged right.
type DynoMem struct {
	Dyno     string
	Samples  int // memory samples (log-runtime-metrics)
	MaxTotal float64
	MaxRSS   float64
	MaxSwap  float64
	Quota    float64 // the last sample's sample#memory_quota (MB); 0 when no sample gave one
	MaxShare float64 // the largest memory/quota of one sample or one "Process running" line
	// Running counts the dyno manager's "Process running mem=533M(104.3%)"
	// lines, written next to every R14/R15: memory evidence without metrics.
	Running     int
	LoadSamples int
	MaxLoad     float64 // sample#load_avg_1m
}

// Exit statuses are told apart in DynoStates.Exits.
const (
	ExitClean   = iota // 0
	ExitError          // 1, and any other non-zero status but 137 and 143: the app failed
	ExitKilled         // 137: SIGKILL (R10 boot timeout, R12 exit timeout, R15 memory)
	ExitTerm           // 143: SIGTERM (a restart, a deploy, the daily cycling, idling, scaling)
	ExitUnknown        // "Process exited" without a status (before 2012)
	numExits
)

// DynoStates counts the life-cycle lines of one dyno.
type DynoStates struct {
	Crashed       int // State changed ... to crashed
	CrashRestarts int // State changed from crashed to starting: Heroku restarting a crashed dyno
	Restarts      int // other restarts: Restarting, Cycling, up to starting (deploys, ps:restart)
	Killed        int // Stopping ... with SIGKILL
	Exits         [numExits]int
	ExitStatuses  map[int]int // every status seen (0-255), for the evidence
}

// Stats is everything the lines said. It takes bounded memory however many
// lines are read.
type Stats struct {
	Lines         int // log records (a line may hold several drain frames)
	RouterLines   int
	RuntimeLines  int // runtime-metrics samples
	PlatformLines int // other lines of Heroku's own (dyno manager, Logplex, API)
	AppLines      int
	// Unread counts the lines not understood, by reason; UnreadSamples
	// quotes the first few.
	Unread        [numReasons]int
	UnreadSamples []string
	// RouterPartial counts router lines read in part: a stray quote, a line
	// cut inside a value. Their code, status and dyno were kept.
	RouterPartial int
	Formats       [numFormats]int

	Status   [600]uint64
	NoStatus int // router lines without a status (status=, as H24 writes it)
	Service  Histogram
	Connect  Histogram
	// Kept out of the service-time percentiles (their time is not work):
	Upgrades     int    // status 101: websockets, whose service= is the connection's life
	UpgradeMaxMS uint32 // the longest of them
	Aborted      int    // H27 / status 499: the client hung up
	Idle         int    // H15 / H28: an idle connection cut after 55 s

	Codes        map[string]*CodeStat
	CodesDropped int // lines of codes beyond maxCodes
	Paths        map[string]*PathStat
	PathOverflow int
	Dynos        map[string]*DynoMem
	DynosDropped int // samples of dynos beyond maxDynos
	States       map[string]*DynoStates
	StatesDrop   int
	Addons       map[string]*AddonStat
	AddonsDrop   int
	Timeouts     Timeouts
	// Timeline is the traffic, memory and events over time.
	Timeline Timeline

	First, Last time.Time
	// ViewerTimes: some times came from Papertrail's viewer, which shows no
	// year and uses the viewer's time zone; they are kept in year 0.
	ViewerTimes bool
	// FirLines counts lines of Fir-generation apps (heroku-router and its
	// siblings, or Fir dyno names); Fir says the app is one (its session).
	FirLines int
	Fir      bool

	// Truncated: the source ended early (the session's deadline passed).
	Truncated bool
	// Live: a session that tails and never ends (Fir): its deadline is its end.
	Live bool
	// LiveFor is how long a live session was read.
	LiveFor time.Duration
	// ReadError: the input broke off (a truncated gzip download, a reset
	// stream) after the lines counted here.
	ReadError string
	// Notes on the input that change nothing in the analysis (gzip's
	// trailing zeros).
	Notes []string
}

func newStats() Stats {
	return Stats{Codes: map[string]*CodeStat{}, Paths: map[string]*PathStat{}, Dynos: map[string]*DynoMem{},
		States: map[string]*DynoStates{}, Addons: map[string]*AddonStat{}}
}

// Stats returns what was read so far.
func (a *Analyzer) Stats() *Stats { return &a.st }

// UnreadLines is the number of lines not understood.
func (s *Stats) UnreadLines() int {
	n := 0
	for _, c := range s.Unread {
		n += c
	}
	return n
}

// Understood is the number of lines read.
func (s *Stats) Understood() int { return s.Lines - s.UnreadLines() }

// CodesSorted lists the codes seen, most frequent first.
func (s *Stats) CodesSorted() []*CodeStat {
	out := make([]*CodeStat, 0, len(s.Codes))
	for _, c := range s.Codes {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Requests is the number of router lines with a status.
func (s *Stats) Requests() uint64 {
	var n uint64
	for _, c := range s.Status {
		n += c
	}
	return n
}

// Errors5xx counts responses with a 5xx status.
func (s *Stats) Errors5xx() uint64 {
	var n uint64
	for st := 500; st < 600; st++ {
		n += s.Status[st]
	}
	return n
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Merge adds another analysis (of other lines) into s. The caps hold for
// the merged tables too.
func (s *Stats) Merge(o *Stats) {
	s.Lines += o.Lines
	s.RouterLines += o.RouterLines
	s.RuntimeLines += o.RuntimeLines
	s.PlatformLines += o.PlatformLines
	s.AppLines += o.AppLines
	for i, c := range o.Unread {
		s.Unread[i] += c
	}
	for _, l := range o.UnreadSamples {
		if len(s.UnreadSamples) < maxSamples {
			s.UnreadSamples = append(s.UnreadSamples, l)
		}
	}
	s.RouterPartial += o.RouterPartial
	for i, c := range o.Formats {
		s.Formats[i] += c
	}
	for i, c := range o.Status {
		s.Status[i] += c
	}
	s.NoStatus += o.NoStatus
	s.Service.Merge(&o.Service)
	s.Connect.Merge(&o.Connect)
	s.Upgrades += o.Upgrades
	s.UpgradeMaxMS = max(s.UpgradeMaxMS, o.UpgradeMaxMS)
	s.Aborted += o.Aborted
	s.Idle += o.Idle
	s.First = minTime(s.First, o.First)
	s.Last = maxTime(s.Last, o.Last)
	s.ViewerTimes = s.ViewerTimes || o.ViewerTimes
	s.FirLines += o.FirLines

	s.CodesDropped += o.CodesDropped
	mergeCapped(s.Codes, o.Codes, maxCodes, &s.CodesDropped, func(c *CodeStat) int { return c.Count },
		func(c *CodeStat) *CodeStat { cp := *c; cp.Dynos = slices.Clone(c.Dynos); return &cp }, (*CodeStat).merge)
	for k, p := range o.Paths {
		m, ok := s.Paths[k]
		if !ok {
			if len(s.Paths) >= maxPaths && k != overflowPath {
				s.PathOverflow += int(p.Hist.Count())
				m = s.overflowRow()
			} else {
				cp := *p
				s.Paths[k] = &cp
				continue
			}
		}
		m.Hist.Merge(&p.Hist)
		m.Errors += p.Errors
	}
	s.PathOverflow += o.PathOverflow
	s.DynosDropped += o.DynosDropped
	mergeCapped(s.Dynos, o.Dynos, maxDynos, &s.DynosDropped, func(d *DynoMem) int { return d.Samples + d.Running + d.LoadSamples },
		func(d *DynoMem) *DynoMem { cp := *d; return &cp }, (*DynoMem).merge)
	s.StatesDrop += o.StatesDrop
	mergeCapped(s.States, o.States, maxDynos, &s.StatesDrop, func(*DynoStates) int { return 1 },
		func(d *DynoStates) *DynoStates { cp := *d; cp.ExitStatuses = maps.Clone(d.ExitStatuses); return &cp }, (*DynoStates).merge)
	s.AddonsDrop += o.AddonsDrop
	mergeCapped(s.Addons, o.Addons, maxAddons, &s.AddonsDrop, func(a *AddonStat) int { return a.Samples },
		func(a *AddonStat) *AddonStat { cp := *a; return &cp }, (*AddonStat).merge)
	s.Timeouts.merge(&o.Timeouts)
	s.Timeline.merge(&o.Timeline)
	s.Truncated = s.Truncated || o.Truncated
	if s.ReadError == "" {
		s.ReadError = o.ReadError
	}
	s.Notes = append(s.Notes, o.Notes...)
}

// mergeCapped adds src's rows into dst: a row both have is merged, a new
// one copied while dst is under its cap, and the others counted (by
// weight) as dropped.
func mergeCapped[V any](dst, src map[string]*V, limit int, dropped *int, weight func(*V) int, clone func(*V) *V, merge func(into, from *V)) {
	for k, v := range src {
		if m, ok := dst[k]; ok {
			merge(m, v)
			continue
		}
		if len(dst) >= limit {
			*dropped += weight(v)
			continue
		}
		dst[k] = clone(v)
	}
}

func (m *CodeStat) merge(c *CodeStat) {
	m.Count += c.Count
	if m.Desc == "" {
		m.Desc = c.Desc
	}
	m.First = minTime(m.First, c.First)
	m.Last = maxTime(m.Last, c.Last)
	for _, d := range c.Dynos {
		if len(m.Dynos) < maxCodeDyno && !slices.Contains(m.Dynos, d) {
			m.Dynos = append(m.Dynos, d)
		}
	}
}

const overflowPath = "* (other paths)"

func (s *Stats) overflowRow() *PathStat {
	ps, ok := s.Paths[overflowPath]
	if !ok {
		ps = &PathStat{Method: "*", Path: "(other paths)"}
		s.Paths[overflowPath] = ps
	}
	return ps
}

func (m *DynoMem) merge(d *DynoMem) {
	m.Samples += d.Samples
	m.MaxTotal = max(m.MaxTotal, d.MaxTotal)
	m.MaxRSS = max(m.MaxRSS, d.MaxRSS)
	m.MaxSwap = max(m.MaxSwap, d.MaxSwap)
	m.MaxShare = max(m.MaxShare, d.MaxShare)
	if d.Quota > 0 {
		m.Quota = d.Quota
	}
	m.Running += d.Running
	m.LoadSamples += d.LoadSamples
	m.MaxLoad = max(m.MaxLoad, d.MaxLoad)
}

// merge adds o's counts.
func (s *DynoStates) merge(o *DynoStates) {
	s.Crashed += o.Crashed
	s.CrashRestarts += o.CrashRestarts
	s.Restarts += o.Restarts
	s.Killed += o.Killed
	for i, c := range o.Exits {
		s.Exits[i] += c
	}
	for st, c := range o.ExitStatuses {
		if s.ExitStatuses == nil {
			s.ExitStatuses = map[int]int{}
		}
		s.ExitStatuses[st] += c
	}
}
