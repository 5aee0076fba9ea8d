package logcheck

import (
	"slices"
	"sort"
	"time"
)

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

// DynoMem is what runtime metrics said about one dyno.
type DynoMem struct {
	Dyno     string
	Samples  int
	MaxTotal float64 // MB
	MaxRSS   float64
	MaxSwap  float64
	Quota    float64
	MaxLoad  float64
}

// DynoStates counts state changes of one dyno.
type DynoStates struct {
	Crashed  int
	Starting int
	Exits    int
}

// Stats is everything the lines said. It takes bounded memory however many
// lines are read.
type Stats struct {
	Lines        int
	RouterLines  int
	RuntimeLines int
	AppLines     int
	Malformed    int
	Status       [600]uint64
	Service      Histogram
	Connect      Histogram
	Codes        map[string]*CodeStat
	Paths        map[string]*PathStat
	PathOverflow int
	Dynos        map[string]*DynoMem
	States       map[string]*DynoStates
	First, Last  time.Time
	// Truncated: the source ended early (the session's deadline passed).
	Truncated bool
}

// Stats returns what was read so far.
func (a *Analyzer) Stats() *Stats { return &a.st }

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

// Merge adds another analysis (of other lines) into s.
func (s *Stats) Merge(o *Stats) {
	s.Lines += o.Lines
	s.RouterLines += o.RouterLines
	s.RuntimeLines += o.RuntimeLines
	s.AppLines += o.AppLines
	s.Malformed += o.Malformed
	for i, c := range o.Status {
		s.Status[i] += c
	}
	s.Service.Merge(&o.Service)
	s.Connect.Merge(&o.Connect)
	if !o.First.IsZero() && (s.First.IsZero() || o.First.Before(s.First)) {
		s.First = o.First
	}
	if o.Last.After(s.Last) {
		s.Last = o.Last
	}
	for k, c := range o.Codes {
		m, ok := s.Codes[k]
		if !ok {
			cp := *c
			cp.Dynos = append([]string(nil), c.Dynos...)
			s.Codes[k] = &cp
			continue
		}
		m.Count += c.Count
		if m.Desc == "" {
			m.Desc = c.Desc
		}
		if !c.First.IsZero() && (m.First.IsZero() || c.First.Before(m.First)) {
			m.First = c.First
		}
		if c.Last.After(m.Last) {
			m.Last = c.Last
		}
		for _, d := range c.Dynos {
			if len(m.Dynos) < 50 && !slices.Contains(m.Dynos, d) {
				m.Dynos = append(m.Dynos, d)
			}
		}
	}
	for k, p := range o.Paths {
		m, ok := s.Paths[k]
		if !ok {
			if len(s.Paths) >= maxPaths && k != "* (other paths)" {
				s.PathOverflow += int(p.Hist.Count())
				k = "* (other paths)"
				if m, ok = s.Paths[k]; !ok {
					m = &PathStat{Method: "*", Path: "(other paths)"}
					s.Paths[k] = m
				}
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
	for k, d := range o.Dynos {
		m, ok := s.Dynos[k]
		if !ok {
			cp := *d
			s.Dynos[k] = &cp
			continue
		}
		m.Samples += d.Samples
		m.MaxTotal = max(m.MaxTotal, d.MaxTotal)
		m.MaxRSS = max(m.MaxRSS, d.MaxRSS)
		m.MaxSwap = max(m.MaxSwap, d.MaxSwap)
		m.MaxLoad = max(m.MaxLoad, d.MaxLoad)
		if d.Quota > 0 {
			m.Quota = d.Quota
		}
	}
	for k, st := range o.States {
		m, ok := s.States[k]
		if !ok {
			cp := *st
			s.States[k] = &cp
			continue
		}
		m.Crashed += st.Crashed
		m.Starting += st.Starting
		m.Exits += st.Exits
	}
}
