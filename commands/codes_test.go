package commands

import (
	"strings"
	"testing"

	"github.com/heroku-checkup/heroku-checkup/internal/golden"
)

// TestExplainGolden pins what explain prints for a code, in every format,
// whatever the case it is typed in and wherever --format stands.
func TestExplainGolden(t *testing.T) {
	for _, c := range []struct{ name, format string }{{"text", "text"}, {"json", "json"}, {"markdown", "markdown"}} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			if code := h.run("explain", "--format", c.format, "dns_cname_herokuapp"); code != 0 {
				t.Fatalf("exit %d: %s", code, h.errOut.String())
			}
			golden.Check(t, "explain."+c.name+".golden", h.out.Bytes())
			want := h.out.String()
			if code := h.run("explain", "DNS_CNAME_HEROKUAPP", "--format="+c.format); code != 0 || h.out.String() != want {
				t.Errorf("--format after the code: exit %d\n%s", code, h.out.String())
			}
		})
	}
	h := newHarness(t)
	if code := h.run("explain", "H12"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	golden.Check(t, "explain.H12.golden", h.out.Bytes())
}

func TestExplainUnknownCode(t *testing.T) {
	h := newHarness(t)
	code := h.run("explain", "DNS_CNAME_HEROKU")
	stderr := h.errOut.String()
	if code != 3 || h.out.Len() != 0 || strings.Count(stderr, "\n") != 1 ||
		!strings.Contains(stderr, `unknown code "DNS_CNAME_HEROKU"`) || !strings.Contains(stderr, "did you mean DNS_CNAME_HEROKUAPP, DNS_CNAME_HEROKUSSL?") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, h.out.String(), stderr)
	}
	// A well-formed Heroku code this catalogue does not list: Heroku's list.
	if code := h.run("explain", "h42"); code != 3 || !strings.Contains(h.errOut.String(), "articles/error-codes") {
		t.Errorf("H42: exit %d, %q", code, h.errOut.String())
	}
	for _, args := range [][]string{{"explain"}, {"explain", "H12", "H10"}, {"explain", "H12", "--verbose"}, {"explain", "--format", "yaml", "H12"}, {"codes", "H12"}} {
		if code := h.run(args...); code != 3 || strings.Count(h.errOut.String(), "\n") != 1 {
			t.Errorf("%v: exit %d, %q", args, code, h.errOut.String())
		}
	}
	// The catalogue has no HTML form: refused by name, not rendered as a report.
	for _, args := range [][]string{{"explain", "H12", "--format", "html"}, {"codes", "--format", "html"}} {
		if code := h.run(args...); code != 3 || h.out.Len() != 0 || !strings.Contains(h.errOut.String(), "not html ("+args[0]+" has no HTML form)") {
			t.Errorf("%v: exit %d, stdout %d bytes, %q", args, code, h.out.Len(), h.errOut.String())
		}
	}
}

// TestCodesGolden pins the whole catalogue as codes prints it; the
// Markdown form is also the README's table (internal/gencodes).
func TestCodesGolden(t *testing.T) {
	for _, format := range []string{"text", "json", "markdown"} {
		t.Run(format, func(t *testing.T) {
			h := newHarness(t)
			if code := h.run("codes", "--format", format); code != 0 {
				t.Fatalf("exit %d: %s", code, h.errOut.String())
			}
			golden.Check(t, "codes."+format+".golden", h.out.Bytes())
		})
	}
}
