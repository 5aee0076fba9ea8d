package codes

import (
	"regexp"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// errorCodesSource is where Heroku lists its error codes; the titles below
// are its headings, the why texts its descriptions in short.
const errorCodesSource = errorCodes + " (last updated 2024-05-07, read 2026-11-24)"

// Where each kind of Heroku error code is read from.
const (
	fromRouter  = "Router log lines (heroku[router] ... code=%s), counted with their dynos and first and last times; a warning code on 5% or more of at least 20 requests is critical."
	fromRuntime = "Runtime log lines of a dyno (heroku[web.1]: Error %s ...), counted with their dynos and first and last times."
	fromLogplex = "Logplex's lines (heroku[logplex]: Error %s ...), counted with first and last times."
	fromShuttle = "The local delivery process's lines (app[log-shuttle]: Error %s: N messages ...), counted with first and last times."
)

// herokuEntry builds the entry of one of Heroku's error codes; its docs
// link the code's own section of the error codes article.
func herokuEntry(id, title string, st report.Status, why, remedy string) *report.Code {
	from := fromRouter
	switch id[0] {
	case 'R':
		from = fromRuntime
	case 'L':
		from = fromLogplex
		if id == "L12" || id == "L13" {
			from = fromShuttle
		}
	}
	return &report.Code{ID: id, Category: report.CategoryLogs, Status: st, Title: title, Why: why,
		Detects: strings.ReplaceAll(from, "%s", id), Remedy: remedy, Subject: "CODE",
		Docs: errorCodes + "#" + anchor(id+" "+title), Source: errorCodesSource, Test: "logcheck.TestHerokuCodes"}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// anchor is Dev Center's id for a heading: lower case, every run of other
// characters one hyphen ("H16 - (No Longer in Use)" is h16-no-longer-in-use).
func anchor(heading string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(heading), "-"), "-")
}

// heroku is Heroku's list of error codes, in its order, with Heroku's names.
var heroku = []*report.Code{
	herokuEntry("H10", "App crashed", report.StatusCritical,
		"A crashed web dyno, or a boot timeout on the web dyno: the router has no dyno to send the request to.",
		"Find why the web process exits (heroku logs --process-type web -a {app}), fix it, then heroku ps:restart --process-type web -a {app}"),
	herokuEntry("H11", "Backlog too deep", report.StatusCritical,
		"Requests arrive faster than the app serves them and the router's backlog passed its threshold: each request over it gets an error page.",
		"Requests queue faster than dynos serve them: scale out (heroku ps:scale web=+2 -a {app}) or make requests faster"),
	herokuEntry("H12", "Request timeout", report.StatusWarning,
		"A request took longer than 30 seconds; the router returned a 503 while the app may still be working on it.",
		"Requests took over 30 s: move slow work to a worker and add an app-side timeout (see the slowest paths; heroku logs -a {app})"),
	herokuEntry("H13", "Connection closed without response", report.StatusWarning,
		"The web process accepted the connection, then closed it without writing a response (often an app-server timeout shorter than 30 s).",
		"The app server closed connections mid-request: check its own timeouts and crashes (heroku logs -a {app})"),
	herokuEntry("H14", "No web dynos running", report.StatusCritical,
		"The app has no web dyno running (web scaled to 0), so every request fails.",
		"heroku ps:scale web=1 -a {app}"),
	herokuEntry("H15", "Idle connection", report.StatusWarning,
		"The dyno did not send a full response and was cut off after 55 seconds of inactivity.",
		"Send data at least every 55 s on long-lived responses (heroku logs -a {app})"),
	herokuEntry("H16", "(No Longer in Use)", report.StatusInfo,
		"Heroku no longer emits H16 (it was Redirect to herokuapp.com); a line with it comes from old logs.",
		"Nothing to do for H16 itself; check the date of the lines (heroku logs -a {app})"),
	herokuEntry("H17", "Poorly formatted HTTP response", report.StatusWarning,
		"The router received a malformed HTTP response from the dyno, such as a status line without its reason phrase.",
		"The app sent an invalid HTTP response: check headers and status lines (heroku logs -a {app})"),
	herokuEntry("H18", "Server Request Interrupted", report.StatusWarning,
		"The socket connected and some of the response was sent, then the socket was destroyed before the response completed.",
		"The app closed the socket before reading the request: check upload handling (heroku logs -a {app})"),
	herokuEntry("H19", "Backend connection timeout", report.StatusWarning,
		"The router could not open a connection to a web dyno within 5 seconds: usually the app is overwhelmed, or a single dyno's host failed.",
		"The router could not connect to a dyno in 5 s: dynos are saturated; scale out (heroku ps:scale web=+1 -a {app})"),
	herokuEntry("H20", "App boot timeout", report.StatusCritical,
		"No web dyno reached the up state within 75 seconds of the router queueing requests for it.",
		"The web process did not bind to $PORT in time: make it start faster (heroku logs --process-type web -a {app})"),
	herokuEntry("H21", "Backend connection refused", report.StatusWarning,
		"A dyno refused the router's connection: the web process is overwhelmed or not listening on $PORT.",
		"A dyno refused the router's connection: is the app listening on $PORT? (heroku logs -a {app})"),
	herokuEntry("H22", "Connection limit reached", report.StatusWarning,
		"The router saw too many client connections to the app at once: the app is not answering fast enough for its load.",
		"Too many open connections to the app: scale out (heroku ps:scale web=+1 -a {app})"),
	herokuEntry("H23", "Endpoint misconfigured", report.StatusWarning,
		"A websocket handshake came through an upstream proxy that does not support websockets. Heroku stopped emitting H23 on 2025-03-04 (changelog 3158).",
		"Check the app's endpoint configuration (heroku logs -a {app})"),
	herokuEntry("H24", "Forced close", report.StatusWarning,
		"The routing node serving the request was shut down or terminated before the request completed.",
		"Connections were forced closed after an hour: stream in shorter responses (heroku logs -a {app})"),
	herokuEntry("H25", "HTTP Restriction", report.StatusWarning,
		"The router blocked a response it judged risky or too large to parse (conflicting content lengths, oversized cookie, header or status line).",
		"Requests break HTTP restrictions (header size, method): check clients (heroku logs -a {app})"),
	herokuEntry("H26", "Request Error", report.StatusWarning,
		"A request for the app could not be delivered to a dyno because of HTTP protocol errors in it (bad header, bad chunk, unsupported Expect).",
		"Malformed requests from clients (heroku logs -a {app})"),
	herokuEntry("H27", "Client Request Interrupted", report.StatusInfo,
		"The client closed its socket before the response was returned; harmless unless frequent.",
		"Clients hung up before the response; usually harmless unless frequent (heroku logs -a {app})"),
	herokuEntry("H28", "Client Connection Idle", report.StatusWarning,
		"The client did not send a full request and was cut off after 55 seconds of inactivity.",
		"Clients sent no data for 55 s (heroku logs -a {app})"),
	herokuEntry("H31", "Misdirected Request", report.StatusWarning,
		"The client sent the request to the wrong endpoint: stale DNS, or a CDN with stale DNS.",
		"The Host header does not match the SNI name: check DNS and CDN settings (heroku domains -a {app})"),
	herokuEntry("H32", "TLS Certificate Mismatch", report.StatusWarning,
		"The TLS connection and the request disagree about the host: usually a proxy or CDN that connects for one domain (SNI) and sends another Host header (Heroku answers such requests with 495, help.heroku.com/KJRAJJW5).",
		"Make the proxy or CDN in front of the app send the Host header of the domain it connects to, and check the app's certificates: heroku certs -a {app}"),
	herokuEntry("H80", "Maintenance mode", report.StatusInfo,
		"The app is in maintenance mode and the router served the maintenance page; not an error, Heroku gives it a code for completeness.",
		"When the maintenance is over: heroku maintenance:off -a {app}"),
	herokuEntry("H81", "Blank app", report.StatusInfo,
		"No code has been pushed to the app yet; not an error.",
		"Deploy code to the app (git push heroku main); app {app}"),
	articleOnly(herokuEntry("H82", "You've used up your dyno hour pool", report.StatusCritical,
		"The account's pool of Eco dyno hours is used up and its Eco apps sleep until the next month.",
		"Upgrade the dynos (heroku ps:type web=basic -a {app}) or add eco hours")),
	herokuEntry("H83", "Planned Service Degradation", report.StatusInfo,
		"Heroku is running planned maintenance that degrades the service; see Heroku's status site.",
		"See status.heroku.com; app {app}"),
	herokuEntry("H99", "Platform error", report.StatusCritical,
		"An internal error in the Heroku platform, one of the two codes (with R99) that are Heroku's and not the app's.",
		"A Heroku-side error: check status.heroku.com and open a ticket if it persists (app {app})"),
	herokuEntry("R10", "Boot timeout", report.StatusCritical,
		"A web process took longer than 60 seconds to bind to its $PORT; it is killed and the dyno counts as crashed.",
		"The web process did not bind to $PORT within 60 s: bind earlier in boot (heroku logs --process-type web -a {app})"),
	herokuEntry("R12", "Exit timeout", report.StatusWarning,
		"A process did not exit within 30 seconds of SIGTERM and was killed with SIGKILL: its work in flight was lost.",
		"Processes ignored SIGTERM for 30 s: handle it and exit promptly (heroku logs -a {app})"),
	herokuEntry("R13", "Attach error", report.StatusWarning,
		"A dyno started with heroku run failed to attach to the client that invoked it.",
		"The one-off dyno could not attach to the terminal: retry it (heroku run COMMAND -a {app})"),
	herokuEntry("R14", "Memory quota exceeded", report.StatusWarning,
		"A dyno needs more memory than its quota and pages to swap, which degrades its performance (swap, rss and cache count).",
		"Dynos swap to disk: fix the leak or lower concurrency, or use larger dynos (heroku ps:type web=standard-2x -a {app})"),
	herokuEntry("R15", "Memory quota vastly exceeded", report.StatusCritical,
		"A dyno needs vastly more memory than its quota and is killed with SIGKILL by the platform.",
		"Dynos are killed for memory: lower WEB_CONCURRENCY, fix the leak or use larger dynos (heroku ps:type -a {app})"),
	herokuEntry("R16", "Detached", report.StatusWarning,
		"An attached one-off dyno kept running after SIGHUP when its client connection closed; usually a mistake.",
		"An attached process lost its terminal (app {app})"),
	herokuEntry("R17", "Checksum error", report.StatusWarning,
		"The slug's checksum did not verify when a dyno launched, so the dyno failed to start.",
		"The slug download failed its checksum: redeploy (app {app})"),
	herokuEntry("R99", "Platform error", report.StatusCritical,
		"An internal error in the Heroku platform, one of the two codes (with H99) that are Heroku's and not the app's.",
		"A Heroku-side error: check status.heroku.com (app {app})"),
	herokuEntry("L10", "Drain buffer overflow", report.StatusWarning,
		"A log drain (a log add-on or a syslog endpoint) cannot keep up and Logplex dropped messages to catch up.",
		"A log drain cannot keep up and lines are dropped: check the drain's endpoint (heroku drains -a {app})"),
	herokuEntry("L11", "Tail buffer overflow", report.StatusInfo,
		"A heroku logs --tail session could not keep up and Logplex dropped lines for that session only.",
		"A tail session (heroku logs --tail -a {app}) fell behind: lines were skipped in that session only"),
	herokuEntry("L12", "Local buffer overflow", report.StatusWarning,
		"The app logs faster than the local delivery process (log-shuttle) can send to Logplex, and lines were dropped.",
		"The app logs faster than Logplex accepts: log less (app {app})"),
	herokuEntry("L13", "Local delivery error", report.StatusWarning,
		"log-shuttle could not deliver some lines to Logplex and dropped them (transient network errors or Logplex degradation).",
		"Logs could not reach Logplex (app {app})"),
	herokuEntry("L14", "Certificate validation error", report.StatusWarning,
		"A TLS syslog drain's certificate is not valid (self-signed, expired, untrusted, or for another host name).",
		"A TLS log drain's certificate is invalid (heroku drains -a {app})"),
	herokuEntry("L15", "Tail buffer temporarily unavailable", report.StatusInfo,
		"The buffer that keeps the last 1,500 log lines was temporarily unavailable.",
		"Retry: heroku logs --tail -a {app}"),
}

// articleOnly links the article itself: Dev Center's id for "H82 - You’ve
// used up your dyno hour pool" could not be confirmed (the apostrophe).
func articleOnly(c *report.Code) *report.Code {
	c.Docs = errorCodes
	return c
}
