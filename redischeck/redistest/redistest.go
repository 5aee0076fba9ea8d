// Package redistest gives tests (and the demo) a real redis-server on a
// loopback port: a throw-away process with its own directory, no
// persistence, stopped when the test ends. Problems are planted for real:
// a tiny maxmemory filled past its limit, clients up to maxclients,
// connections refused, CONFIG renamed away as Heroku disables it.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/child"
)

// Binary finds redis-server: on PATH, or where Debian's redis-server package puts it.
func Binary() (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/sbin/redis-server"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("redis-server is not installed (Debian: apt-get install redis-server; ./scripts/setup does it)")
}

// Config is one server's settings.
type Config struct {
	Password        string
	MaxMemory       string // "1mb"; empty: no limit
	MaxMemoryPolicy string // allkeys-lru, noeviction ...
	MaxClients      int    // 0: the default
	NoConfig        bool   // rename CONFIG away, as Heroku disables it
	// TLSCert and TLSKey (PEM files) add a TLS port beside the plain one
	// (the seeding side speaks plain TCP; a client may use either).
	TLSCert, TLSKey string
}

// Server is a running redis-server.
type Server struct {
	Addr     string // 127.0.0.1:port, plain TCP
	TLSAddr  string // 127.0.0.1:port of TLS, when configured
	Password string
	dir      string
	cmd      *exec.Cmd
	done     chan struct{}
	mu       sync.Mutex
	conns    []net.Conn
}

// URL is the server's redis:// URL with its password.
func (s *Server) URL() string { return serverURL("redis", s.Password, s.Addr) }

// TLSURL is its rediss:// URL, empty without a TLS port.
func (s *Server) TLSURL() string {
	if s.TLSAddr == "" {
		return ""
	}
	return serverURL("rediss", s.Password, s.TLSAddr)
}

func serverURL(scheme, password, addr string) string {
	if password == "" {
		return scheme + "://" + addr
	}
	return scheme + "://:" + password + "@" + addr
}

// Start runs a server; Close stops it.
func Start(c Config) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "heroku-checkup-redis")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Password: c.Password, dir: dir, done: make(chan struct{})}
	conf := []string{
		"bind 127.0.0.1",
		"protected-mode yes",
		"dir " + dir,
		`save ""`,
		"appendonly no",
		"daemonize no",
		"loglevel warning",
		"logfile " + filepath.Join(dir, "redis.log"),
	}
	conf = append(conf, fmt.Sprintf("port %d", port))
	if c.TLSCert != "" {
		tport, err := freePort()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.TLSAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(tport))
		conf = append(conf, fmt.Sprintf("tls-port %d", tport), "tls-cert-file "+c.TLSCert, "tls-key-file "+c.TLSKey,
			"tls-auth-clients no")
	}
	if c.Password != "" {
		conf = append(conf, "requirepass "+c.Password)
	}
	if c.MaxMemory != "" {
		conf = append(conf, "maxmemory "+c.MaxMemory)
	}
	if c.MaxMemoryPolicy != "" {
		conf = append(conf, "maxmemory-policy "+c.MaxMemoryPolicy)
	}
	if c.MaxClients > 0 {
		conf = append(conf, fmt.Sprintf("maxclients %d", c.MaxClients))
	}
	if c.NoConfig {
		conf = append(conf, `rename-command CONFIG ""`)
	}
	confPath := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(confPath, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.cmd = exec.Command(bin, confPath)
	// A child that dies with this process: a killed demo leaves no server behind.
	if err := child.Start(s.cmd); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(15 * time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
		s.Close()
		return nil, fmt.Errorf("redis-server did not start: %v\n%s", err, log)
	}
	return s, nil
}

// waitReady polls until the server accepts a connection (observed, never slept for).
func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-s.done:
			return errors.New("the process exited")
		default:
		}
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			if _, err = s.Do("PING"); err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v: %v", limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Close stops the server and removes its directory.
func (s *Server) Close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.done
	}
	os.RemoveAll(s.dir)
}

// Do sends one command over a fresh plain connection (logging in first)
// and returns the first line of the reply; an error reply is an error.
// It is the seeding side's own tiny client, so tests do not check the
// collector with itself.
func (s *Server) Do(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	if s.Password != "" {
		if _, err := roundTrip(c, r, "AUTH", s.Password); err != nil {
			return "", err
		}
	}
	return roundTrip(c, r, args...)
}

// Pipeline sends many commands on one connection and counts error replies
// whose text contains errPrefix.
func (s *Server) Pipeline(cmds [][]string, errPrefix string) (int, error) {
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(60 * time.Second))
	r := bufio.NewReader(c)
	if s.Password != "" {
		if _, err := roundTrip(c, r, "AUTH", s.Password); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, cmd := range cmds {
		if _, err := roundTrip(c, r, cmd...); err != nil {
			if !strings.Contains(err.Error(), errPrefix) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Hold opens n idle client connections (logged in) and keeps them until Close.
func (s *Server) Hold(n int) error {
	for range n {
		c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
		if err != nil {
			return err
		}
		r := bufio.NewReader(c)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := roundTrip(c, r, "PING"); err != nil && !strings.Contains(err.Error(), "NOAUTH") {
			c.Close()
			return err
		}
		c.SetDeadline(time.Time{})
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
	}
	return nil
}

// Refused opens one connection past maxclients and reports whether the
// server refused it ("max number of clients reached"): rejected_connections counts it.
func (s *Server) Refused() (bool, error) {
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return false, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return false, err
	}
	return strings.Contains(line, "max number of clients"), nil
}

func roundTrip(c net.Conn, r *bufio.Reader, args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return readReply(r)
}

// readReply reads one RESP2 reply; bulk and array payloads are skipped
// past, the first line is returned.
func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply")
	}
	switch line[0] {
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		var first string
		for i := 0; i < n; i++ {
			v, err := readReply(r)
			if err != nil {
				return "", err
			}
			if i == 0 {
				first = v
			}
		}
		return first, nil
	}
	return line[1:], nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Problems is a server with every problem redis-health names, planted for
// real: 1 MB of maxmemory under allkeys-lru filled past it (keys evicted,
// memory at its limit), maxclients 8 with 6 idle clients held (the
// collector's own makes 7 of 8) and one connection refused past the limit
// before, and CONFIG renamed away as on Heroku.
type Problems struct{ *Server }

// SeedProblems starts and seeds the problem server for a test.
func SeedProblems(t testing.TB) *Problems {
	t.Helper()
	s, err := StartProblems("", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartProblems starts and seeds the problem server (the demo uses it
// too, with a TLS port: tlsCert and tlsKey, or empty); Close stops it.
func StartProblems(tlsCert, tlsKey string) (*Problems, error) {
	s, err := Start(Config{Password: "redis-problem-pass-8c1d", MaxMemory: "2mb", MaxMemoryPolicy: "allkeys-lru", MaxClients: 8, NoConfig: true,
		TLSCert: tlsCert, TLSKey: tlsKey})
	if err != nil {
		return nil, err
	}
	p := &Problems{s}
	if err := p.fill(); err != nil {
		s.Close()
		return nil, err
	}
	// Fill maxclients, then one more: refused, counted in rejected_connections.
	if err := s.Hold(8); err != nil {
		s.Close()
		return nil, err
	}
	refused, err := s.Refused()
	if err != nil || !refused {
		s.Close()
		return nil, fmt.Errorf("the connection past maxclients was not refused (%v)", err)
	}
	// Free two: the checker's own connection makes 7 of 8.
	s.mu.Lock()
	for _, c := range s.conns[:2] {
		c.Close()
	}
	s.conns = s.conns[2:]
	s.mu.Unlock()
	if err := s.waitClients(7); err != nil { // 6 held + the probe
		s.Close()
		return nil, err
	}
	return p, nil
}

// fill writes 4 MB of 1 KB values into 2 MB of maxmemory.
func (p *Problems) fill() error {
	val := strings.Repeat("v", 1024)
	var cmds [][]string
	for i := range 4096 {
		cmds = append(cmds, []string{"SET", fmt.Sprintf("cache:%05d", i), val})
	}
	_, err := p.Pipeline(cmds, "OOM")
	if err != nil {
		return err
	}
	info, err := p.Do("INFO", "stats")
	if err != nil {
		return err
	}
	if !strings.Contains(info, "evicted_keys:") || strings.Contains(info, "evicted_keys:0\r") {
		return errors.New("no key was evicted")
	}
	return nil
}

// waitClients polls until the server sees n connected clients, counting
// the probe that asks.
func (s *Server) waitClients(n int) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		info, err := s.Do("INFO", "clients")
		if err == nil && strings.Contains(info, fmt.Sprintf("connected_clients:%d\r", n)) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waiting for %d clients: %q %v", n, info, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// StartNoEviction starts a server under noeviction filled until it refuses
// writes (OOM errors, nothing evicted): the other face of REDIS_EVICTIONS.
func StartNoEviction() (*Server, int, error) {
	s, err := Start(Config{Password: "redis-noevict-pass-51f0", MaxMemory: "2mb", MaxMemoryPolicy: "noeviction"})
	if err != nil {
		return nil, 0, err
	}
	val := strings.Repeat("w", 1024)
	var cmds [][]string
	for i := range 4096 {
		cmds = append(cmds, []string{"SET", fmt.Sprintf("job:%05d", i), val})
	}
	refused, err := s.Pipeline(cmds, "OOM")
	if err != nil || refused == 0 {
		s.Close()
		return nil, 0, fmt.Errorf("no write was refused for memory (%v)", err)
	}
	return s, refused, nil
}

// Ctx is a short context for a test's collection.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Monitor records every command the server receives (MONITOR) until the
// returned stop is called; stop returns each command's name, lower-cased,
// as the server logged it. Tests use it to prove a client only reads.
func (s *Server) Monitor() (stop func() []string, err error) {
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	r := bufio.NewReader(c)
	if s.Password != "" {
		if _, err := roundTrip(c, r, "AUTH", s.Password); err != nil {
			c.Close()
			return nil, err
		}
	}
	if _, err := roundTrip(c, r, "MONITOR"); err != nil {
		c.Close()
		return nil, err
	}
	var mu sync.Mutex
	var cmds []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			// +1700000000.123456 [0 127.0.0.1:5555] "info" "memory"
			if i := strings.Index(line, `] "`); i >= 0 {
				rest := line[i+3:]
				if j := strings.Index(rest, `"`); j >= 0 {
					mu.Lock()
					cmds = append(cmds, strings.ToLower(rest[:j]))
					mu.Unlock()
				}
			}
		}
	}()
	return func() []string {
		// A PING from another connection marks the end of what came before.
		s.Do("PING")
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			n := len(cmds)
			last := ""
			if n > 0 {
				last = cmds[n-1]
			}
			mu.Unlock()
			if last == "ping" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		c.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		out := slices.Clone(cmds)
		// Drop the seeding side's own AUTH and PING.
		for len(out) > 0 && (out[len(out)-1] == "ping" || out[len(out)-1] == "auth") {
			out = out[:len(out)-1]
		}
		return out
	}, nil
}
