package termui

import (
	"bytes"
	"testing"
)

func TestColorAndSpinnerDecisions(t *testing.T) {
	cases := []struct {
		name                       string
		stdoutTTY, stderrTTY, noCl bool
		text, toFile               bool
		color, spin                bool
	}{
		{"terminal text", true, true, false, true, false, true, true},
		{"NO_COLOR", true, true, true, true, false, false, true},
		{"piped stdout, terminal stderr", false, true, false, true, false, false, true},
		{"stderr piped", true, false, false, true, false, true, false},
		{"json on a terminal", true, true, false, false, false, false, false},
		{"--output file", true, true, false, true, true, false, false},
		{"cron: nothing is a terminal", false, false, false, true, false, false, false},
	}
	for _, c := range cases {
		io := &IO{StdoutTTY: c.stdoutTTY, StderrTTY: c.stderrTTY, NoColor: c.noCl}
		if got := io.Color(c.text, c.toFile); got != c.color {
			t.Errorf("%s: colour = %v, want %v", c.name, got, c.color)
		}
		if got := io.Spinner(c.text, c.toFile); got != c.spin {
			t.Errorf("%s: spinner = %v, want %v", c.name, got, c.spin)
		}
	}
}

func TestNoProgressWritesNothing(t *testing.T) {
	var errOut bytes.Buffer
	io := Test(nil, &bytes.Buffer{}, &errOut)
	p := io.NewProgress(false)
	p.Start("dns a")
	p.Done("dns a")
	p.Stop()
	if errOut.Len() != 0 {
		t.Errorf("disabled progress wrote %q", errOut.String())
	}
}

func TestLabel(t *testing.T) {
	if got := Label([]string{"dns a", "tls b", "pg c", "logs", "platform"}, 7); got != "checking dns a, tls b, pg c +2 more (7 done)" {
		t.Errorf("Label = %q", got)
	}
	if got := Label(nil, 3); got != "checking… (3 done)" {
		t.Errorf("Label = %q", got)
	}
}

// TestLabelNeutralisesNames: a job's name holds outside values (an API's
// domain, a file path); the spinner shows their escapes, not obeys them.
func TestLabelNeutralisesNames(t *testing.T) {
	got := Label([]string{"dns shop.acme.com\x1b]52;c;eA==\x07", "logs /tmp/a\rb\u202e"}, 0)
	if want := `checking dns shop.acme.com\x1b]52;c;eA==\x07, logs /tmp/a\rb\u202e (0 done)`; got != want {
		t.Errorf("Label = %q, want %q", got, want)
	}
}
