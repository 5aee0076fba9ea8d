package logcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report/reporttest"
)

// Fir's log lines: Dev Center says only that its platform sources are
// heroku-router, heroku-runtime and heroku-api ("all internal Heroku
// telemetry is prefixed with heroku-"), and the API schema that its dynos
// are named like web-1234abcde-123ab. No real line has been published, so
// these are written in the form heroku logs prints, with Fir's sources and
// names, in each place the source can stand.
var firLines = []string{
	`2026-11-23T09:50:01.123456+00:00 heroku-router[web-848cd4f64d-pvpr2]: at=error code=H12 desc="Request timeout" method=GET path="/reports/4411" host=acme-fir.example request_id=0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f fwd="203.0.113.9" dyno=web-848cd4f64d-pvpr2 connect=1ms service=30000ms status=503 bytes=0 protocol=https`,
	`2026-11-23T09:50:02.000000+00:00 heroku-router: at=info method=GET path="/" host=acme-fir.example dyno=web-848cd4f64d-pvpr2 connect=1ms service=12ms status=200 bytes=900 protocol=https`,
	`<158>1 2026-11-23T09:50:03.000000+00:00 host heroku-router - - at=info method=GET path="/" host=acme-fir.example dyno=web-848cd4f64d-x7k2q connect=1ms service=15ms status=200 bytes=900 protocol=https`,
	`2026-11-23T09:51:00.000000+00:00 heroku-runtime[web-848cd4f64d-pvpr2]: Process running mem=1100M(107.4%)`,
	`2026-11-23T09:51:00.000000+00:00 heroku-runtime[web-848cd4f64d-pvpr2]: Error R14 (Memory quota exceeded)`,
	`2026-11-23T09:52:00.000000+00:00 heroku-runtime[web-848cd4f64d-pvpr2]: State changed from up to crashed`,
	`2026-11-23T09:52:10.000000+00:00 heroku-runtime[web-848cd4f64d-x7k2q]: State changed from up to crashed`,
	`2026-11-23T09:52:20.000000+00:00 heroku-runtime[web-848cd4f64d-x7k2q]: State changed from crashed to starting`,
	`2026-11-23T09:53:00.000000+00:00 heroku-api: Release v12 created by user ops@acme.example`,
	`2026-11-23T09:53:01.000000+00:00 app[web-848cd4f64d-pvpr2]: Completed 200 OK in 12ms`,
}

func TestFirLines(t *testing.T) {
	s := analyse(firLines...)
	if s.UnreadLines() != 0 || s.RouterLines != 3 || s.FirLines != len(firLines) {
		t.Fatalf("unread %v, router %d, Fir lines %d", s.Unread, s.RouterLines, s.FirLines)
	}
	if c := s.Codes["H12"]; c == nil || c.Dynos[0] != "web-848cd4f64d-pvpr2" {
		t.Errorf("H12: %+v", c)
	}
	fs := Judge(s, "acme-fir", DefaultThresholds)
	// Memory is per dyno; its remedy names the process type and no Cedar size.
	m, ok := reporttest.Find(t, fs, codes.MemoryNearQuota.ID, "web-848cd4f64d-pvpr2")
	if !ok || !strings.Contains(m.Remedy, "heroku ps:type web=SIZE -a acme-fir") || strings.Contains(m.Remedy, "standard-2x") {
		t.Errorf("memory: %+v", m)
	}
	// A restarted Fir dyno comes back under a new name: restarts are
	// counted per process type.
	r, ok := reporttest.Find(t, fs, codes.DynoRestarting.ID, "web")
	if !ok || !strings.Contains(r.Remedy, "heroku logs --process-type web -a acme-fir") || len(r.Data["dynos"].([]string)) != 2 {
		t.Errorf("restarts: %+v", r)
	}
}

func TestDynoType(t *testing.T) {
	for in, want := range map[string]string{"web.1": "web", "worker.12": "worker", "web-848cd4f64d-pvpr2": "web",
		"web-1234abcde-123ab": "web", "data-sync-848cd4f64d-pvpr2": "data-sync", "router": "router", "heroku-postgres": "heroku-postgres", "": "web"} {
		if got := dynoType(in); got != want {
			t.Errorf("dynoType(%q) = %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string]bool{"web-abc56789ee1-12345": true, "web-848cd4f64d-pvpr2": true, "web.1": false,
		"heroku-redis": false, "log-shuttle": false, "web-1-": false, "run.8192": false} {
		if isFirDyno([]byte(name)) != want {
			t.Errorf("isFirDyno(%q) = %v", name, !want)
		}
	}
}

// TestSessionAsServerSentEvents: a session served as the Heroku CLI reads
// it (events of "id:" and "data:" lines, as its tests serve them), an
// error event kept as the stream's end.
func TestSessionAsServerSentEvents(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("a token went to the log stream")
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, l := range firLines[:2] {
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n\n\n", 1002+i, l)
		}
		fmt.Fprint(w, "event: error\ndata: {\"status\": 404, \"message\": null}\n\n\n\n")
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := ReadSession(ctx, srv.Client(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lines != 2 || s.UnreadLines() != 0 || s.Codes["H12"] == nil || !strings.Contains(s.ReadError, `error event: {"status": 404`) {
		t.Errorf("lines %d, unread %v, codes %v, read error %q", s.Lines, s.Unread, keysOf(s.Codes), s.ReadError)
	}
}

// TestResizeRemedyOneOff: a one-off dyno and a Scheduler job are in no
// formation, so their memory remedy is the size of the run or of the job,
// not ps:type (which would refuse "run" and "scheduler"); a formation
// dyno's stays ps:type, and so does the release phase's ("the dyno type
// can be set using heroku ps:type release={type}", Dev Center's Release
// Phase article).
func TestResizeRemedyOneOff(t *testing.T) {
	s := analyse(
		`2026-11-23T09:51:00.000000+00:00 heroku[run.4821]: Process running mem=560M(109.4%)`,
		`2026-11-23T09:51:00.000000+00:00 heroku[run.4821]: Error R14 (Memory quota exceeded)`,
		`2026-11-23T09:52:00.000000+00:00 heroku[scheduler.1337]: Process running mem=530M(103.5%)`,
		`2026-11-23T09:52:00.000000+00:00 heroku[scheduler.1337]: Error R14 (Memory quota exceeded)`,
		`2026-11-23T09:53:00.000000+00:00 heroku[worker.2]: Process running mem=540M(105.5%)`,
		`2026-11-23T09:53:00.000000+00:00 heroku[worker.2]: Error R14 (Memory quota exceeded)`,
		`2026-11-23T09:54:00.000000+00:00 heroku[release.9127]: Process running mem=600M(117.2%)`,
		`2026-11-23T09:54:00.000000+00:00 heroku[release.9127]: Error R14 (Memory quota exceeded)`,
	)
	fs := Judge(s, "acme-prod", DefaultThresholds)
	for dyno, want := range map[string]string{
		"run.4821":       "heroku run --size=standard-2x -a acme-prod COMMAND",
		"scheduler.1337": "heroku addons:open scheduler -a acme-prod",
		"worker.2":       "heroku ps:type worker=standard-2x -a acme-prod",
		"release.9127":   "heroku ps:type release=standard-2x -a acme-prod",
	} {
		var remedies []string
		for _, f := range fs {
			if f.Subject == dyno && f.Remedy != "" {
				remedies = append(remedies, f.Remedy)
			}
		}
		if len(remedies) == 0 {
			t.Errorf("%s: no finding with a remedy", dyno)
		}
		for _, r := range remedies {
			if !strings.Contains(r, want) || (strings.Contains(want, "ps:type") != strings.Contains(r, "ps:type")) {
				t.Errorf("%s: remedy %q, want %q", dyno, r, want)
			}
		}
	}
}
