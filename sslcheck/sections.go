package sslcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Sections renders one row per domain, and per address when the addresses
// of a domain differ: issuer, names, expiry with days left, chain length,
// protocol and verdict.
func Sections(snaps []*Snapshot, r Rules) []report.Section {
	if len(snaps) == 0 {
		return nil
	}
	header := []string{"Domain", "Address", "Issuer", "Subject / SANs", "Not after", "Chain", "Protocol", "Verdict"}
	var rows [][]string
	for _, s := range snaps {
		host := s.Target.Host
		if s.Target.App == "" && s.Target.Port != "" && s.Target.Port != "443" {
			host += ":" + s.Target.Port
		}
		if s.ResolveErr != nil || len(s.Addrs) == 0 {
			rows = append(rows, []string{host, "-", "-", "-", "-", "-", "-", verdict(Judge(s, r))})
			continue
		}
		groups := groupAddrs(s.Addrs)
		for _, g := range groups {
			one := &Snapshot{Target: s.Target, Addrs: g}
			a := g[0]
			addr := strings.Join(addrList(g), ", ")
			if len(groups) == 1 && len(g) > 1 {
				addr = fmt.Sprintf("%s (all %d)", addrList(g)[0], len(g))
			}
			if len(a.Chain) == 0 {
				rows = append(rows, []string{host, addr, "-", "-", "-", "-", versionName(a.LegacyVer), verdict(Judge(one, r))})
				continue
			}
			leaf := a.Chain[0]
			names := namesOf(leaf)
			if len(names) > 3 {
				names = append(names[:3], fmt.Sprintf("+%d", len(names)-3))
			}
			rows = append(rows, []string{host, addr, issuerName(leaf), strings.Join(names, ", "),
				fmt.Sprintf("%s (%dd)", leaf.NotAfter.UTC().Format("2006-01-02"), daysLeft(leaf, r.Now)),
				fmt.Sprint(len(a.Chain)), versionName(a.Version), verdict(Judge(one, r))})
		}
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
