package platform

import (
	"context"
	"net/url"
	"strings"
	"sync"

	hk "github.com/heroku/heroku-go/v6"
)

// Snapshot is what the Platform API said about one app. A resource that
// could not be read has its error in Errs, and the rules that need it say
// unknown instead of guessing.
type Snapshot struct {
	Name            string
	App             *hk.App
	Stack           *hk.Stack
	Dynos           []hk.Dyno
	Formation       []hk.Formation
	Releases        []hk.Release
	Domains         []hk.Domain
	SniEndpoints    []hk.SniEndpoint
	AddOns          []hk.AddOn
	ConfigVars      map[string]*string
	LogDrains       []hk.LogDrain
	TelemetryDrains []hk.TelemetryDrain
	Features        []hk.AppFeature
	Errs            map[Resource]error
	Read            map[Resource]bool

	// While a collection runs, its reads land under mu and each resource's
	// channel closes when it is in: a check starts as soon as what it needs
	// is there, not when the slowest read ends.
	mu    sync.RWMutex
	ready map[Resource]chan struct{}
}

// Has tells whether r was read successfully.
func (s *Snapshot) Has(r Resource) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.Read[r] && s.Errs[r] == nil
}

// Err is the error reading r, nil if it was read (or not asked for).
func (s *Snapshot) Err(r Resource) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.Errs[r]
}

// Wait returns when every resource rs is in (read or failed), or ctx ends.
// A literal snapshot (tests) is always complete.
func (s *Snapshot) Wait(ctx context.Context, rs ...Resource) error {
	for _, r := range rs {
		ch, ok := s.ready[r]
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// IsFir tells whether the app runs on the Fir generation (the app's
// generation.name in the Platform API, schema.json), where there is no
// Logplex and no log history, dynos are named web-1234abcde-123ab, the
// sizes are not Cedar's, and labs features and stacks do not apply.
func (s *Snapshot) IsFir() bool {
	return s.App != nil && s.App.Generation.Name == "fir"
}

// DefaultDomain is the app's own herokuapp.com host name: the domain of
// kind heroku, else the host of its web_url. Newer apps have a suffix
// (acme-prod-0123456789ab.herokuapp.com), so APP.herokuapp.com is not a
// name to print. Empty when the API said neither.
func (s *Snapshot) DefaultDomain() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.Domains {
		if d.Kind == "heroku" && d.Hostname != "" {
			return strings.ToLower(d.Hostname)
		}
	}
	if s.App != nil && s.App.WebURL != nil {
		if u, err := url.Parse(*s.App.WebURL); err == nil && u.Hostname() != "" {
			return strings.ToLower(u.Hostname())
		}
	}
	return ""
}

// CustomDomains are the app's domains of kind custom.
func (s *Snapshot) CustomDomains() []hk.Domain {
	var out []hk.Domain
	for _, d := range s.Domains {
		if d.Kind == "custom" {
			out = append(out, d)
		}
	}
	return out
}

// ReadConfigVars returns the config vars under the snapshot's lock (a
// collection may still be writing other resources).
func (s *Snapshot) ReadConfigVars() map[string]*string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ConfigVars
}

// ReadReleases returns the releases under the snapshot's lock.
func (s *Snapshot) ReadReleases() []hk.Release {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.Releases
}

// PostgresAddOn is a Heroku Postgres add-on and the config vars it sets.
type PostgresAddOn struct {
	ID         string
	Name       string
	Plan       string
	ConfigVars []string
}

// PostgresAddOns lists the app's Heroku Postgres add-ons.
func (s *Snapshot) PostgresAddOns() []PostgresAddOn {
	var out []PostgresAddOn
	for _, a := range s.AddOns {
		if a.AddonService.Name == "heroku-postgresql" {
			out = append(out, PostgresAddOn{ID: a.ID, Name: a.Name, Plan: a.Plan.Name, ConfigVars: a.ConfigVars})
		}
	}
	return out
}
