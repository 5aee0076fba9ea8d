package commands

import (
	"slices"
	"strings"
	"testing"
)

func TestInterspersed(t *testing.T) {
	app := NewApp(newHarness(t).factory())
	cases := []struct{ in, want string }{
		{"dns-check example.com --resolver 127.0.0.1 --dig", "dns-check --resolver 127.0.0.1 --dig example.com"},
		{"dns-check a.example --format=json b.example", "dns-check --format=json a.example b.example"},
		{"certs-check shop.example.com:8443 -o out.txt --ca-file ca.pem", "certs-check -o out.txt --ca-file ca.pem shop.example.com:8443"},
		{"logs-check --logs-file - -a acme-prod", "logs-check --logs-file - -a acme-prod"},
		{"diagnose -aacme-prod --demo", "diagnose -a acme-prod --demo"},
		{"explain H12 --format json", "explain --format json H12"},
		{"explain h12 -h", "explain -h h12"},
		// `--` ends the options: what follows stays an argument.
		{"dns-check example.com -- --dig", "dns-check -- example.com --dig"},
		{"dns-check --dig -- -x.example", "dns-check --dig -- -x.example"},
		// A flag's value is its own even when it looks like a flag.
		{"logs-check --logs-file --weird-name", "logs-check --logs-file --weird-name"},
		// An unknown flag moves too, for urfave to name it.
		{"dns-check example.com --bogus", "dns-check --bogus example.com"},
		// A value flag missing its value: nothing follows it.
		{"certs-check example.com --warn-days", "certs-check --warn-days"},
		{"dns-check example.com --dig --generate-bash-completion", "dns-check --dig example.com --generate-bash-completion"},
		{"--help", "--help"},
		{"nosuchcommand x --y", "nosuchcommand x --y"},
	}
	for _, c := range cases {
		got := Interspersed(app, append([]string{"heroku-checkup"}, strings.Fields(c.in)...))
		if want := append([]string{"heroku-checkup"}, strings.Fields(c.want)...); !slices.Equal(got, want) {
			t.Errorf("%s\n got %q\nwant %q", c.in, got[1:], want[1:])
		}
	}
}

// TestEveryFlagAfterArguments: each flag of each command, written after an
// argument, is read as that flag (so a new flag cannot miss out).
func TestEveryFlagAfterArguments(t *testing.T) {
	app := NewApp(newHarness(t).factory())
	for _, cmd := range app.Commands {
		for _, fl := range cmd.Flags {
			for _, name := range fl.Names() {
				dash := "--"
				if len(name) == 1 {
					dash = "-"
				}
				in := []string{"heroku-checkup", cmd.Name, "ARG", dash + name}
				want := []string{"heroku-checkup", cmd.Name, dash + name}
				if takesValue(fl) {
					in = append(in, "VALUE")
					want = append(want, "VALUE")
				}
				want = append(want, "ARG")
				if got := Interspersed(app, in); !slices.Equal(got, want) {
					t.Errorf("%s: %q became %q, want %q", cmd.Name, in[2:], got[2:], want[2:])
				}
			}
		}
	}
}

// TestFlagsAfterArgumentsRun: a whole run with the flags last, as Heroku
// users type them.
func TestFlagsAfterArgumentsRun(t *testing.T) {
	z := sampleZone(t)
	h := newHarness(t)
	if code := h.run("dns-check", "www.acme.example", "--resolver", z.Addr, "--format", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, h.errOut.String())
	}
	if r := h.report(); len(r.Checks) == 0 || r.Checks[0].Subject != "www.acme.example" {
		t.Errorf("report: %+v", r.Checks)
	}
	h = newHarness(t)
	if code := h.run("explain", "h12", "--format", "json"); code != 0 || !strings.Contains(h.out.String(), `"id": "H12"`) {
		t.Errorf("explain h12 --format json: exit %d, %s", code, h.out.String())
	}
	h = newHarness(t)
	if code := h.run("dns-check", "--", "--dig"); code != 3 || !strings.Contains(h.errOut.String(), `"--dig" is not a domain name`) {
		t.Errorf("after --, --dig is an argument: exit %d, %s", code, h.errOut.String())
	}
}
