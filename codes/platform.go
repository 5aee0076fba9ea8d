package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// Platform codes: what the Platform API says about the app (dynos,
// formation, stack, releases, drains, features, add-ons, certificates).
var (
	DynoCrashed = &report.Code{ID: "DYNO_CRASHED", Category: report.CategoryPlatform, Status: report.StatusCritical,
		Title:   "A dyno is in the crashed state",
		Why:     "A crashed web dyno serves nothing (requests fail with H10), and Heroku restarts it only with a growing back-off, so the app runs short of capacity until the cause is fixed.",
		Detects: "The Platform API's dyno list: a dyno whose state is crashed, with how long ago it changed. On Fir, where a dyno is a pod renamed at every restart (web-1234abcde-123ab), the crashed dynos of a process type are one finding on the process type.",
		Remedy:  "heroku ps:restart --dyno-name {subject} -a {app}", Subject: "DYNO",
		Docs:   dynoRestarts,
		Source: "https://devcenter.heroku.com/changelog-items/344 (exponentially increasing cool-off periods between restarts of a crashing dyno, reset by a release); " + dynoRestarts + " (updated 2025-04-08, read 2026-11-24); heroku/cli v11.9 ps:restart (positional DYNO deprecated: --dyno-name, --process-type)",
		Test:   "platform.TestPlatformRules"}

	DynoRestarting = &report.Code{ID: "DYNO_RESTARTING", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "A dyno keeps restarting (flapping)",
		Why:     "A dyno that restarts without a deploy is usually crashing on boot or being killed for memory (R14/R15); each restart drops its requests and it may soon stay crashed.",
		Detects: "Either the Platform API shows a dyno starting again with no release in the last 10 minutes, or the logs show the same dyno crashing twice or restarted three times after a crash (State changed ... to crashed / from crashed to starting; on Fir, where a restarted dyno gets a new name, per process type), with its exit statuses; five crashes are critical. Planned restarts (deploys, the daily cycling) do not count.",
		Remedy:  "heroku logs --dyno-name {subject} -a {app}", Subject: "DYNO",
		Docs:   dynoRestarts,
		Source: dynoRestarts + " (restart events and some error codes are not emitted for Fir apps yet; updated 2025-04-08, read 2026-11-24)",
		Test:   "platform.TestPlatformRules"}

	NoWebDynos = &report.Code{ID: "NO_WEB_DYNOS", Category: report.CategoryPlatform, Status: report.StatusCritical,
		Title:   "The app has custom domains but no web dyno running",
		Why:     "With web scaled to 0 every request to the app's domains fails with H14 (No web dynos running).",
		Detects: "The formation: no web process, or web at quantity 0, while the app has custom domains.",
		Remedy:  "heroku ps:scale web=1 -a {app}", Subject: "PROCESS",
		Docs:   devCenter + "scaling",
		Source: errorCodes + "#h14-no-web-dynos-running",
		Test:   "platform.TestPlatformRules"}

	SingleWebDyno = &report.Code{ID: "SINGLE_WEB_DYNO", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "A production app runs a single web dyno",
		Why:     "Every dyno restarts at least once a day and on every deploy; with one web dyno each restart or crash takes the app down.",
		Detects: "The formation: web at quantity 1 on a dyno size above Eco/Basic (where one dyno is the plan, not a risk); on Fir, which has no Eco or Basic tier, at any size.",
		Remedy:  "heroku ps:scale web=2 -a {app}", Subject: "PROCESS",
		Docs:   devCenter + "scaling",
		Source: dynoRestarts + " (daily restarts, every 24 hours plus up to 216 minutes; Fir apps may opt out with fir-bypass-daily-dyno-restarts; updated 2025-04-08, read 2026-11-24)",
		Test:   "platform.TestPlatformRules"}

	DynoEcoSleeps = &report.Code{ID: "DYNO_ECO_SLEEPS", Category: report.CategoryPlatform, Status: report.StatusInfo,
		Title:   "Web runs on Eco dynos, which sleep",
		Why:     "Eco dynos sleep after 30 minutes without traffic; the next request waits for a cold start. With custom domains (a public app) it is a warning.",
		Detects: "The formation: the web process's dyno size is Eco (or the retired Free); Cedar only, Fir has no Eco tier.",
		Remedy:  "heroku ps:type web=basic -a {app}", Subject: "PROCESS",
		Docs:   devCenter + "eco-dyno-hours",
		Source: devCenter + "eco-dyno-hours (sleep after 30 minutes of inactivity); " + devCenter + "dyno-tiers (Eco only, Fir a tier of its own; updated 2025-04-07); read 2026-11-24",
		Test:   "platform.TestPlatformRules"}

	StackDeprecated = &report.Code{ID: "STACK_DEPRECATED", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "The app's stack is deprecated",
		Why:     "A deprecated stack reaches end of life on a known date; after it builds are refused and security updates stop.",
		Detects: "The app's stack against heroku-checkup's table of stack dates, and the Platform API's own state of the stack (deprecated).",
		Remedy:  "heroku apps:stacks:set heroku-24 -a {app}, then deploy", Subject: "STACK",
		Docs:   devCenter + "stack",
		Source: devCenter + "stack (support window per stack, updated 2024-10-23); " + devCenter + "heroku-22-stack (end of life 2027-04-30); read 2026-11-24",
		Test:   "platform.TestPlatformRules"}

	StackEndOfLife = &report.Code{ID: "STACK_END_OF_LIFE", Category: report.CategoryPlatform, Status: report.StatusCritical,
		Title:   "The app's stack has reached end of life",
		Why:     "No more security updates for the operating system image, and builds on it are refused: the next deploy fails.",
		Detects: "The app's stack against heroku-checkup's table of stack dates (heroku-20 ended 2025-04-30).",
		Remedy:  "heroku apps:stacks:set heroku-24 -a {app}, then deploy", Subject: "STACK",
		Docs:   devCenter + "stack",
		Source: devCenter + "heroku-20-stack (end of life 2025-04-30, updated 2024-10-23); read 2026-11-24",
		Test:   "platform.TestPlatformRules"}

	StackUnknown = &report.Code{ID: "STACK_UNKNOWN", Category: report.CategoryPlatform, Status: report.StatusInfo,
		Title:   "The app's stack is not in heroku-checkup's table",
		Why:     "Its support dates are unknown to this version of heroku-checkup, so a deprecation or end of life would go unnoticed.",
		Detects: "The app's stack name is neither in the table of Heroku stacks nor container (apps deployed as Docker images).",
		Remedy:  "List the stacks Heroku supports: heroku apps:stacks -a {app}", Subject: "STACK",
		Docs:   devCenter + "stack",
		Source: devCenter + "stack",
		Test:   "platform.TestPlatformRules"}

	MaintenanceMode = &report.Code{ID: "MAINTENANCE_MODE", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "The app is in maintenance mode",
		Why:     "Every web request gets Heroku's maintenance page (503, H80) until it is switched off.",
		Detects: "The Platform API's app info: maintenance is true.",
		Remedy:  "heroku maintenance:off -a {app}", Subject: "APP",
		Docs:   devCenter + "maintenance-mode",
		Source: devCenter + "maintenance-mode",
		Test:   "platform.TestPlatformRules"}

	ReleaseFailed = &report.Code{ID: "RELEASE_FAILED", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "The latest release failed, or the current one is a rollback",
		Why:     "A failed release (usually its release-phase command exited non-zero) is not deployed: the app still runs the previous code. A rollback means the deploy it undid is still unfixed.",
		Detects: "The Platform API's releases: the newest has status failed, or the current one's description starts with \"Rollback to\".",
		Remedy:  "heroku releases:output {subject} -a {app}", Subject: "RELEASE",
		Docs:   devCenter + "releases",
		Source: devCenter + "release-phase (a failed release command leaves the current release running, updated 2024-12-03)",
		Test:   "platform.TestPlatformRules"}

	NoLogDrain = &report.Code{ID: "NO_LOG_DRAIN", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "No log drain and no telemetry drain",
		Why:     "On Cedar, Logplex keeps only the last 1,500 log lines: yesterday's errors are gone when someone looks for them. A Fir app has no Logplex and no log history at all: without a telemetry drain its logs are kept nowhere.",
		Detects: "The Platform API lists no log drain and no telemetry drain for the app (a logging add-on adds a drain). For a Fir app the remedy is a telemetry drain (heroku telemetry:add), linked to its article.",
		Remedy:  "heroku drains:add syslog+tls://HOST:PORT -a {app} (or add a logging add-on)", Subject: "DRAINS",
		Docs:   devCenter + "log-drains",
		Source: devCenter + "logging (1,500 lines on Cedar, no Logplex and no history on Fir; updated 2025-11-03, read 2026-11-24); " + TelemetryDrainsArticle + " (updated 2024-12-03)",
		Test:   "platform.TestPlatformRules"}

	RuntimeMetricsOff = &report.Code{ID: "RUNTIME_METRICS_OFF", Category: report.CategoryPlatform, Status: report.StatusInfo,
		Title:   "log-runtime-metrics is off",
		Why:     "Without it the logs carry no memory or load samples: memory growth and swap are invisible until R14/R15 errors.",
		Detects: "The app's labs features: log-runtime-metrics is not enabled (Cedar apps only).",
		Remedy:  "heroku labs:enable log-runtime-metrics -a {app} && heroku ps:restart -a {app}", Subject: "FEATURE",
		Docs:   devCenter + "log-runtime-metrics",
		Source: devCenter + "log-runtime-metrics",
		Test:   "platform.TestPlatformRules"}

	PrebootOff = &report.Code{ID: "PREBOOT_OFF", Category: report.CategoryPlatform, Status: report.StatusInfo,
		Title:   "Preboot is off on an app with several web dynos",
		Why:     "Without preboot every deploy stops the old dynos before the new ones are up, so requests fail while they boot.",
		Detects: "The app's features: preboot is not enabled while web runs two dynos or more.",
		Remedy:  "heroku features:enable preboot -a {app}", Subject: "FEATURE",
		Docs:   devCenter + "preboot",
		Source: devCenter + "preboot",
		Test:   "platform.TestPlatformRules"}

	ACMFailing = &report.Code{ID: "ACM_FAILING", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "Automated Certificate Management cannot issue the domain's certificate",
		Why:     "Until ACM succeeds the domain has no valid certificate of its own; when ACM has given up (failed) it is critical.",
		Detects: "The Platform API's ACM status of each custom domain: failing, failed, or dns-verified for more than 24 hours.",
		Remedy:  "Point {subject} at its DNS target (heroku domains -a {app}), then heroku certs:auto:refresh -a {app}", Subject: "DOMAIN",
		Docs:   acmArticle,
		Source: acmArticle + " (ACM uses Let's Encrypt and needs DNS to point at the DNS target, updated 2024-10-16); help.heroku.com/Q31RTOST (Heroku calls 24 hours in DNS Verified stuck)",
		Test:   "platform.TestPlatformRules"}

	ACMPending = &report.Code{ID: "ACM_PENDING", Category: report.CategoryPlatform, Status: report.StatusInfo,
		Title:   "ACM has not issued the domain's certificate yet",
		Why:     "Until it does, the domain is served without its own certificate; issuance usually follows soon after DNS points at the DNS target, and Heroku calls it stuck after 24 hours in DNS Verified.",
		Detects: "The Platform API's ACM status of a custom domain: dns-verified for less than 24 hours, no status yet, or a status heroku-checkup does not know (such as pending).",
		Remedy:  "See its progress (heroku certs:auto -a {app}); to retry: heroku certs:auto:refresh -a {app}", Subject: "DOMAIN",
		Docs:   acmArticle,
		Source: acmArticle,
		Test:   "platform.TestPlatformRules"}

	SNICertExpiring = &report.Code{ID: "SNI_CERT_EXPIRING", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "A certificate the app holds expires soon, or has expired",
		Why:     "When it expires browsers and API clients refuse the domains it covers. Caught from the API's view, so even when DNS is too broken for a handshake. An ACM certificate this close to expiry means renewal has stalled.",
		Detects: "The expiry of each SNI endpoint's certificate in the Platform API: warning under 30 days, critical under 7 (--warn-days, --crit-days).",
		Remedy:  "heroku certs:update NEW.crt NEW.key --name {subject} -a {app}", Subject: "ENDPOINT",
		Docs:   sslArticle,
		Source: acmArticle + " (ACM renews one month before expiry, updated 2024-10-16)",
		Test:   "platform.TestPlatformRules"}

	AddonNotProvisioned = &report.Code{ID: "ADDON_NOT_PROVISIONED", Category: report.CategoryPlatform, Status: report.StatusWarning,
		Title:   "An add-on is not in the provisioned state",
		Why:     "An add-on still provisioning, or failed or deprovisioned, may not have set its config vars: the app talks to a service that is not there.",
		Detects: "The Platform API's add-on list: an add-on whose state is not provisioned.",
		Remedy:  "heroku addons:info {subject} -a {app}", Subject: "ADDON",
		Docs:   devCenter + "managing-add-ons",
		Source: devCenter + "getting-started-with-asynchronous-provisioning (an add-on not provisioned within 12 hours is removed, updated 2024-05-02)",
		Test:   "platform.TestPlatformRules"}
)

var platform = []*report.Code{DynoCrashed, DynoRestarting, NoWebDynos, SingleWebDyno, DynoEcoSleeps,
	StackDeprecated, StackEndOfLife, StackUnknown, MaintenanceMode, ReleaseFailed, NoLogDrain, RuntimeMetricsOff,
	PrebootOff, ACMFailing, ACMPending, SNICertExpiring, AddonNotProvisioned}
