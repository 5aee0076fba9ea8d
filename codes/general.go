package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// General codes: a check that could not decide, in any category. Their
// category is that of the check; the rule that raises one adds the docs of
// its own subject where there are some.
var (
	Timeout = &report.Code{ID: "TIMEOUT", Status: report.StatusUnknown,
		Title:   "The check did not finish before its deadline",
		Why:     "A check that could not decide may hide any problem; it counts as worse than a warning. The rest of the run was not held up by it.",
		Detects: "Every check runs under its own deadline inside the run's --timeout (default 60s); a network read (Platform API, DNS, TLS handshake, log session, Postgres statement or lock timeout) that is still waiting then ends the check with this code. A run interrupted by SIGINT or SIGTERM ends its unfinished checks with it too, saying so.",
		Remedy:  "Run again with a longer --timeout (--timeout 2m); if it still times out, run that part on its own: dns-check, certs-check, pg-health or logs-check",
		Test:    "runner.TestHungJobCostsOnlyItsDeadline"}

	PermissionDenied = &report.Code{ID: "PERMISSION_DENIED", Status: report.StatusUnknown,
		Title:   "The credential may not read what the check needs",
		Why:     "What cannot be read cannot be judged: the problems it would show stay hidden.",
		Detects: "A 401 or 403 from the Data API or a 403 from the Platform API, or a Postgres privilege error (42501) or missing pg_read_all_stats membership when reading the statistics views.",
		Remedy:  "Use a credential that may read it: an account with access to {app} (heroku access -a {app}), or Heroku Postgres's default credential",
		Test:    "runner.TestErrorsBecomeUnknownAndOthersCarryOn"}

	APIError = &report.Code{ID: "API_ERROR", Status: report.StatusUnknown,
		Title:   "The Platform API or the Data API answered with an error",
		Why:     "The part of the app behind that answer was not checked.",
		Detects: "An HTTP error from the Platform API or Heroku's Data API other than 403 or 404 (or a Data API that does not answer), after the client's retries with backoff on 429 and 5xx.",
		Remedy:  "Run again in a few minutes; if it persists, check https://status.heroku.com",
		Source:  devCenter + "platform-api-reference (errors and rate limits)",
		Test:    "runner.TestErrorsBecomeUnknownAndOthersCarryOn"}

	CheckError = &report.Code{ID: "CHECK_ERROR", Status: report.StatusUnknown,
		Title:   "The check failed for a reason that has no code of its own",
		Why:     "Something unexpected stopped the check (an answer it could not read, or a bug in heroku-checkup); the subject was not judged.",
		Detects: "Any error of a check that is not a timeout, a permission or an API error, including a panic, which the runner catches so the other checks carry on.",
		Remedy:  "Run again; if it recurs, report it to heroku-checkup with the JSON report attached (secrets are redacted)",
		Test:    "runner.TestErrorsBecomeUnknownAndOthersCarryOn"}
)

var general = []*report.Code{Timeout, PermissionDenied, APIError, CheckError}
