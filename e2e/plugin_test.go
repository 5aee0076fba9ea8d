package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/heroku/herokutest"
)

// The Heroku CLI plugin as a user gets it: `heroku plugins:install
// @heroku-checkup/heroku-plugin` from a registry (here a loopback one serving
// exactly the packages the release script makes), then `heroku checkup`.
// The CLI is the real one, pinned (./scripts/heroku-cli installs it and
// ./scripts/test passes its bin/run.js in HEROKU_CHECKUP_HEROKU_CLI).

const pluginVersion = "0.0.1-e2e"

// registry is a static npm registry on loopback for the @heroku-checkup
// packages; anything else is a 404 it records.
type registry struct {
	*httptest.Server
	mu       sync.Mutex
	packages map[string][]byte // name -> packument
	tarballs map[string][]byte // file -> tgz
	log      []string
}

func newRegistry(t *testing.T, tgzs []string) *registry {
	t.Helper()
	r := &registry{packages: map[string][]byte{}, tarballs: map[string][]byte{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	for _, path := range tgzs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pj := packageJSON(t, data)
		name, version := pj["name"].(string), pj["version"].(string)
		file := filepath.Base(path)
		r.tarballs[file] = data
		sha512sum := sha512.Sum512(data)
		sha1sum := sha1.Sum(data)
		pj["dist"] = map[string]any{
			"tarball":   r.URL + "/-/" + file,
			"integrity": "sha512-" + base64.StdEncoding.EncodeToString(sha512sum[:]),
			"shasum":    hex.EncodeToString(sha1sum[:]),
		}
		doc, _ := json.Marshal(map[string]any{"name": name, "dist-tags": map[string]string{"latest": version}, "versions": map[string]any{version: pj}})
		r.packages[name] = doc
	}
	return r
}

func (r *registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.log = append(r.log, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	if req.Method != http.MethodGet {
		http.Error(w, "read-only", http.StatusMethodNotAllowed)
		return
	}
	if file, ok := strings.CutPrefix(req.URL.Path, "/-/"); ok {
		if data, ok := r.tarballs[file]; ok {
			w.Write(data)
			return
		}
	}
	name := strings.ReplaceAll(strings.TrimPrefix(req.URL.EscapedPath(), "/"), "%2f", "/")
	name = strings.ReplaceAll(name, "%2F", "/")
	if doc, ok := r.packages[name]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
		return
	}
	http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
}

func (r *registry) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func packageJSON(t *testing.T, tgz []byte) map[string]any {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no package/package.json: %v", err)
		}
		if h.Name == "package/package.json" {
			var pj map[string]any
			if err := json.NewDecoder(tr).Decode(&pj); err != nil {
				t.Fatal(err)
			}
			return pj
		}
	}
}

// npmPlatform is the npm name of this machine's platform and another one,
// whose package the registry serves but npm must not download.
func npmPlatform() (here, other string) {
	cpu := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	here = runtime.GOOS + "-" + cpu
	other = "darwin-arm64"
	if here == other {
		other = "linux-x64"
	}
	return here, other
}

// cliUser is a Heroku CLI user with a HOME of their own.
type cliUser struct {
	t    *testing.T
	cli  string
	home string
	path string
	env  map[string]string
}

func newCLIUser(t *testing.T) *cliUser {
	t.Helper()
	cli := os.Getenv("HEROKU_CHECKUP_HEROKU_CLI")
	if cli == "" {
		t.Fatal("HEROKU_CHECKUP_HEROKU_CLI is not set: ./scripts/test installs the pinned Heroku CLI (./scripts/heroku-cli) and sets it")
	}
	u := &cliUser{t: t, cli: cli, home: t.TempDir(), env: map[string]string{}}
	// PATH: node and git only, so the binary can come only from the plugin's platform package.
	u.path = filepath.Join(u.home, "bin")
	os.MkdirAll(u.path, 0o755)
	for _, name := range []string{"node", "git"} {
		p, err := exec.LookPath(name)
		if err != nil {
			t.Fatalf("%s not found", name)
		}
		os.Symlink(p, filepath.Join(u.path, name))
	}
	rc := filepath.Join(u.home, "resolv.conf")
	os.WriteFile(rc, []byte("nameserver 127.0.0.1\n"), 0o644)
	u.env["HEROKU_CHECKUP_RESOLV_CONF"] = rc
	return u
}

func (u *cliUser) environ(extra map[string]string) []string {
	env := map[string]string{
		"PATH": u.path, "HOME": u.home, "LANG": "C.UTF-8", "NO_COLOR": "1",
		"DISABLE_TELEMETRY": "true", "HEROKU_SKIP_ANALYTICS": "1", "HEROKU_DISABLE_AUTOUPDATE": "1",
		"HEROKU_SKIP_NEW_VERSION_CHECK": "1", "HEROKU_NETRC_WRITE": "true",
	}
	for k, v := range u.env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	var out []string
	for k, v := range env {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// exec runs a program as this user, in their HOME.
func (u *cliUser) exec(program string, env map[string]string, stdin string, args ...string) result {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, program, args...)
	cmd.Env = u.environ(env)
	cmd.Dir = u.home
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		u.t.Fatalf("%s %v: %v", program, args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// heroku runs `heroku ARGS` in the real CLI.
func (u *cliUser) heroku(env map[string]string, stdin string, args ...string) result {
	u.t.Helper()
	return u.exec("node", env, stdin, append([]string{u.cli}, args...)...)
}

// releaseBinary builds heroku-checkup as a release would (static, version stamped).
func releaseBinary(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "heroku-checkup")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+pluginVersion, "-o", out, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// packRelease runs the release script's packaging step on an
// artifacts.json as goreleaser writes it.
func packRelease(t *testing.T, bin string) []string {
	t.Helper()
	dir := t.TempDir()
	here, other := npmPlatform()
	goName := map[string][2]string{"linux-x64": {"linux", "amd64"}, "linux-arm64": {"linux", "arm64"}, "darwin-x64": {"darwin", "amd64"}, "darwin-arm64": {"darwin", "arm64"}}
	var artifacts []map[string]any
	for _, p := range []string{here, other} {
		g := goName[p]
		artifacts = append(artifacts, map[string]any{"name": "heroku-checkup", "path": bin, "goos": g[0], "goarch": g[1], "internal_type": 4, "type": "Binary",
			"extra": map[string]any{"Binary": "heroku-checkup", "Ext": "", "ID": "heroku-checkup"}})
	}
	af := filepath.Join(dir, "dist", "artifacts.json")
	os.MkdirAll(filepath.Dir(af), 0o755)
	b, _ := json.Marshal(artifacts)
	os.WriteFile(af, b, 0o644)
	out := filepath.Join(dir, "npm")
	cmd := exec.Command("node", "../plugin/scripts/npm-packages.mjs", "--artifacts", af, "--version", pluginVersion, "--out", out, "--partial")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm-packages.mjs: %v\n%s", err, b)
	}
	order, err := os.ReadFile(filepath.Join(out, "publish-order.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var tgzs []string
	for _, line := range strings.Fields(string(order)) {
		tgzs = append(tgzs, filepath.Join(out, line))
	}
	if len(tgzs) != 3 || !strings.Contains(tgzs[2], "heroku-plugin") {
		t.Fatalf("publish order must end with the plugin: %v", tgzs)
	}
	return tgzs
}

// What differs between two runs of the same checkup: durations, clock
// times (the sandbox writes its logs relative to now), the sandbox's
// loopback ports and the certificates it makes afresh each run.
var runVaries = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`([0-9A-F]{2}:){31}[0-9A-F]{2}`), "FINGERPRINT"},
	{regexp.MustCompile(`"duration_ms": ?\d+`), `"duration_ms": 0`},
	{regexp.MustCompile(`\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d| UTC)?`), "TIME"},
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`), "CLOCK"},
	{regexp.MustCompile(`\b\d+ ms\b`), "N ms"},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:PORT"},
}

func normalise(s string) string {
	for _, v := range runVaries {
		s = v.re.ReplaceAllString(s, v.with)
	}
	return s
}

// sameReport compares two outputs of one checkup, what varies between runs aside.
func sameReport(a, b string) bool { return normalise(a) == normalise(b) }

// firstDifference shows where two reports part, for a failure message.
func firstDifference(a, b string) string {
	al, bl := strings.Split(normalise(a), "\n"), strings.Split(normalise(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  plugin: %s\n  binary: %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(al), len(bl))
}

func TestPluginInTheHerokuCLI(t *testing.T) {
	u := newCLIUser(t)
	bin := releaseBinary(t, t.TempDir())
	reg := newRegistry(t, packRelease(t, bin))
	// Everything npm asks goes to the loopback registry (which records it);
	// npm's own update check is off.
	os.WriteFile(filepath.Join(u.home, ".npmrc"), []byte("@heroku-checkup:registry="+reg.URL+"/\nregistry="+reg.URL+"/\nupdate-notifier=false\naudit=false\nfund=false\n"), 0o600)
	u.env["HEROKU_NPM_REGISTRY"] = reg.URL + "/" // the CLI passes --registry to its npm; keep it on loopback
	here, other := npmPlatform()

	bare := func(env map[string]string, stdin string, args ...string) result {
		t.Helper()
		return u.exec(bin, env, stdin, args...)
	}

	t.Run("plugins:install by name", func(t *testing.T) {
		r := u.heroku(nil, "", "plugins:install", "@heroku-checkup/heroku-plugin")
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "installed v"+pluginVersion) {
			t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		log := strings.Join(reg.requests(), "\n")
		for _, want := range []string{"GET /-/heroku-checkup-heroku-plugin-" + pluginVersion + ".tgz", "GET /-/heroku-checkup-" + here + "-" + pluginVersion + ".tgz"} {
			if !strings.Contains(log, want) {
				t.Errorf("registry never saw %q:\n%s", want, log)
			}
		}
		for _, req := range reg.requests() {
			if !strings.HasPrefix(req, "GET /@heroku-checkup") && !strings.HasPrefix(req, "GET /-/heroku-checkup-") {
				t.Errorf("npm asked the registry for something else than the release's packages: %s", req)
			}
		}
		if strings.Contains(log, "heroku-checkup-"+other+"-") {
			t.Errorf("npm downloaded the %s package on %s (os/cpu ignored):\n%s", other, here, log)
		}
		mods, _ := os.ReadDir(filepath.Join(u.home, ".local", "share", "heroku", "node_modules", "@heroku-checkup"))
		var names []string
		for _, m := range mods {
			names = append(names, m.Name())
		}
		if !slices.Equal(names, []string{"heroku-plugin", here}) {
			t.Errorf("installed %v, want heroku-plugin and %s", names, here)
		}
	})

	t.Run("version", func(t *testing.T) {
		r := u.heroku(nil, "", "checkup:version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "heroku-checkup "+pluginVersion+" ") {
			t.Errorf("exit %d: %q %q", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("demo: the binary's report and exit code", func(t *testing.T) {
		for _, format := range []string{"json", "text", "markdown"} {
			// Without the demo's real PostgreSQL and redis-server: their readings
			// (pids, sizes, fragmentation) differ between any two runs.
			p := u.heroku(nil, "", "checkup", "--demo", "--demo-servers=false", "--format", format)
			b := bare(nil, "", "diagnose", "--demo", "--demo-servers=false", "--format", format)
			if p.code != 2 || b.code != 2 {
				t.Errorf("%s: exit %d through the plugin, %d bare; want 2\n%s", format, p.code, b.code, p.stderr)
			}
			if !sameReport(p.stdout, b.stdout) {
				t.Errorf("%s: the plugin's report differs from the binary's at %s", format, firstDifference(p.stdout, b.stdout))
			}
			if p.stderr != "" {
				t.Errorf("%s: stderr %q", format, p.stderr)
			}
		}
	})

	t.Run("an app through HEROKU_HOST, with the token heroku login wrote to netrc", func(t *testing.T) {
		const token = "HRKU-e2e-plugin-token-0123456789"
		api := herokutest.New(t, herokutest.Options{Token: token})
		defer api.Close()
		api.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
		host := strings.TrimPrefix(api.URL, "http://")
		// `heroku login` (netrc mode) writes the API host with its port.
		os.WriteFile(filepath.Join(u.home, ".netrc"), []byte("machine "+host+"\n  login user@example.com\n  password "+token+"\n"), 0o600)
		defer os.Remove(filepath.Join(u.home, ".netrc"))
		env := map[string]string{"HEROKU_HOST": api.URL}
		p := u.heroku(env, "", "checkup", "-a", "acme-prod", "--only", "platform", "--format", "json")
		b := bare(map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": token}, "", "diagnose", "-a", "acme-prod", "--only", "platform", "--format", "json")
		if p.code != b.code || p.code == 3 {
			t.Fatalf("exit %d through the plugin, %d bare\n%s\n%s", p.code, b.code, p.stderr, b.stderr)
		}
		if !sameReport(p.stdout, b.stdout) {
			t.Errorf("reports differ at %s", firstDifference(p.stdout, b.stdout))
		}
		if strings.Contains(p.stdout+p.stderr, token) {
			t.Error("the token is in the output")
		}
		if api.Calls()["GET /apps/{app}"] == 0 {
			t.Errorf("the fake API was not asked for the app: %v", api.Calls())
		}
	})

	t.Run("stdin", func(t *testing.T) {
		var logs strings.Builder
		for i := range 3000 {
			code := ""
			if i%100 == 0 {
				code = `at=error code=H12 desc="Request timeout" `
			}
			fmt.Fprintf(&logs, "2026-11-23T10:%02d:%02d.000000+00:00 heroku[router]: %smethod=GET path=\"/items/%d\" host=acme.example request_id=r%d fwd=\"1.2.3.4\" dyno=web.1 connect=1ms service=%dms status=%d bytes=100 protocol=https\n",
				i/60%60, i%60, code, i, i, 20+i%50, map[bool]int{true: 503, false: 200}[code != ""])
		}
		p := u.heroku(nil, logs.String(), "checkup:logs", "--logs-file", "-", "--format", "json")
		b := bare(nil, logs.String(), "logs-check", "--logs-file", "-", "--format", "json")
		if p.code != b.code || !sameReport(p.stdout, b.stdout) || !strings.Contains(p.stdout, `"H12"`) {
			t.Errorf("exit %d vs %d; reports differ at %s", p.code, b.code, firstDifference(p.stdout, b.stdout))
		}
	})

	t.Run("exit codes 0-3", func(t *testing.T) {
		cases := []struct {
			args []string
			want int
		}{
			{[]string{"checkup", "--demo", "--fail-on", "never"}, 0},
			{[]string{"checkup", "--demo", "--only", "dns"}, 1},
			{[]string{"checkup", "--demo"}, 2},
			{[]string{"checkup", "--demo", "--bogus-flag"}, 3},
			{[]string{"checkup:pg", "-r", "nope"}, 3}, // oclif's own parse error: 3, not 2
		}
		for _, c := range cases {
			if r := u.heroku(nil, "", c.args...); r.code != c.want {
				t.Errorf("heroku %v: exit %d, want %d\n%s", c.args, r.code, c.want, r.stderr)
			}
		}
		r := u.heroku(nil, "", "checkup", "--demo", "--bogus-flag")
		if !strings.Contains(r.stderr, "see heroku checkup:diagnose --help") {
			t.Errorf("the message must name the command as typed: %q", r.stderr)
		}
	})

	t.Run("SIGINT to the process group: the binary stops, nothing is left behind", func(t *testing.T) {
		// A log session that never ends keeps the run going; once the API has
		// been asked for it, the binary is surely past its own start-up.
		const token = "HRKU-e2e-plugin-token-sigint"
		api := herokutest.New(t, herokutest.Options{Token: token})
		defer api.Close()
		api.AddApp(herokutest.SampleApp("acme-prod", time.Now()))
		api.HangLogs()
		cmd := exec.Command("node", u.cli, "checkup", "-a", "acme-prod", "--skip", "dns,tls,postgres", "--format", "json")
		cmd.Env = u.environ(map[string]string{"HEROKU_HOST": api.URL, "HEROKU_API_KEY": token})
		cmd.Dir = u.home
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		child := waitChild(t, cmd.Process.Pid, "heroku-checkup")
		deadline := time.Now().Add(30 * time.Second)
		for api.Calls()["POST /apps/{app}/log-sessions"] == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		err := cmd.Wait()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		var rep struct {
			Status string
			Checks []struct{ Check, Code string }
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("no report after SIGINT (exit %d): %v\n%s", code, err, out.String())
		}
		if want := map[string]int{"ok": 0, "info": 0, "warning": 1, "critical": 2, "unknown": 3}[rep.Status]; code != want {
			t.Errorf("exit %d for a %s report, want %d (the binary's)", code, rep.Status, want)
		}
		if !slices.ContainsFunc(rep.Checks, func(c struct{ Check, Code string }) bool { return c.Code == "TIMEOUT" }) {
			t.Errorf("the interrupted log session should be reported as TIMEOUT:\n%s", out.String())
		}
		if syscall.Kill(child, 0) == nil {
			t.Errorf("heroku-checkup (pid %d) outlived the CLI", child)
			syscall.Kill(child, syscall.SIGKILL)
		}
	})

	t.Run("a terminal: spinner and colour as the binary shows them", func(t *testing.T) {
		script, err := exec.LookPath("script")
		if err != nil {
			t.Fatal("script(1) not found: install Debian's bsdutils")
		}
		tty := func(line string) string {
			cmd := exec.Command(script, "-qec", line, "/dev/null")
			env := u.environ(map[string]string{"TERM": "xterm-256color"})
			cmd.Env = slices.DeleteFunc(env, func(s string) bool { return strings.HasPrefix(s, "NO_COLOR=") })
			cmd.Dir = u.home
			b, _ := cmd.CombinedOutput()
			return string(b)
		}
		args := " --demo --demo-latency logs=800ms"
		p := tty("node " + strconv.Quote(u.cli) + " checkup" + args)
		b := tty(strconv.Quote(bin) + " diagnose" + args)
		spinner := regexp.MustCompile(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](\x1b\[[0-9;]*m)? checking`)
		for name, out := range map[string]string{"plugin": p, "binary": b} {
			if !spinner.MatchString(out) || !strings.Contains(out, "\x1b[") {
				t.Errorf("%s on a terminal: no spinner or no colour\n%q", name, out)
			}
		}
		// Piped output has neither, through the plugin too.
		j := tty("node " + strconv.Quote(u.cli) + " checkup --demo --format json > " + strconv.Quote(filepath.Join(u.home, "r.json")))
		data, _ := os.ReadFile(filepath.Join(u.home, "r.json"))
		if bytes.Contains(data, []byte("\x1b")) || !json.Valid(data) || strings.TrimSpace(j) != "" {
			t.Errorf("json through a pipe: escapes or terminal output %q", j)
		}
	})
}

// waitChild finds the process named name whose parent is ppid.
func waitChild(t *testing.T, ppid int, name string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if pids := childrenNamed(ppid, name); len(pids) > 0 {
			return pids[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no %s child of %d", name, ppid)
	return 0
}
