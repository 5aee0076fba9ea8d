package herokutest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type recorder struct{ msgs []string }

func (r *recorder) Errorf(format string, args ...any) { r.msgs = append(r.msgs, format) }

func get(t *testing.T, s *Server, method, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, nil)
	req.Header.Set("Accept", "application/vnd.heroku+json; version=3")
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestFixturesMatchAPISchema answers every route the fake serves and checks
// each body against the targetSchema of the Platform API link it stands for,
// from heroku-go's schema.json: the fake cannot drift from Heroku.
func TestFixturesMatchAPISchema(t *testing.T) {
	path, err := SchemaPath()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	s := New(t, Options{Token: "tok"})
	defer s.Close()
	f := SampleApp("acme-prod", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	f.LogDrains = SampleLogDrains("acme-prod")
	f.SniEndpoints = SampleSniEndpoints("acme-prod", time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	f.TelemetryDrains = SampleTelemetryDrains("acme-prod")
	s.AddApp(f)
	s.AddTeam("acme", "acme-prod")

	routes := append(AppRoutes("acme-prod"), "/apps/"+f.App.ID, "/stacks", "/stacks/heroku-24", "/teams/acme/apps", "/apps/acme-prod/log-sessions")
	for _, err := range schema.CheckRoutes(s.URL, "tok", routes) {
		t.Error(err)
	}
}

// TestSchemaValidatorCatchesDrift proves the validator is not a rubber stamp.
func TestSchemaValidatorCatchesDrift(t *testing.T) {
	path, err := SchemaPath()
	if err != nil {
		t.Fatal(err)
	}
	schema, err := LoadSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := []string{
		`[{"id":"not-a-uuid","name":"web.1","state":"up"}]`,
		`[{"id":"01234567-89ab-cdef-0123-456789abcdef","name":7}]`,
		`[{"id":"01234567-89ab-cdef-0123-456789abcdef","invented_field":true}]`,
		`{"not":"an array"}`,
	}
	for _, b := range bad {
		if err := schema.ValidateResponse("GET", "/apps/x/dynos", []byte(b)); err == nil {
			t.Errorf("validator accepted %s", b)
		}
	}
	if err := schema.ValidateResponse("GET", "/apps/x/releases", []byte(`[{"status":"exploded"}]`)); err == nil {
		t.Error("validator accepted a release status outside the enum")
	}
	if err := schema.ValidateResponse("GET", "/nowhere", []byte(`{}`)); err == nil {
		t.Error("validator accepted a route the API does not have")
	}
}

func TestFakeIsReadOnly(t *testing.T) {
	rec := &recorder{}
	s := New(rec, Options{Token: "tok"})
	defer s.Close()
	s.AddApp(SampleApp("acme-prod", time.Now()))
	for _, m := range []string{"DELETE", "PATCH", "PUT", "POST"} {
		status, _ := get(t, s, m, "/apps/acme-prod/dynos")
		if status != http.StatusMethodNotAllowed {
			t.Errorf("%s answered %d", m, status)
		}
	}
	if len(rec.msgs) != 4 {
		t.Errorf("writes reported %d times, want 4", len(rec.msgs))
	}
}

func TestFakeAuthAndNotFound(t *testing.T) {
	s := New(t, Options{Token: "right"})
	defer s.Close()
	s.AddApp(SampleApp("acme-prod", time.Now()))
	status, body := get(t, s, "GET", "/apps/acme-prod") // sends "tok"
	if status != 401 || !strings.Contains(string(body), "unauthorized") {
		t.Errorf("wrong token: %d %s", status, body)
	}
	s2 := New(t, Options{Token: "tok"})
	defer s2.Close()
	if status, _ := get(t, s2, "GET", "/apps/nope"); status != 404 {
		t.Errorf("unknown app: %d", status)
	}
}

func TestLogStreamServesLines(t *testing.T) {
	s := New(t, Options{Token: "tok"})
	defer s.Close()
	f := SampleApp("acme-prod", time.Now())
	f.LogLines = []string{"line one", "line two"}
	s.AddApp(f)
	resp, err := http.Get(s.URL + "/log-stream/acme-prod")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "line one\nline two\n" {
		t.Errorf("log stream = %q", b)
	}
}
