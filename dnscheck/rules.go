package dnscheck

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// LetsEncrypt is the CA domain ACM's certificates come from.
const LetsEncrypt = "letsencrypt.org"

func isHerokuApp(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	return strings.HasSuffix(n, ".herokuapp.com")
}

func isHerokuSSL(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	return strings.HasSuffix(n, ".herokussl.com")
}

func isHerokuDNS(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	return strings.HasSuffix(n, ".herokudns.com")
}

func bare(name string) string { return strings.TrimSuffix(name, ".") }

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// Judge turns a snapshot into findings, every one about the domain (the
// job's subject). Pure.
func Judge(s *Snapshot) []report.Finding {
	out := []report.Finding{targetRule(s)}
	if f, ok := aaaaRule(s); ok {
		out = append(out, f)
	}
	if f, ok := caaRule(s); ok {
		out = append(out, f)
	}
	return out
}

// evidence is the data every DNS finding carries: the answers as dig
// prints them, the chain, the addresses and the target.
func evidence(s *Snapshot) map[string]any {
	var records []string
	seen := map[string]bool{}
	for _, res := range []*Result{s.A, s.AAAA} {
		if res == nil {
			continue
		}
		for _, rr := range res.Answers {
			if line := rr.String(); !seen[line] {
				seen[line] = true
				records = append(records, line)
			}
		}
	}
	data := map[string]any{"records": orEmpty(records), "query": bare(s.QueryName)}
	if s.A != nil && len(s.A.Chain) > 0 {
		var chain []string
		for _, c := range s.A.Chain {
			chain = append(chain, bare(c))
		}
		data["cname_chain"] = chain
	}
	if addrs := addrStrings(s.addresses()); len(addrs) > 0 {
		data["addresses"] = addrs
	}
	if s.Domain.Target != "" {
		data["dns_target"] = s.Domain.Target
		if t := addrStrings(s.targetAddresses()); len(t) > 0 {
			data["target_addresses"] = t
		}
	}
	if ns := s.Nameservers(); len(ns) > 0 {
		data["nameservers"] = ns
	}
	if soa := s.Zone(); soa != "" {
		data["soa"] = soa
	}
	if s.A != nil && s.A.Server != "" {
		data["server"] = s.A.Server
	}
	// How the lookup ended, when it did not end in records: a verdict about
	// the record to change keeps this fact beside it.
	if s.AErr != nil {
		data["error"] = s.AErr.Error()
	} else if s.A != nil && s.A.Rcode != dns.RcodeSuccess {
		data["rcode"] = dns.RcodeToString[s.A.Rcode]
		data["rcode_name"] = bare(s.A.Final())
	}
	return data
}

// deadEnd says how a chain that did not end in records ended, for a
// summary: " (NXDOMAIN)", " (no answer: ...)"; empty when it resolved.
func deadEnd(s *Snapshot) string {
	switch {
	case s.AErr != nil:
		return fmt.Sprintf(", and the lookup got no answer past it (%v)", s.AErr)
	case s.A != nil && s.A.Rcode == dns.RcodeNameError:
		return fmt.Sprintf("; %s does not exist (NXDOMAIN)", bare(s.A.Final()))
	case s.A != nil && s.A.Rcode != dns.RcodeSuccess:
		return fmt.Sprintf("; resolving %s fails with %s", bare(s.A.Final()), dns.RcodeToString[s.A.Rcode])
	}
	return ""
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Snapshot) addresses() []net.IP {
	var out []net.IP
	for _, r := range []*Result{s.A, s.AAAA} {
		if r != nil {
			out = append(out, r.Addresses()...)
		}
	}
	return out
}

func (s *Snapshot) targetAddresses() []net.IP {
	var out []net.IP
	for _, r := range []*Result{s.TargetA, s.TargetAAAA} {
		if r != nil {
			out = append(out, r.Addresses()...)
		}
	}
	return out
}

func addrStrings(ips []net.IP) []string {
	var out []string
	for _, ip := range ips {
		out = append(out, ip.String())
	}
	return out
}

func shareAny(a, b []net.IP) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Equal(y) {
				return true
			}
		}
	}
	return false
}

// provider names where the record is set, when the NS records say.
func provider(s *Snapshot) string {
	ns := s.Nameservers()
	if len(ns) == 0 {
		return "at your DNS provider"
	}
	if len(ns) > 2 {
		ns = ns[:2]
	}
	return "at your DNS provider (" + strings.Join(ns, ", ") + ")"
}

func cnameRecord(s *Snapshot) string {
	target := s.Domain.Target
	if target == "" {
		target = "<the DNS target from heroku domains>"
	}
	return fmt.Sprintf("%s. CNAME %s.", s.Domain.Hostname, bare(target))
}

func setRemedy(s *Snapshot) string {
	see := ""
	if s.Domain.App != "" {
		see = fmt.Sprintf(" (see `heroku domains -a %s`)", s.Domain.App)
	}
	if s.Apex {
		target := s.Domain.Target
		if target == "" {
			target = "<the DNS target from heroku domains>"
		}
		return fmt.Sprintf("Set an ALIAS or ANAME record (CNAME flattening) for %s pointing to %s %s, and remove its A/AAAA records%s",
			s.Domain.Hostname, bare(target), provider(s), see)
	}
	return fmt.Sprintf("Set %s %s%s", cnameRecord(s), provider(s), see)
}

// recordToSet is the short form for the domains table.
func recordToSet(s *Snapshot) string {
	target := s.Domain.Target
	if target == "" {
		target = "<DNS target>"
	}
	if s.Apex {
		return "ALIAS/ANAME " + bare(target)
	}
	return "CNAME " + bare(target)
}

// raise finishes a finding with its code, for the domain's app.
func raise(s *Snapshot, code *report.Code, f report.Finding) report.Finding {
	return code.Raise(s.Domain.App, f)
}

// targetVerdict finishes the target rule's finding: an apex domain's docs are the
// custom domains article's section on root domains, whatever the code.
func targetVerdict(s *Snapshot, code *report.Code, f report.Finding) report.Finding {
	if s.Apex {
		f.Docs = codes.DNSApexMismatch.Docs
	}
	return raise(s, code, f)
}

func targetRule(s *Snapshot) report.Finding {
	d := s.Domain
	f := report.Finding{Check: "dns.target", Data: evidence(s)}
	name := d.Hostname
	if d.Wildcard() {
		name = fmt.Sprintf("%s (probed as %s)", d.Hostname, bare(s.QueryName))
	}

	// The verdict names the record the user must change; how the lookup of
	// its far end went (NXDOMAIN, SERVFAIL, no answer) is a fact in data.
	// A chain through a retired *.herokussl.com endpoint is that, whether
	// the endpoint still answers, is gone, or the lookup died past it.
	if a := s.A; a != nil && slices.ContainsFunc(a.Chain, isHerokuSSL) {
		ssl := a.Chain[slices.IndexFunc(a.Chain, isHerokuSSL)]
		if sameName(ssl, a.Chain[0]) {
			f.Summary = fmt.Sprintf("%s is a CNAME to %s, a retired SSL Endpoint (*.herokussl.com) that no longer serves the app", name, bare(ssl))
		} else {
			f.Summary = fmt.Sprintf("%s is a CNAME to %s, whose chain goes through %s, a retired SSL Endpoint (*.herokussl.com) that no longer serves the app", name, bare(a.Chain[0]), bare(ssl))
		}
		f.Summary += deadEnd(s)
		f.Remedy = setRemedy(s)
		return targetVerdict(s, codes.DNSCNAMEHerokuSSL, f)
	}
	// Then transport failures: no answer is not an answer.
	if s.AErr != nil {
		var te *TransportError
		if errors.As(s.AErr, &te) && !te.Timeout {
			f.Summary = fmt.Sprintf("no DNS answer for %s: %v", name, s.AErr)
		} else {
			f.Summary = fmt.Sprintf("no DNS answer for %s within the deadline (%v)", name, s.AErr)
		}
		f.Remedy = codes.DNSTimeout.RemedyFor(d.App, bare(s.QueryName))
		return targetVerdict(s, codes.DNSTimeout, f)
	}
	a := s.A
	switch {
	case a.Loop || a.TooLong:
		what := "loops back on itself"
		if a.TooLong {
			what = fmt.Sprintf("is longer than %d hops", MaxCNAMEHops)
		}
		f.Summary = fmt.Sprintf("the CNAME chain of %s %s: it never resolves", name, what)
		f.Remedy = setRemedy(s)
		return targetVerdict(s, codes.DNSServFail, f)
	case a.Rcode != dns.RcodeSuccess && len(a.Chain) > 0 && !d.Bare():
		if v, ok := deadChainVerdict(s, f, name); ok {
			return v
		}
	}
	switch {
	case a.Rcode == dns.RcodeNameError:
		f.Remedy = setRemedy(s)
		switch {
		case len(a.Chain) > 0 && d.Target != "" && sameName(a.Final(), d.Target):
			// The user's record is the one Heroku asks for; the target is what is gone.
			f.Summary = fmt.Sprintf("%s is a CNAME to its DNS target %s, which does not exist (NXDOMAIN)", name, bare(d.Target))
			f.Remedy = fmt.Sprintf("The CNAME is right but its DNS target does not resolve: check the domain's entry with heroku domains:info %s -a %s (a domain removed and added again gets a new DNS target)", d.Hostname, d.App)
		case len(a.Chain) > 0:
			f.Summary = fmt.Sprintf("%s is a CNAME to %s, which does not exist (NXDOMAIN)", name, bare(a.Final()))
		default:
			f.Summary = fmt.Sprintf("%s does not exist (NXDOMAIN)", name)
		}
		return targetVerdict(s, codes.DNSNXDomain, f)
	case a.Rcode != dns.RcodeSuccess:
		f.Summary = fmt.Sprintf("resolving %s fails with %s", name, dns.RcodeToString[a.Rcode])
		f.Detail = "SERVFAIL usually means broken DNSSEC or nameservers that do not answer for the zone (a lame delegation)."
		f.Remedy = fmt.Sprintf("Check the zone's nameservers and DNSSEC %s: dig +trace %s", provider(s), bare(s.QueryName))
		return targetVerdict(s, codes.DNSServFail, f)
	}

	addrs := s.addresses()
	if len(a.Chain) > 0 {
		return cnameVerdict(s, f, name, addrs)
	}
	if len(addrs) == 0 {
		f.Summary = fmt.Sprintf("%s exists but has no CNAME, A or AAAA record", name)
		f.Remedy = setRemedy(s)
		return targetVerdict(s, codes.DNSNoRecords, f)
	}
	if s.Apex {
		return apexVerdict(s, f, name, addrs)
	}
	return staticVerdict(s, f, name, addrs)
}

// deadChainVerdict judges an app's domain whose CNAME chain dies
// (NXDOMAIN, SERVFAIL) after a Heroku name: the record to change is the
// CNAME to that name, so its verdict wins over the dead end's, which stays
// in the summary and data. A chain that dies at the domain's own DNS target,
// or at a third party's name, is the dead end's (false).
func deadChainVerdict(s *Snapshot, f report.Finding, name string) (report.Finding, bool) {
	d, a := s.Domain, s.A
	first := a.Chain[0]
	if d.Target != "" && slices.ContainsFunc(a.Chain, func(c string) bool { return sameName(c, d.Target) }) {
		return f, false
	}
	f.Status = report.StatusCritical
	f.Remedy = setRemedy(s)
	switch {
	case isHerokuApp(first):
		f.Summary = fmt.Sprintf("%s is a CNAME to %s, not to its DNS target%s: the app is not reachable under this name", name, bare(first), deadEnd(s))
		return targetVerdict(s, codes.DNSCNAMEHerokuApp, f), true
	case isHerokuDNS(first) && d.Target != "":
		f.Summary = fmt.Sprintf("%s is a CNAME to %s, another DNS target than its own (%s)%s", name, bare(first), bare(d.Target), deadEnd(s))
		f.Detail = "That target belonged to another app or an old domain entry and is gone: requests to this name fail."
		return targetVerdict(s, codes.DNSTargetMismatch, f), true
	}
	return f, false
}

func cnameVerdict(s *Snapshot, f report.Finding, name string, addrs []net.IP) report.Finding {
	d, a := s.Domain, s.A
	first := a.Chain[0]
	reachesTarget := d.Target != "" && slices.ContainsFunc(a.Chain, func(c string) bool { return sameName(c, d.Target) })
	switch {
	case reachesTarget:
		if len(addrs) == 0 {
			f.Summary = fmt.Sprintf("%s is a CNAME to its DNS target %s, which has no address", name, bare(d.Target))
			return targetVerdict(s, codes.DNSNoRecords, f)
		}
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("CNAME to its DNS target %s", bare(d.Target))
		if !sameName(first, d.Target) {
			f.Summary += fmt.Sprintf(" (through %s)", bare(first))
		}
		return f
	case isHerokuApp(first):
		f.Summary = fmt.Sprintf("%s is a CNAME to %s, not to its DNS target", name, bare(first))
		f.Detail = "Requests reach the app, but through the herokuapp.com router: the *.herokuapp.com certificate is served instead of the domain's, and ACM cannot validate the domain."
		f.Remedy = setRemedy(s)
		return targetVerdict(s, codes.DNSCNAMEHerokuApp, f)
	}
	if len(addrs) == 0 {
		f.Summary = fmt.Sprintf("the CNAME chain of %s ends at %s, which has no A or AAAA record", name, bare(a.Final()))
		f.Remedy = setRemedy(s)
		return targetVerdict(s, codes.DNSNoRecords, f)
	}
	if d.Bare() {
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("CNAME %s → %s", bare(first), strings.Join(addrStrings(addrs), ", "))
		return f
	}
	f.Remedy = setRemedy(s)
	if isHerokuDNS(first) {
		f.Status = report.StatusCritical
		f.Summary = fmt.Sprintf("%s is a CNAME to %s, another DNS target than its own (%s)", name, bare(first), bare(d.Target))
		f.Detail = "That target belongs to another app or an old domain entry: requests may reach the wrong app or fail with 'no such app'."
		return targetVerdict(s, codes.DNSTargetMismatch, f)
	}
	f.Summary = fmt.Sprintf("%s is a CNAME to %s, not to its DNS target %s", name, bare(first), bare(d.Target))
	f.Detail = "If a CDN or proxy fronts the app, make sure its origin is the DNS target; otherwise requests do not reach Heroku."
	return targetVerdict(s, codes.DNSTargetMismatch, f)
}

func apexVerdict(s *Snapshot, f report.Finding, name string, addrs []net.IP) report.Finding {
	d := s.Domain
	if d.Bare() {
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("apex domain with addresses %s", strings.Join(addrStrings(addrs), ", "))
		return f
	}
	if s.TargetErr != nil || len(s.targetAddresses()) == 0 {
		f.Status = report.StatusUnknown
		f.Summary = fmt.Sprintf("cannot compare %s with its DNS target %s: the target did not resolve", name, bare(d.Target))
		if s.TargetErr == nil {
			return targetVerdict(s, codes.DNSNoRecords, f)
		}
		return targetVerdict(s, codes.DNSTimeout, f)
	}
	if shareAny(addrs, s.targetAddresses()) {
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("apex domain flattened (ALIAS/ANAME) to the addresses of its DNS target %s", bare(d.Target))
		return f
	}
	f.Summary = fmt.Sprintf("apex %s resolves to %s, none of them an address of its DNS target %s", name,
		strings.Join(addrStrings(addrs), ", "), bare(d.Target))
	f.Detail = "A root domain cannot hold a CNAME; it needs an ALIAS/ANAME record (or CNAME flattening) that follows the DNS target, whose addresses change."
	f.Remedy = setRemedy(s)
	return targetVerdict(s, codes.DNSApexMismatch, f)
}

func staticVerdict(s *Snapshot, f report.Finding, name string, addrs []net.IP) report.Finding {
	d := s.Domain
	f.Remedy = setRemedy(s)
	switch {
	case d.Bare():
		f.Status = report.StatusInfo
		f.Summary = fmt.Sprintf("%s has fixed A/AAAA records (%s), no CNAME", name, strings.Join(addrStrings(addrs), ", "))
		f.Detail = "If this name serves a Heroku app, it must be a CNAME to the app's DNS target: Heroku's addresses change without notice."
	case s.TargetErr == nil && shareAny(addrs, s.targetAddresses()):
		f.Summary = fmt.Sprintf("%s has fixed A records (%s) copied from its DNS target: they break when Heroku's addresses change", name, strings.Join(addrStrings(addrs), ", "))
	case s.TargetErr != nil || len(s.targetAddresses()) == 0:
		// Fixed records are the problem either way; whether they are the
		// target's addresses could not be told.
		f.Summary = fmt.Sprintf("%s has fixed A records (%s) instead of a CNAME; its DNS target %s did not resolve, so they could not be compared with its addresses",
			name, strings.Join(addrStrings(addrs), ", "), bare(d.Target))
	default:
		f.Status = report.StatusCritical
		f.Summary = fmt.Sprintf("%s has fixed A records (%s) that are not its DNS target's addresses", name, strings.Join(addrStrings(addrs), ", "))
		f.Detail = "Requests go to whatever those addresses are, not to Heroku's router for this app."
	}
	return targetVerdict(s, codes.DNSStaticARecord, f)
}

// aaaaRule flags AAAA records that lead away from Heroku, which serves
// custom domains over IPv4 only: IPv6 clients and Let's Encrypt's validation
// (which prefers IPv6) go elsewhere, and ACM stalls.
func aaaaRule(s *Snapshot) (report.Finding, bool) {
	d := s.Domain
	if d.Bare() || s.AAAA == nil || s.AAAAErr != nil || len(s.AAAA.Records) == 0 {
		return report.Finding{}, false
	}
	if d.Target != "" && slices.ContainsFunc(s.AAAA.Chain, func(c string) bool { return sameName(c, d.Target) }) {
		return report.Finding{}, false // they are the target's own
	}
	var away []net.IP
	target := s.targetAddresses()
	for _, ip := range s.AAAA.Addresses() {
		if !slices.ContainsFunc(target, ip.Equal) {
			away = append(away, ip)
		}
	}
	if len(away) == 0 {
		return report.Finding{}, false
	}
	// The docs are ACM's (what the records break), not the code's.
	f := report.Finding{Check: "dns.aaaa", Docs: codes.ACMFailing.Docs, Data: evidence(s),
		Summary: fmt.Sprintf("%s has AAAA records (%s) that point away from Heroku", d.Hostname, strings.Join(addrStrings(away), ", ")),
		Detail:  "Heroku serves custom domains over IPv4: IPv6 visitors and Let's Encrypt's validation, which prefers IPv6, reach another host, so ACM stalls.",
		Remedy:  fmt.Sprintf("Delete the AAAA records of %s %s", d.Hostname, provider(s))}
	if d.ACM {
		f.Summary += "; ACM validation will stall"
	}
	return raise(s, codes.DNSTargetMismatch, f), true
}

// CAAAllows tells whether a relevant CAA set lets ca issue (RFC 8659): an
// empty set allows every CA; for a wildcard name issuewild, when present,
// replaces issue.
func CAAAllows(records []*dns.CAA, wildcard bool, ca string) bool {
	var issue, wild []*dns.CAA
	for _, r := range records {
		switch strings.ToLower(r.Tag) {
		case "issue":
			issue = append(issue, r)
		case "issuewild":
			wild = append(wild, r)
		}
	}
	set := issue
	if wildcard && len(wild) > 0 {
		set = wild
	}
	if len(set) == 0 {
		return true
	}
	for _, r := range set {
		domain := strings.TrimSpace(strings.SplitN(r.Value, ";", 2)[0])
		if strings.EqualFold(domain, ca) {
			return true
		}
	}
	return false
}

func caaRule(s *Snapshot) (report.Finding, bool) {
	d := s.Domain
	f := report.Finding{Check: "dns.caa"}
	tag := "issue"
	if d.Wildcard() {
		tag = "issuewild"
	}
	if s.CAAErr != nil {
		if !d.ACM {
			return f, false
		}
		f.Status = report.StatusUnknown
		f.Summary = fmt.Sprintf("could not read the CAA records of %s: %v", d.Hostname, s.CAAErr)
		return raise(s, codes.DNSTimeout, f), true
	}
	c := s.CAA
	var lines []string
	for _, rr := range c.Answers {
		lines = append(lines, rr.String())
	}
	f.Data = map[string]any{"records": orEmpty(lines), "acm": d.ACM}
	if c.At != "" {
		f.Data["found_at"] = bare(c.At)
	}
	if c.FailedAt != "" {
		f.Summary = fmt.Sprintf("the CAA lookup of %s fails (%s): a CA must then refuse to issue", bare(c.FailedAt), dns.RcodeToString[c.Rcode])
		f.Remedy = fmt.Sprintf("Fix the nameservers of %s so that CAA queries answer (NOERROR, even empty)", bare(c.FailedAt))
		f.Status = report.StatusWarning
		if d.ACM {
			f.Status = report.StatusCritical
			f.Summary += ", so ACM cannot renew or issue"
		}
		return raise(s, codes.DNSCAABlocksACM, f), true
	}
	if CAAAllows(c.Records, d.Wildcard(), LetsEncrypt) {
		if !d.ACM && len(c.Records) == 0 {
			return f, false
		}
		f.Status = report.StatusOK
		if len(c.Records) == 0 {
			f.Summary = "no CAA record: Let's Encrypt (ACM) may issue"
		} else {
			f.Summary = fmt.Sprintf("the CAA records at %s allow Let's Encrypt (ACM)", bare(c.At))
		}
		return f, true
	}
	f.Summary = fmt.Sprintf("the CAA records at %s do not allow Let's Encrypt", bare(c.At))
	f.Remedy = fmt.Sprintf("Add %s. CAA 0 %s \"%s\" %s", bare(c.At), tag, LetsEncrypt, provider(s))
	switch {
	case d.ACM:
		f.Status = report.StatusCritical
		f.Summary += ": ACM cannot issue or renew the certificate"
	case d.Bare() && looksHeroku(s):
		f.Status = report.StatusWarning
		f.Summary += ": Heroku ACM could not issue a certificate for it"
	default:
		f.Status = report.StatusInfo
		f.Summary += " (only matters with Heroku ACM)"
	}
	return raise(s, codes.DNSCAABlocksACM, f), true
}

func looksHeroku(s *Snapshot) bool {
	if s.A == nil {
		return false
	}
	return slices.ContainsFunc(s.A.Chain, func(c string) bool { return isHerokuDNS(c) || isHerokuApp(c) || isHerokuSSL(c) })
}
