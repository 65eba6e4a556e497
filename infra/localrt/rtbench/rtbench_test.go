package rtbench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/samtemplate"
)

var binDir string

// TestMain builds the local runtime's test function once.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rtbench-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	rt := newRuntime(nil)
	err = rt.Build(context.Background(), "EchoFunction")
	rt.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func newRuntime(tb testing.TB) *localrt.Runtime {
	tpl, err := samtemplate.ReadFile("../testdata/template.yaml")
	if err == nil {
		var rt *localrt.Runtime
		rt, err = localrt.New(localrt.Config{Template: tpl, BinDir: binDir, SourceDir: "../testdata/functions", Output: discard{}})
		if err == nil {
			if tb != nil {
				tb.Cleanup(func() { rt.Close() })
			}
			return rt
		}
	}
	if tb != nil {
		tb.Fatal(err)
	}
	panic(err)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestSummarize(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(ds)
	want := Summary{N: 100, Min: time.Millisecond, P50: 50 * time.Millisecond, P90: 90 * time.Millisecond,
		P99: 99 * time.Millisecond, Max: 100 * time.Millisecond, Mean: 50500 * time.Microsecond}
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if one := Summarize([]time.Duration{7}); one.P50 != 7 || one.P99 != 7 {
		t.Errorf("one value: %+v", one)
	}
	if (Summarize(nil) != Summary{}) {
		t.Error("empty sample")
	}
	if ds[0] != 100*time.Millisecond {
		t.Error("Summarize reordered its input")
	}
}

func ExampleSummarize() {
	s := Summarize([]time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond, 10 * time.Millisecond})
	fmt.Println(s.P50, s.P99, s.Mean)
	// Output: 2ms 10ms 4ms
}

func TestColdStartsAndLatency(t *testing.T) {
	rt := newRuntime(t)
	inits, err := ColdStarts(context.Background(), rt, "EchoFunction", []byte(`{"action":"echo"}`), 3)
	if err != nil || len(inits) != 3 {
		t.Fatalf("%v %v", inits, err)
	}
	for _, d := range inits {
		if d <= 0 || d > 5*time.Second {
			t.Errorf("init duration %v", d)
		}
	}
	if _, err := ColdStarts(context.Background(), rt, "InitFailFunction", []byte(`{}`), 1); err == nil {
		t.Error("a failing init must fail the measurement")
	}

	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	ds, err := Latency(context.Background(), srv.Client(), "GET", srv.URL+"/api/v1/health", 2, 10)
	if err != nil || len(ds) != 10 {
		t.Fatalf("%v %v", len(ds), err)
	}
	if _, err := Latency(context.Background(), srv.Client(), "GET", srv.URL+"/api/v1/nope", 0, 1); err == nil {
		t.Error("a 404 must fail the measurement")
	}
}

// BenchmarkColdStart reports the init duration of the test function (an
// aws-lambda-go bootstrap) from process start to its first /next.
func BenchmarkColdStart(b *testing.B) {
	rt := newRuntime(b)
	var inits []time.Duration
	for b.Loop() {
		ds, err := ColdStarts(context.Background(), rt, "EchoFunction", []byte(`{"action":"echo"}`), 1)
		if err != nil {
			b.Fatal(err)
		}
		inits = append(inits, ds...)
	}
	s := Summarize(inits)
	b.ReportMetric(float64(s.P50)/1e6, "init-ms-p50")
	b.ReportMetric(float64(s.P99)/1e6, "init-ms-p99")
}

// BenchmarkGatewayRoundTrip reports the latency of GET /api/v1/health
// through the gateway to a warm function and back, over loopback HTTP.
func BenchmarkGatewayRoundTrip(b *testing.B) {
	rt := newRuntime(b)
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	if _, err := Latency(context.Background(), client, "GET", srv.URL+"/api/v1/health", 10, 0); err != nil {
		b.Fatal(err)
	}
	var all []time.Duration
	for b.Loop() {
		ds, err := Latency(context.Background(), client, "GET", srv.URL+"/api/v1/health", 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, ds...)
	}
	s := Summarize(all)
	b.ReportMetric(float64(s.P50)/1e6, "ms-p50")
	b.ReportMetric(float64(s.P99)/1e6, "ms-p99")
}
