package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoRootHoldsGoMod(t *testing.T) {
	root := RepoRoot()
	if root == "" {
		t.Fatal("no go.mod found upwards from the working directory")
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
}

func TestSharedDirOverride(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvDir, dir)
	if got := SharedDir(); got != dir {
		t.Fatalf("SharedDir = %q, want %q", got, dir)
	}
	t.Setenv(EnvDir, filepath.Join(dir, "missing"))
	if got := SharedDir(); got != "" {
		t.Fatalf("SharedDir = %q for a missing override, want empty", got)
	}
}
