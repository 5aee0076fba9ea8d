package pgcheck

import (
	"regexp"
	"strings"
)

// Plan is what a Heroku Postgres plan allows. The Data API's own figures
// (pg:info's Connections used/limit, the Advanced tier's plan_limits) win
// over this table when the run can read them; the table serves --plan, a
// Data API that did not answer, and the limits the server cannot tell.
type Plan struct {
	Name            string
	Tier            string // essential, standard, premium, private, shield, advanced, legacy
	StorageBytes    int64  // 0: unknown here (Advanced: from the Data API)
	RowLimit        int64  // only the retired hobby plans had one
	ConnectionLimit int    // 0: unknown here
	Source          string // where the figures come from, and when they were read
}

const gb = int64(1) << 30

// Sources of the table, read 2026-11-24 (see ../shared/notes/data-api.md §9).
const (
	essentialSource  = "Essential: 1 GB / 20 connections (essential-0) and 10 GB (essential-1) from elements.heroku.com as quoted in ProgressiveCoders/Spoke#2494 (2024-10-17); essential-2 32 GB / 40 connections from heroku/roadmap#292 (Heroku, 2024-05-17); essential-1's 20 connections unverified; no row limit on Essential; read 2026-11-24"
	productionSource = "Dev Center \"Heroku Postgres Production Tier Technical Characterization\" (updated 2024-09-06, read 2026-11-24): storage and connection limits of -0 to -9; -10's 500 connections unverified"
	hobbySource      = "the retired hobby plans (ended November 2022), kept so old add-on names still read"
	advancedSource   = "Advanced tier (heroku-postgresql:advanced, advanced-private, advanced-shield; limited GA, Dev Center updated 2026-05-18, read 2026-11-24): storage and connections per pool come from the Data API (plan_limits, pools[].expected_connection_limit)"
)

// production are the storage and connection limits of the Standard,
// Premium, Private and Shield plans by size (they share them).
var production = map[string]Plan{
	"0":  {StorageBytes: 64 * gb, ConnectionLimit: 120},
	"2":  {StorageBytes: 256 * gb, ConnectionLimit: 400},
	"3":  {StorageBytes: 512 * gb, ConnectionLimit: 500},
	"4":  {StorageBytes: 768 * gb, ConnectionLimit: 500},
	"5":  {StorageBytes: 1024 * gb, ConnectionLimit: 500},
	"6":  {StorageBytes: 1536 * gb, ConnectionLimit: 500},
	"7":  {StorageBytes: 2048 * gb, ConnectionLimit: 500},
	"8":  {StorageBytes: 3072 * gb, ConnectionLimit: 500},
	"9":  {StorageBytes: 4096 * gb, ConnectionLimit: 500},
	"10": {StorageBytes: 8192 * gb, ConnectionLimit: 500}, // 8 TB: heroku/roadmap#311 (2024-09-16)
	// The -l- and -xl- sizes of Premium, Private and Shield.
	"l-6": {StorageBytes: 2048 * gb, ConnectionLimit: 500}, "xl-6": {StorageBytes: 3072 * gb, ConnectionLimit: 500},
	"l-9": {StorageBytes: 5120 * gb, ConnectionLimit: 500}, "xl-9": {StorageBytes: 6144 * gb, ConnectionLimit: 500},
}

// named are the plans known by their whole name. mini and basic became
// essential-0 and essential-1, which have no row limit.
var named = map[string]Plan{
	"essential-0": {Tier: "essential", StorageBytes: 1 * gb, ConnectionLimit: 20, Source: essentialSource},
	"essential-1": {Tier: "essential", StorageBytes: 10 * gb, ConnectionLimit: 20, Source: essentialSource},
	"essential-2": {Tier: "essential", StorageBytes: 32 * gb, ConnectionLimit: 40, Source: essentialSource},
	"mini":        {Tier: "essential", StorageBytes: 1 * gb, ConnectionLimit: 20, Source: "mini is now essential-0; " + essentialSource},
	"basic":       {Tier: "essential", StorageBytes: 10 * gb, ConnectionLimit: 20, Source: "basic is now essential-1; " + essentialSource},
	"hobby-dev":   {Tier: "legacy", StorageBytes: 1 * gb, RowLimit: 10_000, ConnectionLimit: 20, Source: hobbySource},
	"hobby-basic": {Tier: "legacy", StorageBytes: 10 * gb, RowLimit: 10_000_000, ConnectionLimit: 20, Source: hobbySource},
}

// advancedPlan is the Heroku CLI's test for an Advanced plan
// (heroku-cli-util src/utils/addons/helpers.ts: /^(advanced|performance)/).
var advancedPlan = regexp.MustCompile(`^(advanced|performance)`)

// LookupPlan accepts "heroku-postgresql:standard-0", "standard-0", "mini",
// "advanced-private" ...
func LookupPlan(name string) (Plan, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "heroku-postgresql:")
	if p, ok := named[n]; ok {
		p.Name = n
		return p, true
	}
	if advancedPlan.MatchString(n) {
		return Plan{Name: n, Tier: "advanced", Source: advancedSource}, true
	}
	for _, tier := range []string{"standard", "premium", "private", "shield"} {
		if rest, ok := strings.CutPrefix(n, tier+"-"); ok {
			if p, ok := production[rest]; ok && (tier != "standard" || !strings.Contains(rest, "l-")) {
				p.Name, p.Tier, p.Source = n, tier, productionSource
				return p, true
			}
		}
	}
	return Plan{}, false
}

// IsAdvanced tells whether a plan is of the Advanced tier, which the Data
// API serves at /data/postgres/v1 instead of /client/v11.
func IsAdvanced(plan string) bool {
	p, ok := LookupPlan(plan)
	return ok && p.Tier == "advanced"
}

// IsShield tells whether a plan is a Shield plan (no PGBackups: Dev Center
// "Upgrading the Version of a Heroku Postgres Database", updated 2025-05-29).
func IsShield(plan string) bool {
	return strings.Contains(strings.ToLower(plan), "shield")
}
