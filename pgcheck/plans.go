package pgcheck

import "strings"

// Plan is what a Heroku Postgres plan allows. The connection limit is read
// live from the server (max_connections, role and database limits); the
// table only serves storage and row limits, which the server cannot tell.
type Plan struct {
	Name         string
	StorageBytes int64
	RowLimit     int64
}

const gb = int64(1) << 30

// plans by tier suffix; standard, premium, private and shield share sizes.
var plans = map[string]Plan{
	"essential-0": {StorageBytes: 1 * gb},
	"essential-1": {StorageBytes: 10 * gb},
	"essential-2": {StorageBytes: 32 * gb},
	"mini":        {StorageBytes: 1 * gb, RowLimit: 10_000},
	"basic":       {StorageBytes: 10 * gb, RowLimit: 10_000_000},
	"hobby-dev":   {StorageBytes: 1 * gb, RowLimit: 10_000},
	"hobby-basic": {StorageBytes: 10 * gb, RowLimit: 10_000_000},
	"0":           {StorageBytes: 64 * gb},
	"2":           {StorageBytes: 256 * gb},
	"3":           {StorageBytes: 512 * gb},
	"4":           {StorageBytes: 768 * gb},
	"5":           {StorageBytes: 1024 * gb},
	"6":           {StorageBytes: 1536 * gb},
	"7":           {StorageBytes: 2048 * gb},
	"8":           {StorageBytes: 3072 * gb},
	"9":           {StorageBytes: 4096 * gb},
	"10":          {StorageBytes: 6144 * gb},
}

// LookupPlan accepts "heroku-postgresql:standard-0", "standard-0", "mini" ...
func LookupPlan(name string) (Plan, bool) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "heroku-postgresql:")
	if p, ok := plans[n]; ok {
		p.Name = n
		return p, true
	}
	for _, tier := range []string{"standard-", "premium-", "private-", "shield-"} {
		if rest, ok := strings.CutPrefix(n, tier); ok {
			if p, ok := plans[rest]; ok {
				p.Name = n
				return p, true
			}
		}
	}
	return Plan{}, false
}
