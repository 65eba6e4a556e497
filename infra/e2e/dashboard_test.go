package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/devdb"
	"github.com/opsight/opsight/infra/devserver"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/testfiles"
)

// scriptTimeout bounds the browser script; each of its steps waits at most
// 15 s, and a passing run takes well under a minute.
const scriptTimeout = 5 * time.Minute

// TestDashboard starts the platform on a fresh database (scheduler off)
// and runs web/e2e/dashboard.e2e.mjs against it in headless Chromium:
// health, an empty registry, registering, the API's errors next to their
// fields, removing with confirmation, state that survives a reload, and
// with a day of pushed metrics the overview, the service page's grade,
// parts, charts and range switch, and the empty anomalies and capacity
// pages. The screenshot goes to $SCREENSHOT, by default
// .local/e2e/dashboard.png, and each other page's beside it as
// dashboard-<page>.png.
func TestDashboard(t *testing.T) {
	root := testfiles.RepoRoot()
	if root == "" {
		t.Fatal("cannot find the repository root (go.mod) from the working directory")
	}
	web := filepath.Join(root, "web")
	node, chromium := requireTools(t, web)

	ctx := t.Context()
	useDatabaseServer(t, ctx)
	dbURL := pgtest.NewDatabaseURL(t) // empty registry, dropped at the end

	logPath := filepath.Join(t.TempDir(), "platform.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	logs := &syncWriter{w: logFile}
	start := time.Now()
	p, err := devserver.Start(ctx, devserver.Options{
		Root:        root,
		Addr:        "127.0.0.1:0",
		DatabaseURL: dbURL,
		FastDB:      true,
		Log:         slog.New(slog.NewTextHandler(logs, nil)),
		Output:      logs,
	})
	if err != nil {
		t.Fatalf("start the platform: %v\n%s", err, tail(logPath, 40))
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("stop the platform: %v", err)
		}
	})
	t.Logf("platform up at %s in %v", p.URL, time.Since(start).Round(time.Millisecond))

	shot := os.Getenv("SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(root, ".local", "e2e", "dashboard.png")
	}
	shots := []string{shot}
	for _, page := range []string{"overview", "service", "anomalies", "capacity"} {
		shots = append(shots, strings.TrimSuffix(shot, ".png")+"-"+page+".png")
	}
	for _, s := range shots {
		os.Remove(s) // a screenshot left by an earlier run proves nothing
	}

	sctx, cancel := context.WithTimeout(ctx, scriptTimeout)
	defer cancel()
	cmd := exec.CommandContext(sctx, node, filepath.Join("e2e", "dashboard.e2e.mjs"))
	cmd.Dir = web
	cmd.Env = append(os.Environ(), "BASE_URL="+p.URL, "SCREENSHOT="+shot, "CHROMIUM="+chromium)
	cmd.WaitDelay = 10 * time.Second
	start = time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the dashboard end-to-end script failed (%v):\n%s\n--- platform log (last lines of %s) ---\n%s", err, out, logPath, tail(logPath, 40))
	}
	t.Logf("browser script passed in %v:\n%s", time.Since(start).Round(time.Millisecond), out)

	for _, s := range shots {
		png, err := os.ReadFile(s)
		if err != nil {
			t.Fatalf("the script passed but saved no screenshot: %v", err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("%s is not a PNG", s)
		}
		t.Logf("screenshot: %s (%d bytes)", s, len(png))
	}
}

// requireTools fails the test, saying how to fix it, unless the dashboard
// is built from its current sources and node, playwright-core and chromium
// are installed. It returns the node and chromium executables.
func requireTools(t *testing.T, web string) (node, chromium string) {
	t.Helper()
	index := filepath.Join(web, "dist", "index.html")
	built, err := os.Stat(index)
	if err != nil {
		t.Fatalf("the dashboard is not built (%v): run `npm ci --prefix web && npm run build --prefix web`", err)
	}
	if newer := newerThan(web, built.ModTime()); newer != "" {
		t.Fatalf("web/dist is older than %s: run `npm run build --prefix web`", newer)
	}
	if _, err := os.Stat(filepath.Join(web, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core is not installed (%v): run `npm ci --prefix web`", err)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		t.Fatalf("Node.js is required for the browser test: %v (install Node.js 20 or later)", err)
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if fi, err := os.Stat(chromium); err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		t.Fatalf("Chromium is required at %s for the browser test: run `apt-get install -y chromium` (Debian's package; never a downloaded browser)", chromium)
	}
	return node, chromium
}

// newerThan returns a source of the dashboard modified after t, or "".
// Unit tests and their helpers (src/testing) are not part of the build.
func newerThan(web string, t time.Time) string {
	var found string
	for _, src := range []string{"src", "public", "index.html", "vite.config.ts", "package-lock.json"} {
		filepath.WalkDir(filepath.Join(web, src), func(path string, d fs.DirEntry, err error) error {
			if d != nil && d.IsDir() && d.Name() == "testing" {
				return fs.SkipDir
			}
			if err != nil || d.IsDir() || found != "" || strings.HasSuffix(path, ".test.ts") {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.ModTime().After(t) {
				found, _ = filepath.Rel(filepath.Dir(web), path)
				return fs.SkipAll
			}
			return nil
		})
	}
	return found
}

// useDatabaseServer makes pgtest create databases on the server tests
// normally use ($DATABASE_URL, else the local default) or, when that is not
// reachable, on a private cluster started for this test.
func useDatabaseServer(t *testing.T, ctx context.Context) {
	t.Helper()
	// Not t.TempDir, and opened to others: the postgres user must reach the
	// cluster's directory (else devdb puts it in /var/tmp, out of reach of
	// the clean-up), and t.TempDir's parent is private to root.
	state, err := os.MkdirTemp("", "opsight-e2e-pg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(state, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := devdb.Ensure(ctx, devdb.Options{DatabaseURL: pgtest.ServerURL(), StateDir: state, Fast: true})
	if err != nil {
		os.RemoveAll(state)
		t.Fatalf("PostgreSQL: %s is not reachable and no private cluster could be started: %v", pgtest.ServerURL(), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("stop the private PostgreSQL cluster: %v", err)
		}
		os.RemoveAll(state)
	})
	if srv.Private {
		t.Logf("started a private PostgreSQL cluster: %s", srv.URL)
		t.Setenv("DATABASE_URL", srv.URL)
	}
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	if err := sc.Err(); err != nil {
		lines = append(lines, "(reading the log: "+err.Error()+")")
	}
	return strings.Join(lines, "\n")
}

// syncWriter serialises writes from the platform's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
