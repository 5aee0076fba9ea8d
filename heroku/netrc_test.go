package heroku

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
)

func TestParseNetrc(t *testing.T) {
	cases := []struct {
		name, text, want, err string
	}{
		{"as heroku login writes it", "machine api.heroku.com\n  login me@example.com\n  password tok-1\nmachine git.heroku.com\n  login me@example.com\n  password tok-1\n", "tok-1", ""},
		{"one line", "machine api.heroku.com login me password tok-2", "tok-2", ""},
		{"tabs and CRLF", "machine\tapi.heroku.com\r\n\tlogin\tme\r\n\tpassword\ttok-3\r\n", "tok-3", ""},
		{"comments, even inside an entry", "# mine\nmachine api.heroku.com # the API\n  # a note\n  login me\n  password tok-4 # rotated\n", "tok-4", ""},
		{"a # inside a token is no comment", "machine api.heroku.com password tok#5", "tok#5", ""},
		{"other tools' keys", "machine api.heroku.com port 443 login me account x password tok-6", "tok-6", ""},
		{"a macro is skipped to its blank line", "macdef init\ncd /\npassword not-this\n\nmachine api.heroku.com password tok-7\n", "tok-7", ""},
		{"default is not a Heroku machine", "default login anon password anon-pw\n", "", ""},
		{"the first entry wins", "machine api.heroku.com password first\nmachine api.heroku.com password second\n", "first", ""},
		{"empty", "", "", ""},
		{"just the word machine", "machine", "", `line 1: "machine" has no machine name`},
		{"a key without its value", "machine api.heroku.com\n login me\n password", "", `line 3: "password" has no value`},
		{"a word before any machine", "password tok\nmachine api.heroku.com\n", "", `line 1: "password" before any machine entry`},
		{"macdef without a name", "macdef", "", `line 1: "macdef" has no macro name`},
	}
	for _, c := range cases {
		ms, err := parseNetrc([]byte(c.text))
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: err %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := netrcPassword(ms, "api.heroku.com"); got != c.want {
			t.Errorf("%s: password %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzParseNetrc: whatever the file holds, the parser returns (no panic, no
// hang); what it reads back from a file it could have been written as is
// what was written; and a password planted in a well-formed entry is found.
func FuzzParseNetrc(f *testing.F) {
	for _, seed := range []string{"machine", "machine api.heroku.com login a password b", "default", "macdef", "macdef x\n",
		"# c\nmachine a\npassword", "machine a\n\n\n password b # c", "\x00machine\xff", "machine  \t\r\n", "password",
		"machine api.heroku.com\n  login me@example.com\n  password 01234567-89ab-cdef-0123-456789abcdef\n"} {
		f.Add(seed, "tok-planted")
	}
	f.Fuzz(func(t *testing.T, text, password string) {
		ms, err := parseNetrc([]byte(text))
		if err != nil {
			var ne *NetrcError
			if !errors.As(err, &ne) || ne.Line < 1 || ne.Line > strings.Count(text, "\n")+1 {
				t.Fatalf("error %v does not name a line of the text", err)
			}
			return
		}
		// Written back out, the entries read the same.
		var b strings.Builder
		for _, m := range ms {
			if m.Default {
				b.WriteString("default\n")
			} else {
				b.WriteString("machine " + m.Name + "\n")
			}
			for k, v := range m.Fields {
				b.WriteString("  " + k + " " + v + "\n")
			}
		}
		again, err := parseNetrc([]byte(b.String()))
		if err != nil || len(again) != len(ms) {
			t.Fatalf("re-reading %q: %v, %d entries, want %d", b.String(), err, len(again), len(ms))
		}
		for i := range ms {
			if again[i].Name != ms[i].Name || len(again[i].Fields) != len(ms[i].Fields) {
				t.Fatalf("entry %d read back as %+v, was %+v", i, again[i], ms[i])
			}
			for k, v := range ms[i].Fields {
				if again[i].Fields[k] != v {
					t.Fatalf("entry %d field %s read back as %q, was %q", i, k, again[i].Fields[k], v)
				}
			}
		}
		// A well-formed Heroku entry after whatever came first is found,
		// unless the text left a macro open (it swallows what follows) or
		// already names the machine.
		if password == "" || strings.ContainsFunc(password, unicode.IsSpace) || strings.HasPrefix(password, "#") ||
			strings.Contains(text, "macdef") || strings.Contains(text, "api.heroku.com") {
			return
		}
		planted := text + "\nmachine api.heroku.com\n  login me\n  password " + password + "\n"
		ms, err = parseNetrc([]byte(planted))
		if err == nil && netrcPassword(ms, "api.heroku.com") != password {
			t.Fatalf("planted password %q not found after %q", password, text)
		}
	})
}

func TestCorruptNetrcIsOneLineNamingTheFile(t *testing.T) {
	dir := t.TempDir()
	netrc := filepath.Join(dir, ".netrc")
	os.WriteFile(netrc, []byte("machine"), 0o600)
	_, err := Token(context.Background(), envOf(nil), netrc, "api.heroku.com")
	var ce *CredentialsError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), netrc) || !strings.Contains(err.Error(), "line 1") || strings.Contains(err.Error(), "\n") {
		t.Errorf("corrupt netrc: %v", err)
	}
}

// TestNetrcFilesThatNeverEnd: a FIFO nobody writes to, /dev/zero and a
// directory as NETRC cost the deadline at most, and say what they are.
func TestNetrcFilesThatNeverEnd(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "netrc")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "no writer opened", "/dev/zero": "larger than 1 MiB", t.TempDir(): "is a directory"} {
		wait := 300 * time.Millisecond // what the FIFO costs
		if path != fifo {
			wait = time.Minute
		}
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		_, err := Token(ctx, envOf(nil), path, "api.heroku.com")
		cancel()
		var ce *CredentialsError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
			t.Errorf("NETRC=%s: %v, want %q", path, err, want)
		}
	}
}
