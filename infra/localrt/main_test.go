package localrt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/samtemplate"
)

// binDir holds the test function, built once per test binary by TestMain
// through Runtime.Build, and linked under every test function's directory.
var binDir string

func TestMain(m *testing.M) {
	code, err := buildTestFunctions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "localrt tests:", err)
		os.Exit(1)
	}
	os.Exit(code(m))
}

func buildTestFunctions() (func(*testing.M) int, error) {
	dir, err := os.MkdirTemp("", "localrt-bin-")
	if err != nil {
		return nil, err
	}
	tpl, err := samtemplate.ReadFile("testdata/template.yaml")
	if err != nil {
		return nil, err
	}
	rt, err := New(Config{Template: tpl, BinDir: dir, SourceDir: "testdata/functions"})
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := rt.Build(ctx, "echo"); err != nil {
		return nil, err
	}
	// Every other test function runs the same binary with other settings.
	for _, f := range tpl.Functions {
		d, _ := f.Dir()
		if d == "echo" {
			continue
		}
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
		if err := os.Link(filepath.Join(dir, "echo", "bootstrap"), filepath.Join(dir, d, "bootstrap")); err != nil {
			return nil, err
		}
	}
	binDir = dir
	return func(m *testing.M) int {
		defer os.RemoveAll(dir)
		return m.Run()
	}, nil
}

// syncBuffer collects the runtime's log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the output lines that start with prefix.
func (s *syncBuffer) lines(prefix string) []string {
	var out []string
	for _, l := range strings.Split(s.String(), "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// newRuntime starts a Runtime on the test template (or another) whose
// processes are all gone when the test ends, pass or fail.
func newRuntime(t testing.TB, template string, edit func(*Config)) (*Runtime, *syncBuffer) {
	t.Helper()
	tpl, err := samtemplate.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cfg := Config{
		Template:  tpl,
		BinDir:    binDir,
		SourceDir: "testdata/functions",
		Output:    out,
		Env:       Overrides{"EchoFunction": {"OVERRIDDEN": "override"}},
	}
	if edit != nil {
		edit(&cfg)
	}
	rt, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt, out
}
