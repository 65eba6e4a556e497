package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/testfiles"
)

// The README's configuration table documents every variable with its
// default, so adding a variable without documenting it fails here.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testfiles.RepoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, v := range Vars {
		def := "(none)"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		row := "| `" + v.Name + "` | " + def + " |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md lacks the configuration row %q", row)
		}
	}
}
