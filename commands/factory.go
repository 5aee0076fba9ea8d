// Package commands holds the CLI: one file per subcommand, each with an
// Options struct, a newXCommand that parses flags into it, and a runX that
// does the work with what the Factory provides. Commands write only to the
// Factory's streams; only main calls os.Exit.
package commands

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/heroku-checkup/heroku-checkup/checkup"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/heroku"
	"github.com/heroku-checkup/heroku-checkup/pgcheck"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/sslcheck"
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
func (f *Factory) APIClient(ctx context.Context, resolver string) (*heroku.Client, error) {
	u, err := heroku.APIURL(f.Env("HEROKU_HOST"))
	if err != nil {
		return nil, err
	}
	cfg, err := f.clientConfig(ctx, u, u, resolver)
	if err != nil {
		return nil, err
	}
	return heroku.New(cfg), nil
}

// clientConfig is what every Heroku client shares: the token found for
// the Platform API's host (the Data API takes the same one), kept by the
// redactor, and the transport (--resolver's lookups).
func (f *Factory) clientConfig(ctx context.Context, base, platformAPI *url.URL, resolver string) (heroku.Config, error) {
	tok, err := heroku.Token(ctx, f.Env, heroku.NetrcPath(f.Env, f.Home), heroku.NetrcMachines(platformAPI)...)
	if err != nil {
		return heroku.Config{}, err
	}
	f.Redactor.Add(tok)
	rt := f.HTTPBase
	if rt == nil && resolver != "" {
		res, err := f.resolver(ctx, resolver)
		if err != nil {
			return heroku.Config{}, err
		}
		rt = resolvingTransport(res)
	}
	return heroku.Config{APIURL: base, Token: tok, UserAgent: f.UserAgent(), Base: rt}, nil
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

// resolver builds the run's resolver: --resolver, else /etc/resolv.conf
// (read under ctx).
func (f *Factory) resolver(ctx context.Context, flag string) (*dnscheck.Resolver, error) {
	var servers []string
	if flag != "" {
		s, err := dnscheck.ParseServer(flag)
		if err != nil {
			return nil, usagef("--resolver: %v", err)
		}
		servers = []string{s}
	} else {
		var err error
		if servers, err = dnscheck.SystemServers(ctx, f.resolvConf()); err != nil {
			return nil, usagef("%v", err)
		}
	}
	return dnscheck.NewResolver(dnscheck.Config{Servers: servers}), nil
}

func (f *Factory) resolvConf() string {
	if p := f.Env("HEROKU_CHECKUP_RESOLV_CONF"); p != "" {
		return p
	}
	return "/etc/resolv.conf"
}

// logClient fetches log sessions; with --resolver its lookups go there.
func (f *Factory) logClient(ctx context.Context, resolver string) (*http.Client, error) {
	if resolver == "" {
		return &http.Client{}, nil
	}
	res, err := f.resolver(ctx, resolver)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: resolvingTransport(res)}, nil
}

// tlsPart builds the TLS part with the run's resolver and trust pools.
func (f *Factory) tlsPart(ctx context.Context, common CommonOptions, warn, crit int) (*checkup.TLSPart, error) {
	res, err := f.resolver(ctx, common.Resolver)
	if err != nil {
		return nil, err
	}
	roots, inter, err := sslcheck.LoadRoots(ctx, common.CAFile)
	if err != nil {
		return nil, usagef("--ca-file: %v", err)
	}
	return &checkup.TLSPart{Config: sslcheck.Config{Resolver: res, Roots: roots, Intermediates: inter},
		WarnDays: warn, CritDays: crit, Now: f.Now, Port: f.TLSPort}, nil
}

// DataClient builds the Heroku Data API client from HEROKU_DATA_HOST and
// the same token as the Platform API (CONTRACT.md, "Heroku Data hosts").
//
// A Platform API on loopback (the sandbox, a test's fake) has no Data API
// unless HEROKU_DATA_HOST names one: nil, and the Data checks are left out,
// so that neither the token nor a lookup of api.data.heroku.com leaves
// the machine.
func (f *Factory) DataClient(ctx context.Context, resolver string) (*heroku.DataClient, error) {
	api, err := heroku.APIURL(f.Env("HEROKU_HOST"))
	if err != nil {
		return nil, err
	}
	dataHost := f.Env("HEROKU_DATA_HOST")
	if dataHost == "" && heroku.IsLoopback(api.Hostname()) {
		return nil, nil
	}
	u, err := heroku.DataURL(dataHost)
	if err != nil {
		return nil, err
	}
	cfg, err := f.clientConfig(ctx, u, api, resolver)
	if err != nil {
		return nil, err
	}
	return heroku.NewData(cfg), nil
}

// redisPart builds the Redis part: the run's resolver, --ca-file's roots
// for rediss:// URLs that are verified, and (withData) the Data API for
// the add-ons' redis:info.
func (f *Factory) redisPart(ctx context.Context, common CommonOptions, redisURL string, skipVerify, withData bool) (*checkup.RedisPart, error) {
	if redisURL != "" {
		// The password of a URL given on the command line is a secret too.
		f.Redactor.AddConfigVars(map[string]*string{"REDIS_URL": &redisURL})
	}
	part := &checkup.RedisPart{RedisURL: redisURL, SkipVerify: skipVerify, Now: f.Now}
	if common.CAFile != "" {
		roots, _, err := sslcheck.LoadRoots(ctx, common.CAFile)
		if err != nil {
			return nil, usagef("--ca-file: %v", err)
		}
		part.Options.RootCAs = roots
	}
	if common.Resolver != "" {
		res, err := f.resolver(ctx, common.Resolver)
		if err != nil {
			return nil, err
		}
		part.Options.Dial = res.DialContext
	}
	if withData {
		data, err := f.DataClient(ctx, common.Resolver)
		if err != nil {
			return nil, err
		}
		part.Data = data
	}
	return part, nil
}

// pgPart builds the Postgres part; with --resolver the databases' host
// names are looked up there too.
func (f *Factory) pgPart(ctx context.Context, url, plan string, th pgcheck.Thresholds, resolver string) (*checkup.PostgresPart, error) {
	if url != "" {
		// The password of a URL given on the command line is a secret too.
		f.Redactor.AddConfigVars(map[string]*string{"DATABASE_URL": &url})
	}
	sess := pgcheck.Session{Env: f.Env}
	if resolver != "" {
		res, err := f.resolver(ctx, resolver)
		if err != nil {
			return nil, err
		}
		sess.LookupFunc = res.LookupHost
	}
	return &checkup.PostgresPart{DatabaseURL: url, Plan: plan, Thresholds: th, Now: f.Now, Session: sess}, nil
}
