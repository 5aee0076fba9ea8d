package heroku

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
)

// Remote is a git remote that points at a Heroku app.
type Remote struct {
	Name string
	App  string
}

// Heroku git URLs, as the Heroku CLI recognises them. App names are
// lower-case letters, digits and dashes.
var gitURLPatterns = []*regexp.Regexp{
	regexp.MustCompile(`^https?://git\.heroku\.com/([a-z0-9][a-z0-9-]*?)(?:\.git)?/?$`),
	regexp.MustCompile(`^git@heroku\.com:([a-z0-9][a-z0-9-]*?)(?:\.git)?$`),
	regexp.MustCompile(`^ssh://git@heroku\.com(?::22)?/([a-z0-9][a-z0-9-]*?)(?:\.git)?$`),
}

// AppFromGitURL returns the app a Heroku git URL names.
func AppFromGitURL(u string) (string, bool) {
	for _, re := range gitURLPatterns {
		if m := re.FindStringSubmatch(strings.TrimSpace(u)); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// ParseGitRemotes reads `git remote -v` output and returns the remotes whose
// fetch URL is a Heroku git URL, in the order git printed them. Any remote
// name counts, as in the Heroku CLI.
func ParseGitRemotes(out string) []Remote {
	var remotes []Remote
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if len(f) >= 3 && f[2] != "(fetch)" {
			continue
		}
		if app, ok := AppFromGitURL(f[1]); ok {
			r := Remote{Name: f[0], App: app}
			if !slices.Contains(remotes, r) {
				remotes = append(remotes, r)
			}
		}
	}
	return remotes
}

// Git runs a git command in the current directory and returns its output.
type Git func(ctx context.Context, args ...string) (string, error)

// ExecGit is Git through the git binary; outside a repository (or without
// git) it returns an error, which app inference treats as no remotes.
func ExecGit(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", args...).Output()
	return string(out), err
}

// AppInput is what the app can come from, in CONTRACT.md's order.
type AppInput struct {
	Flag   string // --app
	Env    Env    // HEROKU_APP
	Remote string // --remote
	Git    Git
}

// ResolveApp picks the app: --app, HEROKU_APP, --remote, then the Heroku git
// remotes of the current directory (narrowed by `git config heroku.remote`).
// Several apps and no choice is an error that lists them.
func ResolveApp(ctx context.Context, in AppInput) (string, error) {
	if in.Flag != "" {
		return in.Flag, nil
	}
	if in.Env != nil {
		if a := strings.TrimSpace(in.Env("HEROKU_APP")); a != "" {
			return a, nil
		}
	}
	var remotes []Remote
	if in.Git != nil {
		if out, err := in.Git(ctx, "remote", "-v"); err == nil {
			remotes = ParseGitRemotes(out)
		}
	}
	if in.Remote != "" {
		for _, r := range remotes {
			if r.Name == in.Remote {
				return r.App, nil
			}
		}
		return "", &AppError{Msg: fmt.Sprintf("git remote %q is not a Heroku git remote of this directory: pass -a APP", in.Remote)}
	}
	if in.Git != nil {
		if out, err := in.Git(ctx, "config", "heroku.remote"); err == nil {
			if name := strings.TrimSpace(out); name != "" {
				for _, r := range remotes {
					if r.Name == name {
						return r.App, nil
					}
				}
			}
		}
	}
	var apps []string
	for _, r := range remotes {
		if !slices.Contains(apps, r.App) {
			apps = append(apps, r.App)
		}
	}
	switch len(apps) {
	case 0:
		return "", &AppError{Msg: "no app given: pass -a APP, set HEROKU_APP, or run inside a git checkout with a Heroku remote"}
	case 1:
		return apps[0], nil
	}
	var list []string
	for _, r := range remotes {
		list = append(list, fmt.Sprintf("%s (remote %s)", r.App, r.Name))
	}
	return "", &AppError{Msg: fmt.Sprintf("several Heroku apps in the git remotes: %s; pass -a APP or -r REMOTE", strings.Join(list, ", "))}
}
