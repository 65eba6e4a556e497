package httpapi_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestForecastNow(t *testing.T) {
	e := newMetricsEnv(t, false)
	var pts []string
	start := now.Add(-10 * 24 * time.Hour)
	for i := 0; i < 10*24; i++ {
		v := 100 + 30*math.Sin(2*math.Pi*float64(i)/24)
		pts = append(pts, fmt.Sprintf("[%d,%.3f]", start.Add(time.Duration(i)*time.Hour).Unix(), v))
	}
	body := `{"points":[` + strings.Join(pts, ",") + `],"seasons":[24],"horizon":24,"levels":[50,90]}`
	r := e.do(t, "POST", "/api/v1/forecast", body)
	fc, _ := r.body["forecast"].([]any)
	if r.status != 200 || len(fc) != 24 || r.body["step_seconds"] != float64(3600) {
		t.Fatalf("%d %.400s", r.status, r.raw)
	}
	first := fc[0].(map[string]any)
	lower := first["lower"].(map[string]any)
	if _, ok := lower["90"]; !ok || first["yhat"].(float64) < 60 || first["yhat"].(float64) > 140 {
		t.Fatalf("first step = %v", first)
	}
	wantT := start.Add(240 * time.Hour).Format(time.RFC3339)
	if first["t"] != wantT {
		t.Fatalf("first step at %v, want %v", first["t"], wantT)
	}

	for _, tt := range []struct{ body, field string }{
		{`{}`, "series"},
		{`{"series":1,"points":[[1,1]]}`, "points"},
		{`{"points":[[1700000000,1],[1700003600,2]],"horizon":0,"levels":[100]}`, "levels[0]"},
		{`{"points":[[1700000000,1],[1700003600,null]]}`, "points[1]"},
		{`{"points":[[1700000000,1],[1700003600,2]]}`, "points"},
		{`{"points":[[1700000000,1],[1700003600,2],[1700007200,3],[1700010800,4]],"horizon":-1}`, "horizon"},
		{`{"points":[[1700000000,1],[1700003600,2],[1700007200,3],[1700010800,4]],"seasons":[1]}`, "seasons[0]"},
	} {
		if r := e.do(t, "POST", "/api/v1/forecast", tt.body); r.status != 400 || errField(r) != tt.field {
			t.Errorf("%s: %d %s, want 400 on %s", tt.body, r.status, r.raw, tt.field)
		}
	}
}

func TestStoredForecasts(t *testing.T) {
	e := newMetricsEnv(t, false)
	e.do(t, "POST", "/api/v1/services", `{"name":"checkout"}`)
	e.do(t, "POST", "/api/v1/metrics", fmt.Sprintf(`[{"service":"checkout","metric":"cpu","points":[[%d,0.5]]}]`, now.Unix()))
	if r := e.do(t, "GET", "/api/v1/forecasts", ""); r.status != 200 || len(r.body["breaches"].([]any)) != 0 {
		t.Fatalf("breaches: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "GET", "/api/v1/forecasts?series=1", ""); r.status != 404 || !strings.Contains(r.raw, "no forecast yet") {
		t.Fatalf("no forecast yet: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "GET", "/api/v1/forecasts?series=x", ""); r.status != 400 || errField(r) != "series" {
		t.Fatalf("bad id: %d %s", r.status, r.raw)
	}
}
