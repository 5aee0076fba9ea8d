package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// dnsTargetSource is where Heroku says what a custom domain must point at.
const dnsTargetSource = domains + " (a custom domain is a CNAME, or an ALIAS/ANAME at the apex, to its DNS target); help.heroku.com/8SZE5IG4 (DNS targets are *.herokudns.com)"

// dnsRemedy is the general form; the rule writes the record itself, with
// the domain's DNS target and its DNS provider.
const dnsRemedy = "Point {subject} at its DNS target with a CNAME (ALIAS/ANAME at the apex) at your DNS provider; see the target with heroku domains -a {app}"

// DNS codes: each custom domain's records against its DNS target.
var (
	DNSNXDomain = &report.Code{ID: "DNS_NXDOMAIN", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "The domain, or the end of its CNAME chain, does not exist",
		Why:     "NXDOMAIN: nobody can reach the app under this name.",
		Detects: "The A lookup of the domain, with heroku-checkup's own CNAME chasing, answers NXDOMAIN (for the name itself or for the name its CNAME points at). When the chain dies past a Heroku name that is not the domain's DNS target (*.herokussl.com, *.herokuapp.com, another *.herokudns.com), that CNAME is the record to change: its own code is raised, with the NXDOMAIN in the evidence (rcode, rcode_name).",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains, Source: dnsTargetSource,
		Test: "dnscheck.TestJudgeLiteralSnapshots"}

	DNSNoRecords = &report.Code{ID: "DNS_NO_RECORDS", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "The domain exists but has no CNAME, A or AAAA record",
		Why:     "The name resolves to nothing, so browsers cannot reach the app.",
		Detects: "The A and AAAA lookups answer NOERROR with no address, directly or at the end of the CNAME chain.",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains, Source: dnsTargetSource,
		Test: "dnscheck.TestJudgeLiteralSnapshots"}

	DNSCNAMEHerokuApp = &report.Code{ID: "DNS_CNAME_HEROKUAPP", Category: report.CategoryDNS, Status: report.StatusWarning,
		Title:   "The domain is a CNAME to the app's herokuapp.com name, not to its DNS target",
		Why:     "Requests reach the app, but through the herokuapp.com router: browsers get the *.herokuapp.com certificate instead of the domain's, and ACM cannot validate the domain.",
		Detects: "The first CNAME of the domain's chain ends in .herokuapp.com while the app's Domains API gives a *.herokudns.com DNS target.",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains,
		Source: acmArticle + " (a domain pointed at *.herokuapp.com cannot be verified, updated 2024-10-16); help.heroku.com/8SZE5IG4",
		Test:   "dnscheck.TestJudgeLiteralSnapshots"}

	DNSCNAMEHerokuSSL = &report.Code{ID: "DNS_CNAME_HEROKUSSL", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "The domain is a CNAME to a retired *.herokussl.com SSL Endpoint",
		Why:     "The SSL Endpoint add-on is retired: those names no longer serve the app, and ACM cannot verify a domain that points at one.",
		Detects: "A name in the domain's CNAME chain ends in .herokussl.com, whatever the end of the chain answers: the retired names stop resolving, so NXDOMAIN or no answer past one is kept in the evidence, not made the verdict.",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains,
		Source: "help.heroku.com/W63FUHE5 (SSL Endpoint retired); " + acmArticle,
		Test:   "dnscheck.TestJudgeLiteralSnapshots"}

	DNSTargetMismatch = &report.Code{ID: "DNS_TARGET_MISMATCH", Category: report.CategoryDNS, Status: report.StatusWarning,
		Title:   "The domain points somewhere other than its DNS target",
		Why:     "Requests go elsewhere: to another app's DNS target (critical: wrong app or 'no such app'), to a CDN or proxy whose origin must then be the DNS target, or, for AAAA records, to an IPv6 host other than Heroku, which stalls ACM's validation.",
		Detects: "The CNAME chain does not reach the domain's DNS target; or the domain has AAAA records that are not the target's.",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains,
		Source: "help.heroku.com/Q31RTOST (AAAA records that point away from Heroku stop ACM); " + dnsTargetSource,
		Test:   "dnscheck.TestJudgeLiteralSnapshots"}

	DNSStaticARecord = &report.Code{ID: "DNS_STATIC_A_RECORD", Category: report.CategoryDNS, Status: report.StatusWarning,
		Title:   "A subdomain has fixed A/AAAA records instead of a CNAME",
		Why:     "Heroku's addresses change without notice: records copied from the DNS target break when they do, and other addresses never reach Heroku (critical).",
		Detects: "A non-apex domain answers A/AAAA records with no CNAME; they are compared with the DNS target's current addresses.",
		Remedy:  dnsRemedy, Subject: "DOMAIN", Docs: domains, Source: dnsTargetSource,
		Test: "dnscheck.TestJudgeLiteralSnapshots"}

	DNSApexMismatch = &report.Code{ID: "DNS_APEX_MISMATCH", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "An apex domain's addresses are not its DNS target's",
		Why:     "A root domain cannot hold a CNAME; it needs an ALIAS/ANAME record (CNAME flattening) that follows the DNS target. Addresses that are not the target's send visitors elsewhere.",
		Detects: "The apex domain's A/AAAA addresses share none with the addresses its DNS target resolves to now.",
		Remedy:  "Set an ALIAS or ANAME record (CNAME flattening) for {subject} pointing to its DNS target, and remove its A/AAAA records; see the target with heroku domains -a {app}", Subject: "DOMAIN",
		Docs:   domains + "#add-a-custom-root-domain",
		Source: domains + "#add-a-custom-root-domain",
		Test:   "dnscheck.TestJudgeLiteralSnapshots"}

	DNSCAABlocksACM = &report.Code{ID: "DNS_CAA_BLOCKS_ACM", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "CAA records forbid Let's Encrypt, which ACM uses",
		Why:     "With ACM on, Let's Encrypt may not issue or renew the domain's certificate, so it expires or never comes. A CAA lookup that fails (SERVFAIL) forbids issuance too.",
		Detects: "The CAA set that applies to the domain (the closest name up the tree that has one, RFC 8659; issuewild for a wildcard) does not name letsencrypt.org, or the lookup fails. Critical with ACM on, a warning for a bare Heroku-looking name, info otherwise.",
		Remedy:  "Add a CAA record 0 issue \"letsencrypt.org\" at your DNS provider for {subject}'s zone", Subject: "DOMAIN",
		Docs:   acmArticle,
		Source: acmArticle + " (ACM uses Let's Encrypt, updated 2024-10-16); help.heroku.com/Q31RTOST (CAA records must allow Let's Encrypt)",
		Test:   "dnscheck.TestJudgeLiteralSnapshots"}

	DNSServFail = &report.Code{ID: "DNS_SERVFAIL", Category: report.CategoryDNS, Status: report.StatusCritical,
		Title:   "Resolving the domain fails (SERVFAIL, REFUSED, a CNAME loop)",
		Why:     "The name cannot be resolved at all: usually broken DNSSEC, nameservers that do not answer for the zone (a lame delegation), or a CNAME chain that loops or never ends.",
		Detects: "The lookup answers an error rcode other than NXDOMAIN, or heroku-checkup's CNAME chasing finds a loop or more than its hop limit.",
		Remedy:  "Check the zone's nameservers and DNSSEC at your DNS provider: dig +trace {subject}", Subject: "DOMAIN",
		Docs: domains, Source: dnsTargetSource,
		Test: "dnscheck.TestJudgeLiteralSnapshots"}

	DNSTimeout = &report.Code{ID: "DNS_TIMEOUT", Category: report.CategoryDNS, Status: report.StatusUnknown,
		Title:   "The DNS server gave no answer in time",
		Why:     "No answer is not an answer: the domain's records could not be judged.",
		Detects: "The queries to the resolver (--resolver, or the system's) time out, over UDP and then TCP, or the DNS target itself cannot be resolved for a comparison.",
		Remedy:  "Check that the resolver answers: dig @SERVER {subject}", Subject: "DOMAIN",
		Docs: domains, Source: dnsTargetSource,
		Test: "dnscheck.TestJudgeLiteralSnapshots"}
)

var dns = []*report.Code{DNSNXDomain, DNSNoRecords, DNSCNAMEHerokuApp, DNSCNAMEHerokuSSL, DNSTargetMismatch,
	DNSStaticARecord, DNSApexMismatch, DNSCAABlocksACM, DNSServFail, DNSTimeout}
