package commands

import (
	"strings"
	"testing"
)

// TestBadResolverIsUsage: a --resolver that cannot be a DNS server is one
// line and exit 3 on every command, not a timeout per domain.
func TestBadResolverIsUsage(t *testing.T) {
	for _, bad := range []string{"127.0.0.1:99999", "http://x", "127.0.0.1:", "a b"} {
		for _, cmd := range [][]string{{"dns-check", "example.com"}, {"certs-check", "example.com"}, {"pg-health", "--database-url", "postgres://u:p@db.example.com/d"},
			{"logs-check", "--logs-file", "-"}, {"diagnose", "--demo"}} {
			h := newHarness(t)
			args := append([]string{cmd[0], "--resolver", bad}, cmd[1:]...)
			code := h.run(args...)
			line := h.errOut.String()
			if code != 3 || strings.Count(line, "\n") != 1 || !strings.Contains(line, "--resolver") {
				t.Errorf("%v: exit %d, stderr %q", args, code, line)
			}
		}
	}
}
