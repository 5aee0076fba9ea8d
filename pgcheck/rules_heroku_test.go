package pgcheck

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

func decode[T any](t *testing.T, raw string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func at(d time.Duration) heroku.DataTime { return heroku.DataTime{Time: now.Add(-d)} }

// herokuSnap is healthySnap with the add-on as a healthy Standard-0 on
// Heroku Data: available, daily backups that succeed, no maintenance.
func herokuSnap(t *testing.T) *Snapshot {
	s := healthySnap()
	db := decode[heroku.Database](t, mustJSON(t, herokutest.PGInfo{AddonID: "a1", Name: "postgresql-sinuous-83720", Plan: "standard-0",
		PlanTitle: "Standard 0", Status: "Available", Version: "16.4", DataBytes: 5 << 30, Tables: 12, ConnUsed: 20, ConnLimit: 120,
		ContinuousProtection: "On", Host: "ec2-1-2-3-4.compute-1.amazonaws.com", Port: 5432, User: "u1", Password: "p1-secret", DB: "d1",
		Created: now.Add(-300 * 24 * time.Hour)}.Body()))
	sched := "5e5d5bc9-6aed-4ede-81b5-edf9341ee6d2"
	ok := heroku.Transfer{Num: 12, FromName: "DATABASE", FromType: "pg_dump", ToType: "gof3r", Succeeded: true,
		CreatedAt: at(6 * time.Hour), FinishedAt: at(5 * time.Hour)}
	ok.Schedule = &struct {
		UUID string `json:"uuid"`
	}{sched}
	s.Heroku = &Heroku{Addon: "postgresql-sinuous-83720", AddonID: "a1", Plan: "heroku-postgresql:standard-0", Attachments: []string{"DATABASE_URL"},
		Database:  &db,
		Schedules: []heroku.TransferSchedule{{Hour: 5, Name: "DATABASE_URL", Timezone: "UTC", UUID: sched}},
		Backups:   []heroku.Transfer{ok}, Errs: map[string]error{}}
	return s
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHerokuHealthy(t *testing.T) {
	fs := Judge(herokuSnap(t), DefaultThresholds, now)
	reporttest.AllOK(t, fs)
	for _, check := range []string{"postgres.heroku.status", "postgres.heroku.backups", "postgres.heroku.maintenance", "postgres.heroku.data_size", "postgres.version"} {
		if _, ok := reporttest.FindCheck(t, fs, check); !ok {
			t.Errorf("no %s finding: what was verified is said", check)
		}
	}
}

func TestHerokuDataRules(t *testing.T) {
	failed := heroku.Transfer{Num: 13, FromName: "DATABASE", FromType: "pg_dump", ToType: "gof3r", CreatedAt: at(2 * time.Hour), FinishedAt: at(90 * time.Minute)}
	cases := []struct {
		name   string
		mutate func(*testing.T, *Snapshot)
		code   string
		status report.Status
		remedy string
	}{
		{"no schedule on Essential", func(t *testing.T, s *Snapshot) {
			s.Heroku.Plan, s.Heroku.Schedules = "heroku-postgresql:essential-0", nil
			s.Heroku.Database.Info = dropRow(s.Heroku.Database.Info, "Continuous Protection")
		}, codes.PGNoBackupSchedule.ID, report.StatusWarning, "heroku pg:backups:schedule DATABASE_URL --at"},
		{"no schedule, Continuous Protection on", func(t *testing.T, s *Snapshot) { s.Heroku.Schedules = nil }, codes.PGNoBackupSchedule.ID, report.StatusInfo, ""},
		{"latest backup failed", func(t *testing.T, s *Snapshot) { s.Heroku.Backups = append(s.Heroku.Backups, failed) }, codes.PGBackupFailed.ID, report.StatusWarning, "heroku pg:backups:info -a acme-prod"},
		{"the CLI's own transfers: b004 failed last", func(t *testing.T, s *Snapshot) {
			s.Heroku.Backups = decode[[]heroku.Transfer](t, herokutest.CLITransfers)
			s.Heroku.Schedules = nil
		}, codes.PGBackupFailed.ID, report.StatusWarning, ""},
		{"stale", func(t *testing.T, s *Snapshot) { s.Heroku.Backups[0].FinishedAt = at(30 * time.Hour) }, codes.PGBackupStale.ID, report.StatusWarning, "pg:backups:capture DATABASE_URL"},
		{"very stale", func(t *testing.T, s *Snapshot) { s.Heroku.Backups[0].FinishedAt = at(5 * 24 * time.Hour) }, codes.PGBackupStale.ID, report.StatusCritical, ""},
		{"scheduled, never succeeded", func(t *testing.T, s *Snapshot) { s.Heroku.Backups = []heroku.Transfer{failed} }, codes.PGBackupStale.ID, report.StatusCritical, ""},
		{"maintenance in 3 days", func(t *testing.T, s *Snapshot) {
			s.Heroku.Maint = []heroku.Maintenance{maint("postgresql-sinuous-83720", "pending", now.Add(72*time.Hour), now.Add(6*24*time.Hour))}
		}, codes.PGMaintenanceScheduled.ID, report.StatusWarning, "heroku data:maintenances:run postgresql-sinuous-83720 -a acme-prod"},
		{"maintenance in 3 weeks", func(t *testing.T, s *Snapshot) {
			s.Heroku.Maint = []heroku.Maintenance{maint("postgresql-sinuous-83720", "none", now.Add(21*24*time.Hour), time.Time{})}
		}, codes.PGMaintenanceScheduled.ID, report.StatusInfo, "data:maintenances:window:update"},
		{"the CLI's own maintenances (2019, by attachment)", func(t *testing.T, s *Snapshot) {
			m := decode[struct {
				Maintenances []heroku.Maintenance `json:"maintenances"`
			}](t, herokutest.CLIMaintenances)
			s.Heroku.Addon, s.Heroku.Maint = "another-name", m.Maintenances
		}, codes.PGMaintenanceScheduled.ID, report.StatusWarning, ""},
		{"pg:info's Maintenance row", func(t *testing.T, s *Snapshot) {
			s.Heroku.Database.Info = append(s.Heroku.Database.Info, heroku.InfoRow{Name: "Maintenance",
				Values: []string{"scheduled for " + now.Add(48*time.Hour).Format("2006-01-02 15:04:05 -0700") + ", required by " + now.Add(96*time.Hour).Format("2006-01-02 15:04:05 -0700") + ", replacement currently being prepared"}})
		}, codes.PGMaintenanceScheduled.ID, report.StatusWarning, ""},
		{"data size 85%", func(t *testing.T, s *Snapshot) { s.Heroku.Database.NumBytes = 55 << 30 }, codes.PGDataSizeLimit.ID, report.StatusWarning, "heroku addons:upgrade DATABASE_URL"},
		{"over plan capacity", func(t *testing.T, s *Snapshot) { setRow(s, "Status", "Over Plan Capacity: Action Required") }, codes.PGDataSizeLimit.ID, report.StatusCritical, ""},
		{"advanced storage", func(t *testing.T, s *Snapshot) {
			a := decode[heroku.AdvancedInfo](t, strings.Replace(herokutest.CLIAdvancedInfo, `"current": 1.1, "limit": 128000`, `"current": 126000, "limit": 128000`, 1))
			s.Heroku.Plan, s.Heroku.Database, s.Heroku.Advanced, s.Target.Plan = "heroku-postgresql:advanced", nil, &a, "heroku-postgresql:advanced"
		}, codes.PGDataSizeLimit.ID, report.StatusCritical, ""},
		{"HA standby unavailable", func(t *testing.T, s *Snapshot) { setRow(s, "HA Status", "Temporarily Unavailable") }, codes.PGAddonStatus.ID, report.StatusWarning, "heroku pg:info DATABASE_URL"},
		{"advanced standby down", func(t *testing.T, s *Snapshot) {
			a := decode[heroku.AdvancedInfo](t, strings.Replace(herokutest.CLIAdvancedInfo, `"role": "standby", "status": "up"`, `"role": "standby", "status": "down"`, 1))
			s.Heroku.Plan, s.Heroku.Database, s.Heroku.Advanced = "heroku-postgresql:advanced", nil, &a
		}, codes.PGAddonStatus.ID, report.StatusWarning, ""},
		{"Data API refused", func(t *testing.T, s *Snapshot) {
			s.Heroku.Database, s.Heroku.Errs["database"] = nil, &heroku.DataError{Method: "GET", Path: "/client/v11/databases/a1", StatusCode: 403, Message: "forbidden"}
		}, codes.PermissionDenied.ID, report.StatusUnknown, ""},
		{"Data API down", func(t *testing.T, s *Snapshot) {
			s.Heroku.Errs["transfers"] = &heroku.DataError{Method: "GET", Path: "/client/v11/apps/acme-prod/transfers", StatusCode: 503, Message: "Internal Server Error"}
		}, codes.APIError.ID, report.StatusUnknown, ""},
		{"the plan's connection limit where the role has none", func(t *testing.T, s *Snapshot) {
			s.Target.Plan, s.Heroku.Plan = "heroku-postgresql:essential-0", "heroku-postgresql:essential-0"
			setRow(s, "Connections", "19/20")
		}, codes.PGConnectionsHigh.ID, report.StatusCritical, ""},
		{"unreachable, Heroku still says the backups failed", func(t *testing.T, s *Snapshot) {
			s.ConnectErr = errors.New("dial tcp: i/o timeout")
			s.Heroku.Backups = append(s.Heroku.Backups, failed)
		}, codes.PGBackupFailed.ID, report.StatusWarning, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := herokuSnap(t)
			c.mutate(t, s)
			fs := Judge(s, DefaultThresholds, now)
			f, ok := reporttest.Find(t, fs, c.code, "DATABASE_URL")
			if !ok {
				var got []string
				for _, f := range fs {
					got = append(got, f.Code+"@"+f.Subject+":"+string(f.Status))
				}
				t.Fatalf("no %s; got %v", c.code, got)
			}
			if f.Status != c.status {
				t.Errorf("%s is %s, want %s: %s", c.code, f.Status, c.status, f.Summary)
			}
			if !strings.Contains(f.Remedy, c.remedy) {
				t.Errorf("remedy %q lacks %q", f.Remedy, c.remedy)
			}
			for _, f := range fs {
				if strings.Contains(f.Summary+f.Detail+f.Remedy, "p1-secret") {
					t.Errorf("the password is in %s", f.Check)
				}
			}
		})
	}
}

// TestHerokuDataSkips: a 404 (the Data API does not know the add-on) is
// skipped with its reason and the SQL checks still run; Shield plans and
// followers have no backup findings.
func TestHerokuDataSkips(t *testing.T) {
	s := herokuSnap(t)
	s.Heroku.Database, s.Heroku.Errs["database"] = nil, &heroku.DataError{StatusCode: 404}
	fs := Judge(s, DefaultThresholds, now)
	f, ok := reporttest.FindCheck(t, fs, "postgres.heroku")
	if !ok || f.Status != report.StatusSkipped || !strings.Contains(f.Summary, "does not know") {
		t.Errorf("404: %+v", f)
	}
	if _, ok := reporttest.FindCheck(t, fs, "postgres.cache"); !ok {
		t.Error("the SQL checks did not run")
	}
	for _, mut := range []func(*Snapshot){
		func(s *Snapshot) { s.Heroku.Plan = "heroku-postgresql:shield-0" },
		func(s *Snapshot) {
			setRow(s, "Following", "postgres://ec2-54-111-111-1.compute-1.amazonaws.com:5452/dxxxx")
		},
	} {
		s := herokuSnap(t)
		s.Heroku.Schedules = nil
		mut(s)
		fs := Judge(s, DefaultThresholds, now)
		if _, ok := reporttest.Find(t, fs, codes.PGNoBackupSchedule.ID, ""); ok {
			t.Errorf("backup schedule asked of %s", s.Heroku.Plan)
		}
		if f, _ := reporttest.FindCheck(t, fs, "postgres.heroku.backups"); f.Status != report.StatusSkipped {
			t.Errorf("backups: %+v", f)
		}
	}
}

func TestConnectionBudget(t *testing.T) {
	procs := []Process{{Type: "web", Quantity: 8, Command: "bundle exec puma -C config/puma.rb"},
		{Type: "worker", Quantity: 3, Command: "bundle exec sidekiq"},
		{Type: "clock", Quantity: 1, Command: "bundle exec clockwork clock.rb"}}
	vars := map[string]string{"WEB_CONCURRENCY": "3", "RAILS_MAX_THREADS": "5"}
	lines := Budget(procs, vars)
	if len(lines) != 3 || lines[0].Total != 120 || lines[1].Total != 15 || lines[2].Counted {
		t.Fatalf("budget: %+v", lines)
	}
	// DB_POOL caps a process's connections; flags in the command win over config vars.
	lines = Budget([]Process{{Type: "web", Quantity: 2, Command: "bundle exec puma -w 4 -t 2:8"}, {Type: "worker", Quantity: 1, Command: "bundle exec sidekiq -c 25"}},
		map[string]string{"WEB_CONCURRENCY": "9", "DB_POOL": "6"})
	if lines[0].Total != 2*4*6 || lines[1].Total != 6 {
		t.Errorf("flags and DB_POOL: %+v", lines)
	}
	// Nothing explicit: nothing counted, nothing guessed.
	for _, l := range Budget(procs, map[string]string{}) {
		if l.Counted {
			t.Errorf("counted from defaults: %+v", l)
		}
	}
	g := Budget([]Process{{Type: "web", Quantity: 2, Command: "gunicorn app.wsgi -w 3 --threads 4"}}, nil)
	if g[0].Total != 24 {
		t.Errorf("gunicorn: %+v", g)
	}
	// Gunicorn's -t is its timeout, not threads: 120 would be a false alarm.
	if g := Budget([]Process{{Type: "web", Quantity: 2, Command: "gunicorn app.wsgi -w 3 -t 120"}}, nil); g[0].Counted || g[0].Total != 0 {
		t.Errorf("gunicorn -t 120 counted as threads: %+v", g)
	}
	// rails server and rails s are Puma.
	for _, cmd := range []string{"bin/rails server -p $PORT -e production", "bundle exec rails s"} {
		if l := Budget([]Process{{Type: "web", Quantity: 1, Command: cmd}}, map[string]string{"WEB_CONCURRENCY": "2", "RAILS_MAX_THREADS": "5"}); l[0].Server != "puma" || l[0].Total != 10 {
			t.Errorf("%s: %+v", cmd, l)
		}
	}

	s := herokuSnap(t)
	s.Formation, s.BudgetVars = procs, vars // 135 against pg:info's 120
	fs := Judge(s, DefaultThresholds, now)
	f, ok := reporttest.Find(t, fs, codes.PGConnectionBudget.ID, "DATABASE_URL")
	if !ok || f.Status != report.StatusCritical || !strings.Contains(f.Summary, "at least 135") || !strings.Contains(f.Summary, "web 8 x 3 x 5 = 120") ||
		f.Data["limit_from"] != "pg:info's Connections row (20/120)" {
		t.Errorf("budget: %+v", f)
	}
	if !strings.Contains(f.Remedy, "heroku pg:connection-pooling:attach DATABASE_URL -a acme-prod") {
		t.Errorf("remedy: %s", f.Remedy)
	}
	s.BudgetVars = map[string]string{"WEB_CONCURRENCY": "2", "RAILS_MAX_THREADS": "3"}
	if f, _ := reporttest.FindCheck(t, Judge(s, DefaultThresholds, now), "postgres.connection_budget"); f.Status != report.StatusOK {
		t.Errorf("within the limit: %+v", f)
	}
	s.BudgetVars = nil
	if f, _ := reporttest.FindCheck(t, Judge(s, DefaultThresholds, now), "postgres.connection_budget"); f.Status != report.StatusSkipped {
		t.Errorf("no explicit numbers: %+v", f)
	}
}

func maint(addon, status string, scheduled, required time.Time) heroku.Maintenance {
	var m heroku.Maintenance
	m.Addon.Name, m.Addon.Kind, m.Status, m.Reason = addon, "heroku-postgresql", status, "routine_maintenance"
	w := "Thursdays 22:00 to Fridays 02:00 UTC"
	m.Window = &w
	m.ScheduledFor, m.RequiredBy = heroku.DataTime{Time: scheduled}, heroku.DataTime{Time: required}
	return m
}

func setRow(s *Snapshot, name, value string) {
	for i, r := range s.Heroku.Database.Info {
		if r.Name == name {
			s.Heroku.Database.Info[i].Values = []string{value}
			return
		}
	}
	s.Heroku.Database.Info = append(s.Heroku.Database.Info, heroku.InfoRow{Name: name, Values: []string{value}})
}

func dropRow(rows []heroku.InfoRow, name string) []heroku.InfoRow {
	var out []heroku.InfoRow
	for _, r := range rows {
		if r.Name != name {
			out = append(out, r)
		}
	}
	return out
}
