package commands

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./commands -run %s -update)", err, t.Name())
	}
	if string(got) != string(want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		line := func(ls []string) string {
			if i < len(ls) {
				return ls[i]
			}
			return "(end)"
		}
		t.Errorf("%s differs from line %d (go test ./commands -run %s -update rewrites it; review the diff):\n got: %s\nwant: %s",
			path, i+1, t.Name(), line(g), line(w))
	}
}

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
// a reviewed diff.
func TestDemoGolden(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			h := newHarness(t)
			h.now = func() time.Time { return at }
			if code := h.run("diagnose", "--demo", "--format", format); code != 2 {
				t.Fatalf("exit %d\n%s", code, h.errOut.String())
			}
			golden(t, "demo."+format+".golden", normalize(h.out.Bytes()))
		})
	}
}
