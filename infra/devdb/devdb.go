// Package devdb provides the PostgreSQL server for local runs and tests: the
// one $DATABASE_URL names when it is reachable, otherwise a private cluster
// under .local/pg started with Debian's initdb and pg_ctl (installed through
// apt when missing and running as root). A fresh machine with Go needs
// nothing else for `make run` and `make test`.
package devdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Options configure Ensure.
type Options struct {
	// DatabaseURL is used when set and reachable.
	DatabaseURL string
	// StateDir holds the private cluster; default .local/pg.
	StateDir string
	// Database is created in a private cluster; default "opsight".
	Database string
	// Fast trades durability for speed (fsync off): for tests.
	Fast bool
	// Install lets Ensure apt-get install postgresql when no binaries exist.
	Install bool
	Log     *slog.Logger
	// Output receives the output of the commands Ensure runs.
	Output io.Writer
}

// Server is a reachable PostgreSQL server.
type Server struct {
	URL string
	// Private is true when Ensure started a private cluster; Stop stops it.
	Private bool
	dataDir string
	bin     string
	asUser  string
	out     io.Writer
}

// Ensure returns a reachable server, starting a private cluster if needed.
func Ensure(ctx context.Context, o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.StateDir == "" {
		o.StateDir = filepath.Join(".local", "pg")
	}
	if o.Database == "" {
		o.Database = "opsight"
	}
	if o.DatabaseURL != "" {
		err := ping(ctx, o.DatabaseURL)
		if err == nil {
			o.Log.Info("using DATABASE_URL", "url", redact(o.DatabaseURL))
			return &Server{URL: o.DatabaseURL}, nil
		}
		o.Log.Warn("DATABASE_URL is not reachable; starting a private cluster", "url", redact(o.DatabaseURL), "err", err)
	}
	return startPrivate(ctx, o)
}

func startPrivate(ctx context.Context, o Options) (*Server, error) {
	bin, err := findBinaries()
	if err != nil && o.Install {
		if ierr := installPostgres(ctx, o); ierr != nil {
			return nil, fmt.Errorf("%v; installing postgresql failed: %w", err, ierr)
		}
		bin, err = findBinaries()
	}
	if err != nil {
		return nil, err
	}
	state, err := filepath.Abs(o.StateDir)
	if err != nil {
		return nil, err
	}
	s := &Server{Private: true, bin: bin, out: o.Output}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root.
		s.asUser = "postgres"
	}
	s.dataDir, err = dataDir(state, s.asUser)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(s.dataDir, "PG_VERSION")); err != nil {
		o.Log.Info("initialising a private PostgreSQL cluster", "dir", s.dataDir)
		if err := s.run(ctx, "initdb", "-D", s.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
			return nil, fmt.Errorf("initdb: %w", err)
		}
	}
	port, running := s.runningPort()
	if !running {
		if port, err = freePort(); err != nil {
			return nil, err
		}
		opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c max_connections=200", port, s.dataDir)
		if o.Fast {
			opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		}
		logFile := filepath.Join(s.dataDir, "server.log")
		if err := s.run(ctx, "pg_ctl", "-D", s.dataDir, "-l", logFile, "-o", opts, "-w", "-t", "60", "start"); err != nil {
			tail, _ := os.ReadFile(logFile)
			return nil, fmt.Errorf("pg_ctl start: %w\n%s", err, lastLines(string(tail), 15))
		}
		o.Log.Info("started a private PostgreSQL cluster", "port", port, "dir", s.dataDir)
	} else {
		// Someone else's run left it going; we use it but do not own it.
		s.Private = false
		o.Log.Info("reusing the running private PostgreSQL cluster", "port", port)
	}
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := createDatabase(ctx, admin, o.Database); err != nil {
		return nil, err
	}
	s.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, o.Database)
	return s, nil
}

// Stop stops the private cluster this Ensure started; otherwise it does
// nothing.
func (s *Server) Stop(ctx context.Context) error {
	if !s.Private {
		return nil
	}
	s.Private = false
	return s.run(ctx, "pg_ctl", "-D", s.dataDir, "-m", "fast", "-w", "stop")
}

// runningPort reports the port of a cluster already running on the data
// directory, from its postmaster.pid.
func (s *Server) runningPort() (int, bool) {
	b, err := os.ReadFile(filepath.Join(s.dataDir, "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0, false
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(lines[0]))
	port, _ := strconv.Atoi(strings.TrimSpace(lines[3]))
	if pid <= 0 || port <= 0 || syscall.Kill(pid, 0) != nil {
		return 0, false
	}
	return port, true
}

func (s *Server) run(ctx context.Context, tool string, args ...string) error {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = "/" // the postgres user may not be able to read the caller's directory
	cmd.Stdout, cmd.Stderr = s.out, s.out
	// Own process group: a Ctrl-C meant for `make run` must not reach the
	// server before we stop it ourselves.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd.Run()
}

// findBinaries returns the directory holding initdb and pg_ctl.
func findBinaries() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(matches) - 1; i >= 0; i-- { // newest version first
		dirs = append(dirs, matches[i])
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's postgresql package or set DATABASE_URL")
}

func installPostgres(ctx context.Context, o Options) error {
	if os.Geteuid() != 0 {
		return errors.New("not root: run `sudo apt-get install postgresql` or set DATABASE_URL")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return errors.New("apt-get not found: install PostgreSQL 13 or later, or set DATABASE_URL")
	}
	o.Log.Info("installing postgresql with apt-get (once)")
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "postgresql"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		cmd.Stdout, cmd.Stderr = o.Output, o.Output
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("apt-get %s: %w", args[0], err)
		}
	}
	return nil
}

// dataDir returns the cluster's data directory, owned by owner (when set).
// It lives under state unless the postgres user cannot reach that path (a
// repository under /root, mode 0700); then it lives in /var/tmp and state
// holds a symlink to it, so `.local/pg/data` is always the way in.
func dataDir(state, owner string) (string, error) {
	if err := os.MkdirAll(state, 0o755); err != nil {
		return "", err
	}
	link := filepath.Join(state, "data")
	if target, err := os.Readlink(link); err == nil {
		return target, nil
	}
	dir := link
	if owner != "" && !traversableByOthers(state) {
		dir = filepath.Join("/var/tmp", "opsight-pg-"+strconv.FormatUint(hash(state), 16))
		if err := os.Symlink(dir, link); err != nil && !os.IsExist(err) {
			return "", err
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if owner != "" {
		u, err := user.Lookup(owner)
		if err != nil {
			return "", fmt.Errorf("user %s: %w (installing postgresql creates it)", owner, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", err
		}
	}
	return dir, os.Chmod(dir, 0o700)
}

// traversableByOthers reports whether every ancestor of dir has the x bit
// for others, so another user can reach dir.
func traversableByOthers(dir string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if d == "/" {
			return true
		}
	}
}

func createDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

func ping(ctx context.Context, url string) error {
	conn, err := connect(ctx, url)
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return pgx.Connect(ctx, url)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode()&0o111 != 0
}

func hash(s string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func redact(raw string) string {
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// markerFile records that `opsight devdb up` started the private cluster,
// so `opsight devdb down` stops only a cluster it started (not one a running
// `make run` owns).
const markerFile = "started-by-devdb"

// Detach leaves a private cluster running after this process exits and
// marks it for StopPrivate.
func (s *Server) Detach(stateDir string) error {
	if !s.Private {
		return nil
	}
	s.Private = false
	if stateDir == "" {
		stateDir = filepath.Join(".local", "pg")
	}
	return os.WriteFile(filepath.Join(stateDir, markerFile), []byte(s.URL+"\n"), 0o644)
}

// StopPrivate stops the private cluster under o.StateDir if a Detach marked
// it; otherwise it does nothing.
func StopPrivate(ctx context.Context, o Options) error {
	if o.StateDir == "" {
		o.StateDir = filepath.Join(".local", "pg")
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	state, err := filepath.Abs(o.StateDir)
	if err != nil {
		return err
	}
	marker := filepath.Join(state, markerFile)
	if _, err := os.Stat(marker); err != nil {
		return nil
	}
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	dir := filepath.Join(state, "data")
	if target, err := os.Readlink(dir); err == nil {
		dir = target
	}
	s := &Server{Private: true, bin: bin, dataDir: dir, out: o.Output}
	if os.Geteuid() == 0 {
		s.asUser = "postgres"
	}
	if _, running := s.runningPort(); running {
		if err := s.Stop(ctx); err != nil {
			return err
		}
	}
	return os.Remove(marker)
}
