package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heroku-checkup/heroku-checkup/internal/child"
)

// Cluster is a throw-away PostgreSQL server, as ./scripts/postgres starts
// one: a temp directory, a free loopback port, a non-root server process,
// pg_stat_statements preloaded. The demo starts one; the tests use the
// server ./scripts/test started.
type Cluster struct {
	URL    string // superuser URL (trust authentication, loopback only)
	Major  int
	dir    string
	bindir string
	server *exec.Cmd     // the postmaster, a child of this process
	exited chan struct{} // closed when it has exited
}

// BinDir finds the PostgreSQL server's programs: initdb on PATH, or the
// newest of Debian's /usr/lib/postgresql/*/bin.
func BinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) < major(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("PostgreSQL is not installed (Debian: apt-get install postgresql; ./scripts/setup does it)")
}

func major(bindir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(bindir)))
	return n
}

// StartCluster initialises and starts a cluster; Stop removes it.
func StartCluster(ctx context.Context) (*Cluster, error) {
	bindir, err := BinDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "heroku-checkup-pg")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bindir: bindir, Major: major(bindir)}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	// PostgreSQL refuses to run as root: as root, run it as postgres.
	var asUser []string
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New("running as root and there is no postgres user to run PostgreSQL as")
		}
		uid, _ = strconv.Atoi(pg.Uid)
		gid, _ = strconv.Atoi(pg.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	os.Chmod(dir, 0o755)
	run := func(name string, args ...string) error {
		argv := append(append(asUser, filepath.Join(bindir, name)), args...)
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, out)
		}
		return nil
	}
	if err := run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	// The postmaster is started as this process's child, not by pg_ctl (which
	// would leave it to init): it dies with the demo, even a killed one.
	args := []string{"-D", filepath.Join(dir, "data"), "-p", strconv.Itoa(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + dir,
		"-c", "shared_preload_libraries=pg_stat_statements", "-c", "max_connections=100", "-c", "shared_buffers=8MB", "-c", "fsync=off",
		"-c", "full_page_writes=off", "-c", "synchronous_commit=off", "-c", "track_io_timing=on"}
	logFile, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.server = exec.Command(filepath.Join(bindir, "postgres"), args...)
	c.server.Stdout, c.server.Stderr = logFile, logFile
	if uid >= 0 {
		child.AsUser(c.server, uid, gid)
	}
	if err := child.Start(c.server); err != nil {
		return nil, fmt.Errorf("postgres: %v", err)
	}
	c.exited = make(chan struct{})
	go func() { c.server.Wait(); close(c.exited) }()
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	// Ready when it answers a query.
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.URL)
		if err == nil {
			conn.Close(ctx)
			break
		}
		select {
		case <-c.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, fmt.Errorf("postgres exited: %s", log)
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("PostgreSQL did not accept connections: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ok = true
	return c, nil
}

// Stop stops the server (immediate shutdown) and removes its directory.
func (c *Cluster) Stop() {
	if c == nil || c.dir == "" {
		return
	}
	if c.server != nil && c.server.Process != nil {
		c.server.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.server.Process.Kill()
			<-c.exited
		}
	}
	os.RemoveAll(c.dir)
	c.dir = ""
}

// Seeder runs the helpers outside a test (the demo): a failure becomes
// Err, cleanups run at Close.
type Seeder struct {
	Err      error
	cleanups []func()
}

type seedFailure struct{ error }

func (s *Seeder) Helper()                           {}
func (s *Seeder) Fatal(args ...any)                 { panic(seedFailure{errors.New(fmt.Sprint(args...))}) }
func (s *Seeder) Fatalf(format string, args ...any) { panic(seedFailure{fmt.Errorf(format, args...)}) }
func (s *Seeder) Cleanup(f func())                  { s.cleanups = append(s.cleanups, f) }

// Run calls seed, turning a Fatal into the returned error.
func (s *Seeder) Run(seed func(T)) (err error) {
	defer func() {
		if r := recover(); r != nil {
			sf, ok := r.(seedFailure)
			if !ok {
				panic(r)
			}
			err = sf.error
			s.Err = err
		}
	}()
	seed(s)
	return nil
}

// Close runs the cleanups, last first.
func (s *Seeder) Close() {
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i]()
	}
	s.cleanups = nil
}
