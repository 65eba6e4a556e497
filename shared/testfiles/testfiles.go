// Package testfiles finds the team's shared data directory (benchmark corpora,
// real webhook payloads, the Camunda schema) for tests. That directory sits
// beside the repository on developer machines and in CI as ../shared, but not
// on a user's fresh clone, so a test that needs it skips there with a clear
// message; under CI=true the same absence fails the test, because CI must
// never pass by skipping.
package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvDir overrides where the shared directory is looked for.
const EnvDir = "OPSIGHT_SHARED_DIR"

// SharedDir returns the shared data directory, or "" when it does not exist.
// It honours $OPSIGHT_SHARED_DIR and otherwise looks for ../shared beside the
// module root (the directory holding go.mod) found from the working directory.
func SharedDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		if isDir(d) {
			return d
		}
		return ""
	}
	root := RepoRoot()
	if root == "" {
		return ""
	}
	d := filepath.Join(filepath.Dir(root), "shared")
	if isDir(d) {
		return d
	}
	return ""
}

// RepoRoot returns the directory holding the module's go.mod, searching
// upwards from the working directory, or "" when there is none.
func RepoRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Shared returns the path of elem inside the shared directory. When that
// path does not exist the test is skipped, or failed when $CI is "true".
func Shared(tb testing.TB, elem ...string) string {
	tb.Helper()
	base := SharedDir()
	p := filepath.Join(append([]string{base}, elem...)...)
	if base != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	msg := "shared data " + filepath.Join(elem...) + " not found (looked in ../shared beside the repository and $" + EnvDir + ")"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg + "; CI=true requires it")
	}
	tb.Skip(msg + "; skipping")
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
