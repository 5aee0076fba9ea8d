package herokutest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// DataServer is a fake Heroku Data API on loopback: the endpoints the
// Heroku CLI's pg:info, pg:backups, pg:backups:schedules, data:maintenances,
// data:pg:info and redis:info read, answering with the CLI's shapes (the
// fixtures in data_fixtures.go say where each comes from). It answers only
// GET; anything else fails the test (the tool never writes).
type DataServer struct {
	*httptest.Server
	token    string
	reporter Reporter

	mu           sync.Mutex
	databases    map[string]any // /client/v11/databases/{addon id}
	schedules    map[string]any // /client/v11/databases/{addon id}/transfer-schedules
	transfers    map[string]any // /client/v11/apps/{app name}/transfers
	maintenances map[string]any // /data/maintenances/v1/apps/{app uuid}
	advanced     map[string]any // /data/postgres/v1/{addon id}/info
	redis        map[string]any // /redis/v0/databases/{addon name or id}
	status       map[string]dataStatus
	hang         []*regexp.Regexp
	fail         map[string]int
	calls        map[string]int
	auth         []string
}

type dataStatus struct {
	code int
	body any
}

// NewData starts a fake Data API on 127.0.0.1 that wants token (none: any).
func NewData(r Reporter, token string) *DataServer {
	s := &DataServer{token: token, reporter: r,
		databases: map[string]any{}, schedules: map[string]any{}, transfers: map[string]any{},
		maintenances: map[string]any{}, advanced: map[string]any{}, redis: map[string]any{},
		status: map[string]dataStatus{}, fail: map[string]int{}, calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddDatabase serves body (a fixture or raw JSON) as pg:info's database.
func (s *DataServer) AddDatabase(addonID string, body any) { s.put(s.databases, addonID, body) }

// AddSchedules serves a database's backup schedules.
func (s *DataServer) AddSchedules(addonID string, body any) { s.put(s.schedules, addonID, body) }

// AddTransfers serves an app's transfers (backups, restores, copies).
func (s *DataServer) AddTransfers(app string, body any) { s.put(s.transfers, app, body) }

// AddMaintenances serves an app's maintenances, by the app's UUID.
func (s *DataServer) AddMaintenances(appID string, body any) { s.put(s.maintenances, appID, body) }

// AddAdvanced serves an Advanced-tier database's data:pg:info.
func (s *DataServer) AddAdvanced(addonID string, body any) { s.put(s.advanced, addonID, body) }

// AddRedis serves a Redis add-on's redis:info under its name and its id,
// as the real API does (redis:info asks by name, redis:cli by id).
func (s *DataServer) AddRedis(name, id string, body any) {
	s.put(s.redis, name, body)
	if id != "" {
		s.put(s.redis, id, body)
	}
}

// Status makes path answer code with body (nil: an empty body, as the
// CLI's tests serve their 404s).
func (s *DataServer) Status(path string, code int, body any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status[path] = dataStatus{code, body}
}

// Hang makes requests whose path matches re never answer.
func (s *DataServer) Hang(re string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = append(s.hang, regexp.MustCompile(re))
}

// FailNext makes the next n requests to path answer 503.
func (s *DataServer) FailNext(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[path] += n
}

// Calls returns how often each route was answered ("GET /redis/v0/databases/{name}").
func (s *DataServer) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls)
}

// Authorizations returns the Authorization header of every request.
func (s *DataServer) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.auth)
}

func (s *DataServer) put(m map[string]any, key string, body any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m[key] = body
}

// Recorder is a Reporter that keeps the violations instead of failing a
// test: the sandbox's, and a test's that provokes one on purpose.
type Recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *Recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// Messages returns the violations seen so far.
func (r *Recorder) Messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}

// dataRoutes are the Data API's GET routes the tool reads.
var dataRoutes = []struct {
	name string
	re   *regexp.Regexp
}{
	{"GET /client/v11/databases/{id}/transfer-schedules", regexp.MustCompile(`^/client/v11/databases/([^/]+)/transfer-schedules$`)},
	{"GET /client/v11/databases/{id}", regexp.MustCompile(`^/client/v11/databases/([^/]+)$`)},
	{"GET /client/v11/apps/{app}/transfers", regexp.MustCompile(`^/client/v11/apps/([^/]+)/transfers$`)},
	{"GET /data/maintenances/v1/apps/{app id}", regexp.MustCompile(`^/data/maintenances/v1/apps/([^/]+)$`)},
	{"GET /data/postgres/v1/{id}/info", regexp.MustCompile(`^/data/postgres/v1/([^/]+)/info$`)},
	{"GET /redis/v0/databases/{name}", regexp.MustCompile(`^/redis/v0/databases/([^/]+)$`)},
}

func (s *DataServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	hang := slices.ContainsFunc(s.hang, func(re *regexp.Regexp) bool { return re.MatchString(r.URL.Path) })
	forced, isForced := s.status[r.URL.Path]
	failN := s.fail[r.URL.Path]
	if failN > 0 {
		s.fail[r.URL.Path]--
	}
	s.mu.Unlock()

	if r.Method != http.MethodGet {
		s.reporter.Errorf("fake Data API: %s %s: heroku-checkup must only read (GET)", r.Method, r.URL.Path)
		writeJSON(w, http.StatusMethodNotAllowed, apiError{"method_not_allowed", "heroku-checkup is read-only"})
		return
	}
	if hang {
		<-r.Context().Done()
		return
	}
	if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
		// The Data API answers a bad token as the Platform API does.
		writeJSON(w, http.StatusUnauthorized, apiError{"unauthorized", "Invalid credentials provided."})
		return
	}
	if failN > 0 {
		s.count("503 " + r.URL.Path)
		writeJSON(w, http.StatusServiceUnavailable, apiError{"server_error", "Internal Server Error"})
		return
	}
	if isForced {
		s.count("forced " + r.URL.Path)
		writeBody(w, forced.code, forced.body)
		return
	}
	for _, rt := range dataRoutes {
		m := rt.re.FindStringSubmatch(r.URL.Path)
		if m == nil {
			continue
		}
		key := m[1]
		s.mu.Lock()
		var body any
		var ok bool
		switch {
		case strings.HasSuffix(rt.name, "transfer-schedules"):
			body, ok = s.schedules[key]
			if !ok {
				_, known := s.databases[key]
				body, ok = []any{}, known // a known database without schedules: pg:backups:schedules' "[]"
			}
		case strings.HasPrefix(rt.name, "GET /client/v11/databases/"):
			body, ok = s.databases[key]
		case strings.HasSuffix(rt.name, "/transfers"):
			body, ok = s.transfers[key]
			if !ok {
				body, ok = []any{}, true
			}
		case strings.HasPrefix(rt.name, "GET /data/maintenances/"):
			body, ok = s.maintenances[key]
			if !ok {
				body, ok = map[string]any{"maintenances": []any{}}, true
			}
		case strings.HasPrefix(rt.name, "GET /data/postgres/"):
			body, ok = s.advanced[key]
		case strings.HasPrefix(rt.name, "GET /redis/"):
			body, ok = s.redis[key]
		}
		if ok {
			s.calls[rt.name]++
		} else {
			s.calls["404 "+rt.name]++
		}
		s.mu.Unlock()
		if !ok {
			// The CLI's tests answer unknown /client/v11 and /redis
			// resources with a bare 404 (pg/info.unit.test.ts:L125-146,
			// redis/info.unit.test.ts:L84-99); the /data APIs with a body
			// (data/pg/credentials/index.unit.test.ts:L115-119).
			if strings.HasPrefix(r.URL.Path, "/data/") {
				writeJSON(w, http.StatusNotFound, apiError{"not_found", "Addon " + key + " not found"})
			} else {
				w.WriteHeader(http.StatusNotFound)
			}
			return
		}
		writeBody(w, http.StatusOK, body)
		return
	}
	s.count("404 " + r.URL.Path)
	writeJSON(w, http.StatusNotFound, apiError{"not_found", "not found"})
}

func (s *DataServer) count(route string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[route]++
}

// writeBody writes a fixture: raw JSON (json.RawMessage or string) as is,
// anything else marshalled; nil is an empty body.
func writeBody(w http.ResponseWriter, status int, body any) {
	switch b := body.(type) {
	case nil:
		w.WriteHeader(status)
	case json.RawMessage:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(b)
	case string:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(b))
	default:
		writeJSON(w, status, b)
	}
}
