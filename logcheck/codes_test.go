package logcheck

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// TestHerokuCodes reads one line of every Heroku error code and expects
// its finding to be the catalogue's: Heroku's name, the entry's default
// status and docs (never an anchor made from the line's own text).
func TestHerokuCodes(t *testing.T) {
	// herokuLines has one log line per Heroku error code. Most are the
	// examples of Heroku's error codes article (devcenter.heroku.com/articles/
	// error-codes, as published); the others, marked, are written in the same
	// format because the article shows none (H16, H32, H83, R99, L15) or only a
	// syslog drain's form (L10).
	herokuLines := map[string]string{
		"H10": `2010-10-06T21:51:12-07:00 heroku[router]: at=error code=H10 desc="App crashed" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H11": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H11 desc="Backlog too deep" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H12": `2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=6ms service=30001ms status=503 bytes=0`,
		"H13": `2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H13 desc="Connection closed without response" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=3030ms service=9767ms status=503 bytes=0`,
		"H14": `2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H14 desc="No web processes running" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H15": `2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H15 desc="Idle connection" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=55449ms status=503 bytes=18`,
		// H16: Heroku no longer emits it; the old form.
		"H16": `2012-10-06T21:51:07-07:00 heroku[router]: at=error code=H16 desc="Redirect to herokuapp.com" method=GET path="/" host=myapp.heroku.com fwd=17.17.17.17 dyno= connect= service= status=301 bytes=`,
		"H17": `2010-10-06T21:51:37-07:00 heroku[router]: at=error code=H17 desc="Poorly formatted HTTP response" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=1ms status=503 bytes=0`,
		"H18": `2010-10-06T21:51:37-07:00 heroku[router]: sock=backend at=error code=H18 desc="Server Request Interrupted" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=1ms status=503 bytes=0`,
		"H19": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H19 desc="Backend connection timeout" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=5001ms service= status=503 bytes=`,
		"H20": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H20 desc="App boot timeout" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H21": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H21 desc="Backend connection refused" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service= status=503 bytes=`,
		"H22": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H22 desc="Connection limit reached" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H23": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H23 desc="Endpoint misconfigured" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H24": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H24 desc="Forced close" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=80000ms status= bytes=18`,
		"H25": `2014-03-20T14:22:00.203382+00:00 heroku[router]: at=error code=H25 desc="HTTP restriction: invalid content length" method=GET path="/" host=myapp.herokuapp.com request_id=3f336f1a-9be3-4791-afe3-596a1f2a481f fwd="17.17.17.17" dyno=web.1 connect=0 service=1 status=502 bytes=537`,
		"H26": `2014-05-14T17:17:37.456997+00:00 heroku[router]: at=error code=H26 desc="Request Error" cause="unsupported expect header value" method=GET path="/" host=myapp.herokuapp.com request_id=3f336f1a-9be3-4791-afe3-596a1f2a481f fwd="17.17.17.17" dyno= connect= service= status=417 bytes=`,
		"H27": `2010-10-06T21:51:37-07:00 heroku[router]: sock=client at=warning code=H27 desc="Client Request Interrupted" method=POST path="/submit/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=0ms status=499 bytes=0`,
		"H28": `2010-10-06T21:51:37-07:00 heroku[router]: at=warning code=H28 desc="Client Connection Idle" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno=web.1 connect=1ms service=55449ms status=499 bytes=18`,
		// H31: the article shows the line without its prefix; prefixed here.
		"H31": `2024-05-07T10:00:00.000000+00:00 heroku[router]: at=error code=H31 desc="Misdirected Request" method=GET path="/" host=www.example.com request_id=5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e fwd="203.0.113.5" dyno= connect= service= status=421 bytes= protocol=http agent="Googlebot/2.1"`,
		// H32: written (the article has no example line).
		"H32": `2026-11-23T09:50:00.000000+00:00 heroku[router]: at=error code=H32 desc="TLS Certificate Mismatch" method=GET path="/" host=shop.example.com request_id=0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f fwd="203.0.113.5" dyno= connect= service= status=495 bytes= protocol=https`,
		"H80": `2010-10-06T21:51:07-07:00 heroku[router]: at=info code=H80 desc="Maintenance mode" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H81": `2010-10-06T21:51:07-07:00 heroku[router]: at=info code=H81 desc="Blank app" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"H82": `2015-10-06T21:51:07-07:00 heroku[router]: at=info code=H82 desc="Free dyno quota exhausted" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		// H83: written (the article has no example line).
		"H83": `2026-11-23T09:50:00.000000+00:00 heroku[router]: at=error code=H83 desc="Planned Service Degradation" method=GET path="/" host=myapp.herokuapp.com fwd="203.0.113.5" dyno= connect= service= status=503 bytes=`,
		"H99": `2010-10-06T21:51:07-07:00 heroku[router]: at=error code=H99 desc="Platform error" method=GET path="/" host=myapp.herokuapp.com fwd=17.17.17.17 dyno= connect= service= status=503 bytes=`,
		"R10": `2011-05-03T17:32:40+00:00 heroku[web.1]: Error R10 (Boot timeout) -> Web process failed to bind to $PORT within 60 seconds of launch`,
		"R12": `2011-05-03T17:40:21+00:00 heroku[worker.1]: Error R12 (Exit timeout) -> Process failed to exit within 30 seconds of SIGTERM`,
		"R13": `2011-06-29T02:13:59+00:00 app[run.3]: Error R13 (Attach error) -> Failed to attach to process`,
		"R14": `2011-05-03T17:40:11+00:00 heroku[worker.1]: Error R14 (Memory quota exceeded)`,
		"R15": `2011-05-03T17:40:11+00:00 heroku[worker.1]: Error R15 (Memory quota vastly exceeded)`,
		"R16": `2011-05-03T17:40:26+00:00 heroku[run.1]: Error R16 (Detached) -> An attached process is not responding to SIGHUP after its external connection was closed.`,
		"R17": `2016-08-16T12:39:57.110759+00:00 heroku[web.1]: Error R17 (Checksum error) -> Checksum does match expected value. Expected: SHA256:ed5718e83475c780145609cbb2e4f77ec8076f6f59ebc8a916fb790fbdb1ae64 Actual: SHA256:9ca15af16e06625dfd123ebc3472afb0c5091645512b31ac3dd355f0d8cc42c1`,
		// R99: written (the article has no example line).
		"R99": `2026-11-23T09:50:00+00:00 heroku[web.1]: Error R99 (Platform error)`,
		// L10: the article's example is a syslog drain's; this is heroku logs' form.
		"L10": `2026-11-23T09:52:00+00:00 heroku[logplex]: Error L10 (output buffer overflow): 500 messages dropped since 2026-11-23T09:51:00+00:00.`,
		"L11": `2011-05-03T17:40:10+00:00 heroku[logplex]: L11 (Tail buffer overflow) -> This tail session dropped 1101 messages since 2011-05-03T17:35:00+00:00`,
		"L12": `2013-11-04T21:31:32.125756+00:00 app[log-shuttle]: Error L12: 222 messages dropped since 2013-11-04T21:31:32.125756+00:00.`,
		"L13": `2013-11-04T21:31:32.125756+00:00 app[log-shuttle]: Error L13: 111 messages lost since 2013-11-04T21:31:32.125756+00:00.`,
		"L14": `2015-09-04T23:28:48+00:00 heroku[logplex]: Error L14 (certificate validation): error="bad certificate" uri="syslog+tls://logs.example.com:6514/"`,
		// L15: written (the article has no example line).
		"L15": `2026-11-23T09:50:00+00:00 heroku[logplex]: Error L15 (Tail buffer temporarily unavailable)`,
	}
	for _, entry := range codes.All {
		if entry.Test != "logcheck.TestHerokuCodes" {
			continue
		}
		t.Run(entry.ID, func(t *testing.T) {
			line, ok := herokuLines[entry.ID]
			if !ok {
				t.Fatalf("no log line for %s: add one to herokuLines", entry.ID)
			}
			fs := Judge(analyse(line), "acme-prod", DefaultThresholds)
			f, ok := reporttest.Find(t, fs, entry.ID, entry.ID)
			if !ok {
				t.Fatalf("the line gave no %s finding: %v", entry.ID, fs)
			}
			if f.Status != entry.Status || f.Docs != entry.Docs || !strings.HasPrefix(f.Summary, entry.Title+": ") {
				t.Errorf("%s: %s %q %q", entry.ID, f.Status, f.Docs, f.Summary)
			}
			if f.Remedy != entry.RemedyFor("acme-prod", entry.ID) || strings.Contains(f.Remedy, "{") {
				t.Errorf("%s remedy: %q", entry.ID, f.Remedy)
			}
		})
	}
}

// TestUncataloguedHerokuCode: a well-formed code Heroku may add later gets
// a generic entry under its own name, linking the article itself.
func TestUncataloguedHerokuCode(t *testing.T) {
	line := `2026-11-23T09:50:00.000000+00:00 heroku[router]: at=error code=H42 desc="Something new" method=GET path="/" host=myapp.herokuapp.com fwd="203.0.113.5" dyno=web.1 connect=0ms service=5ms status=503 bytes=0`
	f, ok := reporttest.Find(t, Judge(analyse(line), "acme-prod", DefaultThresholds), "H42", "H42")
	if !ok || f.Status != report.StatusWarning || f.Docs != "https://devcenter.heroku.com/articles/error-codes" ||
		!strings.HasPrefix(f.Summary, "Something new: ") || f.Remedy != "heroku logs -a acme-prod | grep H42" {
		t.Errorf("generic entry: %+v", f)
	}
}
