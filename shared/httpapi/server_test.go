package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

type env struct {
	db  *postgres.DB
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := pgtest.NewDB(t)
	store, err := blob.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := httpapi.New(httpapi.Config{Store: db, Blob: store, Registerer: prometheus.NewRegistry(), Stage: "test"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{db: db, srv: srv}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(t *testing.T, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 && method != "HEAD" {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", method, path, raw)
		}
	}
	return r
}

func errCode(r response) string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func errField(r response) string {
	e, _ := r.body["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

func TestServiceRegistry(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "POST", "/api/v1/services", `{"name":"checkout-api","type":"api","owner_team":"payments","labels":{"env":"prod"}}`)
	if r.status != 201 || r.body["name"] != "checkout-api" || r.header.Get("Location") != "/api/v1/services/checkout-api" {
		t.Fatalf("create: %d %v", r.status, r.raw)
	}
	if r := e.do(t, "POST", "/api/v1/services", `{"name":"checkout-api"}`); r.status != 409 || errCode(r) != "conflict" || errField(r) != "name" {
		t.Fatalf("duplicate: %d %s", r.status, r.raw)
	}
	e.do(t, "POST", "/api/v1/services", `{"name":"ledger","type":"database"}`)

	r = e.do(t, "GET", "/api/v1/services?type=api", "")
	if r.status != 200 || r.body["total"] != float64(1) {
		t.Fatalf("list: %d %s", r.status, r.raw)
	}
	r = e.do(t, "GET", "/api/v1/services/ledger", "")
	if r.status != 200 || r.body["type"] != "database" || r.body["last_seen"] != nil {
		t.Fatalf("get: %d %s", r.status, r.raw)
	}
	r = e.do(t, "PATCH", "/api/v1/services/checkout-api", `{"status":"maintenance","labels":{"env":null,"tier":"1"}}`)
	labels, _ := r.body["labels"].(map[string]any)
	if r.status != 200 || r.body["status"] != "maintenance" || labels["tier"] != "1" || labels["env"] != nil {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "PATCH", "/api/v1/services/checkout-api", `{"name":"other"}`); r.status != 400 || errField(r) != "name" {
		t.Fatalf("rename: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "DELETE", "/api/v1/services/checkout-api", ""); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if r := e.do(t, "GET", "/api/v1/services/checkout-api", ""); r.status != 404 || errCode(r) != "not_found" {
		t.Fatalf("get deleted: %d %s", r.status, r.raw)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	big := `{"name":"x","owner_team":"` + strings.Repeat("a", 1<<20) + `"}`
	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"unknown route", "GET", "/api/v1/nothing", "", 404, "not_found", ""},
		{"malformed json", "POST", "/api/v1/services", `{"name":`, 400, "invalid", ""},
		{"syntax error", "POST", "/api/v1/services", `{"name" "x"}`, 400, "invalid", ""},
		{"unknown field", "POST", "/api/v1/services", `{"name":"x","colour":"red"}`, 400, "invalid", "colour"},
		{"wrong type", "POST", "/api/v1/services", `{"name":"x","labels":["a"]}`, 400, "invalid", "labels"},
		{"invalid name", "POST", "/api/v1/services", `{"name":"Bad Name"}`, 400, "invalid", "name"},
		{"two values", "POST", "/api/v1/services", `{"name":"x"}{"name":"y"}`, 400, "invalid", ""},
		{"empty body", "POST", "/api/v1/services", ``, 400, "invalid", ""},
		{"too large", "POST", "/api/v1/services", big, 413, "too_large", ""},
		{"bad limit", "GET", "/api/v1/services?limit=0", "", 400, "invalid", "limit"},
		{"unknown param", "GET", "/api/v1/services?owner=x", "", 400, "invalid", "owner"},
		{"patch missing", "PATCH", "/api/v1/services/ghost", `{"status":"active"}`, 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, tt.path, tt.body)
			if r.status != tt.status || errCode(r) != tt.code || errField(r) != tt.field {
				t.Fatalf("got %d %s (field %q), want %d %s (field %q): %.200s", r.status, errCode(r), errField(r), tt.status, tt.code, tt.field, r.raw)
			}
		})
	}
	// Nothing from the rejected requests was written.
	if r := e.do(t, "GET", "/api/v1/services", ""); r.body["total"] != float64(0) {
		t.Fatalf("rejected requests wrote rows: %s", r.raw)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "PUT", "/api/v1/services/x", `{}`)
	if r.status != 405 || errCode(r) != "method" || r.header.Get("Allow") != "DELETE, GET, HEAD, PATCH" {
		t.Fatalf("got %d Allow=%q: %s", r.status, r.header.Get("Allow"), r.raw)
	}
	if r := e.do(t, "DELETE", "/api/v1/health", ""); r.status != 405 || r.header.Get("Allow") != "GET, HEAD" {
		t.Fatalf("got %d Allow=%q", r.status, r.header.Get("Allow"))
	}
}

func TestHealthAndVersion(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "GET", "/api/v1/health", "")
	checks, _ := r.body["checks"].(map[string]any)
	db, _ := checks["database"].(map[string]any)
	st, _ := checks["storage"].(map[string]any)
	if r.status != 200 || r.body["status"] != "ok" || db["status"] != "ok" || st["status"] != "ok" {
		t.Fatalf("health: %d %s", r.status, r.raw)
	}
	if _, ok := db["latency_ms"].(float64); !ok {
		t.Fatalf("no latency: %s", r.raw)
	}
	r = e.do(t, "GET", "/api/v1/version", "")
	if r.status != 200 || r.body["stage"] != "test" || r.body["version"] == "" {
		t.Fatalf("version: %d %s", r.status, r.raw)
	}
}

// With the database down, reads and writes answer 503 with a retry hint and
// the health check names the database; nothing internal leaks.
func TestDatabaseOutage(t *testing.T) {
	db, err := postgres.Open(context.Background(), "postgres://opsight@127.0.0.1:1/none?connect_timeout=1", postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store, _ := blob.OpenFS(t.TempDir())
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Store: db, Blob: store}))
	defer srv.Close()
	e := &env{srv: srv}
	for _, req := range [][3]string{
		{"GET", "/api/v1/services", ""},
		{"POST", "/api/v1/services", `{"name":"x"}`},
	} {
		r := e.do(t, req[0], req[1], req[2])
		if r.status != 503 || errCode(r) != "unavailable" || r.header.Get("Retry-After") == "" || strings.Contains(r.raw, "127.0.0.1") {
			t.Fatalf("%s %s: %d %s (Retry-After %q)", req[0], req[1], r.status, r.raw, r.header.Get("Retry-After"))
		}
	}
	r := e.do(t, "GET", "/api/v1/health", "")
	checks := r.body["checks"].(map[string]any)
	if r.status != 503 || checks["database"].(map[string]any)["status"] != "down" || checks["storage"].(map[string]any)["status"] != "ok" {
		t.Fatalf("health: %d %s", r.status, r.raw)
	}
}

// An unexpected database error answers 500 with a generic message: the
// driver's text (table names, SQL) stays in the logs.
func TestInternalErrorsDoNotLeak(t *testing.T) {
	e := newEnv(t)
	if _, err := e.db.Pool.Exec(context.Background(), "DROP TABLE services CASCADE"); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "GET", "/api/v1/services", "")
	if r.status != 500 || errCode(r) != "internal" {
		t.Fatalf("got %d %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, "relation") || strings.Contains(r.raw, "SQLSTATE") {
		t.Fatalf("driver error leaked: %s", r.raw)
	}
}

func FuzzCreateService(f *testing.F) {
	f.Add(`{"name":"a"}`)
	f.Add(`{"name":"a","labels":{"x":"y"},"type":"worker","status":"retired","owner_team":"t"}`)
	f.Add(`{"name":1}`)
	f.Add(`[]`)
	db := pgtest.NewDB(f)
	store, _ := blob.OpenFS(f.TempDir())
	h := httpapi.New(httpapi.Config{Store: db, Blob: store})
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/v1/services", strings.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 201, 400, 409, 413:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("non-JSON answer %q", rec.Body)
		}
	})
}

func TestServicePrometheusSource(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, "POST", "/api/v1/services", `{"name":"checkout","prometheus":{"url":"http://prom:9090","selector":"job=\"checkout\"","queries":{"cpu":"avg(rate(x[5m]))"}}}`)
	src, _ := r.body["prometheus"].(map[string]any)
	if r.status != 201 || src["selector"] != `job="checkout"` {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	for body, field := range map[string]string{
		`{"name":"a","prometheus":{"url":"ftp://x","selector":""}}`:            "prometheus.url",
		`{"name":"b","prometheus":{"url":"http://x","queries":{"disk":"up"}}}`: "prometheus.queries.disk",
		`{"name":"c","prometheus":{"url":"http://x","selectr":"job=\"c\""}}`:   "selectr",
	} {
		if r := e.do(t, "POST", "/api/v1/services", body); r.status != 400 || errField(r) != field {
			t.Errorf("%s: %d %s, want 400 on %s", body, r.status, r.raw, field)
		}
	}
	if r := e.do(t, "PATCH", "/api/v1/services/checkout", `{"prometheus":{"url":"http://x","bogus":1}}`); r.status != 400 || errField(r) != "prometheus.bogus" {
		t.Fatalf("patch unknown field: %d %s", r.status, r.raw)
	}
	r = e.do(t, "PATCH", "/api/v1/services/checkout", `{"prometheus":{"url":"https://prom.example.com","selector":"app=\"co\""}}`)
	src, _ = r.body["prometheus"].(map[string]any)
	if r.status != 200 || src["url"] != "https://prom.example.com" || src["queries"] != nil {
		t.Fatalf("replace: %d %s", r.status, r.raw)
	}
	r = e.do(t, "PATCH", "/api/v1/services/checkout", `{"prometheus":null}`)
	if _, has := r.body["prometheus"]; r.status != 200 || has {
		t.Fatalf("clear: %d %s", r.status, r.raw)
	}
}
