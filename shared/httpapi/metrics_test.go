package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/remotewrite"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newMetricsEnv(t *testing.T, createServices bool) *env {
	t.Helper()
	db := pgtest.NewDB(t)
	store, _ := blob.OpenFS(t.TempDir())
	reg := prometheus.NewRegistry()
	h := httpapi.New(httpapi.Config{Store: db, Blob: store, Registerer: reg, Gatherer: reg,
		CreateServices: createServices, Now: func() time.Time { return now }, MetricsMaxBodyBytes: 1 << 20})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{db: db, srv: srv}
}

func TestPushAndQuery(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	var pts []string
	for i := 0; i < 120; i++ {
		pts = append(pts, fmt.Sprintf("[%d, %d]", now.Add(-2*time.Hour+time.Duration(i)*time.Minute).Unix(), i))
	}
	body := `[{"service":"checkout","metric":"latency_p95","labels":{"route":"/pay"},"points":[` + strings.Join(pts, ",") + `]}]`
	r := e.do(t, "POST", "/api/v1/metrics", body)
	if r.status != 200 || r.body["points"] != float64(120) || r.body["created_series"] != float64(1) {
		t.Fatalf("push: %d %s", r.status, r.raw)
	}
	r = e.do(t, "GET", "/api/v1/series?service=checkout&label.route=/pay", "")
	list, _ := r.body["series"].([]any)
	if r.status != 200 || len(list) != 1 {
		t.Fatalf("series: %d %s", r.status, r.raw)
	}
	id := list[0].(map[string]any)["id"].(float64)

	// Two hours at most 12 points: 10-minute steps from the 5-minute
	// rollups' path (hours still dirty, so read from points).
	from := now.Add(-2 * time.Hour).Format(time.RFC3339)
	r = e.do(t, "GET", fmt.Sprintf("/api/v1/query?series=%d&from=%s&max_points=12", int(id), from), "")
	points, _ := r.body["points"].([]any)
	if r.status != 200 || r.body["step_seconds"] != float64(600) || len(points) != 12 || r.body["source"] != "rollup_5m" {
		t.Fatalf("query: %d %s", r.status, r.raw)
	}
	first := points[0].([]any) // [t, avg, min, max, count] of values 0..9
	if first[1] != 4.5 || first[2] != 0.0 || first[3] != 9.0 || first[4] != 10.0 {
		t.Fatalf("first bucket = %v", first)
	}
	// By name, with an explicit step.
	r = e.do(t, "GET", "/api/v1/query?service=checkout&metric=latency_p95&label.route=/pay&from="+from+"&step=1m", "")
	if points, _ := r.body["points"].([]any); r.status != 200 || len(points) != 120 || r.body["source"] != "raw" {
		t.Fatalf("query by name: %d %.300s", r.status, r.raw)
	}
}

func TestPushRejectsBadBatches(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	ts := now.Unix()
	tests := []struct {
		name, body  string
		status      int
		field, text string
	}{
		{"future", fmt.Sprintf(`[{"service":"checkout","metric":"cpu","points":[[%d,1],[%d,2]]}]`, ts, ts+3600), 400, "[0].points[1]", "future"},
		{"before 1970", `[{"service":"checkout","metric":"cpu","points":[[-10,1]]}]`, 400, "[0].points[0]", "1970"},
		{"null value", fmt.Sprintf(`[{"service":"checkout","metric":"cpu","points":[[%d,1]]},{"service":"checkout","metric":"cpu","points":[[%d,null]]}]`, ts, ts), 400, "[1].points[0]", "null"},
		{"NaN string", fmt.Sprintf(`[{"service":"checkout","metric":"cpu","points":[[%d,"NaN"]]}]`, ts), 400, "[0].points[0]", "string"},
		{"unknown field", `[{"service":"checkout","metric":"cpu","points":[],"unit":"s"}]`, 400, "unit", "unknown"},
		{"bad metric", fmt.Sprintf(`[{"service":"checkout","metric":"cpu usage","points":[[%d,1]]}]`, ts), 400, "[0].metric", "metric"},
		{"unknown service", fmt.Sprintf(`[{"service":"checkout","metric":"cpu","points":[[%d,1]]},{"service":"ghost","metric":"cpu","points":[[%d,1]]}]`, ts, ts), 404, "[1].service", "ghost"},
		{"too large", `[{"service":"checkout","metric":"cpu","points":[` + strings.Repeat(fmt.Sprintf("[%d,1],", ts), 1<<17) + `[0,0]]}]`, 413, "", "larger"},
		{"not an array", `{"service":"checkout"}`, 400, "", "array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, "POST", "/api/v1/metrics", tt.body)
			msg, _ := r.body["error"].(map[string]any)["message"].(string)
			if r.status != tt.status || errField(r) != tt.field || !strings.Contains(msg, tt.text) {
				t.Fatalf("got %d field %q: %.300s", r.status, errField(r), r.raw)
			}
		})
	}
	var n int
	e.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM points").Scan(&n)
	if n != 0 {
		t.Fatalf("%d points stored from rejected batches", n)
	}
}

func TestPushCreatesServicesWhenAllowed(t *testing.T) {
	e := newMetricsEnv(t, true)
	r := e.do(t, "POST", "/api/v1/metrics", fmt.Sprintf(`[{"service":"new-svc","metric":"cpu","points":[[%d,0.5]]}]`, now.Unix()))
	if r.status != 200 || r.body["created_services"] != float64(1) {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if r := e.do(t, "GET", "/api/v1/services/new-svc", ""); r.status != 200 || r.body["type"] != "other" {
		t.Fatalf("service not registered: %d %s", r.status, r.raw)
	}
}

func postRemoteWrite(t *testing.T, e *env, body []byte) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/write", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRemoteWrite(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	stale := math.Float64frombits(remotewrite.StaleNaN)
	body := remotewrite.Encode([]aiops.Samples{{
		SeriesKey: aiops.SeriesKey{Service: "checkout", Metric: "http_requests_total", Labels: map[string]string{"code": "200"}},
		Points:    []aiops.Point{{T: now.Add(-time.Minute), V: 10}, {T: now.Add(-30 * time.Second), V: 12}, {T: now, V: stale}},
	}})
	res := postRemoteWrite(t, e, body)
	res.Body.Close()
	if res.StatusCode != 204 {
		t.Fatalf("status %d", res.StatusCode)
	}
	var n int
	e.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM points").Scan(&n)
	if n != 2 {
		t.Fatalf("%d points stored, want 2 (the staleness marker is not a point)", n)
	}
	// Garbage answers 400, which Prometheus does not retry.
	res = postRemoteWrite(t, e, []byte("not snappy"))
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(b), "snappy") {
		t.Fatalf("garbage: %d %s", res.StatusCode, b)
	}
	// The platform's own metrics count it.
	r := e.do2(t, "/api/v1/metrics/prometheus")
	if !strings.Contains(r, `opsight_ingest_points_total{source="remote_write"} 2`) || !strings.Contains(r, `opsight_ingest_batches_total{result="rejected",source="remote_write"} 1`) {
		t.Fatalf("exposition lacks the ingest counters:\n%s", r)
	}
}

func (e *env) do2(t *testing.T, path string) string {
	res, err := http.Get(e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestServiceHealthScore(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	push := func(metric string, v float64) {
		var pts []string
		for i := 1; i <= 15; i++ {
			pts = append(pts, fmt.Sprintf("[%d, %g]", now.Add(-time.Duration(i)*time.Minute).Unix(), v))
		}
		r := e.do(t, "POST", "/api/v1/metrics", fmt.Sprintf(`[{"service":"checkout","metric":%q,"points":[%s]}]`, metric, strings.Join(pts, ",")))
		if r.status != 200 {
			t.Fatal(r.raw)
		}
	}
	if r := e.do(t, "GET", "/api/v1/services/checkout/health", ""); r.status != 200 || r.body["status"] != "no_data" || r.body["score"] != nil {
		t.Fatalf("no data: %d %s", r.status, r.raw)
	}
	push("error_rate", 0.03) // half way between 1% and 5%: 50
	push("latency_p95", 0.3) // under warn: 100
	push("cpu", 0.5)         // under warn: 100
	r := e.do(t, "GET", "/api/v1/services/checkout/health", "")
	parts, _ := r.body["parts"].([]any)
	if r.status != 200 || r.body["score"] != float64(75) || r.body["grade"] != "B" || r.body["status"] != "healthy" || len(parts) != 3 {
		t.Fatalf("health: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "GET", "/api/v1/services/ghost/health", ""); r.status != 404 {
		t.Fatalf("unknown service: %d", r.status)
	}
	if r := e.do(t, "GET", "/api/v1/services/checkout/health?window=1s", ""); r.status != 400 || errField(r) != "window" {
		t.Fatalf("bad window: %d %s", r.status, r.raw)
	}
}

func TestQueryBadInput(t *testing.T) {
	e := newMetricsEnv(t, false)
	for path, field := range map[string]string{
		"/api/v1/query?series=abc":                             "series",
		"/api/v1/query":                                        "series",
		"/api/v1/query?series=1&from=yesterday":                "from",
		"/api/v1/query?series=1&from=1700000100&to=1700000000": "from",
		"/api/v1/query?series=1&step=0.1":                      "step",
		"/api/v1/query?series=1&max_points=0":                  "max_points",
		"/api/v1/series?servce=x":                              "servce",
	} {
		if r := e.do(t, "GET", path, ""); r.status != 400 || errField(r) != field {
			t.Errorf("%s: %d %s, want 400 on %s", path, r.status, r.raw, field)
		}
	}
	if r := e.do(t, "GET", "/api/v1/query?series=99", ""); r.status != 404 {
		t.Errorf("missing series: %d", r.status)
	}
}

// The exposition reports the collector's work recorded in the database,
// whichever instance answers.
func TestExpositionReportsCollector(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout","prometheus":{"url":"http://prom:9090","selector":""}}`)
	ctx := context.Background()
	for i, errText := range []string{"", "connection refused"} {
		st := postgres.CollectorState{Service: "checkout", SourceURL: "http://prom:9090", LastAttempt: now.Add(time.Duration(i) * time.Minute),
			LastError: errText, LastDuration: 120 * time.Millisecond, Points: 9}
		if errText == "" {
			st.LastCollected = now
		}
		if err := e.db.SaveCollectorState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	out := e.do2(t, "/api/v1/metrics/prometheus")
	for _, want := range []string{
		`opsight_collector_target_attempts_total{service="checkout"} 2`,
		`opsight_collector_target_failures_total{service="checkout"} 1`,
		`opsight_collector_target_points_total{service="checkout"} 18`,
		`opsight_collector_target_last_duration_seconds{service="checkout"} 0.12`,
		`opsight_collector_target_last_success_timestamp_seconds{service="checkout"} 1.795608e+09`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
