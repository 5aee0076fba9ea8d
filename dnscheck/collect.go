package dnscheck

import (
	"context"
	"time"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/internal/safe"
)

// Collect runs every lookup of one domain concurrently.
func Collect(ctx context.Context, r *Resolver, d Domain) *Snapshot {
	start := time.Now()
	s := &Snapshot{Domain: d, QueryName: d.QueryName(), Apex: IsApex(d.Hostname)}
	// A panic in a lookup is re-raised here, in the job's goroutine, where
	// the runner makes it the job's finding.
	var g safe.Group
	do := g.Go
	do(func() { s.A, s.AErr = r.Lookup(ctx, s.QueryName, dns.TypeA) })
	do(func() { s.AAAA, s.AAAAErr = r.Lookup(ctx, s.QueryName, dns.TypeAAAA) })
	do(func() { s.CAA, s.CAAErr = r.CAA(ctx, d.Hostname) })
	do(func() { s.NS, s.NSErr = r.Lookup(ctx, Apex(d.Hostname), dns.TypeNS) })
	do(func() { s.SOA, s.SOAErr = r.Lookup(ctx, Apex(d.Hostname), dns.TypeSOA) })
	if d.Target != "" {
		do(func() {
			var errA, errAAAA error
			var inner safe.Group
			inner.Go(func() { s.TargetA, errA = r.Lookup(ctx, d.Target, dns.TypeA) })
			inner.Go(func() { s.TargetAAAA, errAAAA = r.Lookup(ctx, d.Target, dns.TypeAAAA) })
			inner.Wait()
			if errA != nil {
				s.TargetErr = errA
			} else if errAAAA != nil && (s.TargetA == nil || len(s.TargetA.Records) == 0) {
				s.TargetErr = errAAAA
			}
		})
	}
	g.Wait()
	s.Took = time.Since(start)
	return s
}
