package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// Dev Center articles of the Heroku Data codes (each read 2026-11-24).
const (
	pgBackups     = devCenter + "heroku-postgres-backups"            // "Heroku PGBackups", updated 2024-05-29
	pgMaintenance = devCenter + "heroku-postgres-maintenance"        // updated 2024-04-15
	pgVersions    = devCenter + "heroku-postgres-version-support"    // updated 2024-10-29
	pgOverPlan    = devCenter + "heroku-postgres-over-plan-capacity" // updated 2024-04-29
	pgPooling     = devCenter + "postgres-connection-pooling"
)

// upgradeRemedy is the Heroku CLI v11 workflow (pg:upgrade itself is gone).
const upgradeRemedy = "Test it: heroku pg:upgrade:dryrun {subject} -a {app}; then heroku pg:upgrade:prepare {subject} -a {app}; heroku pg:upgrade:wait {subject} -a {app}; heroku pg:upgrade:run {subject} -a {app} (Essential plans and followers: pg:upgrade:run alone; to undo a prepared upgrade: heroku pg:upgrade:cancel {subject} -a {app})"

// Postgres codes from Heroku Data: the add-on as Heroku runs it.
var (
	PGNoBackupSchedule = &report.Code{ID: "PG_NO_BACKUP_SCHEDULE", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The database has no scheduled backups",
		Why:     "Without a schedule there is no recent logical backup to restore after a bad migration or a deleted table; Essential plans have no Continuous Protection to fall back on.",
		Detects: "The Data API's transfer schedules of the database (what heroku pg:backups:schedules lists) are empty: a warning on Essential, an info where Continuous Protection is on (Standard and up), skipped for Shield plans (PGBackups does not work with them) and followers.",
		Remedy:  "heroku pg:backups:schedule {subject} --at '02:00 America/New_York' -a {app}", Subject: "DATABASE",
		Docs:   pgBackups,
		Source: pgBackups + " (scheduled daily backups; PGBackups for databases up to 20 GB; Continuous Protection on Standard and up; updated 2024-05-29, read 2026-11-24); heroku/cli v11.9.0 pg:backups:schedule --at",
		Test:   "pgcheck.TestHerokuDataRules"}

	PGBackupFailed = &report.Code{ID: "PG_BACKUP_FAILED", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The latest backup of the database failed",
		Why:     "The backup you would restore from is older than you think, and the next scheduled one may fail the same way (a database past 20 GB, a heavy load, many schemas).",
		Detects: "The app's transfers (heroku pg:backups): the newest finished backup of the database (pg_dump to storage, by its schedule or its attachment name) has finished_at set and did not succeed, as the Heroku CLI reads Failed.",
		Remedy:  "See its logs: heroku pg:backups:info -a {app}; retry now: heroku pg:backups:capture {subject} -a {app}", Subject: "DATABASE",
		Docs:   pgBackups,
		Source: pgBackups + " (updated 2024-05-29, read 2026-11-24); heroku/cli v11.9.0 src/lib/pg/backups.ts (Failed: finished, not succeeded)",
		Test:   "pgcheck.TestHerokuDataRules"}

	PGBackupStale = &report.Code{ID: "PG_BACKUP_STALE", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "No successful backup for longer than the schedule promises",
		Why:     "A daily schedule promises a backup at most a day old; an older one means the schedule's backups have been failing or not running.",
		Detects: "A database with a daily schedule whose newest successful backup finished more than 27 hours ago (a day and the time a backup takes, heroku-checkup's line): more than 3 days is critical.",
		Remedy:  "List them: heroku pg:backups -a {app}; take one now: heroku pg:backups:capture {subject} -a {app}", Subject: "DATABASE",
		Docs:   pgBackups,
		Source: pgBackups + " (schedules are daily, at the hour given; updated 2024-05-29, read 2026-11-24); heroku/cli v11.9.0 pg:backups:schedules ('daily at HOUR:00 TIMEZONE')",
		Test:   "pgcheck.TestHerokuDataRules"}

	PGMaintenanceScheduled = &report.Code{ID: "PG_MAINTENANCE_SCHEDULED", Category: report.CategoryPostgres, Status: report.StatusInfo,
		Title:   "Heroku scheduled maintenance for the database",
		Why:     "Maintenance replaces or restarts the database: a short downtime (usually 10 to 60 seconds) and, for a changeover, new credentials in the config var. Running it yourself, in a quiet hour, beats Heroku's deadline.",
		Detects: "The Data API's maintenances of the app (heroku data:maintenances), and pg:info's Maintenance row: scheduled_for or required_by ahead; within 7 days is a warning.",
		Remedy:  "Run it now: heroku data:maintenances:run {subject} -a {app}; or move the window: heroku data:maintenances:window:update {subject} DAY HH:MM -a {app}", Subject: "ADD-ON",
		Docs:   pgMaintenance,
		Source: pgMaintenance + " (updated 2024-04-15, read 2026-11-24); Dev Center \"Data Maintenance CLI Commands\" (data:maintenances replaced pg:maintenance on 2026-03-18); heroku/cli v11.9.0 data:maintenances:run, data:maintenances:window:update",
		Test:   "pgcheck.TestHerokuDataRules"}

	PGVersionDeprecated = &report.Code{ID: "PG_VERSION_DEPRECATED", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Heroku has deprecated the database's PostgreSQL major version",
		Why:     "Heroku supports the three newest majors: a deprecated one gets no new databases, then forced upgrades at Heroku's time, then end of life.",
		Detects: "The major version (server_version_num, or pg:info's PG Version) against Heroku's lifecycle in pgcheck/lifecycle.go, read " + "2026-11-24" + ": deprecated with its end-of-life date announced.",
		Remedy:  upgradeRemedy, Subject: "DATABASE",
		Docs:   pgVersions,
		Source: "Dev Center changelog item 2722 (the three newest majors; deprecation, +3 months no provisioning, +5 forced upgrades, +6 end of life; effective 2023-11-14); PostgreSQL 15's end of life 2027-01-20 from Heroku's email (MozillaFoundation/foundation.mozilla.org#16331, 2026-08-04), read 2026-11-24",
		Test:   "pgcheck.TestRulesOnLiteralSnapshots"}

	PGConnectionBudget = &report.Code{ID: "PG_CONNECTION_BUDGET", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The formation can open more connections than the database allows",
		Why:     "Each dyno opens its own pool: at the current scale the processes together can ask for more connections than the plan allows, and the last ones to connect fail ('too many connections') under load, during a deploy or after a scale-up.",
		Detects: "For each process type, dynos x processes per dyno x threads (or pool) per process, from explicit numbers only: flags in its command (puma -w/-t, sidekiq -c, gunicorn -w/--threads) or the config vars WEB_CONCURRENCY, RAILS_MAX_THREADS, MAX_THREADS, DB_POOL, SIDEKIQ_CONCURRENCY; against the plan's connection limit (the Data API's, else the plan table's, else max_connections): 90% is a warning, past it critical. Types without explicit numbers are listed, not guessed.",
		Remedy:  "Pool the connections (heroku pg:connection-pooling:attach {subject} -a {app}, or PgBouncer in the dynos), or fewer threads (RAILS_MAX_THREADS, DB_POOL) or processes (WEB_CONCURRENCY)", Subject: "DATABASE",
		Docs:   pgPooling,
		Source: "Dev Center \"Deploying Rails Applications with the Puma Web Server\" (connections per dyno = RAILS_MAX_THREADS x WEB_CONCURRENCY; updated 2025-09-09, read 2026-11-24); sidekiq 8.1.7 cli.rb (RAILS_MAX_THREADS); gunicorn config.py (WEB_CONCURRENCY); " + pgPooling,
		Test:   "pgcheck.TestConnectionBudget"}

	PGDataSizeLimit = &report.Code{ID: "PG_DATA_SIZE_LIMIT", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "The database's data size is near its plan's limit",
		Why:     "Past the limit Heroku emails, sets an enforcement date and then restricts access (one connection, read and delete only) until the data fits or the plan grows.",
		Detects: "Heroku's own figures: the Data API's num_bytes (pg:info's Data Size) against the plan's storage (Advanced: plan_limits storage-limit-in-gb; else heroku-checkup's plan table), 80% a warning and 95% critical; a Status of Over Plan Capacity is critical.",
		Remedy:  "A larger plan: heroku addons:upgrade {subject} heroku-postgresql:<larger plan> -a {app}; or delete data (the size: heroku pg:info {subject} -a {app})", Subject: "DATABASE",
		Docs:   pgOverPlan,
		Source: pgOverPlan + " (statuses Over Plan Capacity: Action Required / Access Restricted; updated 2024-04-29, read 2026-11-24); plan storage as pgcheck/plans.go cites it",
		Test:   "pgcheck.TestHerokuDataRules"}

	PGAddonStatus = &report.Code{ID: "PG_ADDON_STATUS", Category: report.CategoryPostgres, Status: report.StatusWarning,
		Title:   "Heroku reports the database, its standby or a follower as not available",
		Why:     "A database not Available, an HA standby that is not ready to take over, or a follower behind its leader is a failover or a read that will not go as planned.",
		Detects: "pg:info's Status and HA Status rows (and Behind By for a follower), or the Advanced tier's status and its instances' status: anything but Available (up) is a warning.",
		Remedy:  "heroku pg:info {subject} -a {app}; for a database still being prepared: heroku pg:wait {subject} -a {app}", Subject: "DATABASE",
		Docs:   pgPlans,
		Source: pgPlans + " (HA on Premium, Private and Shield; followers on Standard and up; updated 2024-07-23, read 2026-11-24); heroku/cli v11.9.0 src/lib/pg/types.ts (Status, HA Status, Behind By rows)",
		Test:   "pgcheck.TestHerokuDataRules"}
)

var postgresData = []*report.Code{PGNoBackupSchedule, PGBackupFailed, PGBackupStale, PGMaintenanceScheduled, PGVersionDeprecated,
	PGConnectionBudget, PGDataSizeLimit, PGAddonStatus}
