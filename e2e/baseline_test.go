package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoFingerprintsAreStable runs the sandbox twice, as two scheduled
// runs would: durations, ports and times differ; no fingerprint does. The
// demo's real servers are left out: each run seeds a fresh PostgreSQL,
// whose sessions and statements (pids, query ids) differ by nature.
func TestDemoFingerprintsAreStable(t *testing.T) {
	one := decode(t, run(t, nil, "diagnose", "--demo", "--demo-servers=false", "--format", "json"))
	two := decode(t, run(t, nil, "diagnose", "--demo", "--demo-servers=false", "--format", "json"))
	if len(one.Checks) != len(two.Checks) || len(one.Checks) == 0 {
		t.Fatalf("%d checks, then %d", len(one.Checks), len(two.Checks))
	}
	seen := map[string]bool{}
	for i, f := range one.Checks {
		g := two.Checks[i]
		if f.Check != g.Check || f.Subject != g.Subject || f.Code != g.Code || f.Fingerprint != g.Fingerprint {
			t.Errorf("check %d: %s %s %s %s, then %s %s %s %s", i, f.Check, f.Subject, f.Code, f.Fingerprint, g.Check, g.Subject, g.Code, g.Fingerprint)
		}
		if seen[f.Fingerprint] {
			t.Errorf("fingerprint %s twice in one report", f.Fingerprint)
		}
		seen[f.Fingerprint] = true
	}
}

// TestScheduledHistoryInOneFile is the README's cron line, run three
// times: the first starts the history and alerts on everything, the second
// is quiet, and a broken baseline is one line and exit 3 that leaves the
// history alone.
func TestScheduledHistoryInOneFile(t *testing.T) {
	dir := t.TempDir()
	last := filepath.Join(dir, "last.json")
	args := []string{"diagnose", "--demo", "--demo-servers=false", "--format", "json", "--fail-on", "new", "--baseline", last, "-o", last}
	first := run(t, nil, args...)
	if first.code != 2 || first.stdout != "" || first.stderr != "" {
		t.Fatalf("first run: exit %d, stdout %q, stderr %q", first.code, first.stdout, first.stderr)
	}
	b, err := os.ReadFile(last)
	if err != nil {
		t.Fatal(err)
	}
	rep1 := decode(t, result{stdout: string(b)})
	if rep1.Baseline == nil || rep1.Baseline["generated_at"] != nil || rep1.Baseline["new"] == float64(0) {
		t.Errorf("first run's baseline member: %v", rep1.Baseline)
	}

	second := run(t, nil, args...)
	if second.code != 0 {
		t.Fatalf("second run: exit %d, stderr %q", second.code, second.stderr)
	}
	b, _ = os.ReadFile(last)
	rep2 := decode(t, result{stdout: string(b)})
	if rep2.Baseline["generated_at"] != rep1.GeneratedAt || rep2.Baseline["new"] != float64(0) || rep2.Baseline["resolved"] != float64(0) {
		t.Errorf("second run's baseline member: %v (first run generated at %s)", rep2.Baseline, rep1.GeneratedAt)
	}
	for _, f := range rep2.Checks {
		if f.Status != "ok" && f.Status != "skipped" && f.Change != "ongoing" {
			t.Errorf("second run: %s %s %s is %q, want ongoing", f.Check, f.Subject, f.Code, f.Change)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files left in the directory: %v", entries)
	}

	os.WriteFile(last, []byte(strings.Replace(string(b), `"schema_version": 1`, `"schema_version": 7`, 1)), 0o644)
	broken := run(t, nil, args...)
	if broken.code != 3 || strings.Count(broken.stderr, "\n") != 1 || !strings.Contains(broken.stderr, "has schema_version 7") {
		t.Errorf("a baseline of another schema: exit %d, stderr %q", broken.code, broken.stderr)
	}
	if after, _ := os.ReadFile(last); !strings.Contains(string(after), `"schema_version": 7`) {
		t.Error("a run that could not read its baseline replaced it")
	}
}
