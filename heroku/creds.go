package heroku

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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
// no token; one that cannot be read or parsed is one line naming the file.
// The file is read under ctx (the run's deadline) and within a size cap: a
// FIFO nobody writes to, or /dev/zero, cannot hang or fill the run.
func Token(ctx context.Context, env Env, netrcPath string, machines ...string) (string, error) {
	if t := strings.TrimSpace(env("HEROKU_API_KEY")); t != "" {
		return t, nil
	}
	if netrcPath == "" {
		return "", &CredentialsError{Msg: noCredentialsMsg}
	}
	text, err := readNetrc(ctx, netrcPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &CredentialsError{Msg: noCredentialsMsg}
		}
		return "", &CredentialsError{Msg: fmt.Sprintf("cannot read %s: %v (fix it, run heroku login, or set HEROKU_API_KEY)", netrcPath, unwrapPath(err))}
	}
	entries, err := parseNetrc(text)
	if err != nil {
		return "", &CredentialsError{Msg: fmt.Sprintf("cannot read %s: %v (fix it, run heroku login, or set HEROKU_API_KEY)", netrcPath, err)}
	}
	if p := netrcPassword(entries, machines...); p != "" {
		return p, nil
	}
	return "", &CredentialsError{Msg: noCredentialsMsg}
}

// unwrapPath keeps "permission denied" of "open /x: permission denied": the
// message names the file already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OSEnv is the process environment.
func OSEnv(k string) string { return os.Getenv(k) }
