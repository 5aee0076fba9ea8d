package heroku

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/internal/localfile"
)

// maxNetrc caps what is read of a netrc file: a real one is a few hundred
// bytes, and /dev/zero is not one.
const maxNetrc = 1 << 20

// netrcMachine is one `machine NAME` entry (or `default`) of a netrc file.
type netrcMachine struct {
	Name    string
	Default bool
	Fields  map[string]string // login, password, account (and any other key the file sets)
}

// NetrcError is a netrc file that cannot be read: its line says where.
type NetrcError struct {
	Line int
	Msg  string
}

func (e *NetrcError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// parseNetrc reads netrc text as curl, the Heroku CLI (netrc-parser) and
// ftp(1) do: whitespace-separated tokens; `machine NAME` or `default`
// starts an entry, followed by `key value` pairs (login, password, account
// and whatever else a tool writes); `macdef NAME` starts a macro that runs
// to the next blank line; `#` at the start of a token comments out the
// rest of its line. A keyword without its value is an error with its line;
// nothing else can make it fail, and nothing makes it panic (FuzzParseNetrc).
func parseNetrc(text []byte) ([]netrcMachine, error) {
	var out []netrcMachine
	toks := netrcTokens(text)
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		value := func(what string) (string, error) {
			if i+1 >= len(toks) {
				return "", &NetrcError{Line: t.line, Msg: fmt.Sprintf("%q has no %s", t.text, what)}
			}
			i++
			return toks[i].text, nil
		}
		switch t.text {
		case "machine":
			name, err := value("machine name")
			if err != nil {
				return nil, err
			}
			out = append(out, netrcMachine{Name: name, Fields: map[string]string{}})
		case "default":
			out = append(out, netrcMachine{Name: "default", Default: true, Fields: map[string]string{}})
		case "macdef":
			// The macro's name; netrcTokens has already left its body out.
			if _, err := value("macro name"); err != nil {
				return nil, err
			}
		default:
			if len(out) == 0 {
				return nil, &NetrcError{Line: t.line, Msg: fmt.Sprintf("%q before any machine entry", t.text)}
			}
			v, err := value("value")
			if err != nil {
				return nil, err
			}
			if cur := out[len(out)-1].Fields; cur[t.text] == "" {
				cur[t.text] = v
			}
		}
	}
	return out, nil
}

type netrcToken struct {
	text string
	line int
}

// netrcTokens splits netrc text into tokens with their line numbers,
// leaving out comments and macro bodies (macdef NAME, then every line up to
// the first empty one).
func netrcTokens(text []byte) []netrcToken {
	var toks []netrcToken
	lines := bytes.Split(text, []byte("\n"))
	inMacro := false
	for n, raw := range lines {
		line := strings.TrimRight(string(raw), "\r")
		if inMacro {
			if strings.TrimSpace(line) == "" {
				inMacro = false
			}
			continue
		}
		fields := strings.Fields(line)
		for j, f := range fields {
			if strings.HasPrefix(f, "#") {
				break
			}
			toks = append(toks, netrcToken{text: f, line: n + 1})
			if f == "macdef" {
				// Its name is the next token of this line; the body starts
				// on the next line.
				if j+1 < len(fields) {
					toks = append(toks, netrcToken{text: fields[j+1], line: n + 1})
				}
				inMacro = true
				break
			}
		}
	}
	return toks
}

// netrcPassword is the password of the first entry for one of machines.
func netrcPassword(ms []netrcMachine, machines ...string) string {
	for _, name := range machines {
		for _, m := range ms {
			if !m.Default && m.Name == name {
				if p := strings.TrimSpace(m.Fields["password"]); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// readNetrc reads the netrc file under ctx, within maxNetrc; a .gpg file is
// decrypted with gpg, as the Heroku CLI's netrc-parser does.
func readNetrc(ctx context.Context, path string) ([]byte, error) {
	if filepath.Ext(path) != ".gpg" {
		return localfile.ReadAll(ctx, path, localfile.Stream, maxNetrc)
	}
	if _, err := localfile.ReadAll(ctx, path, localfile.Regular, maxNetrc); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "gpg", "--batch", "--quiet", "--decrypt", path)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, n: 4 << 10}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("gpg: %w", err)
	}
	b, rerr := io.ReadAll(io.LimitReader(out, maxNetrc+1))
	werr := cmd.Wait()
	switch {
	case int64(len(b)) > maxNetrc:
		return nil, &localfile.TooLargeError{Path: path, Limit: maxNetrc}
	case ctx.Err() != nil:
		return nil, fmt.Errorf("gpg did not decrypt it before the deadline: %w", ctx.Err())
	case werr != nil:
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("gpg --decrypt: %v %s", werr, msg)
	case rerr != nil:
		return nil, rerr
	}
	return b, nil
}

// limitedBuffer keeps the first n bytes written to it.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
