package dnscheck

import (
	"strings"
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
