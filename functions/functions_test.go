// Package functions_test invokes every function of template.yaml as Lambda
// would: its real bootstrap binary under the local Runtime API (localrt),
// with each event in its testdata/ folder, in file-name order, against a
// real PostgreSQL database. An event NAME.json may have NAME.want.json: a
// JSON object whose fields the response must contain (for API Gateway
// responses, a "body" object is compared with the parsed JSON body).
package functions_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/opsight/opsight/infra/devserver"
	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/samtemplate"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/testfiles"
)

// newRuntime builds every function and returns a runtime whose functions
// use a fresh database and a temporary object store.
func newRuntime(tb testing.TB, out io.Writer) *localrt.Runtime {
	tb.Helper()
	root := testfiles.RepoRoot()
	tpl, err := samtemplate.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	blobDir, err := os.MkdirTemp("", "opsight-blob-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(blobDir) })
	rt, err := localrt.New(localrt.Config{
		Template: tpl,
		Dir:      root,
		BinDir:   filepath.Join(root, ".local", "bin"),
		LDFlags:  devserver.LDFlags(),
		Output:   out,
		Env: localrt.Overrides{localrt.AllFunctions: {
			"DATABASE_URL":        pgtest.NewDatabaseURL(tb),
			"DATABASE_SECRET_ARN": "",
			"BLOB_URL":            "file://" + blobDir,
			"STAGE":               "test",
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { rt.Close() })
	if err := rt.Build(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return rt
}

func TestEveryFunctionWithItsEvents(t *testing.T) {
	root := testfiles.RepoRoot()
	tpl, err := samtemplate.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rt := newRuntime(t, testWriter{t})
	for _, fn := range tpl.Functions {
		dir, _ := fn.Dir()
		events, _ := filepath.Glob(filepath.Join(root, "functions", dir, "testdata", "*.json"))
		events = slices.DeleteFunc(events, func(p string) bool { return strings.HasSuffix(p, ".want.json") })
		sort.Strings(events)
		if len(events) == 0 {
			t.Errorf("%s: no events in functions/%s/testdata", fn.LogicalID, dir)
			continue
		}
		t.Run(dir, func(t *testing.T) {
			for _, ev := range events {
				name := strings.TrimSuffix(filepath.Base(ev), ".json")
				payload, err := os.ReadFile(ev)
				if err != nil {
					t.Fatal(err)
				}
				out, rep, err := rt.Invoke(context.Background(), fn.LogicalID, payload)
				if err != nil {
					t.Fatalf("%s: %v\n%s", name, err, out)
				}
				if rep.Duration <= 0 || rep.MaxMemoryUsedMB <= 0 {
					t.Errorf("%s: implausible report %s", name, rep)
				}
				want, err := os.ReadFile(strings.TrimSuffix(ev, ".json") + ".want.json")
				if os.IsNotExist(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if msg := contains(out, want); msg != "" {
					t.Errorf("%s: %s\nresponse: %s", name, msg, out)
				}
			}
		})
	}
}

// contains reports "" when every field of want is in got (recursively for
// objects), else what differs.
func contains(got, want []byte) string {
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return "response is not JSON: " + err.Error()
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return "want file is not JSON: " + err.Error()
	}
	return subset("", g, w)
}

func subset(path string, got, want any) string {
	if ws, ok := want.([]any); ok {
		gs, ok := got.([]any)
		if !ok || len(gs) != len(ws) {
			return fmt.Sprintf("%s = %v, want %d elements like %v", path, got, len(ws), want)
		}
		for i := range ws {
			if msg := subset(fmt.Sprintf("%s[%d]", path, i), gs[i], ws[i]); msg != "" {
				return msg
			}
		}
		return ""
	}
	wm, ok := want.(map[string]any)
	if !ok {
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("%s = %v, want %v", path, got, want)
		}
		return ""
	}
	// An API Gateway response carries its JSON body as a string.
	if s, isStr := got.(string); isStr {
		var parsed any
		if err := json.Unmarshal([]byte(s), &parsed); err != nil {
			return fmt.Sprintf("%s is not a JSON object: %q", path, s)
		}
		got = parsed
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return fmt.Sprintf("%s = %v, want an object", path, got)
	}
	for k, wv := range wm {
		gv, ok := gm[k]
		if !ok {
			return fmt.Sprintf("%s.%s is missing", path, k)
		}
		if msg := subset(path+"."+k, gv, wv); msg != "" {
			return msg
		}
	}
	return ""
}

// testWriter sends the runtime's log lines (function output, REPORT) to the
// test log, shown when a test fails.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
