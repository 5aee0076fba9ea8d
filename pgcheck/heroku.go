package pgcheck

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/heroku"
)

// Heroku is what Heroku's Data API says about the database's add-on, as
// the Heroku CLI's pg:info, pg:backups, pg:backups:schedules,
// data:maintenances and data:pg:info read it. Each part that could not be
// read has its error in Errs ("database", "schedules", "transfers",
// "maintenances"), and the rules that need it say so.
type Heroku struct {
	Addon       string   // the add-on's name (postgresql-sinuous-83720)
	AddonID     string   // its id, the Data API's key
	Plan        string   // heroku-postgresql:standard-0
	Attachments []string // the config vars it sets (DATABASE_URL, HEROKU_POSTGRESQL_ONYX_URL)

	Database  *heroku.Database     // /client/v11/databases/{id}; nil for Advanced or when unread
	Advanced  *heroku.AdvancedInfo // /data/postgres/v1/{id}/info for Advanced plans
	Schedules []heroku.TransferSchedule
	Backups   []heroku.Transfer    // this database's backups (not restores or copies), newest first
	Maint     []heroku.Maintenance // this add-on's maintenances

	Errs map[string]error
}

// Read tells whether part was read without error.
func (h *Heroku) Read(part string) bool {
	_, failed := h.Errs[part]
	return !failed
}

// connectionsRow reads pg:info's "Connections: 3/20" (used/limit); a value
// without a limit gives limit 0.
var connectionsRow = regexp.MustCompile(`^\s*(\d+)\s*(?:/\s*(\d+))?`)

// ConnectionLimit is the plan's connection limit as the Data API gives it,
// with what it counts as used: pg:info's Connections row, else the
// Advanced leader pool's expected_connection_limit. ok is false when the
// Data API gave none.
func (h *Heroku) ConnectionLimit() (used, limit int, from string, ok bool) {
	if h == nil {
		return 0, 0, "", false
	}
	if h.Database != nil {
		if v, found := h.Database.Row("Connections"); found && len(v) > 0 {
			if m := connectionsRow.FindStringSubmatch(v[0]); m != nil && m[2] != "" {
				used, _ = strconv.Atoi(m[1])
				limit, _ = strconv.Atoi(m[2])
				if limit > 0 {
					return used, limit, "pg:info's Connections row (" + v[0] + ")", true
				}
			}
		}
	}
	if h.Advanced != nil {
		for _, p := range h.Advanced.Pools {
			if p.Name == "leader" && p.ExpectedConnectionLimit > 0 {
				return p.ConnectionsUsed, p.ExpectedConnectionLimit, "the Advanced leader pool's expected_connection_limit", true
			}
		}
		if cur, lim, found := h.Advanced.Limit("connection-limit"); found && lim > 0 {
			return int(cur), int(lim), "the Advanced plan_limits connection-limit", true
		}
	}
	return 0, 0, "", false
}

// rowValue is the first value of an info row, trimmed.
func (h *Heroku) rowValue(name string) string {
	if h == nil || h.Database == nil {
		return ""
	}
	v, ok := h.Database.Row(name)
	if !ok || len(v) == 0 {
		return ""
	}
	return strings.TrimSpace(strings.Join(v, ", "))
}

// IsFollower tells whether the database follows another (pg:info's
// Following row, or the following field).
func (h *Heroku) IsFollower() bool {
	if h == nil || h.Database == nil {
		return false
	}
	if h.Database.Following != nil && *h.Database.Following != "" {
		return true
	}
	return h.rowValue("Following") != ""
}
