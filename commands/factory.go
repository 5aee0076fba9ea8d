// Package commands holds the CLI: one file per subcommand, each with an
// Options struct, a newXCommand that parses flags into it, and a runX that
// does the work with what the Factory provides. Commands write only to the
// Factory's streams; only main calls os.Exit.
package commands

import (
	"context"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/termui"
)

// BuildInfo is set by the linker flags of a release build.
type BuildInfo struct {
	Version string
	Commit  string
	Date    string
}

// Factory provides every dependency a command may need, lazily.
type Factory struct {
	IO    *termui.IO
	Env   heroku.Env
	Home  string
	Git   heroku.Git
	Now   func() time.Time
	Build BuildInfo
	// HTTPBase is the transport under the API client; nil means the network.
	HTTPBase http.RoundTripper
	// Redactor collects the run's secrets (the token, config var values) so
	// that neither a report nor an error line can print them.
	Redactor *report.Redactor
	// TLSPort is the port app domains are dialled on (443; the sandbox's
	// listeners live elsewhere on loopback).
	TLSPort string
}

// NewSystemFactory is the real process: its streams, environment, git.
func NewSystemFactory(build BuildInfo) *Factory {
	home, _ := os.UserHomeDir()
	if build.Version == "" || build.Version == "dev" {
		// `go install …@v1.2.3` has no linker flags but knows its module version.
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			build.Version = bi.Main.Version
		}
	}
	if build.Version == "" {
		build.Version = "dev"
	}
	return &Factory{
		IO:       termui.System(),
		Env:      heroku.OSEnv,
		Home:     home,
		Git:      heroku.ExecGit,
		Now:      time.Now,
		Build:    build,
		Redactor: report.NewRedactor(),
	}
}

// UserAgent is sent with every API request.
func (f *Factory) UserAgent() string { return "heroku-checkup/" + f.Build.Version }

// APIClient builds the Platform API client from HEROKU_HOST and the
// credentials, as the Heroku CLI finds them. With --resolver, the API's
// host is looked up there too (CONTRACT.md: every lookup of the run).
// Errors are setup errors.
func (f *Factory) APIClient(resolver string) (*heroku.Client, error) {
	u, err := heroku.APIURL(f.Env("HEROKU_HOST"))
	if err != nil {
		return nil, err
	}
	tok, err := heroku.Token(f.Env, heroku.NetrcPath(f.Env, f.Home), heroku.NetrcMachines(u)...)
	if err != nil {
		return nil, err
	}
	f.Redactor.Add(tok)
	base := f.HTTPBase
	if base == nil && resolver != "" {
		res, err := f.resolver(resolver)
		if err != nil {
			return nil, err
		}
		base = resolvingTransport(res)
	}
	return heroku.New(heroku.Config{APIURL: u, Token: tok, UserAgent: f.UserAgent(), Base: base}), nil
}

// resolvingTransport is an HTTP transport whose lookups go to res.
func resolvingTransport(res *dnscheck.Resolver) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           res.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// ResolveApp finds the app of a single-app command.
func (f *Factory) ResolveApp(ctx context.Context, flag, remote string) (string, error) {
	return heroku.ResolveApp(ctx, heroku.AppInput{Flag: flag, Env: f.Env, Remote: remote, Git: f.Git})
}
