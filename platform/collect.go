// Package platform is the Platform API family: it reads what the API says
// about an app into a snapshot (dynos, formation, releases, stack, domains,
// SNI endpoints, add-ons, config vars, drains, features) and judges it with
// pure rules. The other families read parts of the same snapshot through
// the checkup engine.
package platform

import (
	"context"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/internal/safe"
)

// API is the part of heroku-go's Service the checkup reads. heroku.Client
// satisfies it; so does anything a test wants to put in its place.
type API interface {
	AppInfo(ctx context.Context, app string) (*hk.App, error)
	DynoList(ctx context.Context, app string, lr *hk.ListRange) (hk.DynoListResult, error)
	FormationList(ctx context.Context, app string, lr *hk.ListRange) (hk.FormationListResult, error)
	ReleaseList(ctx context.Context, app string, lr *hk.ListRange) (hk.ReleaseListResult, error)
	DomainList(ctx context.Context, app string, lr *hk.ListRange) (hk.DomainListResult, error)
	SniEndpointList(ctx context.Context, app string, lr *hk.ListRange) (hk.SniEndpointListResult, error)
	AddOnListByApp(ctx context.Context, app string, lr *hk.ListRange) (hk.AddOnListByAppResult, error)
	ConfigVarInfoForApp(ctx context.Context, app string) (hk.ConfigVarInfoForAppResult, error)
	LogDrainList(ctx context.Context, app string, lr *hk.ListRange) (hk.LogDrainListResult, error)
	TelemetryDrainListByApp(ctx context.Context, app string, lr *hk.ListRange) (hk.TelemetryDrainListByAppResult, error)
	AppFeatureList(ctx context.Context, app string, lr *hk.ListRange) (hk.AppFeatureListResult, error)
	StackInfo(ctx context.Context, stack string) (*hk.Stack, error)
	LogSessionCreate(ctx context.Context, app string, o hk.LogSessionCreateOpts) (*hk.LogSession, error)
	TeamAppListByTeam(ctx context.Context, team string, lr *hk.ListRange) (hk.TeamAppListByTeamResult, error)
}

// Resource names a part of the snapshot.
type Resource string

const (
	ResApp             Resource = "app"
	ResDynos           Resource = "dynos"
	ResFormation       Resource = "formation"
	ResReleases        Resource = "releases"
	ResDomains         Resource = "domains"
	ResSniEndpoints    Resource = "sni-endpoints"
	ResAddOns          Resource = "addons"
	ResConfigVars      Resource = "config-vars"
	ResLogDrains       Resource = "log-drains"
	ResTelemetryDrains Resource = "telemetry-drains"
	ResFeatures        Resource = "features"
	ResStack           Resource = "stack" // the app's stack, read after the app
)

// AllResources is what diagnose reads.
var AllResources = []Resource{ResApp, ResStack, ResDynos, ResFormation, ResReleases, ResDomains, ResSniEndpoints,
	ResAddOns, ResConfigVars, ResLogDrains, ResTelemetryDrains, ResFeatures}

// listRange asks for up to 1000 items in one page (the API's default is 200).
func listRange() *hk.ListRange { return &hk.ListRange{Field: "id", Max: 1000} }

// Collect reads the resources of app concurrently, each call bounded by
// callTimeout, and returns when every one is in.
func Collect(ctx context.Context, api API, app string, need []Resource, callTimeout time.Duration) *Snapshot {
	s := StartCollect(ctx, api, app, need, callTimeout)
	s.Wait(ctx, need...)
	return s
}

// StartCollect starts the reads and returns at once; Wait tells when a
// resource is in.
func StartCollect(ctx context.Context, api API, app string, need []Resource, callTimeout time.Duration) *Snapshot {
	s := &Snapshot{Name: app, Errs: map[Resource]error{}, Read: map[Resource]bool{}, ready: map[Resource]chan struct{}{}}
	for _, r := range need {
		s.ready[r] = make(chan struct{})
	}
	done := func(r Resource, err error) {
		s.mu.Lock()
		s.Read[r] = true
		if err != nil {
			s.Errs[r] = err
		}
		s.mu.Unlock()
		if ch, ok := s.ready[r]; ok {
			close(ch)
		}
	}
	call := func(r Resource, fn func(ctx context.Context) error) {
		go func() {
			cctx, cancel := context.WithTimeout(ctx, callTimeout)
			defer cancel()
			var err error
			func() {
				// A panic reading a resource (decoding an odd answer) is
				// that resource's error, not the end of the process.
				defer func() {
					if p := recover(); p != nil {
						err = safe.Error(p)
					}
				}()
				err = fn(cctx)
			}()
			done(r, err)
		}()
	}
	set := func(f func()) { s.mu.Lock(); f(); s.mu.Unlock() }
	wants := func(r Resource) bool { _, ok := s.ready[r]; return ok }
	for _, r := range need {
		switch r {
		case ResApp:
			call(r, func(cctx context.Context) error {
				a, err := api.AppInfo(cctx, app)
				if err != nil {
					if wants(ResStack) {
						done(ResStack, err)
					}
					return err
				}
				set(func() { s.App = a })
				if wants(ResStack) {
					// The stack's state (deprecated or not) is the API's own word;
					// it needs the app's answer first, so it is read in its wake,
					// under the run's context (the app call's ends with it).
					go func() {
						sctx, cancel := context.WithTimeout(ctx, callTimeout)
						defer cancel()
						var err error
						defer func() {
							if p := recover(); p != nil {
								done(ResStack, safe.Error(p))
							}
						}()
						if a.Stack.Name != "" {
							var st *hk.Stack
							if st, err = api.StackInfo(sctx, a.Stack.Name); err == nil {
								set(func() { s.Stack = st })
							}
						}
						done(ResStack, err)
					}()
				}
				return nil
			})
		case ResStack:
			if !wants(ResApp) {
				done(ResStack, nil)
			}
		case ResDynos:
			call(r, func(ctx context.Context) error {
				v, err := api.DynoList(ctx, app, listRange())
				set(func() { s.Dynos = v })
				return err
			})
		case ResFormation:
			call(r, func(ctx context.Context) error {
				v, err := api.FormationList(ctx, app, listRange())
				set(func() { s.Formation = v })
				return err
			})
		case ResReleases:
			call(r, func(ctx context.Context) error {
				// Newest first: the latest and current releases are what matter.
				v, err := api.ReleaseList(ctx, app, &hk.ListRange{Field: "version", Max: 20, Descending: true})
				set(func() { s.Releases = v })
				return err
			})
		case ResDomains:
			call(r, func(ctx context.Context) error {
				v, err := api.DomainList(ctx, app, listRange())
				set(func() { s.Domains = v })
				return err
			})
		case ResSniEndpoints:
			call(r, func(ctx context.Context) error {
				v, err := api.SniEndpointList(ctx, app, listRange())
				set(func() { s.SniEndpoints = v })
				return err
			})
		case ResAddOns:
			call(r, func(ctx context.Context) error {
				v, err := api.AddOnListByApp(ctx, app, listRange())
				set(func() { s.AddOns = v })
				return err
			})
		case ResConfigVars:
			call(r, func(ctx context.Context) error {
				v, err := api.ConfigVarInfoForApp(ctx, app)
				set(func() { s.ConfigVars = v })
				return err
			})
		case ResLogDrains:
			call(r, func(ctx context.Context) error {
				v, err := api.LogDrainList(ctx, app, listRange())
				set(func() { s.LogDrains = v })
				return err
			})
		case ResTelemetryDrains:
			call(r, func(ctx context.Context) error {
				v, err := api.TelemetryDrainListByApp(ctx, app, listRange())
				set(func() { s.TelemetryDrains = v })
				return err
			})
		case ResFeatures:
			call(r, func(ctx context.Context) error {
				v, err := api.AppFeatureList(ctx, app, listRange())
				set(func() { s.Features = v })
				return err
			})
		default:
			done(r, nil)
		}
	}
	return s
}
