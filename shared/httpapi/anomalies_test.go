package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

func TestListAnomalies(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	e.do(t, "POST", "/api/v1/services", `{"name":"search"}`)
	run := &postgres.DetectionRun{}
	sev := []string{"low", "medium", "high", "critical"}
	for i := range 8 {
		start := now.Add(-time.Duration(8-i) * time.Hour)
		svc := map[bool]string{true: "checkout", false: "search"}[i%2 == 0]
		run.Episodes = append(run.Episodes, aiops.Anomaly{Service: svc, Start: start, End: start.Add(10 * time.Minute),
			PeakTime: start, PeakScore: 0.6 + 0.1*float64(i%4), Severity: sev[i%4], Metrics: []string{"latency_p95"},
			Description: fmt.Sprintf("episode %d", i), Observed: 1})
	}
	if err := e.db.SaveDetection(context.Background(), run); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "GET", "/api/v1/anomalies?service=checkout&severity=high", "")
	list, _ := r.body["anomalies"].([]any)
	if r.status != 200 || len(list) != 2 || r.body["next"] != nil {
		t.Fatalf("filter: %d %s", r.status, r.raw)
	}
	if d := list[0].(map[string]any)["description"]; d != "episode 6" {
		t.Fatalf("newest first: got %v", d)
	}
	// Page through all 8, three at a time.
	var seen []string
	next := ""
	for page := 0; page < 5; page++ {
		path := "/api/v1/anomalies?limit=3"
		if next != "" {
			path += "&before=" + url.QueryEscape(next)
		}
		r := e.do(t, "GET", path, "")
		for _, a := range r.body["anomalies"].([]any) {
			seen = append(seen, a.(map[string]any)["description"].(string))
		}
		n, _ := r.body["next"].(string)
		if n == "" {
			break
		}
		next = n
	}
	if len(seen) != 8 || seen[0] != "episode 7" || seen[7] != "episode 0" {
		t.Fatalf("pages: %v", seen)
	}
	from := now.Add(-3 * time.Hour).Format(time.RFC3339)
	if r := e.do(t, "GET", "/api/v1/anomalies?from="+from, ""); len(r.body["anomalies"].([]any)) != 3 {
		t.Fatalf("time range: %s", r.raw)
	}
	for path, field := range map[string]string{
		"/api/v1/anomalies?severity=urgent": "severity",
		"/api/v1/anomalies?before=xyz":      "before",
		"/api/v1/anomalies?limit=1000":      "limit",
		"/api/v1/anomalies?sevrity=low":     "sevrity",
	} {
		if r := e.do(t, "GET", path, ""); r.status != 400 || errField(r) != field {
			t.Errorf("%s: %d %s", path, r.status, r.raw)
		}
	}
	if r := e.do(t, "GET", "/api/v1/anomalies?service=ghost", ""); r.status != 404 {
		t.Errorf("unknown service: %d", r.status)
	}
}
