package pgcheck

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Lines of the Heroku Data rules (heroku-checkup's, not Heroku's).
const (
	backupStaleWarn  = 27 * time.Hour // a daily schedule, and the time a backup takes
	backupStaleCrit  = 72 * time.Hour // three missed days
	maintenanceNear  = 7 * 24 * time.Hour
	budgetWarnRatio  = 0.9
	checkHerokuAddon = "postgres.heroku"
)

// heroku judges the add-on as Heroku Data runs it.
func (j *judge) heroku() {
	h := j.s.Heroku
	if h == nil {
		return
	}
	if err := h.Errs["database"]; err != nil {
		if j.dataError("database", "pg:info", err) {
			return // the Data API does not know this add-on: nothing else to ask it
		}
	} else {
		j.addonStatus()
	}
	j.backups()
	j.maintenance()
	j.dataSize()
}

// dataError reports a Data API read that failed; it tells whether the
// add-on is unknown there (404), which makes the other reads moot.
func (j *judge) dataError(part, what string, err error) bool {
	subject := j.s.Target.Name
	switch heroku.DataStatus(err) {
	case 404:
		j.add(report.Finding{Check: checkHerokuAddon, Subject: subject, Status: report.StatusSkipped,
			Summary: fmt.Sprintf("the Data API does not know add-on %s (%s: 404): not Heroku Postgres, not provisioned yet, or another account's; the SQL checks still ran", j.s.Heroku.Addon, what)})
		return true
	case 401, 403:
		j.raise(codes.PermissionDenied, report.Finding{Check: checkHerokuAddon, Subject: subject,
			Summary: fmt.Sprintf("the Data API refused %s (%d): %v", what, heroku.DataStatus(err), err)}, "")
		return false
	}
	code := codes.APIError
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "deadline exceeded") {
		code = codes.Timeout
	}
	j.raise(code, report.Finding{Check: checkHerokuAddon, Subject: subject,
		Summary: fmt.Sprintf("could not read %s from the Data API: %v", what, err)}, "")
	return false
}

func (j *judge) herokuRemedy(code *report.Code, subject string) string {
	return code.RemedyFor(j.s.Target.App, subject)
}

// addonStatus: the Status and HA Status rows, a follower's lag, the
// Advanced tier's instances.
func (j *judge) addonStatus() {
	h := j.s.Heroku
	check := "postgres.heroku.status"
	data := map[string]any{"addon": h.Addon, "plan": h.Plan}
	var problems []string
	if a := h.Advanced; a != nil {
		data["status"], data["tier"] = a.Status, a.Tier
		if a.Status != "" && a.Status != "available" {
			problems = append(problems, "status "+a.Status)
		}
		for _, p := range a.Pools {
			for _, ci := range p.ComputeInstances {
				if ci.Status != "" && ci.Status != "up" {
					problems = append(problems, fmt.Sprintf("pool %s: %s instance %s is %s", p.Name, ci.Role, ci.Name, ci.Status))
				}
			}
		}
	} else {
		for _, row := range []string{"Status", "HA Status", "Behind By", "Following"} {
			if v := h.rowValue(row); v != "" {
				data[strings.ToLower(strings.ReplaceAll(row, " ", "_"))] = v
			}
		}
		if st := h.rowValue("Status"); st != "" && !strings.EqualFold(st, "Available") && !overCapacity(st) {
			problems = append(problems, "Status: "+st)
		}
		if ha := h.rowValue("HA Status"); ha != "" && !strings.EqualFold(ha, "Available") {
			problems = append(problems, "HA Status: "+ha)
		}
	}
	if len(problems) == 0 {
		summary := "Heroku reports the add-on available"
		if h.IsFollower() {
			summary += "; a follower"
			if b := h.rowValue("Behind By"); b != "" {
				summary += ", behind its leader by " + b
			}
		}
		j.add(report.Finding{Check: check, Status: report.StatusOK, Data: data, Summary: summary})
		return
	}
	j.raise(codes.PGAddonStatus, report.Finding{Check: check, Data: data,
		Summary: "Heroku reports " + strings.Join(problems, "; ")}, "")
}

func overCapacity(status string) bool {
	s := strings.ToLower(status)
	return strings.Contains(s, "over") && strings.Contains(s, "capacity")
}

// backups: the schedule, the newest backup, the age of the newest good one.
func (j *judge) backups() {
	h := j.s.Heroku
	subject := j.s.Target.Name
	switch {
	case h.Advanced != nil:
		return // the Advanced tier has no PGBackups API in the CLI; Continuous Protection covers it
	case IsShield(h.Plan):
		j.add(report.Finding{Check: "postgres.heroku.backups", Subject: subject, Status: report.StatusSkipped,
			Summary: "PGBackups does not work with Shield databases: Continuous Protection is their backup"})
		return
	case h.IsFollower():
		j.add(report.Finding{Check: "postgres.heroku.backups", Subject: subject, Status: report.StatusSkipped,
			Summary: "a follower: its leader's backups and Continuous Protection cover it"})
		return
	}
	if err := h.Errs["schedules"]; err != nil {
		j.dataError("schedules", "the backup schedules", err)
	} else if len(h.Schedules) == 0 {
		f := report.Finding{Check: "postgres.heroku.backups", Subject: subject,
			Summary: fmt.Sprintf("%s has no backup schedule", subject)}
		if cp := h.rowValue("Continuous Protection"); strings.HasPrefix(strings.ToLower(cp), "on") {
			f.Status = report.StatusInfo
			f.Detail = "Continuous Protection is on (Heroku's recovery path for Standard and up); a scheduled logical backup is the portable copy."
		}
		j.raise(codes.PGNoBackupSchedule, f, "")
	}
	if err := h.Errs["transfers"]; err != nil {
		j.dataError("transfers", "the backups", err)
		return
	}
	var finished, good []heroku.Transfer
	for _, t := range h.Backups {
		switch t.State() {
		case heroku.TransferCompleted:
			finished, good = append(finished, t), append(good, t)
		case heroku.TransferFailed:
			finished = append(finished, t)
		}
	}
	byNewest := func(ts []heroku.Transfer) {
		sort.SliceStable(ts, func(a, b int) bool { return ts[a].CreatedAt.After(ts[b].CreatedAt.Time) })
	}
	byNewest(finished)
	byNewest(good)
	data := map[string]any{"schedules": scheduleText(h.Schedules), "backups": len(h.Backups)}
	problems := 0
	if len(finished) > 0 && finished[0].State() == heroku.TransferFailed {
		problems++
		last := finished[0]
		data["failed"] = last.Name()
		j.raise(codes.PGBackupFailed, report.Finding{Check: "postgres.heroku.backups", Subject: subject, Data: copyData(data),
			Summary: fmt.Sprintf("the latest backup of %s, %s, failed %s", subject, last.Name(), report.Ago(j.now.Sub(last.FinishedAt.Time)))}, "")
	}
	if len(h.Schedules) > 0 && h.Read("schedules") {
		age := time.Duration(-1)
		if len(good) > 0 {
			age = j.now.Sub(good[0].FinishedAt.Time)
			data["last_success"], data["last_success_at"] = good[0].Name(), good[0].FinishedAt.UTC().Format(time.RFC3339)
		}
		if age < 0 || age > backupStaleWarn {
			problems++
			f := report.Finding{Check: "postgres.heroku.backup_age", Subject: subject, Data: copyData(data)}
			if age < 0 {
				f.Summary = fmt.Sprintf("%s is scheduled (%s) but has no successful backup", subject, scheduleText(h.Schedules))
			} else {
				f.Summary = fmt.Sprintf("the newest successful backup of %s (%s) finished %s; the schedule is %s", subject, good[0].Name(), report.Ago(age), scheduleText(h.Schedules))
			}
			if age < 0 || age > backupStaleCrit {
				f.Status = report.StatusCritical
			}
			j.raise(codes.PGBackupStale, f, "")
		}
	}
	if problems == 0 && len(h.Schedules) > 0 {
		summary := "backups " + scheduleText(h.Schedules)
		if len(good) > 0 {
			summary += fmt.Sprintf("; the newest, %s, finished %s", good[0].Name(), report.Ago(j.now.Sub(good[0].FinishedAt.Time)))
		}
		j.add(report.Finding{Check: "postgres.heroku.backups", Subject: subject, Status: report.StatusOK, Data: data, Summary: summary})
	}
}

func copyData(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// scheduleText is pg:backups:schedules' wording: "daily at 5:00 UTC".
func scheduleText(s []heroku.TransferSchedule) string {
	var parts []string
	for _, x := range s {
		tz := x.Timezone
		if tz == "" {
			tz = "UTC"
		}
		parts = append(parts, fmt.Sprintf("daily at %d:00 %s", x.Hour, tz))
	}
	return strings.Join(parts, ", ")
}

// maintenanceRow reads pg:info's Maintenance row ("scheduled for 2018-05-01
// 14:30:00 +0000, required by 2018-05-04 21:00:00 +0000, ...").
var maintenanceRow = regexp.MustCompile(`(scheduled for|required by) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})`)

func (j *judge) maintenance() {
	h := j.s.Heroku
	subject := j.s.Target.Name
	type upcoming struct {
		scheduled, required time.Time
		status, window      string
		reason, method      string
		from                string
	}
	var found []upcoming
	for _, m := range h.Maint {
		mine := m.Addon.Name == h.Addon || slices.ContainsFunc(m.Addon.Attachments, func(a string) bool { return slices.Contains(h.Attachments, a) })
		if !mine || m.Status == "completed" {
			continue
		}
		if m.ScheduledFor.IsZero() && m.RequiredBy.IsZero() && (m.Status == "" || m.Status == "none") {
			continue
		}
		u := upcoming{scheduled: m.ScheduledFor.Time, required: m.RequiredBy.Time, status: m.Status, reason: m.Reason, method: m.Method,
			from: "data:maintenances"}
		if m.Window != nil {
			u.window = *m.Window
		}
		found = append(found, u)
	}
	if len(found) == 0 {
		if row := h.rowValue("Maintenance"); row != "" {
			u := upcoming{from: "pg:info's Maintenance row", window: h.rowValue("Maintenance window")}
			for _, m := range maintenanceRow.FindAllStringSubmatch(row, -1) {
				t, err := heroku.ParseDataTime(m[2])
				if err != nil {
					continue
				}
				if m[1] == "scheduled for" {
					u.scheduled = t
				} else {
					u.required = t
				}
			}
			if !u.scheduled.IsZero() || !u.required.IsZero() {
				found = append(found, u)
			}
		}
	}
	if len(found) == 0 {
		if err := h.Errs["maintenances"]; err != nil && h.rowValue("Maintenance") == "" {
			j.dataError("maintenances", "the maintenances", err)
			return
		}
		j.add(report.Finding{Check: "postgres.heroku.maintenance", Subject: subject, Status: report.StatusOK,
			Summary: "no maintenance scheduled for " + h.Addon})
		return
	}
	for _, u := range found {
		when := u.scheduled
		if when.IsZero() || (!u.required.IsZero() && u.required.Before(when)) {
			when = u.required
		}
		data := map[string]any{"addon": h.Addon, "status": u.status, "window": u.window, "reason": u.reason, "method": u.method, "from": u.from}
		var parts []string
		if !u.scheduled.IsZero() {
			data["scheduled_for"] = u.scheduled.UTC().Format(time.RFC3339)
			parts = append(parts, "scheduled for "+u.scheduled.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if !u.required.IsZero() {
			data["required_by"] = u.required.UTC().Format(time.RFC3339)
			parts = append(parts, "required by "+u.required.UTC().Format("2006-01-02 15:04 UTC"))
		}
		if len(parts) == 0 {
			parts = append(parts, "status "+u.status)
		}
		summary := fmt.Sprintf("Heroku has maintenance for %s (%s): %s", h.Addon, subject, strings.Join(parts, ", "))
		if u.window != "" {
			summary += "; window " + u.window
		}
		f := report.Finding{Check: "postgres.heroku.maintenance", Subject: subject, Data: data, Summary: summary,
			Remedy: j.herokuRemedy(codes.PGMaintenanceScheduled, h.Addon)}
		if u.status == "running" || (!when.IsZero() && when.Sub(j.now) <= maintenanceNear) {
			f.Status = report.StatusWarning
		}
		j.raise(codes.PGMaintenanceScheduled, f, "")
	}
}

// dataSize: Heroku's data size against the plan's storage.
func (j *judge) dataSize() {
	h := j.s.Heroku
	subject := j.s.Target.Name
	var used, limit int64
	from := ""
	switch {
	case h.Advanced != nil:
		if cur, lim, ok := h.Advanced.Limit("storage-limit-in-gb"); ok && lim > 0 {
			used, limit, from = int64(cur*float64(gb)), int64(lim*float64(gb)), "the Advanced plan_limits storage-limit-in-gb"
		}
	case h.Database != nil:
		used = int64(h.Database.NumBytes)
		if p, ok := LookupPlan(h.Plan); ok && p.StorageBytes > 0 {
			limit, from = p.StorageBytes, "the "+p.Name+" plan ("+p.Source+")"
		}
	}
	if used == 0 && j.s.DBSize > 0 {
		used = j.s.DBSize
	}
	status := h.rowValue("Status")
	if limit == 0 && !overCapacity(status) {
		return // no limit to judge against: plan() says why
	}
	data := map[string]any{"used_bytes": used, "limit_bytes": limit, "limit_from": from, "plan": h.Plan}
	if ds := h.rowValue("Data Size"); ds != "" {
		data["data_size"] = ds
	}
	f := report.Finding{Check: "postgres.heroku.data_size", Subject: subject, Data: data}
	r := 0.0
	if limit > 0 {
		r = float64(used) / float64(limit)
		f.Summary = fmt.Sprintf("%s holds %s of its %s storage (%.0f%%)", subject, report.HumanBytes(used), report.HumanBytes(limit), 100*r)
	}
	switch {
	case overCapacity(status):
		f.Status = report.StatusCritical
		f.Summary = fmt.Sprintf("Heroku reports %s as %q", subject, status)
	case r >= j.th.PlanCrit:
		f.Status = report.StatusCritical
	case r < j.th.PlanWarn:
		f.Status = report.StatusOK
		j.add(f)
		return
	}
	j.raise(codes.PGDataSizeLimit, f, "")
}

// version judges the major version: Heroku's lifecycle for an add-on,
// the community's otherwise.
func (j *judge) version() {
	s := j.s
	major := s.VersionNum / 10000
	from := "server_version_num"
	if major == 0 && s.Heroku != nil {
		v := ""
		if s.Heroku.Advanced != nil {
			v = s.Heroku.Advanced.Version
		} else if s.Heroku.Database != nil {
			v = s.Heroku.Database.Version()
		}
		fmt.Sscanf(v, "%d", &major)
		from = "the Data API"
	}
	if major == 0 {
		return
	}
	onHeroku := s.Heroku != nil || s.Target.Plan != ""
	l, listed := LookupLifecycle(major)
	data := map[string]any{"major": major, "from": from, "lifecycle_read": LifecycleRead}
	if listed {
		data["source"] = l.Source
		data["community_end_of_life"] = l.CommunityEOL.Format("2006-01-02")
		if !l.HerokuEOL.IsZero() {
			data["heroku_end_of_life"] = l.HerokuEOL.Format("2006-01-02")
		}
	}
	f := report.Finding{Check: "postgres.version", Data: data}
	switch {
	case !listed:
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("PostgreSQL %d is supported (lifecycle read %s)", major, LifecycleRead)
		j.add(f)
	case onHeroku && !l.HerokuEOL.IsZero() && !j.now.Before(l.HerokuEOL):
		f.Summary = fmt.Sprintf("PostgreSQL %d is past Heroku's end of life (%s): access is restricted and the database deleted after it", major, l.HerokuEOL.Format("2006-01-02"))
		j.raise(codes.PGVersionUnsupported, f, "")
	case onHeroku && l.HerokuDeprecated:
		f.Summary = fmt.Sprintf("PostgreSQL %d is deprecated on Heroku: end of life %s", major, l.HerokuEOL.Format("2006-01-02"))
		if !l.ForcedFrom.IsZero() {
			f.Summary += ", forced upgrades from " + l.ForcedFrom.Format("2006-01-02")
		}
		j.raise(codes.PGVersionDeprecated, f, "")
	case !onHeroku && !j.now.Before(l.CommunityEOL):
		f.Status = report.StatusWarning
		f.Summary = fmt.Sprintf("PostgreSQL %d is out of community support since %s; some checks may be incomplete", major, l.CommunityEOL.Format("2006-01-02"))
		j.raise(codes.PGVersionUnsupported, f, "upgrade to a supported major version (pg_upgrade, or a dump and restore)")
	default:
		f.Status = report.StatusOK
		f.Summary = fmt.Sprintf("PostgreSQL %d is supported (until %s in the community; lifecycle read %s)", major, l.CommunityEOL.Format("2006-01-02"), LifecycleRead)
		j.add(f)
	}
}

// budget: what the formation can open against the plan's connection limit.
func (j *judge) budget() {
	s := j.s
	if len(s.Formation) == 0 || s.Target.Name != "DATABASE_URL" {
		return // the formation's pools connect to DATABASE_URL; other attachments are the app's own choice
	}
	lines := Budget(s.Formation, s.BudgetVars)
	total, counted := 0, 0
	var skipped []string
	for _, l := range lines {
		if l.Counted {
			total += l.Total
			counted++
		} else {
			skipped = append(skipped, l.Type+": "+l.Why)
		}
	}
	data := map[string]any{"process_types": lines}
	if counted == 0 {
		j.add(report.Finding{Check: "postgres.connection_budget", Status: report.StatusSkipped, Data: data,
			Summary: "no process type sets its connections with explicit numbers (WEB_CONCURRENCY, RAILS_MAX_THREADS, DB_POOL ... or flags in its command): the budget is not guessed"})
		return
	}
	_, limit, from, ok := s.Heroku.ConnectionLimit()
	if !ok {
		if p, found := LookupPlan(s.Target.Plan); found && p.ConnectionLimit > 0 {
			limit, from = p.ConnectionLimit, "the "+p.Name+" plan ("+p.Source+")"
		} else if s.ConnectErr == nil && s.Conn.MaxConnections > 0 {
			limit, from = s.Conn.MaxConnections-s.Conn.Reserved, "the server's max_connections less its reserved slots"
		}
	}
	if limit <= 0 {
		j.add(report.Finding{Check: "postgres.connection_budget", Status: report.StatusSkipped, Data: data,
			Summary: fmt.Sprintf("the formation can open %d connections, but the plan's limit is unknown", total)})
		return
	}
	data["total"], data["limit"], data["limit_from"] = total, limit, from
	var parts []string
	for _, l := range lines {
		if l.Counted {
			parts = append(parts, fmt.Sprintf("%s %d x %d x %d = %d", l.Type, l.Quantity, l.Processes, l.PerProcess, l.Total))
		}
	}
	atLeast := ""
	if len(skipped) > 0 {
		atLeast = "at least "
		data["not_counted"] = skipped
	}
	r := float64(total) / float64(limit)
	f := report.Finding{Check: "postgres.connection_budget", Data: data,
		Summary: fmt.Sprintf("the formation can open %s%d connections (%s) against a limit of %d (%.0f%%)", atLeast, total, strings.Join(parts, ", "), limit, 100*r),
		Detail:  "During a deploy with preboot, old and new dynos overlap; one-off dynos, the release phase and other apps sharing the database add their own."}
	switch {
	case r > 1:
		f.Status = report.StatusCritical
	case r < budgetWarnRatio:
		f.Status = report.StatusOK
		j.add(f)
		return
	}
	j.raise(codes.PGConnectionBudget, f, "")
}
