// Package herokutest is a fake Heroku Platform API on loopback for tests and
// the sandbox. It answers only GET (and the log-session POST): the tool is
// read-only, and any other method is reported as a failure. Its answers are
// heroku-go types marshalled to JSON, checked against the API schema by
// this package's tests.
package herokutest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	hk "github.com/heroku/heroku-go/v6"
)

// Reporter receives protocol violations: *testing.T in tests, a logger in
// the sandbox.
type Reporter interface {
	Errorf(format string, args ...any)
}

// AppFixture is everything the fake knows about one app.
type AppFixture struct {
	App             hk.App
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
	// LogLines are served by the log session, one per line, in logplex
	// format; for a Fir app (App.Generation.Name "fir") as server-sent
	// events, and the stream never ends, as Fir's sessions always tail.
	LogLines []string
	// LogSessionRefusal, when set, is the API's answer to a log-session
	// request: what an app in a Shield space with Private Space Logging gets.
	LogSessionRefusal *Refusal
}

// Refusal is an error answer of the API.
type Refusal struct {
	Status      int
	ID, Message string
}

// LogSessionRequest is what a client sent to open a log session.
type LogSessionRequest struct {
	App, Accept string
	Body        map[string]any
}

// Options shape the fake's behaviour.
type Options struct {
	Token string
	// Latency is added to every API request (not to log streams).
	Latency time.Duration
	// LogLatency is added before a log stream's first byte.
	LogLatency time.Duration
	// RateLimitRemaining is sent in RateLimit-Remaining (default 4500).
	RateLimitRemaining int
}

// Server is the fake Platform API.
type Server struct {
	*httptest.Server
	opts     Options
	reporter Reporter

	mu        sync.Mutex
	apps      map[string]*AppFixture
	teams     map[string][]string
	stacks    []hk.Stack
	hang      []*regexp.Regexp
	hangLogs  bool
	fail      map[string]int
	calls     map[string]int
	userAgent []string
	paths     []string
	requests  int
	sessions  []LogSessionRequest
}

// New starts a fake API on 127.0.0.1. Close it when done.
func New(r Reporter, opts Options) *Server {
	if opts.RateLimitRemaining == 0 {
		opts.RateLimitRemaining = 4500
	}
	s := &Server{
		opts:     opts,
		reporter: r,
		apps:     map[string]*AppFixture{},
		teams:    map[string][]string{},
		stacks:   DefaultStacks(),
		fail:     map[string]int{},
		calls:    map[string]int{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddApp registers an app fixture (by name and by ID).
func (s *Server) AddApp(f *AppFixture) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[f.App.Name] = f
	if f.App.ID != "" {
		s.apps[f.App.ID] = f
	}
}

// AddTeam registers a team and the names of its apps.
func (s *Server) AddTeam(team string, apps ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teams[team] = apps
}

// Hang makes requests whose path matches re never answer (until the client
// gives up): a hung API endpoint.
func (s *Server) Hang(re string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = append(s.hang, regexp.MustCompile(re))
}

// HangLogs makes log streams send their lines and then never end.
func (s *Server) HangLogs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangLogs = true
}

// FailNext makes the next n requests to path answer status (e.g. 503 or 429).
func (s *Server) FailNext(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] += n
}

// Calls returns how often each route (e.g. "GET /apps/{app}/dynos") was answered.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Requests is the number of API requests received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// LogSessionRequests returns every log-session request received.
func (s *Server) LogSessionRequests() []LogSessionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sessions)
}

// Paths returns the path of every API request as it was sent (escaped).
func (s *Server) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.paths)
}

// UserAgents returns the User-Agent of every API request.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.userAgent)
}

type apiError struct {
	ID      string `json:"id"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

var logSessionPath = regexp.MustCompile(`^/apps/[^/]+/log-sessions$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/log-stream/") {
		s.serveLogs(w, r)
		return
	}
	s.mu.Lock()
	s.requests++
	s.userAgent = append(s.userAgent, r.Header.Get("User-Agent"))
	s.paths = append(s.paths, r.URL.EscapedPath())
	latency := s.opts.Latency
	hang := slices.ContainsFunc(s.hang, func(re *regexp.Regexp) bool { return re.MatchString(r.URL.Path) })
	failN := s.fail[r.URL.Path]
	if failN > 0 {
		s.fail[r.URL.Path]--
	}
	remaining := s.opts.RateLimitRemaining
	s.mu.Unlock()

	if r.Method != http.MethodGet && !(r.Method == http.MethodPost && logSessionPath.MatchString(r.URL.Path)) {
		s.reporter.Errorf("fake Platform API: %s %s: heroku-checkup must only read (GET, and POST log-sessions)", r.Method, r.URL.Path)
		writeJSON(w, http.StatusMethodNotAllowed, apiError{"method_not_allowed", "heroku-checkup is read-only"})
		return
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	if hang {
		<-r.Context().Done()
		return
	}
	w.Header().Set("RateLimit-Remaining", fmt.Sprint(remaining))
	if !strings.Contains(r.Header.Get("Accept"), "application/vnd.heroku+json; version=3") {
		writeJSON(w, http.StatusBadRequest, apiError{"bad_request", "Accept: application/vnd.heroku+json; version=3 is required"})
		return
	}
	if s.opts.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
		writeJSON(w, http.StatusUnauthorized, apiError{"unauthorized", "Invalid credentials provided."})
		return
	}
	if failN > 0 {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"service_unavailable", "temporarily unavailable"})
		return
	}
	route, status, body := s.route(r)
	s.mu.Lock()
	s.calls[route]++
	s.mu.Unlock()
	writeJSON(w, status, body)
}

// route answers one API request: the route name, the status and the body.
func (s *Server) route(r *http.Request) (string, int, any) {
	// Segments as sent: an escaped "/" inside one stays inside it.
	parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	for i, p := range parts {
		if u, err := url.PathUnescape(p); err == nil {
			parts[i] = u
		}
	}
	notFound := func(what string) (string, int, any) {
		return "404 " + r.URL.Path, http.StatusNotFound, apiError{"not_found", "Couldn't find that " + what + "."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(parts) == 1 && parts[0] == "stacks":
		return "GET /stacks", 200, s.stacks
	case len(parts) == 2 && parts[0] == "stacks":
		for _, st := range s.stacks {
			if st.Name == parts[1] || st.ID == parts[1] {
				return "GET /stacks/{stack}", 200, st
			}
		}
		return notFound("stack")
	case len(parts) == 3 && parts[0] == "teams" && parts[2] == "apps":
		names, ok := s.teams[parts[1]]
		if !ok {
			return notFound("team")
		}
		out := []hk.TeamApp{}
		for _, n := range names {
			if f, ok := s.apps[n]; ok {
				out = append(out, teamApp(f.App))
			}
		}
		return "GET /teams/{team}/apps", 200, out
	case len(parts) >= 2 && parts[0] == "apps":
		f, ok := s.apps[parts[1]]
		if !ok {
			return notFound("app")
		}
		if len(parts) == 2 {
			return "GET /apps/{app}", 200, f.App
		}
		if len(parts) != 3 {
			return notFound("resource")
		}
		name := "GET /apps/{app}/" + parts[2]
		switch parts[2] {
		case "dynos":
			return name, 200, orEmpty(f.Dynos)
		case "formation":
			return name, 200, orEmpty(f.Formation)
		case "releases":
			return name, 200, orEmpty(f.Releases)
		case "domains":
			return name, 200, orEmpty(f.Domains)
		case "sni-endpoints":
			return name, 200, orEmpty(f.SniEndpoints)
		case "addons":
			return name, 200, orEmpty(f.AddOns)
		case "config-vars":
			if f.ConfigVars == nil {
				return name, 200, map[string]*string{}
			}
			return name, 200, f.ConfigVars
		case "log-drains":
			return name, 200, orEmpty(f.LogDrains)
		case "telemetry-drains":
			return name, 200, orEmpty(f.TelemetryDrains)
		case "features":
			return name, 200, orEmpty(f.Features)
		case "log-sessions":
			req := LogSessionRequest{App: f.App.Name, Accept: r.Header.Get("Accept")}
			json.NewDecoder(r.Body).Decode(&req.Body)
			s.sessions = append(s.sessions, req)
			// A Fir app's session ignores lines and tail (the Heroku CLI's
			// logs --num: "ignored for Fir generation apps"; --tail: "always
			// enabled"): it always tails, with no history. Tests read the
			// requests to see what was sent.
			if x := f.LogSessionRefusal; x != nil {
				return "POST /apps/{app}/log-sessions", x.Status, apiError{x.ID, x.Message}
			}
			now := time.Now().UTC().Truncate(time.Second)
			return "POST /apps/{app}/log-sessions", 201, hk.LogSession{
				ID: "7b8b2b0e-8a4a-4f8f-9b1a-5d1f0a3c2e11", CreatedAt: now, UpdatedAt: now,
				LogplexURL: s.URL + "/log-stream/" + f.App.Name + "?srv=1700000000",
			}
		}
		return notFound("resource")
	}
	return notFound("resource")
}

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func teamApp(a hk.App) hk.TeamApp {
	t := hk.TeamApp{
		ArchivedAt: a.ArchivedAt, BuildStack: a.BuildStack, BuildpackProvidedDescription: a.BuildpackProvidedDescription,
		CreatedAt: a.CreatedAt, GitURL: a.GitURL, ID: a.ID, InternalRouting: a.InternalRouting, Joined: true,
		Maintenance: a.Maintenance, Name: a.Name, Region: a.Region, ReleasedAt: a.ReleasedAt, RepoSize: a.RepoSize,
		SlugSize: a.SlugSize, Stack: a.Stack, UpdatedAt: a.UpdatedAt, WebURL: a.WebURL,
	}
	t.Owner = &struct {
		Email string `json:"email" url:"email,key"`
		ID    string `json:"id" url:"id,key"`
	}{Email: a.Owner.Email, ID: a.Owner.ID}
	if a.Team != nil {
		t.Team = &struct {
			Name string `json:"name" url:"name,key"`
		}{Name: a.Team.Name}
	}
	return t
}

// serveLogs streams an app's log lines as logplex does: plain text, one
// line each, then the end of the body (no tail).
func (s *Server) serveLogs(w http.ResponseWriter, r *http.Request) {
	app := strings.TrimPrefix(r.URL.Path, "/log-stream/")
	s.mu.Lock()
	f, ok := s.apps[app]
	hang := s.hangLogs
	latency := s.opts.LogLatency
	s.calls["GET /log-stream/{app}"]++
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		s.reporter.Errorf("fake log stream: %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "" {
		s.reporter.Errorf("fake log stream: the API token was sent to the log stream URL")
	}
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	fir := f.App.Generation.Name == "fir"
	if fir {
		// As the Heroku CLI's tests serve a session: one event per line.
		w.Header().Set("Content-Type", "text/event-stream")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	bw := bufio.NewWriter(w)
	for i, l := range f.LogLines {
		if fir {
			fmt.Fprintf(bw, "id: %d\ndata: %s\n\n\n", 1000+i, l)
			continue
		}
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	bw.Flush()
	if hang || fir {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		<-r.Context().Done()
	}
}

// App returns the fixture of a registered app, to change it in a test.
func (s *Server) App(name string) *AppFixture {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apps[name]
}
