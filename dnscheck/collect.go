package dnscheck

import (
	"context"
	"sync"
	"time"

	"github.com/miekg/dns"
)

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
