package report

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
)

// A fingerprint names one problem across runs, so that a scheduled run can
// tell a new problem from one it already reported (docs/report.md,
// "fingerprint"). It is the first 16 hex digits of the SHA-256 of the
// finding's app, check, key and code, each written as its length in bytes,
// a colon and the bytes:
//
//	sha256("9:acme-prod" + "10:dns.target" + "13:shop.acme.com" + "19:DNS_CNAME_HEROKUAPP")
//
// The key is Key when the check set one, else Subject. When several checks
// of one report share all four (two sessions stuck on the same query), the
// second gets the ordinal "1:2" appended, the third "1:3", in report order,
// so that every fingerprint of a report is distinct and a third stuck
// session is a new problem.
//
// Status, summary, data and durations are left out on purpose: they change
// from run to run while the problem stays the same. The algorithm changes
// only with SchemaVersion.
func fingerprint(checks []Finding) {
	seen := make(map[string]int, len(checks))
	for i := range checks {
		f := &checks[i]
		key := f.Key
		if key == "" {
			key = f.Subject
		}
		var b []byte
		for _, s := range []string{f.App, f.Check, key, f.Code} {
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		}
		n := seen[string(b)] + 1
		seen[string(b)] = n
		if n > 1 {
			ord := strconv.Itoa(n)
			b = strconv.AppendInt(b, int64(len(ord)), 10)
			b = append(b, ':')
			b = append(b, ord...)
		}
		sum := sha256.Sum256(b)
		f.Fingerprint = hex.EncodeToString(sum[:8])
	}
}

var (
	// Cedar one-off dynos: heroku run, Heroku Scheduler, the release phase.
	oneOffDyno = regexp.MustCompile(`^(run|scheduler|release)\.[0-9]+$`)
	// Fir dynos: process type, deployment hash, instance suffix
	// (schema.json, log-session dyno_name: "web-1234abcde-123ab").
	firDyno = regexp.MustCompile(`^([A-Za-z0-9_]+)-[0-9a-z]{5,10}-[0-9a-z]{5}$`)
)

// DynoKey is a dyno's Key: what stays the same while the problem persists.
// A Cedar dyno of the formation (web.1) keeps its name. A one-off dyno is
// numbered anew on every run (scheduler.4821, then scheduler.7310): its key
// is scheduler.*. A Fir dyno is renamed on every deploy and restart
// (web-1234abcde-123ab): its key is web-*. Checks call it only on subjects
// that are dyno names.
func DynoKey(name string) string {
	if m := oneOffDyno.FindStringSubmatch(name); m != nil {
		return m[1] + ".*"
	}
	if m := firDyno.FindStringSubmatch(name); m != nil {
		return m[1] + "-*"
	}
	return name
}
