// Package dnszone is a small DNS server on loopback, speaking the real
// protocol over UDP and TCP on one port, for tests and the sandbox. It
// serves records given in presentation format, and can be told to
// misbehave the ways real servers do: truncate over UDP, SERVFAIL, never
// answer, answer only the first CNAME of a chain (as an authoritative server
// does for an out-of-zone target), or answer slowly.
package dnszone

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Server is a running DNS server.
type Server struct {
	Addr string // 127.0.0.1:PORT, UDP and TCP

	mu       sync.RWMutex
	records  map[string][]dns.RR
	follow   bool
	truncate map[string]bool
	servfail map[string]bool
	hang     map[string]bool
	latency  time.Duration

	queries atomic.Int64
	tcp     atomic.Int64
	busy    atomic.Int64 // queries being answered now
	maxBusy atomic.Int64
	drop    map[string]int
	udpSrv  *dns.Server
	tcpSrv  *dns.Server
}

// Options of a server.
type Options struct {
	// Follow answers a CNAME together with its target's records, as a
	// recursive resolver does. Without it only the CNAME comes back.
	Follow bool
	// Latency delays every answer.
	Latency time.Duration
}

// Start serves on 127.0.0.1, on one free port for both UDP and TCP.
func Start(opts Options) (*Server, error) {
	s := &Server{records: map[string][]dns.RR{}, follow: opts.Follow, latency: opts.Latency,
		truncate: map[string]bool{}, servfail: map[string]bool{}, hang: map[string]bool{}, drop: map[string]int{}}
	var lastErr error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		l, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			pc.Close()
			lastErr = err
			continue
		}
		s.Addr = pc.LocalAddr().String()
		s.udpSrv = &dns.Server{PacketConn: pc, Handler: s}
		s.tcpSrv = &dns.Server{Listener: l, Handler: s}
		udpUp, tcpUp := make(chan struct{}), make(chan struct{})
		s.udpSrv.NotifyStartedFunc = func() { close(udpUp) }
		s.tcpSrv.NotifyStartedFunc = func() { close(tcpUp) }
		go s.udpSrv.ActivateAndServe()
		go s.tcpSrv.ActivateAndServe()
		<-udpUp
		<-tcpUp
		return s, nil
	}
	return nil, fmt.Errorf("no free port for UDP and TCP: %v", lastErr)
}

// Close stops the server.
func (s *Server) Close() {
	s.udpSrv.Shutdown()
	s.tcpSrv.Shutdown()
}

// Add serves records given in presentation format, one per string
// ("www.acme.com. 300 IN CNAME x.herokudns.com.").
func (s *Server) Add(lines ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			return fmt.Errorf("%q: %v", l, err)
		}
		if rr == nil {
			continue
		}
		name := dns.CanonicalName(rr.Header().Name)
		s.records[name] = append(s.records[name], rr)
	}
	return nil
}

// MustAdd is Add that panics, for fixtures.
func (s *Server) MustAdd(lines ...string) {
	if err := s.Add(lines...); err != nil {
		panic(err)
	}
}

// Truncate answers name with TC over UDP, in full over TCP.
func (s *Server) Truncate(name string) { s.set(s.truncate, name) }

// ServFail answers name with SERVFAIL.
func (s *Server) ServFail(name string) { s.set(s.servfail, name) }

// Hang never answers queries for name.
func (s *Server) Hang(name string) { s.set(s.hang, name) }

func (s *Server) set(m map[string]bool, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m[dns.CanonicalName(name)] = true
}

// Drop ignores the next n queries for name (lost datagrams).
func (s *Server) Drop(name string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop[dns.CanonicalName(name)] += n
}

// MaxConcurrent is the most queries that were being answered at once.
func (s *Server) MaxConcurrent() int64 { return s.maxBusy.Load() }

// Queries is how many queries arrived; TCPQueries how many of them over TCP.
func (s *Server) Queries() int64    { return s.queries.Load() }
func (s *Server) TCPQueries() int64 { return s.tcp.Load() }

// ServeDNS answers one query.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	s.queries.Add(1)
	isTCP := false
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		isTCP = true
		s.tcp.Add(1)
	}
	if len(r.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeFormatError)
		w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	name := dns.CanonicalName(q.Name)
	s.mu.Lock()
	hang, servfail, truncate, latency := s.hang[name], s.servfail[name], s.truncate[name], s.latency
	dropped := s.drop[name] > 0
	if dropped {
		s.drop[name]--
	}
	s.mu.Unlock()
	if hang || dropped {
		return
	}
	// Busy until the answer leaves, not until the handler returns: the
	// client may ask again as soon as it has the answer.
	n := s.busy.Add(1)
	for m := s.maxBusy.Load(); n > m && !s.maxBusy.CompareAndSwap(m, n); m = s.maxBusy.Load() {
	}
	if latency > 0 {
		time.Sleep(latency)
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	m.RecursionAvailable = true
	if opt := r.IsEdns0(); opt != nil {
		m.SetEdns0(opt.UDPSize(), false)
	}
	switch {
	case servfail:
		m.Rcode = dns.RcodeServerFailure
	case truncate && !isTCP:
		m.Truncated = true
	default:
		s.mu.RLock()
		exists := s.answer(name, q.Qtype, &m.Answer, 0)
		if !exists {
			m.Rcode = dns.RcodeNameError
		}
		if len(m.Answer) == 0 {
			if soa := s.soaFor(name); soa != nil {
				m.Ns = append(m.Ns, soa)
			}
		}
		s.mu.RUnlock()
	}
	s.busy.Add(-1)
	w.WriteMsg(m)
}

// answer appends the records for name/qtype and reports whether the name
// exists. Called with the read lock held.
func (s *Server) answer(name string, qtype uint16, out *[]dns.RR, depth int) bool {
	rrs, ok := s.lookup(name)
	if !ok {
		return s.hasDescendant(name)
	}
	var cname *dns.CNAME
	for _, rr := range rrs {
		if rr.Header().Rrtype == qtype {
			*out = append(*out, rr)
		} else if c, ok := rr.(*dns.CNAME); ok {
			cname = c
		}
	}
	if cname != nil && qtype != dns.TypeCNAME && !hasType(rrs, qtype) {
		*out = append(*out, cname)
		if s.follow && depth < 16 {
			target := dns.CanonicalName(cname.Target)
			if !s.answer(target, qtype, out, depth+1) {
				return false // the chain ends in NXDOMAIN, as a resolver reports it
			}
		}
	}
	return true
}

func hasType(rrs []dns.RR, t uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			return true
		}
	}
	return false
}

// lookup finds name's records, or those of a wildcard that covers it; the
// wildcard's records come back renamed, as a server synthesises them.
func (s *Server) lookup(name string) ([]dns.RR, bool) {
	if rrs, ok := s.records[name]; ok {
		return rrs, true
	}
	if s.hasDescendant(name) {
		return nil, false
	}
	labels := dns.SplitDomainName(name)
	for i := 1; i < len(labels); i++ {
		wild := "*." + strings.Join(labels[i:], ".") + "."
		if rrs, ok := s.records[wild]; ok {
			out := make([]dns.RR, len(rrs))
			for j, rr := range rrs {
				c := dns.Copy(rr)
				c.Header().Name = name
				out[j] = c
			}
			return out, true
		}
	}
	return nil, false
}

func (s *Server) hasDescendant(name string) bool {
	for n := range s.records {
		if strings.HasSuffix(n, "."+name) {
			return true
		}
	}
	return false
}

// soaFor returns the SOA of the closest enclosing zone that has one.
func (s *Server) soaFor(name string) dns.RR {
	labels := dns.SplitDomainName(name)
	for i := 0; i < len(labels); i++ {
		zone := strings.Join(labels[i:], ".") + "."
		for _, rr := range s.records[zone] {
			if rr.Header().Rrtype == dns.TypeSOA {
				return rr
			}
		}
	}
	return nil
}
