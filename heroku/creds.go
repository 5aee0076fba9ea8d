package heroku

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/jdx/go-netrc"
)

// Env reads an environment variable; tests pass a map's lookup.
type Env func(string) string

// NetrcPath is where the Heroku CLI keeps the token: $NETRC, else ~/.netrc
// (~/_netrc on Windows).
func NetrcPath(env Env, home string) string {
	if p := env("NETRC"); p != "" {
		return p
	}
	name := ".netrc"
	if runtime.GOOS == "windows" {
		name = "_netrc"
	}
	return filepath.Join(home, name)
}

// Token finds the API token: HEROKU_API_KEY, else the password of the first
// of the netrc machines that has one. A missing netrc file is no error, just
// no token.
func Token(env Env, netrcPath string, machines ...string) (string, error) {
	if t := strings.TrimSpace(env("HEROKU_API_KEY")); t != "" {
		return t, nil
	}
	if netrcPath == "" {
		return "", &CredentialsError{Msg: noCredentialsMsg}
	}
	n, err := netrc.Parse(netrcPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &CredentialsError{Msg: noCredentialsMsg}
		}
		return "", &CredentialsError{Msg: fmt.Sprintf("cannot read %s: %v (fix it, run heroku login, or set HEROKU_API_KEY)", netrcPath, err)}
	}
	for _, machine := range machines {
		if m := n.Machine(machine); m != nil {
			if p := strings.TrimSpace(m.Get("password")); p != "" {
				return p, nil
			}
		}
	}
	return "", &CredentialsError{Msg: noCredentialsMsg}
}

// OSEnv is the process environment.
func OSEnv(k string) string { return os.Getenv(k) }
