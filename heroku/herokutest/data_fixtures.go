package herokutest

import (
	"fmt"
	"time"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// The Data API's shapes, from the Heroku CLI's own sources and tests
// (repository heroku/cli at c5fbf4b4, v11.9.0, 2026-08-04, unless another
// commit is named). The verbatim fixtures below are the CLI tests' bodies;
// the builders after them make full answers in the same shapes for the
// sandbox and the rules' tests.

// CLIPgInfo is the body test/unit/commands/pg/info.unit.test.ts:L47-51
// serves at /client/v11/databases/1: a minimal answer with an empty row
// and a row whose value is a database URL (resolve_db_name).
const CLIPgInfo = `{"info": [{"name": "Plan", "values": ["Hobby-dev"]}, {"name": "Empty", "values": []}, {"name": "Following", "resolve_db_name": true, "values": ["postgres://ec2-54-111-111-1.compute-1.amazonaws.com:5452/dxxxxxxxxxxxx"]}], "resource_url": "postgres://uxxxxxxxxx:pxxxxxxxx@ec2-54-111-111-1.compute-1.amazonaws.com:5452/dxxxxxxxxxxxx"}`

// HKPgDatabase2014 is the only whole /client/v11/databases answer
// published: Heroku's own Go CLI's test, heroku/hk postgresql/db_test.go
// @ 1d2042b8 (a Standard "Tengu" database of 2014). Its info values hold
// numbers, its plan is a string and its version field is postgresql_version.
const HKPgDatabase2014 = `{
  "available_for_ingress": true,
  "created_at": "2014-01-14 23:35:22 +0000",
  "current_transaction": "1879",
  "database_name": "dbname",
  "database_password": "password",
  "database_user": "username",
  "info": [
    {"name": "Plan", "values": [ "Standard Tengu" ]},
    {"name": "Status", "values": [ "Available" ]},
    {"name": "Data Size", "values": [ "6.4 MB" ]},
    {"name": "Tables", "values": [ 0 ]},
    {"name": "PG Version", "values": [ "9.3.2" ]},
    {"name": "Connections", "values": [ 3 ]},
    {"name": "Fork/Follow", "values": [ "Available" ]},
    {"name": "Rollback", "values": [ "from 2014-01-15 23:45 UTC" ]},
    {"name": "Created", "values": [ "2014-01-14 23:35 UTC" ]},
    {"name": "Followers", "resolve_db_name": true, "values": []},
    {"name": "Forks", "resolve_db_name": true, "values": ["postgres://myfakedb.com/dbname"]},
    {"name": "Maintenance", "values": [ "not required" ]}
  ],
  "is_in_recovery?": true,
  "num_bytes": 6736056,
  "num_connections": 3,
  "num_connections_waiting": 2,
  "num_tables": 1,
  "plan": "standard-tengu",
  "postgresql_version": "9.3.2",
  "resource_url": "postgres://username:password@ec2-107-12-34-82.compute-1.amazonaws.com:5552/dbname",
  "service_port": "5552",
  "standalone?": false,
  "status_updated_at": "2014-01-16T00:43:52+00:00",
  "target_transaction": "5"
}`

// CLITransfers is the list test/unit/commands/pg/backups/index.unit.test.ts:L57-104
// serves at /client/v11/apps/myapp/transfers. The CLI shows them as b003
// "Finished with 2 warnings", a010 Completed, b004 Failed, b005 Pending,
// b006 Running (L112-120).
const CLITransfers = `[
  {"created_at": "2016-10-01 00:42:54 +0000", "finished_at": "2016-10-08 00:43:00 +0000", "from_name": "DATABASE", "from_type": "pg_dump", "num": 3, "processed_bytes": 1437, "succeeded": true, "to_type": "gof3r", "updated_at": "2016-10-08 00:43:04 +0000", "warnings": 2},
  {"created_at": "2016-10-02 00:42:54 +0000", "finished_at": "2016-10-08 00:43:00 +0000", "from_name": "DATABASE", "from_type": "pg_dump", "num": 10, "processed_bytes": 1437, "schedule": {"uuid": "5e5d5bc9-6aed-4ede-81b5-edf9341ee6d2"}, "succeeded": true, "to_type": "gof3r", "warnings": 0},
  {"created_at": "2016-10-03 00:42:54 +0000", "finished_at": "2016-10-08 00:43:00 +0000", "from_name": "DATABASE", "from_type": "pg_dump", "num": 4, "processed_bytes": 1437, "to_type": "gof3r"},
  {"created_at": "2016-10-04 00:42:54 +0000", "from_name": "DATABASE", "from_type": "pg_dump", "num": 5, "processed_bytes": 1437, "to_type": "gof3r"},
  {"created_at": "2016-10-05 00:42:54 +0000", "from_name": "DATABASE", "from_type": "pg_dump", "num": 6, "processed_bytes": 1437, "started_at": "2016-10-08 00:42:54 +0000", "to_type": "gof3r"}
]`

// CLIRestore and CLICopy are the restore (L136-147) and copy (L176-189)
// transfers of the same test: not backups.
const (
	CLIRestore = `{"created_at": "2016-10-08 00:42:54 +0000", "finished_at": "2016-10-08 00:43:00 +0000", "num": 3, "processed_bytes": 1437, "succeeded": true, "to_name": "IVORY", "to_type": "pg_restore", "updated_at": "2016-10-08 00:43:04 +0000", "warnings": 0}`
	CLICopy    = `{"created_at": "2016-10-08 00:42:54 +0000", "finished_at": "2016-10-08 00:43:00 +0000", "from_name": "RED", "from_type": "pg_dump", "num": 3, "processed_bytes": 1437, "succeeded": true, "to_name": "IVORY", "to_type": "pg_restore", "updated_at": "2016-10-08 00:43:04 +0000", "warnings": 0}`
)

// CLISchedules is test/unit/commands/pg/backups/schedules.unit.test.ts:L43-47
// (/client/v11/databases/1/transfer-schedules): daily at 05:00 UTC; an
// empty list (L34-36) means no schedule.
const CLISchedules = `[{"hour": 5, "name": "DATABASE_URL", "timezone": "UTC"}]`

// CLIMaintenancesAppID is the app of CLIMaintenances
// (test/unit/commands/data/maintenances/index.unit.test.ts: GET /apps/test-app).
const CLIMaintenancesAppID = "30f93b8f-c592-4004-8d8a-3efb20395484"

// CLIMaintenances is the body data:maintenances reads in
// test/unit/commands/data/maintenances/index.unit.test.ts:L16-64, at
// /data/maintenances/v1/apps/30f93b8f-c592-4004-8d8a-3efb20395484: a
// pending Redis maintenance and a Postgres one scheduled for 2019-11-07,
// required by 2019-11-12.
const CLIMaintenances = `{"maintenances": [
  {"addon": {"attachments": ["REDIS_URL"], "kind": "heroku-redis", "name": "redis-contoured-23719", "plan": "premium-0", "window": "Thursdays 22:00 to Fridays 02:00 UTC"},
   "app": {"name": "test-app"}, "completed_at": null, "duration_seconds": null, "method": "changeover",
   "previously_scheduled_for": null, "reason": "routine_maintenance", "required_by": null, "scheduled_for": null,
   "server_created_at": "2019-10-24 23:24:47 +0000", "started_at": null, "status": "pending", "window": "Thursdays 22:00 to Fridays 02:00 UTC"},
  {"addon": {"attachments": ["DATABASE_URL"], "kind": "heroku-postgresql", "name": "postgresql-sinuous-83720", "plan": "standard-0", "window": "Thursdays 22:00 to Fridays 02:00 UTC"},
   "app": {"name": "test-app"}, "completed_at": null, "duration_seconds": null, "method": "changeover",
   "previously_scheduled_for": "2019-11-05 22:00:00 +0000", "reason": "routine_maintenance", "required_by": "2019-11-12 17:57:01 +0000", "scheduled_for": "2019-11-07 22:00:00 +0000",
   "server_created_at": "2019-10-24 23:24:47 +0000", "started_at": null, "status": "none", "window": "Thursdays 22:00 to Fridays 02:00 UTC"}
]}`

// CLIAdvancedInfoID is the add-on of CLIAdvancedInfo.
const CLIAdvancedInfoID = "9e2c5a11-f51b-42d9-8fd9-255148140194"

// CLIAdvancedInfo is data:pg:info's answer for an Advanced database
// (GET /data/postgres/v1/{id}/info), from test/fixtures/data/pg/fixtures.ts:L204-352
// (pgInfo), the leader pool kept and the analytics pool shortened to its
// connection figures: 10 of 400 on the leader, 50 of 800 on analytics.
const CLIAdvancedInfo = `{"addon": {"id": "9e2c5a11-f51b-42d9-8fd9-255148140194", "name": "advanced-horizontal-01234"},
 "app": {"id": "a3bbf89e-a908-4275-b573-8bdf6409764b", "name": "myapp"},
 "created_at": "2025-01-01T00:00:00+00:00",
 "features": {"continuous_protection": {"enabled": true}, "credentials": {"current_count": 1, "enabled": true},
              "data_encryption": {"enabled": true}, "fork": {"enabled": true}, "highly_available": {"enabled": true},
              "rollback": {"earliest_time": "2025-01-02T00:00:00+00:00", "enabled": true, "latest_time": "2025-01-10T00:00:00+00:00"}},
 "forked_from": null,
 "plan_limits": [{"current": 10, "limit": 4000, "name": "table-limit"},
                 {"current": 1.1, "limit": 128000, "name": "storage-limit-in-gb"}],
 "pools": [{"compute_instances": [{"id": "i3r507gt6dbscn", "level": "4G-Performance", "name": "i3r507gt6dbscn", "role": "leader", "status": "up", "updated_at": "2025-01-01T12:00:00+00:00"},
                                  {"id": "i7fquhvs4efu74", "level": "4G-Performance", "name": "i7fquhvs4efu74", "role": "standby", "status": "up", "updated_at": "2025-01-01T06:00:00+00:00"}],
            "connections_used": 10,
            "endpoints": [{"host": "cc3hipc68aca1l.cluster-caqt9jk3hth8.us-east-1.rds.amazonaws.com", "port": 5432, "status": "available"}],
            "expected_connection_limit": 400, "expected_count": 2, "expected_level": "4G-Performance",
            "id": "199cc055-ad6b-48dd-8344-ef1a7688659e",
            "metrics_sources": {"cluster": null, "database": null, "leader": null},
            "name": "leader", "status": "available", "wait_status": {"message": null, "waiting": false}},
           {"compute_instances": [], "connections_used": 50, "endpoints": [], "expected_connection_limit": 800, "expected_count": 1,
            "expected_level": "8G-Performance", "name": "analytics", "status": "available"}],
 "quotas": [{"critical_gb": null, "current_gb": 1.1, "enforcement_action": "none", "enforcement_active": false, "type": "storage", "warning_gb": null}],
 "region": "us", "status": "available", "tier": "advanced", "version": "17.5"}`

// CLIRedis is test/unit/commands/redis/cli.unit.test.ts:L67-71's answer
// (by add-on id), and CLIRedisInfo redis/info.unit.test.ts:L33-35's (by name).
const (
	CLIRedis     = `{"plan": "hobby", "resource_url": "redis://foobar:password@example.com:8649"}`
	CLIRedisInfo = `{"info": [{"name": "Foo", "values": ["Bar", "Biz"]}]}`
)

// dataTime is the Data API's time format (Ruby's Time#to_s).
func dataTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02 15:04:05 +0000")
}

// PGInfo is a whole /client/v11/databases answer, for a database the
// sandbox or a test describes. Shape: the CLI's PgDatabase type
// (src/lib/pg/types.ts:L85-174) and the 2014 answer above; row names from
// its ServiceInfo/TenantInfoNames (L54-83, L140-152); row values as
// published: "Connections: 0/20" (pg:info output in rickywid/Heroku_DBConnect
// README, 2019), "Plan: Standard 0", "Data Size: 144.6 GB", "Status: Over
// Plan Capacity: Action Required" (Dev Center "Heroku Postgres Over Plan
// Capacity", updated 2024-04-29), "Maintenance: required by ...",
// "Maintenance window: Tuesdays 14:30 to 18:30 UTC" (Dev Center "Heroku
// Postgres Maintenance", updated 2024-04-15). The HA Status and Behind By
// values are the Premium tier's as the CLI prints rows: their exact
// wording on today's servers is not published (UNVERIFIED).
type PGInfo struct {
	AddonID, Name        string
	Plan                 string // standard-0
	PlanTitle            string // Standard 0
	Status               string // Available
	HAStatus             string // Premium and up: Available, "Temporarily Unavailable"
	Version              string // 17.5
	DataBytes            int64
	Tables               int
	ConnUsed, ConnLimit  int
	Following            string // the leader's URL without credentials (a follower)
	BehindBy             string // a follower's lag ("125 commits")
	Followers            []string
	ContinuousProtection string // On, Off
	Maintenance          string // "not required", "required by 2026-12-01 21:00:00 +0000"
	MaintenanceWindow    string
	Host                 string
	Port                 int
	User, Password, DB   string
	Created              time.Time
}

// Body is the JSON answer.
func (p PGInfo) Body() map[string]any {
	rows := []map[string]any{
		{"name": "Plan", "values": []any{p.PlanTitle}},
		{"name": "Status", "values": []any{p.Status}},
	}
	add := func(name string, vals ...any) { rows = append(rows, map[string]any{"name": name, "values": vals}) }
	if p.HAStatus != "" {
		add("HA Status", p.HAStatus)
	}
	if p.BehindBy != "" {
		add("Behind By", p.BehindBy)
	}
	add("Data Size", report.HumanBytes(p.DataBytes))
	add("Tables", fmt.Sprint(p.Tables))
	add("PG Version", p.Version)
	if p.ConnLimit > 0 {
		add("Connections", fmt.Sprintf("%d/%d", p.ConnUsed, p.ConnLimit))
	} else {
		add("Connections", fmt.Sprint(p.ConnUsed))
	}
	add("Fork/Follow", "Available")
	add("Rollback", "from "+p.Created.UTC().Format("2006-01-02 15:04 UTC"))
	if p.ContinuousProtection != "" {
		add("Continuous Protection", p.ContinuousProtection)
	}
	add("Created", p.Created.UTC().Format("2006-01-02 15:04 UTC"))
	if p.Following != "" {
		rows = append(rows, map[string]any{"name": "Following", "resolve_db_name": true, "values": []any{p.Following}})
	}
	fl := []any{}
	for _, f := range p.Followers {
		fl = append(fl, f)
	}
	rows = append(rows, map[string]any{"name": "Followers", "resolve_db_name": true, "values": fl})
	if p.Maintenance != "" {
		add("Maintenance", p.Maintenance)
	}
	if p.MaintenanceWindow != "" {
		add("Maintenance window", p.MaintenanceWindow)
	}
	var following any
	if p.Following != "" {
		following = p.Following
	}
	return map[string]any{
		"addon_id": p.AddonID, "name": p.Name, "plan": map[string]any{"id": 0, "name": p.Plan},
		"created_at": dataTime(p.Created), "database_name": p.DB, "database_user": p.User,
		"database_password": p.Password, "postgres_version": p.Version, "num_bytes": p.DataBytes,
		"num_connections": p.ConnUsed, "num_connections_waiting": 0, "num_tables": p.Tables,
		"following": following, "leader": nil, "waiting?": false, "is_in_recovery?": p.Following != "",
		"hot_standby?": p.HAStatus != "", "standalone?": p.Following == "", "port": p.Port,
		"resource_url": fmt.Sprintf("postgres://%s:%s@%s:%d/%s", p.User, p.Password, p.Host, p.Port, p.DB),
		"info":         rows,
	}
}

// Backup is one backup transfer in CLITransfers' shape: b<num>, or a<num>
// when scheduleUUID is set; finished zero means still running, started
// zero pending.
func Backup(num int, fromName string, created, started, finished time.Time, succeeded bool, scheduleUUID string) map[string]any {
	b := map[string]any{
		"uuid": ID(fmt.Sprintf("transfer:%s:%d", fromName, num)), "num": num,
		"from_name": fromName, "from_type": "pg_dump", "to_name": "BACKUP", "to_type": "gof3r",
		"created_at": dataTime(created), "started_at": dataTime(started), "finished_at": dataTime(finished),
		"updated_at": dataTime(finished), "canceled_at": nil, "deleted_at": nil, "purged_at": nil,
		"succeeded": succeeded, "warnings": 0, "processed_bytes": 48_213_771, "source_bytes": 211_812_352,
		"num_keep": 7, "options": map[string]any{},
	}
	if scheduleUUID != "" {
		b["schedule"] = map[string]any{"uuid": scheduleUUID}
	}
	return b
}

// Schedule is one transfer schedule in CLISchedules' shape.
func Schedule(hour int, name, timezone, uuid string) map[string]any {
	return map[string]any{"hour": hour, "name": name, "timezone": timezone, "uuid": uuid}
}

// MaintenanceEntry is one maintenance in CLIMaintenances' shape.
func MaintenanceEntry(kind, addon, plan, attachment, status, window string, scheduled, required time.Time) map[string]any {
	return map[string]any{
		"addon": map[string]any{"attachments": []any{attachment}, "kind": kind, "name": addon, "plan": plan, "window": window},
		"app":   map[string]any{"name": ""}, "completed_at": nil, "duration_seconds": nil, "method": "changeover",
		"previously_scheduled_for": nil, "reason": "routine_maintenance", "required_by": dataTime(required),
		"scheduled_for": dataTime(scheduled), "server_created_at": dataTime(scheduled.Add(-10 * 24 * time.Hour)),
		"started_at": nil, "status": status, "window": window,
	}
}

// RedisInfo is a /redis/v0/databases answer in the shape of the CLI's
// RedisFormationResponse (src/lib/redis/api.ts:L34-53). The info rows'
// names on real servers are not published (UNVERIFIED): these are
// illustrative, and the checks read the server itself, not them.
func RedisInfo(name, id, plan, version, resourceURL string, preferTLS bool) map[string]any {
	return map[string]any{
		"addon_id": id, "name": name, "plan": plan, "version": version, "port": 6379,
		"prefer_native_tls": preferTLS, "created_at": "2025-01-01 00:00:00 +0000",
		"formation":     map[string]any{"id": ID("formation:" + name), "primary": nil},
		"metaas_source": "", "resource_url": resourceURL,
		"info": []any{
			map[string]any{"name": "Plan", "values": []any{plan}},
			map[string]any{"name": "Status", "values": []any{"available"}},
			map[string]any{"name": "Version", "values": []any{version}},
		},
	}
}
