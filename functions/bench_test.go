package functions_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/samtemplate"
	"github.com/opsight/opsight/shared/testfiles"
)

// BenchmarkColdStart starts a fresh instance of each function per iteration
// and reports Lambda's Init Duration (process start to the runtime's first
// /next) and the size of the stripped bootstrap.
func BenchmarkColdStart(b *testing.B) {
	root := testfiles.RepoRoot()
	tpl, err := samtemplate.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	newRuntime(b, io.Discard) // builds every function once
	env := localrt.Overrides{localrt.AllFunctions: {
		"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "DATABASE_SECRET_ARN": "",
		"BLOB_URL": "file:///tmp/opsight-bench-blob", "STAGE": "bench",
	}}
	for _, fn := range tpl.Functions {
		dir, _ := fn.Dir()
		b.Run(dir, func(b *testing.B) {
			var inits []time.Duration
			for b.Loop() {
				rt, err := localrt.New(localrt.Config{Template: tpl, Dir: root, BinDir: filepath.Join(root, ".local", "bin"), Env: env, Output: io.Discard})
				if err != nil {
					b.Fatal(err)
				}
				// Any event will do: the init phase ends before the event
				// is read. A function error is fine here.
				_, rep, _ := rt.Invoke(context.Background(), fn.LogicalID, []byte(`{}`))
				rt.Close()
				if !rep.Cold() {
					b.Fatalf("invocation was not a cold start: %s", rep)
				}
				inits = append(inits, rep.InitDuration)
			}
			b.ReportMetric(ms(percentile(inits, 50)), "init-p50-ms")
			b.ReportMetric(ms(percentile(inits, 99)), "init-p99-ms")
			if fi, err := os.Stat(filepath.Join(root, ".local", "bin", dir, "bootstrap")); err == nil {
				b.ReportMetric(float64(fi.Size())/1e6, "bootstrap-MB")
			}
		})
	}
}

// BenchmarkGateway sends requests through the local API Gateway to the api
// function (warm instances), as a browser would, and reports the latency
// percentiles. Run it with -benchtime=2000x for the figure.
func BenchmarkGateway(b *testing.B) {
	rt := newRuntime(b, io.Discard)
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	for i := range 20 {
		body := fmt.Sprintf(`{"name":"svc-%02d","owner_team":"team-%d","labels":{"env":"prod"}}`, i, i%4)
		res, err := http.Post(srv.URL+"/api/v1/services", "application/json", strings.NewReader(body))
		if err != nil || res.StatusCode != 201 {
			b.Fatalf("seed: %v %v", res, err)
		}
		res.Body.Close()
	}
	for _, path := range []string{"/api/v1/health", "/api/v1/services"} {
		b.Run(strings.TrimPrefix(path, "/api/v1/"), func(b *testing.B) {
			get := func() {
				res, err := http.Get(srv.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("GET %s: %d", path, res.StatusCode)
				}
			}
			for range 50 { // warm: instance started, pools connected
				get()
			}
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				get()
				lat = append(lat, time.Since(t0))
			}
			b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
			b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
		})
	}
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
