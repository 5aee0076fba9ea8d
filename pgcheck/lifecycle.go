package pgcheck

import "time"

// Lifecycle is one PostgreSQL major version's support, on Heroku and in
// the community.
type Lifecycle struct {
	Major int
	// HerokuEOL: Heroku's end of life (access restricted, then the
	// database deleted); zero while Heroku has announced none.
	HerokuEOL time.Time
	// HerokuDeprecated: announced for end of life; Heroku schedules forced
	// upgrades before it (ForcedFrom).
	HerokuDeprecated bool
	ForcedFrom       time.Time
	CommunityEOL     time.Time
	Source           string
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// LifecycleRead is when the table below was read from its sources.
const LifecycleRead = "2026-11-24"

// lifecycles is Heroku Postgres's version support, read 2026-11-24. The
// policy (Dev Center changelog item 2722, effective 2023-11-14): Heroku
// supports the three newest majors; a new major deprecates the oldest, with
// no new databases 3 months on, forced upgrades 5 months on and end of life
// 6 months on. Heroku's dates: Dev Center "Heroku Postgres Version Support"
// (updated 2024-10-29) for 11 to 13, endoflife.date products/heroku-postgres.md
// (@3c3fa9f4) and Heroku's emails quoted in public issues for 14 and 15
// (codebar/planner#2233, 2025-07-28: 14 EOL 2025-11-28;
// MozillaFoundation/foundation.mozilla.org#16331, 2026-08-04: 15 EOL
// 2027-01-20, upgrades from 2026-12-20; another database's email gave
// 2027-02-28 (votingworks/arlo#2390), the earlier date is kept). 16, 17 and
// 18 (the default since 2026) are supported. Community end of life:
// postgresql.org/support/versioning (13: 2025-11-13 and 14: 2026-11-12 as
// the facts note of 2026-11-24 quotes them; the others from the same
// table, not re-read).
var lifecycles = []Lifecycle{
	{Major: 11, HerokuEOL: day(2023, 11, 10), HerokuDeprecated: true, CommunityEOL: day(2023, 11, 9),
		Source: "Heroku EOL 2023-11-10 (endoflife.date; Dev Center's table says November 9, 2023)"},
	{Major: 12, HerokuEOL: day(2024, 5, 30), HerokuDeprecated: true, CommunityEOL: day(2024, 11, 21),
		Source: "Heroku EOL 2024-05-30 (Dev Center \"Heroku Postgres Version Support\", updated 2024-10-29)"},
	{Major: 13, HerokuEOL: day(2024, 10, 29), HerokuDeprecated: true, CommunityEOL: day(2025, 11, 13),
		Source: "Heroku EOL 2024-10-29 (Dev Center \"Heroku Postgres Version Support\", updated 2024-10-29)"},
	{Major: 14, HerokuEOL: day(2025, 11, 28), HerokuDeprecated: true, ForcedFrom: day(2025, 10, 28), CommunityEOL: day(2026, 11, 12),
		Source: "Heroku EOL 2025-11-28, forced upgrades from 2025-10-28 (Heroku's email, codebar/planner#2233, 2025-07-28)"},
	{Major: 15, HerokuEOL: day(2027, 1, 20), HerokuDeprecated: true, ForcedFrom: day(2026, 12, 20), CommunityEOL: day(2027, 11, 11),
		Source: "Heroku EOL 2027-01-20, forced upgrades from 2026-12-20 (Heroku's email, MozillaFoundation/foundation.mozilla.org#16331, 2026-08-04; votingworks/arlo#2390 was told 2027-02-28)"},
	{Major: 16, CommunityEOL: day(2028, 11, 9), Source: "supported on Heroku (one of the three newest majors)"},
	{Major: 17, CommunityEOL: day(2029, 11, 8), Source: "supported on Heroku (one of the three newest majors)"},
	{Major: 18, CommunityEOL: day(2030, 11, 14), Source: "supported on Heroku (the default major, per Heroku's 2026 emails)"},
}

// LookupLifecycle finds a major version's line; majors older than the
// table are past every end of life, newer ones are supported.
func LookupLifecycle(major int) (Lifecycle, bool) {
	for _, l := range lifecycles {
		if l.Major == major {
			return l, true
		}
	}
	if major > 0 && major < lifecycles[0].Major {
		return Lifecycle{Major: major, HerokuEOL: lifecycles[0].HerokuEOL, HerokuDeprecated: true, CommunityEOL: lifecycles[0].CommunityEOL,
			Source: "older than 11, the oldest major of the table: past every end of life"}, true
	}
	return Lifecycle{}, false
}
