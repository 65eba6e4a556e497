package devdb

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// A private cluster starts, serves, and leaves nothing running after Stop.
func TestPrivateCluster(t *testing.T) {
	state, err := os.MkdirTemp("", "opsight-devdb-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(state)
	if os.Geteuid() == 0 {
		os.Chmod(state, 0o755)
	}
	ctx := context.Background()
	s, err := Ensure(ctx, Options{StateDir: state, Fast: true, DatabaseURL: "postgres://nobody@127.0.0.1:1/x?connect_timeout=1"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(ctx)
	if !s.Private {
		t.Fatal("an unreachable DATABASE_URL must lead to a private cluster")
	}
	if err := ping(ctx, s.URL); err != nil {
		t.Fatalf("private cluster not reachable: %v", err)
	}
	pidFile := filepath.Join(state, "data", "postmaster.pid")
	if _, err := os.Stat(pidFile); err != nil {
		t.Fatalf("no postmaster.pid under the state dir: %v", err)
	}
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Fatalf("server still running after Stop (postmaster.pid: %v)", err)
	}
	if err := ping(ctx, s.URL); err == nil {
		t.Fatal("server still answers after Stop")
	}
}

func TestReachableURLIsUsed(t *testing.T) {
	url := pgtest.NewDatabaseURL(t)
	s, err := Ensure(context.Background(), Options{DatabaseURL: url, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if s.Private || s.URL != url {
		t.Fatalf("server = %+v, want the given URL", s)
	}
}

func TestTraversable(t *testing.T) {
	dir := t.TempDir() // its parent is 0700
	if traversableByOthers(dir) {
		t.Fatalf("%s reported traversable under a 0700 parent", dir)
	}
	if !traversableByOthers("/usr/lib") {
		t.Fatal("/usr/lib reported not traversable")
	}
}

// `opsight devdb up` leaves the cluster running and `down` stops it, from
// relative paths as the Makefile passes them.
func TestDetachAndStopPrivate(t *testing.T) {
	state, err := os.MkdirTemp("", "opsight-devdb-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(state)
	os.Chmod(state, 0o755)
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(filepath.Dir(state))
	rel := filepath.Base(state)
	ctx := context.Background()
	s, err := Ensure(ctx, Options{StateDir: rel, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Detach(rel); err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, s.URL); err != nil {
		t.Fatalf("detached cluster not running: %v", err)
	}
	if err := StopPrivate(ctx, Options{StateDir: rel}); err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, s.URL); err == nil {
		t.Fatal("cluster still running after StopPrivate")
	}
	if err := StopPrivate(ctx, Options{StateDir: rel}); err != nil {
		t.Fatalf("second StopPrivate: %v", err)
	}
}
