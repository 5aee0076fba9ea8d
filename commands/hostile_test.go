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

// TestAppNamesAreChecked: an app that cannot be one stops the run with one
// line and exit 3, and no request (with the token) is ever sent for it.
func TestAppNamesAreChecked(t *testing.T) {
	api := fakeAPI(t)
	cases := []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"diagnose", "-a", ""}, nil},
		{[]string{"diagnose", "-a", "../account"}, nil},
		{[]string{"diagnose", "-a", "acme-prod", "-a", "x/../../account"}, nil},
		{[]string{"dns-check", "-a", "../account"}, nil},
		{[]string{"pg-health", "-a", "Acme-Prod"}, nil},
		{[]string{"logs-check"}, map[string]string{"HEROKU_APP": "../account"}},
		{[]string{"certs-check"}, map[string]string{"HEROKU_APP": "acme prod"}},
		{[]string{"diagnose", "--team", "../account"}, nil},
		{[]string{"diagnose", "--team", ""}, nil},
	}
	for _, c := range cases {
		h := newHarness(t)
		h.env["HEROKU_HOST"] = api.URL
		h.env["HEROKU_API_KEY"] = "test-token-123456"
		for k, v := range c.env {
			h.env[k] = v
		}
		before := api.Requests()
		code := h.run(c.args...)
		line := h.errOut.String()
		if code != 3 || strings.Count(line, "\n") != 1 {
			t.Errorf("%v %v: exit %d, stderr %q", c.args, c.env, code, line)
		}
		if n := api.Requests() - before; n != 0 {
			t.Errorf("%v %v: %d requests sent: %q", c.args, c.env, n, api.Paths())
		}
	}
}
