package commands

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/golden"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// volatile are the parts of a demo report that change from run to run by
// nature: the sandbox's fresh keys (fingerprints, serials), its loopback
// ports and the time each check took.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[0-9A-F]{2}(:[0-9A-F]{2}){31}`), "SHA256"},
	{regexp.MustCompile(`[0-9A-F]{2}(:[0-9A-F]{2}){7}`), "SHA256-PREFIX"},
	{regexp.MustCompile(`"serial": "[0-9a-f]+"`), `"serial": "SERIAL"`},
	{regexp.MustCompile(`127\.0\.0\.1:[0-9]+`), "127.0.0.1:PORT"},
	{regexp.MustCompile(`"(duration_ms|handshake_ms)": [0-9]+`), `"$1": 0`},
}

func normalize(b []byte) []byte {
	for _, v := range volatile {
		b = v.re.ReplaceAll(b, []byte(v.with))
	}
	return b
}

// TestDemoGolden pins the whole demo report, byte for byte, in every
// format: a change to a rule, a catalogue entry or a renderer shows here as
// a reviewed diff. The demo's real PostgreSQL and redis-server are left
// out (--demo-servers=false): their pids, sizes and timings differ on every
// run; e2e's TestDemo checks them by their codes.
func TestDemoGolden(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, format := range []string{"text", "json", "markdown", "html"} {
		t.Run(format, func(t *testing.T) {
			h := newHarness(t)
			h.now = func() time.Time { return at }
			if code := h.run("diagnose", "--demo", "--demo-servers=false", "--format", format); code != 2 {
				t.Fatalf("exit %d\n%s", code, h.errOut.String())
			}
			golden.Check(t, "demo."+format+".golden", normalize(h.out.Bytes()))
		})
	}
}

// TestDemoLogLatencyReachesTheFirTail: with --demo-latency logs=, the Fir
// app's live tail waits for the late first byte too: its lines are read,
// not LOGS_EMPTY.
func TestDemoLogLatencyReachesTheFirTail(t *testing.T) {
	h := newHarness(t)
	h.run("diagnose", "--demo", "--demo-servers=false", "--demo-latency", "logs=800ms", "--only", "logs", "--format", "json")
	var f report.Finding
	ok := false
	for _, c := range h.report().Checks {
		if c.App == "acme-edge" && c.Check == "logs.input" {
			f, ok = c, true
		}
	}
	if !ok || f.Status != report.StatusOK || !strings.Contains(f.Summary, "46 lines read") {
		t.Errorf("acme-edge's logs: %+v", f)
	}
}
