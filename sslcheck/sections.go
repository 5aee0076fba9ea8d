package sslcheck

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Sections are the domain's rows of the Certificates table: one per
// domain, or per address when the addresses differ, with issuer, names,
// expiry and days left, chain length, protocol and the verdict of the
// findings the job just made for it.
func Sections(s *Snapshot, fs []report.Finding, now time.Time) []report.Section {
	header := []string{"Domain", "Address", "Issuer", "Subject / SANs", "Not after", "Chain", "Protocol", "Verdict"}
	host := s.Target.Host
	if s.Target.App == "" && s.Target.Port != "" && s.Target.Port != "443" {
		host += ":" + s.Target.Port
	}
	var rows [][]string
	if s.ResolveErr != nil || len(s.Addrs) == 0 {
		rows = append(rows, []string{host, "-", "-", "-", "-", "-", "-", verdict(fs)})
		return []report.Section{{Title: "Certificates", Header: header, Rows: rows}}
	}
	groups := groupAddrs(s.Addrs)
	for _, g := range groups {
		// The findings of this group: all of them when the addresses agree.
		gfs := fs
		if len(groups) > 1 {
			subject := groupSubject(s.Target.Host, g)
			gfs = slices.DeleteFunc(slices.Clone(fs), func(f report.Finding) bool { return f.Subject != subject })
		}
		a := g[0]
		addr := strings.Join(addrList(g), ", ")
		if len(groups) == 1 && len(g) > 1 {
			addr = fmt.Sprintf("%s (all %d)", addrList(g)[0], len(g))
		}
		if len(a.Chain) == 0 {
			rows = append(rows, []string{host, addr, "-", "-", "-", "-", versionName(a.LegacyVer), verdict(gfs)})
			continue
		}
		leaf := a.Chain[0]
		names := namesOf(leaf)
		if len(names) > 3 {
			names = append(names[:3], fmt.Sprintf("+%d", len(names)-3))
		}
		rows = append(rows, []string{host, addr, issuerName(leaf), strings.Join(names, ", "),
			fmt.Sprintf("%s (%dd)", leaf.NotAfter.UTC().Format("2006-01-02"), daysLeft(leaf, now)),
			fmt.Sprint(len(a.Chain)), versionName(a.Version), verdict(gfs)})
	}
	return []report.Section{{Title: "Certificates", Header: header, Rows: rows}}
}

// verdict is the worst finding of a domain, with its codes.
func verdict(fs []report.Finding) string {
	worst := report.Worst(fs)
	var codes []string
	for _, f := range fs {
		if f.Code != "" && f.Status.IsProblem() && !slices.Contains(codes, f.Code) {
			codes = append(codes, f.Code)
		}
	}
	if len(codes) == 0 {
		return string(worst)
	}
	return string(worst) + " " + strings.Join(codes, ", ")
}
