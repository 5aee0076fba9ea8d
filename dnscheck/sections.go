package dnscheck

import (
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// answerSummary is the short answer for the domains table.
func answerSummary(s *Snapshot) string {
	if s.AErr != nil {
		return "no answer"
	}
	a := s.A
	if a.Rcode != dns.RcodeSuccess {
		if len(a.Chain) > 0 {
			return "CNAME " + bare(a.Chain[0]) + " → " + dns.RcodeToString[a.Rcode]
		}
		return dns.RcodeToString[a.Rcode]
	}
	var parts []string
	if len(a.Chain) > 0 {
		parts = append(parts, "CNAME "+bare(a.Chain[0]))
	}
	addrs := addrStrings(s.addresses())
	if len(addrs) > 3 {
		addrs = append(addrs[:3], "…")
	}
	if len(addrs) > 0 {
		kind := "A"
		if len(a.Chain) > 0 {
			kind = "→"
		}
		parts = append(parts, kind+" "+strings.Join(addrs, ", "))
	}
	if len(parts) == 0 {
		return "no records"
	}
	return strings.Join(parts, " ")
}

// Sections are the domain's row of the domains table (its verdict, from the
// dns.target finding the job just made, and the record to set) and, with
// dig, its answer sections as dig prints them. Rows of an app's domains
// carry the DNS target; rows of bare domains have none to show.
func Sections(s *Snapshot, fs []report.Finding, dig bool) []report.Section {
	var v report.Finding
	for _, f := range fs {
		if f.Check == "dns.target" {
			v = f
			break
		}
	}
	verdict := string(v.Status)
	if v.Code != "" {
		verdict += " " + v.Code
	}
	toSet := "-"
	if v.Status != report.StatusOK && v.Code != codes.DNSTimeout.ID && v.Code != codes.DNSServFail.ID {
		toSet = recordToSet(s)
	}
	header := []string{"Domain", "Answer", "Verdict", "Record to set"}
	row := []string{s.Domain.Hostname, answerSummary(s), verdict, toSet}
	if !s.Domain.Bare() {
		header = []string{"Domain", "DNS target", "Answer", "Verdict", "Record to set"}
		row = []string{s.Domain.Hostname, orDash(s.Domain.Target), answerSummary(s), verdict, toSet}
	}
	out := []report.Section{{Title: "Domains and the record to set", Header: header, Rows: [][]string{row}}}
	if dig {
		out = append(out, report.Section{Title: "DNS answers (dig)", Text: DigText([]*Snapshot{s})})
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// DigText prints each lookup the way dig does: the question, the status, the
// answer section in presentation format (name. TTL IN TYPE data), the server.
func DigText(snaps []*Snapshot) string {
	var b strings.Builder
	for _, s := range snaps {
		for _, res := range []*Result{s.A, s.AAAA} {
			if res == nil {
				continue
			}
			fmt.Fprintf(&b, "; <<>> heroku-checkup <<>> %s %s\n", bare(res.Name), dns.TypeToString[res.Type])
			fmt.Fprintf(&b, ";; status: %s, queries: %d\n", dns.RcodeToString[res.Rcode], res.Queries)
			if len(res.Answers) > 0 {
				b.WriteString(";; ANSWER SECTION:\n")
				for _, rr := range res.Answers {
					b.WriteString(rr.String())
					b.WriteByte('\n')
				}
			}
			if res.Server != "" {
				fmt.Fprintf(&b, ";; SERVER: %s\n", res.Server)
			}
			b.WriteByte('\n')
		}
		if s.CAA != nil && len(s.CAA.Answers) > 0 {
			fmt.Fprintf(&b, "; <<>> heroku-checkup <<>> %s CAA\n;; ANSWER SECTION:\n", s.Domain.Hostname)
			for _, rr := range s.CAA.Answers {
				b.WriteString(rr.String())
				b.WriteByte('\n')
			}
			b.WriteByte('\n')
		}
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}
