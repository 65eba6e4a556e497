package collect

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/collect/breaker"
)

var (
	discard = slog.New(slog.NewTextHandler(io.Discard, nil))
	t0      = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
)

// minuteValue answers every query with the minute of the day, so stored
// points show which minute they belong to.
func minuteValue(q string, t time.Time) (float64, bool) {
	return float64(t.Hour()*60 + t.Minute()), true
}

func service(name, url string, queries map[string]string) *aiops.Service {
	return &aiops.Service{Name: name, Status: "active", Prometheus: &aiops.PrometheusSource{URL: url, Selector: `job="` + name + `"`, Queries: queries}}
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestRunCollectsEveryStandardMetric(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil), &aiops.Service{Name: "pusher", Status: "active"})
	c := New(Config{}, store, discard, nil)
	at := t0.Add(30 * time.Second) // collected as 10:00
	sum, err := c.Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Targets != 1 || sum.OK != 1 || sum.Points != len(aiops.StandardMetrics) || sum.CaughtUp != 0 || !sum.Time.Equal(t0) {
		t.Fatalf("summary = %+v", sum)
	}
	for _, m := range aiops.StandardMetrics {
		if got := store.series("checkout", m); len(got) != 1 || got[t0] != 600 {
			t.Errorf("%s: %v, want one point 600 at %v", m, got, t0)
		}
	}
	if st := store.states["checkout"]; !st.LastCollected.Equal(t0) || st.LastError != "" || st.SourceURL != prom.URL {
		t.Errorf("state = %+v", st)
	}
	if instant, ranges, _ := prom.counts(); instant != 9 || ranges != 0 {
		t.Errorf("requests: %d instant, %d range; want 9 instant queries", instant, ranges)
	}
}

// After missed runs, one query_range per metric fills every minute.
func TestRunCatchesUpMissedMinutes(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil))
	c := New(Config{}, store, discard, nil)
	if _, err := c.Run(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(30 * time.Minute)
	sum, err := c.Run(context.Background(), later)
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 1 || sum.CaughtUp != 1 || sum.Points != 30*len(aiops.StandardMetrics) {
		t.Fatalf("summary = %+v, want 30 points per metric", sum)
	}
	got := store.series("checkout", aiops.MetricLatencyP99)
	for m := 0; m <= 30; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		if v, ok := got[at]; !ok || v != float64(600+m) {
			t.Errorf("minute %v: %v, %v", at, v, ok)
		}
	}
	if _, ranges, points := prom.counts(); ranges != 9 || points != 9*30 {
		t.Errorf("%d range queries for %d points, want 9 for 270", ranges, points)
	}
}

// A long gap is bounded by MaxCatchUp and split into query_range calls of
// at most 11,000 points.
func TestCatchUpBoundedAndChunked(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	svc := service("checkout", prom.URL, map[string]string{})
	store := newMemStore(svc)
	c := New(Config{MaxCatchUp: 10 * 24 * time.Hour}, store, discard, nil)
	at := t0
	store.states["checkout"] = stateAt("checkout", prom.URL, at.Add(-30*24*time.Hour))
	sum, err := c.Run(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	const want = 10*24*60 + 1 // ten days of minutes and the current one
	if sum.OK != 1 || sum.Points != want*len(aiops.StandardMetrics) {
		t.Fatalf("summary = %+v; want %d points per metric", sum, want)
	}
	got := store.series("checkout", aiops.MetricCPU)
	if len(got) != want {
		t.Fatalf("%d points, want %d", len(got), want)
	}
	for m := 0; m < want; m++ {
		if _, ok := got[at.Add(-time.Duration(m)*time.Minute)]; !ok {
			t.Fatalf("minute %d before the run is missing", m)
		}
	}
	if _, ranges, _ := prom.counts(); ranges != 2*len(aiops.StandardMetrics) {
		t.Errorf("%d range queries, want 2 per metric", ranges)
	}
}

func TestCatchUpFrom(t *testing.T) {
	c := New(Config{MaxCatchUp: time.Hour}, newMemStore(), discard, nil)
	for _, tc := range []struct {
		last time.Time
		want time.Time
	}{
		{time.Time{}, t0},             // never collected
		{t0, t0},                      // same minute again (a retry)
		{t0.Add(5 * time.Minute), t0}, // a late run of an earlier minute
		{t0.Add(-time.Minute), t0},    // the previous minute: nothing missed
		{t0.Add(-3 * time.Minute), t0.Add(-2 * time.Minute)},
		{t0.Add(-90 * time.Second), t0}, // unaligned: nothing whole missed
		{t0.Add(-150 * time.Second), t0.Add(-time.Minute)},
		{t0.Add(-48 * time.Hour), t0.Add(-time.Hour)}, // bounded
	} {
		if got := c.catchUpFrom(tc.last, t0); !got.Equal(tc.want) {
			t.Errorf("last %v: from %v, want %v", tc.last, got, tc.want)
		}
	}
}

// A target that is down opens its circuit after Threshold runs and is then
// skipped, while the other target is collected every run; after the
// cool-down one trial is made.
func TestDownTargetOpensCircuit(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	down := closedPort(t)
	store := newMemStore(service("checkout", prom.URL, nil), service("ghost", down, nil))
	reg := prometheus.NewRegistry()
	c := New(Config{Breaker: breaker.Policy{Threshold: 2, Cooldown: 3 * time.Minute}}, store, discard, reg)
	want := []struct {
		failed, skipped int
		circuit         breaker.Status
	}{
		{1, 0, breaker.Closed},
		{1, 0, breaker.Open},
		{0, 1, breaker.Open},
		{0, 1, breaker.Open},
		{1, 0, breaker.Open}, // 4: the half-open trial fails and re-opens
	}
	for i, w := range want {
		at := t0.Add(time.Duration(i) * time.Minute)
		sum, err := c.Run(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		if sum.OK != 1 || sum.Failed != w.failed || sum.SkippedOpenCircuit != w.skipped || len(sum.Failures) != 1 {
			t.Fatalf("run %d: %+v", i, sum)
		}
		f := sum.Failures[0]
		if f.Service != "ghost" || f.Circuit != w.circuit || f.Error == "" {
			t.Errorf("run %d: failure %+v, want ghost with circuit %s", i, f, w.circuit)
		}
		if w.failed == 1 && !strings.Contains(f.Error, "connection refused") {
			t.Errorf("run %d: error %q does not say what happened", i, f.Error)
		}
		if got := store.series("checkout", aiops.MetricRequestRate); len(got) != i+1 {
			t.Errorf("run %d: checkout has %d points, want %d", i, len(got), i+1)
		}
	}
	if st := store.states["ghost"]; st.Breaker.Failures != 3 || !st.Breaker.OpenedAt.Equal(t0.Add(4*time.Minute)) || !st.LastCollected.IsZero() {
		t.Errorf("ghost state = %+v", st)
	}
	if got := counterValue(c.m.targets.WithLabelValues("skipped_open_circuit")); got != 2 {
		t.Errorf("opsight_collector_targets_total{outcome=skipped_open_circuit} = %v, want 2", got)
	}
	if got := counterValue(c.m.errors.WithLabelValues("target")); got != 3 {
		t.Errorf("opsight_collector_errors_total{kind=target} = %v, want 3", got)
	}
	if n := histogramCount(t, reg, "opsight_collector_run_duration_seconds"); n != 5 {
		t.Errorf("opsight_collector_run_duration_seconds counted %d runs, want 5", n)
	}

	// The server comes back (same URL): the next trial closes the circuit
	// and catch-up has nothing to fill, as the target never stored points.
	srv := &http.Server{Handler: prom.Config.Handler}
	l, err := net.Listen("tcp", strings.TrimPrefix(down, "http://"))
	if err != nil {
		t.Skipf("cannot reuse the closed port: %v", err)
	}
	go srv.Serve(l)
	defer srv.Close()
	sum, err := c.Run(context.Background(), t0.Add(7*time.Minute))
	if err != nil || sum.OK != 2 || len(sum.Failures) != 0 {
		t.Fatalf("after recovery: %+v, %v", sum, err)
	}
	if st := store.states["ghost"]; st.Breaker != (breaker.State{}) || st.LastError != "" {
		t.Errorf("ghost state after recovery = %+v", st)
	}
}

// A Prometheus that never answers costs one request timeout, not one per
// metric, and does not hold up the other targets.
func TestHangingTargetCostsOneTimeout(t *testing.T) {
	hang := newFakeProm(t, minuteValue)
	hang.Config.Handler = hanging
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil), service("stuck", hang.URL, nil))
	c := New(Config{RequestTimeout: 300 * time.Millisecond}, store, discard, nil)
	began := time.Now()
	sum, err := c.Run(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("run took %v with a 300ms request timeout", d)
	}
	if sum.OK != 1 || sum.Failed != 1 || !strings.Contains(sum.Failures[0].Error, "deadline exceeded") {
		t.Errorf("summary = %+v", sum)
	}
}

// The invocation's deadline is not the target's fault: no breaker change,
// and the state stays where it was so the next run catches up.
func TestDeadlineIsNotAFailure(t *testing.T) {
	hang := newFakeProm(t, minuteValue)
	hang.Config.Handler = hanging
	store := newMemStore(service("stuck", hang.URL, nil))
	c := New(Config{RequestTimeout: time.Minute, SaveReserve: time.Millisecond}, store, discard, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	sum, err := c.Run(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Canceled != 1 || sum.Failed != 0 {
		t.Errorf("summary = %+v, want the target canceled", sum)
	}
	if _, saved := store.states["stuck"]; saved {
		t.Errorf("state saved for a canceled target: %+v", store.states["stuck"])
	}
}

func TestBadOverridesAreReported(t *testing.T) {
	prom := newFakeProm(t, func(q string, t time.Time) (float64, bool) {
		if strings.Contains(q, `code="200"`) {
			return 42, true
		}
		return minuteValue(q, t)
	})
	prom.reject = func(q string) string {
		if strings.Contains(q, "rate(oops") {
			return "1:6: parse error: unexpected character"
		}
		return ""
	}
	store := newMemStore(service("checkout", prom.URL, map[string]string{
		aiops.MetricRequestRate: `sum(rate(http_requests_total{ {{.Selector}}, code="200" }[{{.Window}}]))`,
		aiops.MetricLatencyP95:  `histogram_quantile(0.95, {{.Nope}})`,
		aiops.MetricCPU:         `sum(rate(oops{ {{.Selector}} }[1m] ))`,
	}))
	c := New(Config{}, store, discard, nil)
	sum, err := c.Run(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 1 || sum.Points != len(aiops.StandardMetrics)-2 || len(sum.QueryErrors) != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	for _, qe := range sum.QueryErrors {
		switch qe.Metric {
		case aiops.MetricLatencyP95:
			if qe.Service != "checkout" || qe.Kind != "template" || !strings.Contains(qe.Error, "Nope") {
				t.Errorf("template error = %+v", qe)
			}
		case aiops.MetricCPU:
			if qe.Kind != "query" || !strings.Contains(qe.Error, "parse error") {
				t.Errorf("rejected query = %+v", qe)
			}
		default:
			t.Errorf("unexpected query error %+v", qe)
		}
	}
	if got := store.series("checkout", aiops.MetricRequestRate); got[t0] != 42 {
		t.Errorf("the override was not used: %v", got)
	}
	if st := store.states["checkout"]; st.Breaker.Failures != 0 || !st.LastCollected.Equal(t0) {
		t.Errorf("a rejected query counted against the target: %+v", st)
	}
}

func TestNoDataIsNotAnError(t *testing.T) {
	prom := newFakeProm(t, func(q string, t time.Time) (float64, bool) {
		switch {
		case strings.Contains(q, "kube_pod"):
			return 0, false // no kube-state-metrics
		case strings.Contains(q, "histogram_quantile"):
			return math.NaN(), true // no requests in the window
		}
		return 1, true
	})
	store := newMemStore(service("checkout", prom.URL, nil))
	c := New(Config{}, store, discard, nil)
	sum, err := c.Run(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	// restarts, pods (no data) and three latencies (NaN) are empty.
	if sum.OK != 1 || sum.Empty != 5 || sum.Points != 4 || len(sum.QueryErrors) != 0 {
		t.Errorf("summary = %+v", sum)
	}
}

// A failed write leaves the breaker alone and the gap open; the next run
// fills it.
func TestWriteFailure(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil))
	c := New(Config{}, store, discard, nil)
	c.Run(context.Background(), t0)
	store.writeErr = errDatabaseDown
	sum, _ := c.Run(context.Background(), t0.Add(time.Minute))
	if sum.Failed != 1 || !strings.Contains(sum.Failures[0].Error, "store points: database down") || sum.Failures[0].Circuit != breaker.Closed {
		t.Fatalf("summary = %+v", sum)
	}
	if st := store.states["checkout"]; st.Breaker.Failures != 0 || !st.LastCollected.Equal(t0) {
		t.Errorf("state = %+v", st)
	}
	store.writeErr = nil
	sum, _ = c.Run(context.Background(), t0.Add(2*time.Minute))
	if sum.OK != 1 || sum.Points != 2*len(aiops.StandardMetrics) {
		t.Errorf("after the database is back: %+v, want two minutes per metric", sum)
	}
}

// A new URL is a new server: its breaker starts closed.
func TestNewSourceURLResetsBreaker(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil))
	st := stateAt("checkout", "http://old:9090", t0.Add(-time.Minute))
	st.Breaker = breaker.State{Failures: 5, OpenedAt: t0}
	store.states["checkout"] = st
	sum, err := New(Config{}, store, discard, nil).Run(context.Background(), t0)
	if err != nil || sum.OK != 1 {
		t.Fatalf("summary = %+v, %v", sum, err)
	}
}

func TestPromDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", time.Hour: "1h", 90 * time.Second: "90s", 1500 * time.Millisecond: "1500ms",
	} {
		if got := promDuration(d); got != want {
			t.Errorf("promDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	c.Write(&m)
	return m.GetCounter().GetValue()
}

func histogramCount(t *testing.T, g prometheus.Gatherer, name string) uint64 {
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatalf("%s not registered", name)
	return 0
}

// hanging never answers. It reads the body first: only then does the server
// notice the client going away and cancel the request's context.
var hanging = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
})

func TestHandleScheduledUsesTheEventTime(t *testing.T) {
	prom := newFakeProm(t, minuteValue)
	store := newMemStore(service("checkout", prom.URL, nil))
	clock := t0.Add(time.Hour)
	c := New(Config{Now: func() time.Time { return clock }}, store, discard, nil)
	h := lambda.NewHandler(c.HandleScheduled)
	for _, tc := range []struct {
		event string
		want  time.Time
	}{
		// A late invocation collects the minute it was scheduled for.
		{`{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-03-02T10:05:00Z","detail":{}}`, t0.Add(5 * time.Minute)},
		// A direct invocation without a time collects the current minute.
		{`{}`, clock},
	} {
		out, err := h.Invoke(context.Background(), []byte(tc.event))
		if err != nil {
			t.Fatal(err)
		}
		var sum Summary
		if err := json.Unmarshal(out, &sum); err != nil {
			t.Fatal(err)
		}
		if !sum.Time.Equal(tc.want) || sum.OK != 1 {
			t.Errorf("%s: summary %s, want the minute %v", tc.event, out, tc.want)
		}
	}
}
