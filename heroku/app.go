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

// GitHosts are the hosts of Heroku git URLs: SSH (git@HOST:app.git,
// ssh://git@HOST/app.git) and HTTPS (https://HOST/app.git).
type GitHosts struct {
	SSH  []string
	HTTP []string
}

// DefaultGitHosts are heroku.com's.
var DefaultGitHosts = GitHosts{SSH: []string{"heroku.com"}, HTTP: []string{"git.heroku.com"}}

// GitHostsFrom derives the git hosts as the Heroku CLI does (vars.gitHost
// and vars.httpGitHost of @heroku-cli/command): HEROKU_GIT_HOST for both;
// else the host of a HEROKU_HOST URL for both; else HEROKU_HOST (SSH) and
// git.HEROKU_HOST (HTTPS). heroku.com's own hosts are always recognised too:
// a remote of heroku.com names a heroku.com app whatever HEROKU_HOST says.
func GitHostsFrom(env Env) GitHosts {
	h := GitHosts{}
	add := func(ssh, http string) {
		if ssh != "" && !slices.Contains(h.SSH, ssh) {
			h.SSH = append(h.SSH, ssh)
		}
		if http != "" && !slices.Contains(h.HTTP, http) {
			h.HTTP = append(h.HTTP, http)
		}
	}
	if env != nil {
		gitHost := strings.TrimSpace(env("HEROKU_GIT_HOST"))
		host := strings.TrimSpace(env("HEROKU_HOST"))
		switch {
		case gitHost != "":
			add(gitHost, gitHost)
		case host == "":
		case strings.HasPrefix(host, "http"):
			if u, err := APIURL(host); err == nil {
				add(u.Host, u.Host)
			}
		default:
			if _, err := APIURL(host); err == nil {
				add(host, "git."+host)
			}
		}
	}
	add(DefaultGitHosts.SSH[0], DefaultGitHosts.HTTP[0])
	return h
}

// App names are lower-case letters, digits and dashes.
const appPattern = `([a-z0-9][a-z0-9-]*?)`

func (h GitHosts) patterns() []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, host := range h.HTTP {
		res = append(res, regexp.MustCompile(`^https?://`+regexp.QuoteMeta(host)+`/`+appPattern+`(?:\.git)?/?$`))
	}
	for _, host := range h.SSH {
		q := regexp.QuoteMeta(host)
		res = append(res,
			regexp.MustCompile(`^git@`+q+`:`+appPattern+`(?:\.git)?$`),
			regexp.MustCompile(`^ssh://git@`+q+`(?::22)?/`+appPattern+`(?:\.git)?$`))
	}
	return res
}

// AppFromGitURL returns the app a Heroku git URL names.
func (h GitHosts) AppFromGitURL(u string) (string, bool) {
	for _, re := range h.patterns() {
		if m := re.FindStringSubmatch(strings.TrimSpace(u)); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// ParseGitRemotes reads `git remote -v` output and returns the remotes whose
// fetch URL is a Heroku git URL, in the order git printed them. Any remote
// name counts, as in the Heroku CLI.
func (h GitHosts) ParseGitRemotes(out string) []Remote {
	var remotes []Remote
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if len(f) >= 3 && f[2] != "(fetch)" {
			continue
		}
		if app, ok := h.AppFromGitURL(f[1]); ok {
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
// The app is checked against the API's rules for app names whatever its
// source, before any request carries it.
func ResolveApp(ctx context.Context, in AppInput) (string, error) {
	if in.Flag != "" {
		return in.Flag, CheckApp(in.Flag, "-a")
	}
	if in.Env != nil {
		if a := strings.TrimSpace(in.Env("HEROKU_APP")); a != "" {
			return a, CheckApp(a, "HEROKU_APP")
		}
	}
	var remotes []Remote
	if in.Git != nil {
		if out, err := in.Git(ctx, "remote", "-v"); err == nil {
			remotes = GitHostsFrom(in.Env).ParseGitRemotes(out)
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
