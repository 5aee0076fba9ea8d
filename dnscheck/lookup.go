package dnscheck

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/publicsuffix"

	"github.com/heroku-checkup/heroku-checkup/internal/safe"
)

// MaxCNAMEHops is how long a CNAME chain may be before the lookup gives up.
const MaxCNAMEHops = 8

// Result is one lookup with its CNAME chain followed.
type Result struct {
	Name    string   // the name asked, fully qualified
	Type    uint16   // the type asked
	Rcode   int      // of the last answer: about Final, the name the chain ends at
	Chain   []string // CNAME targets in order, fully qualified
	Records []dns.RR // records of Type at the end of the chain
	Answers []dns.RR // every answer record seen, in order: dig's answer section
	Loop    bool     // the chain came back to a name it had seen
	TooLong bool     // the chain passed MaxCNAMEHops
	Server  string
	Queries int
}

// Final is the name the chain ends at.
func (r *Result) Final() string {
	if len(r.Chain) > 0 {
		return r.Chain[len(r.Chain)-1]
	}
	return r.Name
}

// Lookup asks for name/qtype and follows CNAMEs itself: inside one answer
// when the server sent the chain, with further queries when it sent only the
// CNAME (as an authoritative server does for an out-of-zone target). It stops
// on a loop and after MaxCNAMEHops. A transport failure is returned as an
// error with whatever was learnt so far; a DNS answer of any Rcode is not
// an error.
func (r *Resolver) Lookup(ctx context.Context, name string, qtype uint16) (*Result, error) {
	cur := dns.CanonicalName(name)
	res := &Result{Name: cur, Type: qtype}
	seen := map[string]bool{cur: true}
	for {
		a, err := r.Exchange(ctx, cur, qtype)
		res.Queries++
		if err != nil {
			return res, err
		}
		res.Server = a.Server
		res.Rcode = a.Msg.Rcode
		res.Answers = append(res.Answers, a.Msg.Answer...)
		asked := cur
		// The chain inside the answer is followed whatever the Rcode: a
		// resolver that meets a CNAME to a name that does not exist answers
		// NXDOMAIN with the CNAMEs in the answer section, the Rcode being
		// about the last name of the chain (RFC 6604).
		for {
			var recs []dns.RR
			var cname *dns.CNAME
			for _, rr := range a.Msg.Answer {
				h := rr.Header()
				if !strings.EqualFold(dns.CanonicalName(h.Name), cur) {
					continue
				}
				if h.Rrtype == qtype {
					recs = append(recs, rr)
				} else if c, ok := rr.(*dns.CNAME); ok && cname == nil {
					cname = c
				}
			}
			if len(recs) > 0 {
				res.Records = recs
				return res, nil
			}
			if cname == nil || qtype == dns.TypeCNAME {
				break
			}
			target := dns.CanonicalName(cname.Target)
			res.Chain = append(res.Chain, target)
			if seen[target] {
				res.Loop = true
				return res, nil
			}
			if len(res.Chain) > MaxCNAMEHops {
				res.TooLong = true
				return res, nil
			}
			seen[target] = true
			cur = target
		}
		if a.Msg.Rcode != dns.RcodeSuccess {
			return res, nil
		}
		if cur == asked {
			return res, nil // NOERROR, no data for this type
		}
	}
}

// Addresses returns the A or AAAA addresses of a result.
func (r *Result) Addresses() []net.IP {
	var out []net.IP
	for _, rr := range r.Records {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A)
		case *dns.AAAA:
			out = append(out, v.AAAA)
		}
	}
	return out
}

// LookupAddrs resolves a host to its IPv4 and IPv6 addresses through the
// resolver (for the TLS checks: the addresses a browser would dial). An IP
// literal is returned as is.
func (r *Resolver) LookupAddrs(ctx context.Context, host string) ([]net.IP, error) {
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return []net.IP{ip}, nil
	}
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return []net.IP{net.IPv4(127, 0, 0, 1)}, nil
	}
	var (
		g      safe.Group
		res    [2]*Result
		errs   [2]error
		qtypes = [2]uint16{dns.TypeA, dns.TypeAAAA}
	)
	for i, qt := range qtypes {
		g.Go(func() { res[i], errs[i] = r.Lookup(ctx, host, qt) })
	}
	g.Wait()
	var ips []net.IP
	for i := range res {
		if errs[i] == nil && res[i] != nil {
			ips = append(ips, res[i].Addresses()...)
		}
	}
	if len(ips) > 0 {
		return ips, nil
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	rc := res[0].Rcode
	if rc == dns.RcodeSuccess {
		return nil, fmt.Errorf("%s has no A or AAAA record", host)
	}
	return nil, fmt.Errorf("%s: %s", host, dns.RcodeToString[rc])
}

// CAAResult is the relevant CAA record set of RFC 8659: the first non-empty
// set found walking from the name up to its registrable domain.
type CAAResult struct {
	At      string // the name that holds the set; empty when none was found
	Records []*dns.CAA
	Answers []dns.RR
	// FailedAt names the level whose lookup failed (SERVFAIL): a CA must
	// then refuse to issue, so Let's Encrypt (ACM) cannot get a certificate.
	FailedAt string
	Rcode    int
}

// CAA finds the relevant CAA set of name, following CNAMEs at each level.
func (r *Resolver) CAA(ctx context.Context, name string) (*CAAResult, error) {
	out := &CAAResult{}
	for _, level := range caaLevels(name) {
		res, err := r.Lookup(ctx, level, dns.TypeCAA)
		if err != nil {
			return out, err
		}
		out.Answers = append(out.Answers, res.Answers...)
		if res.Rcode == dns.RcodeServerFailure {
			out.FailedAt, out.Rcode = level, res.Rcode
			return out, nil
		}
		for _, rr := range res.Records {
			if c, ok := rr.(*dns.CAA); ok {
				out.Records = append(out.Records, c)
			}
		}
		if len(out.Records) > 0 {
			out.At = level
			return out, nil
		}
	}
	return out, nil
}

// caaLevels lists name and its parents down to the registrable domain:
// www.shop.acme.com -> www.shop.acme.com, shop.acme.com, acme.com. Above it
// sit public suffixes, which hold no CAA sets in practice.
func caaLevels(name string) []string {
	name = strings.TrimPrefix(dns.CanonicalName(name), "*.")
	bare := strings.TrimSuffix(name, ".")
	apex, err := publicsuffix.EffectiveTLDPlusOne(bare)
	if err != nil {
		return []string{name}
	}
	var out []string
	for cur := bare; ; {
		out = append(out, cur+".")
		if cur == apex {
			return out
		}
		i := strings.IndexByte(cur, '.')
		if i < 0 {
			return out
		}
		cur = cur[i+1:]
	}
}

// IsApex tells whether a domain is a registrable domain (acme.com), where a
// CNAME is not allowed and an ALIAS/ANAME record must flatten to addresses.
func IsApex(domain string) bool {
	bare := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(domain), "*."), ".")
	apex, err := publicsuffix.EffectiveTLDPlusOne(bare)
	return err == nil && apex == bare && !strings.HasPrefix(domain, "*.")
}

// Apex returns the registrable domain of a name.
func Apex(domain string) string {
	bare := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(domain), "*."), ".")
	apex, err := publicsuffix.EffectiveTLDPlusOne(bare)
	if err != nil {
		return bare
	}
	return apex
}

// LookupHost resolves host to address strings through the resolver, with
// the signature of net.Resolver.LookupHost, for clients (Postgres, HTTP)
// whose every lookup must go to --resolver too.
func (r *Resolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	ips, err := r.LookupAddrs(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = ip.String()
	}
	return out, nil
}

// DialContext dials addr ("host:port") with the host resolved through the
// resolver, trying each address in turn, for an http.Transport.
func (r *Resolver) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := r.LookupHost(ctx, host)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	var last error
	for _, ip := range ips {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip, port))
		if err == nil {
			return c, nil
		}
		last = err
	}
	return nil, last
}
