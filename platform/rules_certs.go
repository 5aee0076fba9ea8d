package platform

import (
	"fmt"
	"strings"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// acmStuckAfter is how long a domain may sit in dns-verified before ACM is
// called stuck: Heroku's help acts on "DNS Verified for more than 24
// hours" (help.heroku.com/Q31RTOST, read 2026-11-24); before that,
// issuance may still be on its way.
const acmStuckAfter = 24 * time.Hour

// CertRules judges the certificates as the Platform API sees them: ACM
// status per domain, and the expiry of every SNI endpoint's certificate, so
// an expiry is caught even when DNS is too broken for a handshake.
func CertRules(s *Snapshot, now time.Time, th CertThresholds) []report.Finding {
	var out []report.Finding
	if s.Has(ResApp) && s.App.Acm {
		if !s.Has(ResDomains) {
			out = append(out, unknownFor(s, ResDomains, "platform.acm", "ACM")...)
		} else {
			out = append(out, acmRules(s, now)...)
		}
	}
	if !s.Has(ResSniEndpoints) {
		return append(out, unknownFor(s, ResSniEndpoints, "platform.sni", "SNI endpoints")...)
	}
	for _, e := range s.SniEndpoints {
		out = append(out, sniRule(s, e, now, th))
	}
	return out
}

func acmRules(s *Snapshot, now time.Time) []report.Finding {
	var out []report.Finding
	refresh := "heroku certs:auto:refresh -a " + s.Name
	for _, d := range s.CustomDomains() {
		status, reason := "", ""
		if d.AcmStatus != nil {
			status = *d.AcmStatus
		}
		if d.AcmStatusReason != nil {
			reason = *d.AcmStatusReason
		}
		data := map[string]any{"acm_status": status, "acm_status_reason": reason, "updated_at": d.UpdatedAt.UTC().Format(time.RFC3339)}
		target := ""
		if d.CName != nil {
			target = *d.CName
		}
		fixDNS := fmt.Sprintf("Point %s at its DNS target %s, then %s", d.Hostname, orDash(target), refresh)
		switch strings.ToLower(status) {
		case "failed":
			out = append(out, codes.ACMFailing.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname, Status: report.StatusCritical,
				Summary: fmt.Sprintf("ACM gave up issuing a certificate for %s%s", d.Hostname, because(reason)),
				Detail:  "ACM stops retrying after failing for a while; the domain is served without a valid certificate until it succeeds.",
				Remedy:  fixDNS, Data: data}))
		case "failing":
			out = append(out, codes.ACMFailing.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname,
				Summary: fmt.Sprintf("ACM is failing to issue a certificate for %s%s", d.Hostname, because(reason)),
				Detail:  "ACM retries for a while before it gives up (failed); the usual cause is DNS that does not point at the DNS target, or a CAA record.",
				Remedy:  fixDNS, Data: data}))
		case "dns-verified":
			if now.Sub(d.UpdatedAt) > acmStuckAfter {
				out = append(out, codes.ACMFailing.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname,
					Summary: fmt.Sprintf("ACM for %s has been stuck in dns-verified for %s", d.Hostname, humanAgo(now.Sub(d.UpdatedAt))),
					Remedy:  refresh, Data: data}))
			} else {
				out = append(out, codes.ACMPending.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname,
					Summary: "ACM has verified DNS and is issuing the certificate", Data: data}))
			}
		case "cert issued", "issued":
			out = append(out, report.Finding{Check: "platform.acm", Subject: d.Hostname, Status: report.StatusOK,
				Summary: "ACM certificate issued", Data: data})
		case "":
			// ACM leaves alone a domain that an uploaded certificate covers.
			covered := ""
			for _, e := range s.SniEndpoints {
				if Covers(e, d) && !IsACMCert(e) {
					covered = e.Name
				}
			}
			if covered != "" {
				out = append(out, report.Finding{Check: "platform.acm", Subject: d.Hostname, Status: report.StatusOK,
					Summary: fmt.Sprintf("not managed by ACM: the uploaded certificate %s covers it", covered), Data: data})
			} else {
				out = append(out, codes.ACMPending.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname,
					Summary: "ACM has no status for this domain yet", Remedy: refresh, Data: data}))
			}
		default:
			out = append(out, codes.ACMPending.Raise(s.Name, report.Finding{Check: "platform.acm", Subject: d.Hostname,
				Summary: fmt.Sprintf("ACM status %q%s", status, because(reason)), Data: data}))
		}
	}
	return out
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

// IsACMCert tells whether an SNI endpoint holds a certificate ACM issued
// (Let's Encrypt) rather than one the owner uploaded.
func IsACMCert(e hk.SniEndpoint) bool {
	return strings.Contains(strings.ToLower(e.SSLCert.Issuer), "let's encrypt")
}

func sniRule(s *Snapshot, e hk.SniEndpoint, now time.Time, th CertThresholds) report.Finding {
	left := e.SSLCert.ExpiresAt.Sub(now)
	days := int(left.Hours() / 24)
	var names []string
	for _, d := range e.SSLCert.CertDomains {
		names = append(names, fmt.Sprint(d))
	}
	data := map[string]any{"expires_at": e.SSLCert.ExpiresAt.UTC().Format(time.RFC3339), "days_left": days,
		"issuer": e.SSLCert.Issuer, "subject": e.SSLCert.Subject, "cert_domains": names, "endpoint": e.Name}
	acm := IsACMCert(e)
	data["acm"] = acm
	subject := e.Name
	what := fmt.Sprintf("certificate %s (%s)", e.Name, strings.Join(names, ", "))
	remedy, detail := "", "" // the catalogue's remedy for an uploaded certificate
	if acm {
		remedy = "heroku certs:auto:refresh -a " + s.Name
		detail = "ACM renews about 30 days before expiry; a certificate this close to expiry means renewal has stalled (usually DNS no longer points at the DNS target, or a CAA record forbids Let's Encrypt)."
	}
	expiring := func(status report.Status, summary string) report.Finding {
		return codes.SNICertExpiring.Raise(s.Name, report.Finding{Check: "platform.sni", Subject: subject, Status: status,
			Summary: summary, Detail: detail, Remedy: remedy, Data: data})
	}
	until := e.SSLCert.ExpiresAt.UTC().Format("2006-01-02")
	switch {
	case left <= 0:
		return expiring(report.StatusCritical, fmt.Sprintf("%s expired %s ago, on %s", what, humanAgo(-left), until))
	case days < th.CritDays:
		return expiring(report.StatusCritical, fmt.Sprintf("%s expires in %d days, on %s", what, days, until))
	case days < th.WarnDays:
		summary := fmt.Sprintf("%s expires in %d days, on %s", what, days, until)
		if acm {
			summary += ": ACM renewal has stalled"
		}
		return expiring(report.StatusWarning, summary)
	}
	return report.Finding{Check: "platform.sni", Subject: subject, Status: report.StatusOK, Data: data,
		Summary: fmt.Sprintf("%s valid for %d more days", what, days)}
}

// Covers tells whether an SNI endpoint serves a domain: the domain is
// attached to it, or one of its certificate's names matches.
func Covers(e hk.SniEndpoint, d hk.Domain) bool {
	if d.SniEndpoint != nil && d.SniEndpoint.ID == e.ID {
		return true
	}
	for _, id := range e.Domains {
		if id == d.ID {
			return true
		}
	}
	for _, n := range e.SSLCert.CertDomains {
		name, _ := n.(string)
		if strings.EqualFold(name, d.Hostname) {
			return true
		}
		if strings.HasPrefix(name, "*.") {
			if i := strings.IndexByte(d.Hostname, '.'); i > 0 && strings.EqualFold(name[1:], d.Hostname[i:]) {
				return true
			}
		}
	}
	return false
}
