package heroku

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
)

func TestAPIURL(t *testing.T) {
	cases := []struct {
		in, want string
		bad      bool
	}{
		{"", "https://api.heroku.com", false},
		{"heroku.com", "https://api.heroku.com", false},
		{"staging.herokudev.heroku.com", "https://api.staging.herokudev.heroku.com", false},
		{"https://api.staging.heroku.com/", "https://api.staging.heroku.com", false}, // the trailing slash goes
		{"http://127.0.0.1:5000", "http://127.0.0.1:5000", false},
		{"https://[::1]:8443", "https://[::1]:8443", false},
		{"http://localhost:9000", "http://localhost:9000", false},
		{"http://api.heroku.com", "", true},           // the token never goes in clear to a remote host
		{"https://api.evil.example", "", true},        // not Heroku
		{"https://heroku.com.evil.example", "", true}, // suffix trick
		{"evil.example", "", true},
		{"https://user:pw@api.heroku.com", "", true},
		{"http://", "", true},
		{"https://api.heroku.com?x=1", "", true},
		{"ftp://api.heroku.com", "", true},
		// The Heroku CLI's other domains (ALLOWED_HEROKU_DOMAINS): Private Spaces, staging, internal.
		{"herokuspace.com", "https://api.herokuspace.com", false},
		{"herokudev.com", "https://api.herokudev.com", false},
		{"https://api.staging.herokai.com", "https://api.staging.herokai.com", false},
		{"http://api.herokudev.com", "", true},           // never in clear
		{"https://herokudev.com.evil.example", "", true}, // suffix trick on the others too
		{"https://evilherokuspace.com", "", true},        // a label, not a suffix
		{"http://127.0.0.1.evil.example", "", true},      // passes the CLI's substring test, not ours
	}
	for _, c := range cases {
		u, err := APIURL(c.in)
		if c.bad {
			var he *HostError
			if !errors.As(err, &he) {
				t.Errorf("APIURL(%q) = %v, %v; want a HostError", c.in, u, err)
			}
			continue
		}
		if err != nil || u.String() != c.want {
			t.Errorf("APIURL(%q) = %v, %v; want %s", c.in, u, err, c.want)
		}
	}
}

func envOf(m map[string]string) Env { return func(k string) string { return m[k] } }

func TestToken(t *testing.T) {
	dir := t.TempDir()
	netrc := filepath.Join(dir, "netrc")
	os.WriteFile(netrc, []byte("machine git.heroku.com\n  login a@b.c\n  password gitpw\nmachine api.heroku.com\n  login a@b.c\n  password netrc-token\n"), 0o600)

	if tok, err := Token(context.Background(), envOf(map[string]string{"HEROKU_API_KEY": "env-token"}), netrc, "api.heroku.com"); err != nil || tok != "env-token" {
		t.Errorf("HEROKU_API_KEY first: %q %v", tok, err)
	}
	if tok, err := Token(context.Background(), envOf(nil), netrc, "api.heroku.com"); err != nil || tok != "netrc-token" {
		t.Errorf("netrc: %q %v", tok, err)
	}
	_, err := Token(context.Background(), envOf(nil), netrc, "api.other.heroku.com")
	var ce *CredentialsError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "run heroku login or set HEROKU_API_KEY") {
		t.Errorf("no machine: %v", err)
	}
	if _, err := Token(context.Background(), envOf(nil), filepath.Join(dir, "missing"), "api.heroku.com"); !errors.As(err, &ce) {
		t.Errorf("missing netrc must be no token, got %v", err)
	}
	if got := NetrcPath(envOf(map[string]string{"NETRC": "/x/y"}), "/home/u"); got != "/x/y" {
		t.Errorf("NETRC ignored: %s", got)
	}
}

func TestNetrcMachines(t *testing.T) {
	cases := map[string][]string{
		"":                       {"api.heroku.com"},
		"herokuspace.com":        {"api.herokuspace.com"},
		"http://127.0.0.1:18999": {"127.0.0.1:18999", "127.0.0.1"}, // heroku login writes the port
		"https://[::1]:8443":     {"[::1]:8443", "::1"},
	}
	for in, want := range cases {
		u, err := APIURL(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := NetrcMachines(u); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("NetrcMachines(%q) = %v, want %v", in, got, want)
		}
	}
	// The machine as the Heroku CLI writes it for a loopback HEROKU_HOST with a port.
	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte("machine 127.0.0.1:18999\n  login a@b.c\n  password port-token\n"), 0o600)
	u, _ := APIURL("http://127.0.0.1:18999")
	if tok, err := Token(context.Background(), envOf(nil), netrc, NetrcMachines(u)...); err != nil || tok != "port-token" {
		t.Errorf("netrc machine with port: %q %v", tok, err)
	}
}

func TestGitHostsFrom(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		url  string
		app  string // empty: not a Heroku remote
	}{
		{"default https", nil, "https://git.heroku.com/acme.git", "acme"},
		{"HEROKU_GIT_HOST ssh", map[string]string{"HEROKU_GIT_HOST": "git.example-space.herokuspace.com"}, "git@git.example-space.herokuspace.com:acme.git", "acme"},
		{"HEROKU_GIT_HOST https", map[string]string{"HEROKU_GIT_HOST": "git.staging.herokudev.com"}, "https://git.staging.herokudev.com/acme.git", "acme"},
		{"HEROKU_HOST domain: ssh host", map[string]string{"HEROKU_HOST": "herokudev.com"}, "git@herokudev.com:acme.git", "acme"},
		{"HEROKU_HOST domain: git. for https", map[string]string{"HEROKU_HOST": "herokudev.com"}, "https://git.herokudev.com/acme.git", "acme"},
		{"HEROKU_HOST URL: its host", map[string]string{"HEROKU_HOST": "http://127.0.0.1:5000"}, "https://127.0.0.1:5000/acme.git", "acme"},
		{"heroku.com still known", map[string]string{"HEROKU_HOST": "herokudev.com"}, "git@heroku.com:acme.git", "acme"},
		{"invalid HEROKU_HOST adds nothing", map[string]string{"HEROKU_HOST": "evil.example"}, "https://git.evil.example/acme.git", ""},
		{"lookalike of a custom host", map[string]string{"HEROKU_GIT_HOST": "git.herokudev.com"}, "https://git.herokudev.com.evil.example/acme.git", ""},
	}
	for _, c := range cases {
		app, ok := GitHostsFrom(envOf(c.env)).AppFromGitURL(c.url)
		if app != c.app || ok != (c.app != "") {
			t.Errorf("%s: AppFromGitURL(%q) = %q %v, want %q", c.name, c.url, app, ok, c.app)
		}
	}
}

func TestParseGitRemotes(t *testing.T) {
	cases := []struct {
		name string
		out  string
		want []Remote
	}{
		{"https", "heroku\thttps://git.heroku.com/acme-prod.git (fetch)\nheroku\thttps://git.heroku.com/acme-prod.git (push)\n",
			[]Remote{{"heroku", "acme-prod"}}},
		{"ssh scp form", "production\tgit@heroku.com:acme-prod.git (fetch)\n", []Remote{{"production", "acme-prod"}}},
		{"ssh url form", "prod\tssh://git@heroku.com/acme-prod.git (fetch)\n", []Remote{{"prod", "acme-prod"}}},
		{"no .git", "h\thttps://git.heroku.com/acme-prod (fetch)\n", []Remote{{"h", "acme-prod"}}},
		{"github ignored", "origin\tgit@github.com:acme/shop.git (fetch)\norigin\tgit@github.com:acme/shop.git (push)\n", nil},
		{"push-only ignored", "heroku\thttps://git.heroku.com/other.git (push)\n", nil},
		{"several", "origin\tgit@github.com:acme/shop.git (fetch)\nstaging\thttps://git.heroku.com/acme-staging.git (fetch)\nheroku\thttps://git.heroku.com/acme-prod.git (fetch)\n",
			[]Remote{{"staging", "acme-staging"}, {"heroku", "acme-prod"}}},
		{"lookalike host", "x\thttps://git.heroku.com.evil.example/acme.git (fetch)\n", nil},
		{"empty", "", nil},
	}
	for _, c := range cases {
		got := DefaultGitHosts.ParseGitRemotes(c.out)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func fakeGit(remotes, herokuRemote string) Git {
	return func(_ context.Context, args ...string) (string, error) {
		switch strings.Join(args, " ") {
		case "remote -v":
			if remotes == "" {
				return "", errors.New("not a git repository")
			}
			return remotes, nil
		case "config heroku.remote":
			if herokuRemote == "" {
				return "", errors.New("exit status 1")
			}
			return herokuRemote + "\n", nil
		}
		return "", errors.New("unexpected git call")
	}
}

func TestResolveApp(t *testing.T) {
	two := "staging\thttps://git.heroku.com/acme-staging.git (fetch)\nheroku\thttps://git.heroku.com/acme-prod.git (fetch)\n"
	one := "heroku\tgit@heroku.com:solo.git (fetch)\n"
	cases := []struct {
		name string
		in   AppInput
		want string
		err  string
	}{
		{"flag wins", AppInput{Flag: "acme-a", Env: envOf(map[string]string{"HEROKU_APP": "acme-b"}), Git: fakeGit(one, "")}, "acme-a", ""},
		{"env next", AppInput{Env: envOf(map[string]string{"HEROKU_APP": "acme-b"}), Git: fakeGit(one, "")}, "acme-b", ""},
		{"an app id", AppInput{Flag: "01234567-89ab-cdef-0123-456789abcdef"}, "01234567-89ab-cdef-0123-456789abcdef", ""},
		{"a path is no app", AppInput{Flag: "../account"}, "", `-a "../account" is not a Heroku app name`},
		{"nor from the environment", AppInput{Env: envOf(map[string]string{"HEROKU_APP": "acme/../../account"})}, "", `HEROKU_APP "acme/../../account"`},
		{"upper case", AppInput{Flag: "Acme-Prod"}, "", "lower case: acme-prod"},
		{"too long", AppInput{Flag: strings.Repeat("a", 31)}, "", "3 to 30"},
		{"remote flag", AppInput{Remote: "staging", Git: fakeGit(two, "")}, "acme-staging", ""},
		{"remote flag unknown", AppInput{Remote: "nope", Git: fakeGit(two, "")}, "", `git remote "nope"`},
		{"single remote", AppInput{Git: fakeGit(one, "")}, "solo", ""},
		{"heroku.remote narrows", AppInput{Git: fakeGit(two, "heroku")}, "acme-prod", ""},
		{"ambiguous lists apps", AppInput{Git: fakeGit(two, "")}, "", "acme-staging (remote staging), acme-prod (remote heroku)"},
		{"nothing", AppInput{Git: fakeGit("", "")}, "", "no app given"},
	}
	for _, c := range cases {
		got, err := ResolveApp(context.Background(), c.in)
		if c.err != "" {
			var ae *AppError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err = %v, want AppError containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func newTestClient(t *testing.T, url, token string) *Client {
	t.Helper()
	u, err := APIURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{APIURL: u, Token: token, UserAgent: "heroku-checkup/test",
		BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond,
		Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
}

func TestClientAgainstFakeAPI(t *testing.T) {
	s := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer s.Close()
	s.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
	c := newTestClient(t, s.URL, "tok")
	app, err := c.AppInfo(context.Background(), "acme-prod")
	if err != nil || app.Name != "acme-prod" {
		t.Fatalf("AppInfo: %v %v", app, err)
	}
	for _, ua := range s.UserAgents() {
		if ua != "heroku-checkup/test" {
			t.Errorf("User-Agent = %q", ua)
		}
	}

	_, err = c.AppInfo(context.Background(), "nope")
	var nf *NotFoundError
	if err = Classify(err, `app "nope"`); !errors.As(err, &nf) {
		t.Errorf("404: %v", err)
	}
	bad := newTestClient(t, s.URL, "wrong")
	_, err = bad.AppInfo(context.Background(), "acme-prod")
	var ae *AuthError
	if err = Classify(err, "x"); !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(err.Error(), "heroku login") {
		t.Errorf("401: %v", err)
	}
}

// TestIdentitiesArePathEscaped: whatever reaches the client, an identity
// stays one segment of the path it is put in.
func TestIdentitiesArePathEscaped(t *testing.T) {
	s := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer s.Close()
	c := newTestClient(t, s.URL, "tok")
	ctx := context.Background()
	c.AppInfo(ctx, "../account")
	c.DynoList(ctx, "a/b?x=1#y", nil)
	c.StackInfo(ctx, "../../account/keys")
	c.TeamAppListByTeam(ctx, "t/../../apps", nil)
	want := []string{"/apps/..%2Faccount", "/apps/a%2Fb%3Fx=1%23y/dynos", "/stacks/..%2F..%2Faccount%2Fkeys", "/teams/t%2F..%2F..%2Fapps/apps"}
	if got := s.Paths(); !slices.Equal(got, want) {
		t.Errorf("paths sent\n got %q\nwant %q", got, want)
	}
}

func TestClientRetries5xxAnd429(t *testing.T) {
	s := herokutest.New(t, herokutest.Options{Token: "tok"})
	defer s.Close()
	s.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
	s.FailNext("/apps/acme-prod/dynos", 2)
	c := newTestClient(t, s.URL, "tok")
	if _, err := c.DynoList(context.Background(), "acme-prod", nil); err != nil {
		t.Fatalf("two 503s then success must succeed: %v", err)
	}
	if got := c.Requests(); got != 3 {
		t.Errorf("requests = %d, want 3", got)
	}
	s.FailNext("/apps/acme-prod/formation", 10)
	_, err := c.FormationList(context.Background(), "acme-prod", nil)
	if StatusCode(err) != 503 {
		t.Errorf("after the last attempt the 503 must come back: %v", err)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
			fmt.Fprint(w, `{"id":"rate_limit","message":"slow down"}`)
			return
		}
		w.Header().Set("RateLimit-Remaining", "42")
		fmt.Fprint(w, `{"name":"x"}`)
	}))
	defer srv.Close()
	u, _ := APIURL(srv.URL)
	var slept []time.Duration
	c := New(Config{APIURL: u, Token: "t", Sleep: func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}})
	if _, err := c.AppInfo(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if len(slept) == 0 || slept[0] != 7*time.Second {
		t.Errorf("slept %v, want 7s first (Retry-After)", slept)
	}
	if c.RateLimitRemaining() != 42 {
		t.Errorf("RateLimit-Remaining not tracked: %d", c.RateLimitRemaining())
	}
	// With 42 left, the next request is paced.
	slept = nil
	c.AppInfo(context.Background(), "x")
	if len(slept) != 1 || slept[0] <= 0 {
		t.Errorf("low RateLimit-Remaining did not slow down: %v", slept)
	}
}

func TestTokenOnlyToAPIHost(t *testing.T) {
	var gotAuth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth.Store(r.Header.Get("Authorization"))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer api.Close()
	c := newTestClient(t, api.URL, "secret-token")
	req, _ := http.NewRequest("GET", other.URL+"/stream", nil)
	req.Header.Set("Authorization", "Bearer leaked")
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v, _ := gotAuth.Load().(string); v != "" {
		t.Errorf("a request to another host carried Authorization %q", v)
	}
}

func TestUnreachableAPI(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	c := newTestClient(t, url, "tok")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.AppInfo(ctx, "acme")
	var ue *UnreachableError
	if err = Classify(err, "app"); !errors.As(err, &ue) {
		t.Errorf("refused connection: %v", err)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if d := retryAfter("3", now); d != 3*time.Second {
		t.Errorf("seconds: %v", d)
	}
	if d := retryAfter(now.Add(10*time.Second).Format(http.TimeFormat), now); d != 10*time.Second {
		t.Errorf("date: %v", d)
	}
	if d := retryAfter("soon", now); d != 0 {
		t.Errorf("garbage: %v", d)
	}
}

// TestResponseIsCapped: an answer larger than MaxResponse is read no further
// than the cap (and not at all when its Content-Length says so), and the
// error says so.
func TestResponseIsCapped(t *testing.T) {
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/apps/declared" {
			w.Header().Set("Content-Length", fmt.Sprint(MaxResponse+1))
		}
		w.Write([]byte(`{"name": "`))
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for range 300 { // 300 MB, as the hostile API of the issue sent
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, "tok")
	for _, app := range []string{"streamed", "declared"} {
		_, err := c.AppInfo(context.Background(), app)
		var large *ResponseTooLargeError
		if !errors.As(err, &large) || !strings.Contains(err.Error(), "GET /apps/"+app+" is larger than 32 MiB") {
			t.Errorf("%s: %v", app, err)
		}
	}
	if s := sent.Load(); s > 3*MaxResponse {
		t.Errorf("the server got %d MB out: the client kept reading", s>>20)
	}
}
