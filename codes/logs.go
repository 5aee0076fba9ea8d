package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// Log codes of heroku-checkup's own, from the router and runtime lines;
// Heroku's error codes themselves are in heroku.go.
var (
	SlowRequests = &report.Code{ID: "SLOW_REQUESTS", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "Requests are slow: the router's service time p95 is high",
		Why:     "Slow responses tie up the app's workers and queue the requests behind them; past 30 seconds the router gives up (H12).",
		Detects: "The service= time of the router lines, in a bounded histogram: p95 of 1 s or more is a warning, 5 s critical, once there are 20 requests; the slowest paths (with ids folded, /users/:id) are listed. Websocket upgrades (status 101), client aborts (H27, 499) and idle connections (H15, H28) are not timed.",
		Remedy:  "Profile the slowest paths; move slow work to background jobs; add database indexes (pg-health)", Subject: "ROUTER",
		Docs:   devCenter + "request-timeout",
		Source: devCenter + "request-timeout (the router's 30-second limit)",
		Test:   "logcheck.TestRules"}

	RequestQueueing = &report.Code{ID: "REQUEST_QUEUEING", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "Requests wait to reach a dyno: the router's connect time is high",
		Why:     "A high connect time means the dynos are saturated and requests queue before the app sees them; users wait although the app's own timings look fine.",
		Detects: "The connect= time of the router lines: p95 of 100 ms or more is a warning, 1 s critical, once there are 20 requests.",
		Remedy:  "Scale out (heroku ps:scale web=+1 -a {app}) or raise the app server's concurrency if memory allows", Subject: "ROUTER",
		Docs:   devCenter + "http-routing#heroku-router-log-format",
		Source: devCenter + "http-routing#heroku-router-log-format (connect and service times, updated 2024-11-21)",
		Test:   "logcheck.TestRules"}

	ErrorRate5xx = &report.Code{ID: "ERROR_RATE_5XX", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "A share of requests fails with a 5xx status",
		Why:     "Users get errors: the app's own exceptions (500) or Heroku's error pages (503 with an H code).",
		Detects: "The status= of the router lines: 1% or more 5xx is a warning, 5% critical, once there are 20 requests.",
		Remedy:  "See the error codes above and the app's exceptions: heroku logs -a {app} | grep status=5", Subject: "ROUTER",
		Docs:   errorCodes,
		Source: devCenter + "http-routing#heroku-router-log-format",
		Test:   "logcheck.TestRules"}

	MemorySwap = &report.Code{ID: "MEMORY_SWAP", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "A dyno swaps memory to disk",
		Why:     "Swapping slows every request on the dyno; heavy swap ends with R15 and the dyno killed.",
		Detects: "The sample#memory_swap of the runtime metrics lines (log-runtime-metrics): a little swap is info, 5 MB a warning, a tenth of the quota critical.",
		Remedy:  "Reduce memory per dyno or move to larger dynos: heroku ps:type web=standard-2x -a {app}", Subject: "DYNO",
		Docs:   errorCodes + "#r14-memory-quota-exceeded",
		Source: errorCodes + "#r14-memory-quota-exceeded (over the quota a dyno pages to swap; last updated 2024-05-07)",
		Test:   "logcheck.TestRules"}

	MemoryNearQuota = &report.Code{ID: "MEMORY_NEAR_QUOTA", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "A dyno's memory is near or over its quota",
		Why:     "Over the quota the dyno swaps (R14) and, far over it, is killed (R15); near it, one busy moment gets there.",
		Detects: "Each runtime-metrics sample's sample#memory_total against its own sample#memory_quota, and the dyno manager's Process running mem=533M(104.3%) lines (written next to every R14/R15, so without log-runtime-metrics too): 90% is a warning, 100% critical. These lines are heroku-checkup's own, not Heroku's thresholds.",
		Remedy:  "Lower concurrency (WEB_CONCURRENCY), fix the leak, or use larger dynos: heroku ps:type web=standard-2x -a {app}", Subject: "DYNO",
		Docs:   errorCodes + "#r14-memory-quota-exceeded",
		Source: errorCodes + "#r14-memory-quota-exceeded (R14 counts swap, rss and cache; last updated 2024-05-07)",
		Test:   "logcheck.TestRules"}

	LogsEmpty = &report.Code{ID: "LOGS_EMPTY", Category: report.CategoryLogs, Status: report.StatusInfo,
		Title:   "There was no log line to analyse",
		Why:     "With no lines, no error code, latency or memory problem can be seen: an empty log says nothing about the app's health.",
		Detects: "The log session or the --logs-file gave no line at all.",
		Remedy:  "See whether the app logs at all (heroku logs --tail -a {app}): an app with no traffic and no dynos has nothing to say", Subject: "LOGS",
		Docs:   devCenter + "logging",
		Source: devCenter + "logging",
		Test:   "logcheck.TestRules"}

	LogsUnreadable = &report.Code{ID: "LOGS_UNREADABLE", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "The log lines could not be read, or most of them",
		Why:     "A line that is not understood is not analysed: its error codes, slow requests and memory are invisible, so a report on such input must not look healthy. Unknown when no line could be read at all.",
		Detects: "Every line is taken apart by its framing (heroku logs, Papertrail viewer or archive, RFC 5424 drain frames with or without octet counts and receiver timestamps, pasted messages); lines in none of them, binary data, over-long lines and router lines with a bad code are counted with the reason. None read is unknown; more than half not read is a warning.",
		Remedy:  "Give a file of what the Heroku CLI prints (save the output of heroku logs --num 1500 -a {app}), a Papertrail archive (.tsv.gz) or a drain's syslog frames; the finding's data quotes the first lines not understood", Subject: "LOGS",
		Docs:   devCenter + "logging",
		Source: devCenter + "logging (the heroku logs format, updated 2025-11-03); " + devCenter + "log-drains (the drains' syslog frames)",
		Test:   "logcheck.TestInputFindings"}

	LogsTruncated = &report.Code{ID: "LOGS_TRUNCATED", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "The log input broke off",
		Why:     "A download cut short (a .gz that ends in its data) or a stream that broke holds only part of the window: what happened after the break is missing from the report.",
		Detects: "The gzip data ends early or fails its checksum, or the log stream breaks, after some lines were read; those lines are analysed and the break is reported.",
		Remedy:  "Download the archive again (gzip -t FILE tests it), or read the logs again: heroku logs -n 1500 -a {app}", Subject: "LOGS",
		Docs:   devCenter + "logging",
		Source: devCenter + "logging",
		Test:   "logcheck.TestInputFindings"}

	DeployRegression = &report.Code{ID: "DEPLOY_REGRESSION", Category: report.CategoryLogs, Status: report.StatusWarning,
		Title:   "A release made the app worse: more 5xx, more H errors or slower requests after it",
		Why:     "Most incidents start at a deploy; when the router's numbers turn after a release, that release is the first suspect, and rolling back is the quickest fix while its cause is found.",
		Detects: "For each release inside the logs' window (the Release vN created lines, and the Platform API's releases when there is an app), the router lines of up to an hour before it are compared with as long after it (at least 3 buckets and 200 requests on each side, never into another release's buckets; lines of maintenance mode, platform errors and clients that hung up left out). The 5xx or H-error rate regressed when a one-sided two-proportion z-test gives z of 3.29 or more (p < 0.0005) and the rate doubled and rose by a percentage point or more; the p95 service time when it is 1.5 times what it was and 250 ms more, and the share of requests slower than the p95 before rose by the same test. Every rise must hold without the worst bucket after the release, so one noisy minute never makes a regression. Critical when a rate rose by 5 points, or p95 tripled and grew by a second. An improvement or too small a sample is no finding; the releases check says which.",
		Remedy:  "See what the release changed: heroku releases:info {subject} -a {app}; if it is the cause, roll back to the release before it: heroku releases:rollback -a {app}", Subject: "RELEASE",
		Docs:   devCenter + "releases",
		Source: devCenter + "releases (releases:info, and #rollback: heroku releases:rollback (alias rollback) rolls back to the previous release, or to a given one)",
		Test:   "logcheck.TestDeployRegression"}
)

var logs = []*report.Code{SlowRequests, RequestQueueing, ErrorRate5xx, MemorySwap, MemoryNearQuota, LogsEmpty, LogsUnreadable, LogsTruncated, DeployRegression}
