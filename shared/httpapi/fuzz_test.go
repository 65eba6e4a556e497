package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// fuzzServer is a real handler on a real database: query strings and
// bodies from outside must get a JSON answer with a 2xx or 4xx status,
// never a 500 or a panic.
func fuzzServer(f *testing.F) *httpapi.Server {
	db := pgtest.NewDB(f)
	store, _ := blob.OpenFS(f.TempDir())
	return httpapi.New(httpapi.Config{Store: db, Blob: store, Now: func() time.Time { return now }})
}

func checkAnswer(t *testing.T, status int, body []byte, what string) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("%s: status %d: %s", what, status, body)
	}
	if len(body) > 0 && !json.Valid(body) {
		t.Fatalf("%s: answer is not JSON: %q", what, body)
	}
}

func FuzzQueryParameters(f *testing.F) {
	for _, q := range []string{
		"series=1&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&step=5m",
		"service=a&metric=cpu&label.env=prod&max_points=10",
		"series=1&step=1e9", "from=-1&to=1e99", "step=0.5&series=9223372036854775807",
	} {
		f.Add("/api/v1/query", q)
	}
	f.Add("/api/v1/anomalies", "before=1.2&severity=high&limit=3")
	f.Add("/api/v1/series", "label.x=y&limit=1")
	f.Add("/api/v1/services/a/health", "window=1h&at=1700000000")
	f.Add("/api/v1/forecasts", "series=1")
	h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, path, query string) {
		if !strings.HasPrefix(path, "/api/") || strings.ContainsAny(path, "?# \x00") {
			return
		}
		req := httptest.NewRequest("GET", "http://x/", nil)
		req.URL.Path = path
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec.Code, rec.Body.Bytes(), path+"?"+query)
	})
}

func FuzzForecastBody(f *testing.F) {
	f.Add(`{"points":[[1700000000,1],[1700003600,2],[1700007200,3],[1700010800,4],[1700014400,5]],"horizon":3}`)
	f.Add(`{"points":[[1700000000,1],[1700000001,2],[1800000000,3]],"step":1}`)
	f.Add(`{"points":[[1700000000,1e308],[1700003600,-1e308],[1700007200,0],[1700010800,1]],"levels":[99.999],"seasons":[2]}`)
	f.Add(`{"series":1,"history_days":1}`)
	h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/v1/forecast", strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec.Code, rec.Body.Bytes(), body)
	})
}

func FuzzPushMetrics(f *testing.F) {
	f.Add(`[{"service":"a","metric":"cpu","points":[[1700000000,1]]}]`)
	f.Add(`[{"service":"a","metric":"cpu","labels":{"x":"y"},"points":[["2026-01-01T00:00:00Z",1],[1700000000000,2]]}]`)
	f.Add(`[{"service":"a","metric":"cpu","points":[[1,2,3]]}]`)
	h := fuzzServer(f)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/v1/metrics", strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec.Code, rec.Body.Bytes(), body)
	})
}
