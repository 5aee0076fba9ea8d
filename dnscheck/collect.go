package dnscheck

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Domain is what to check: a hostname and, for an app's custom domain, the
// DNS target Heroku gave it.
type Domain struct {
	Hostname string // www.acme.com, acme.com or *.acme.com
	Target   string // the Domains API's cname; empty for a bare argument
	ACM      bool   // the app has ACM on: a CAA set must allow Let's Encrypt
	App      string // empty for a bare argument
}

// Bare tells whether the domain came without an app (no target to compare).
func (d Domain) Bare() bool { return d.App == "" }

// Wildcard tells whether the domain is *.something.
func (d Domain) Wildcard() bool { return strings.HasPrefix(d.Hostname, "*.") }

// probeLabel is looked up under a wildcard domain: any name there answers
// as the wildcard does.
const probeLabel = "heroku-checkup-probe"

// QueryName is the name actually looked up.
func (d Domain) QueryName() string {
	if d.Wildcard() {
		return probeLabel + d.Hostname[1:]
	}
	return d.Hostname
}

// Snapshot is everything the resolver said about one domain.
type Snapshot struct {
	Domain     Domain
	QueryName  string
	Apex       bool
	A, AAAA    *Result
	AErr       error
	AAAAErr    error
	TargetA    *Result
	TargetAAAA *Result
	TargetErr  error
	CAA        *CAAResult
	CAAErr     error
	NS         *Result // of the registrable domain: who hosts the zone
	NSErr      error
	SOA        *Result // of the registrable domain: its primary server and serial
	SOAErr     error
	Took       time.Duration
}

// Collect runs every lookup of one domain concurrently.
func Collect(ctx context.Context, r *Resolver, d Domain) *Snapshot {
	start := time.Now()
	s := &Snapshot{Domain: d, QueryName: d.QueryName(), Apex: IsApex(d.Hostname)}
	var wg sync.WaitGroup
	do := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	do(func() { s.A, s.AErr = r.Lookup(ctx, s.QueryName, dns.TypeA) })
	do(func() { s.AAAA, s.AAAAErr = r.Lookup(ctx, s.QueryName, dns.TypeAAAA) })
	do(func() { s.CAA, s.CAAErr = r.CAA(ctx, d.Hostname) })
	do(func() { s.NS, s.NSErr = r.Lookup(ctx, Apex(d.Hostname), dns.TypeNS) })
	do(func() { s.SOA, s.SOAErr = r.Lookup(ctx, Apex(d.Hostname), dns.TypeSOA) })
	if d.Target != "" {
		do(func() {
			var errA, errAAAA error
			var inner sync.WaitGroup
			inner.Add(2)
			go func() { defer inner.Done(); s.TargetA, errA = r.Lookup(ctx, d.Target, dns.TypeA) }()
			go func() { defer inner.Done(); s.TargetAAAA, errAAAA = r.Lookup(ctx, d.Target, dns.TypeAAAA) }()
			inner.Wait()
			if errA != nil {
				s.TargetErr = errA
			} else if errAAAA != nil && (s.TargetA == nil || len(s.TargetA.Records) == 0) {
				s.TargetErr = errAAAA
			}
		})
	}
	wg.Wait()
	s.Took = time.Since(start)
	return s
}

// Nameservers lists the NS records of the domain's zone, sorted as served.
func (s *Snapshot) Nameservers() []string {
	if s.NS == nil {
		return nil
	}
	var out []string
	for _, rr := range s.NS.Records {
		if ns, ok := rr.(*dns.NS); ok {
			out = append(out, strings.TrimSuffix(ns.Ns, "."))
		}
	}
	return out
}

// Zone is the SOA of the domain's zone in dig's format, empty when none.
func (s *Snapshot) Zone() string {
	if s.SOA == nil {
		return ""
	}
	for _, rr := range s.SOA.Records {
		if soa, ok := rr.(*dns.SOA); ok {
			return soa.String()
		}
	}
	return ""
}
