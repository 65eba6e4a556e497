package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/opsight/opsight/infra/localrt/runtimeapi"
	"github.com/opsight/opsight/infra/samtemplate"
	"github.com/opsight/opsight/shared/testfiles"
)

var update = flag.Bool("update", false, "rewrite golden files")

var testRoutes = []samtemplate.Route{
	{Function: "ApiFunction", Event: "Health", Method: "GET", Path: "/api/v1/health"},
	{Function: "ApiFunction", Event: "Services", Method: "GET", Path: "/api/v1/services"},
	{Function: "ApiFunction", Event: "Service", Method: "GET", Path: "/api/v1/services/{name}"},
	{Function: "ApiFunction", Event: "ServicePut", Method: "PUT", Path: "/api/v1/services/{name}"},
	{Function: "ApiFunction", Event: "Special", Method: "GET", Path: "/api/v1/services/special"},
	{Function: "ApiFunction", Event: "AnySeries", Method: "ANY", Path: "/api/v1/services/{name}/series"},
	{Function: "ApiFunction", Event: "GetSeries", Method: "GET", Path: "/api/v1/services/{name}/series"},
	{Function: "ApiFunction", Event: "Proxy", Method: "ANY", Path: "/api/v1/{proxy+}"},
	{Function: "WebhookFunction", Event: "Hook", Method: "POST", Path: "/webhooks/{source}"},
	{Function: "SlackFunction", Event: "Slack", Method: "POST", Path: "/slack/interactive"},
}

// recorder is an InvokeFunc that keeps the events and answers with a
// fixed response.
type recorder struct {
	events   [][]byte
	function []string
	answer   func(payload []byte) ([]byte, error)
}

func (r *recorder) invoke(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	r.events = append(r.events, payload)
	r.function = append(r.function, fn)
	if r.answer != nil {
		return r.answer(payload)
	}
	return []byte(`{"statusCode":200,"body":"ok"}`), nil
}

var fixedNow = time.Date(2026, 3, 1, 9, 30, 15, 123e6, time.UTC)

func newGateway(t *testing.T, rec *recorder, edit func(*Config)) *Gateway {
	t.Helper()
	cfg := Config{Routes: testRoutes, Invoke: rec.invoke, Now: func() time.Time { return fixedNow }}
	if edit != nil {
		edit(&cfg)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func serve(g http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	g.ServeHTTP(w, req)
	return w
}

func request(method, target, body string, header map[string][]string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.RemoteAddr = "198.51.100.7:50432"
	req.Host = "abc123.execute-api.localhost"
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

func lastEvent(t *testing.T, rec *recorder) events.APIGatewayV2HTTPRequest {
	t.Helper()
	if len(rec.events) == 0 {
		t.Fatal("the function was not invoked")
	}
	dec := json.NewDecoder(bytes.NewReader(rec.events[len(rec.events)-1]))
	dec.DisallowUnknownFields() // every field we send is one aws-lambda-go knows
	var ev events.APIGatewayV2HTTPRequest
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("event does not decode as events.APIGatewayV2HTTPRequest: %v", err)
	}
	return ev
}

// TestEventGolden pins the whole event for a typical request.
func TestEventGolden(t *testing.T) {
	rec := &recorder{}
	g := newGateway(t, rec, nil)
	req := request("GET", "/api/v1/services/checkout%20api?window=1h&tag=a&tag=b&empty=&q=x%2By", "", map[string][]string{
		"User-Agent":      {"opsight-test/1.0"},
		"Accept":          {"application/json"},
		"X-Multi":         {"one", "two"},
		"Cookie":          {"session=abc; theme=dark"},
		"X-Amzn-Trace-Id": {"Root=1-65f1a2b3-0123456789abcdef01234567"},
	})
	w := serve(g, req)
	if w.Code != 200 || w.Body.String() != "ok" {
		t.Fatalf("response %d %q", w.Code, w.Body)
	}
	reqID := w.Header().Get("Apigw-Requestid")
	if len(reqID) != 16 {
		t.Errorf("apigw-requestid %q", reqID)
	}
	got := bytes.ReplaceAll(rec.events[0], []byte(reqID), []byte("REQUEST-ID"))
	var pretty bytes.Buffer
	json.Indent(&pretty, got, "", "  ")
	pretty.WriteByte('\n')
	golden := filepath.Join("testdata", "get-service.json")
	if *update {
		os.WriteFile(golden, pretty.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("event differs from %s (run with -update after checking):\n%s", golden, pretty.Bytes())
	}
	ev := lastEvent(t, rec)
	if ev.PathParameters["name"] != "checkout api" || ev.QueryStringParameters["tag"] != "a,b" || ev.QueryStringParameters["q"] != "x+y" {
		t.Errorf("parameters: %v %v", ev.PathParameters, ev.QueryStringParameters)
	}
}

// TestEventShapeMatchesCaptured compares the keys of our event with real
// API Gateway events captured in AWS (shared fixtures).
func TestEventShapeMatchesCaptured(t *testing.T) {
	dir := testfiles.Shared(t, "fixtures", "webhooks", "apigw-v2-http")
	for _, tc := range []struct {
		file, method, path, contentType, body string
	}{
		{"post-alertmanager-webhook-bearer.json", "POST", "/webhooks/alertmanager", "application/json", `{"alerts":[]}`},
		{"post-slack-interactive-form-base64.json", "POST", "/slack/interactive", "application/x-www-form-urlencoded", "payload=%7B%7D"},
		{"post-sns-https-notification.json", "POST", "/webhooks/cloudwatch-sns", "text/plain; charset=UTF-8", "{}"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var real map[string]any
			if err := json.Unmarshal(data, &real); err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			g := newGateway(t, rec, nil)
			serve(g, request(tc.method, tc.path, tc.body, map[string][]string{"Content-Type": {tc.contentType}, "User-Agent": {"x"}}))
			var ours map[string]any
			if err := json.Unmarshal(rec.events[0], &ours); err != nil {
				t.Fatal(err)
			}
			// Headers differ by client; pathParameters exist only for
			// routes with parameters ($default in the captures); the
			// captures carry a test-only secret field.
			ignore := map[string]bool{"headers": true, "pathParameters": true, "_test_signing_secret": true}
			if a, b := keyPaths(real, "", ignore), keyPaths(ours, "", ignore); !reflect.DeepEqual(a, b) {
				t.Errorf("keys differ from the captured event:\ncaptured %v\nours     %v", a, b)
			}
			if real["isBase64Encoded"] != ours["isBase64Encoded"] {
				t.Errorf("isBase64Encoded for %s: captured %v, ours %v", tc.contentType, real["isBase64Encoded"], ours["isBase64Encoded"])
			}
			for _, h := range []string{"content-type", "content-length", "host", "user-agent", "x-amzn-trace-id", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto"} {
				if _, ok := ours["headers"].(map[string]any)[h]; !ok {
					t.Errorf("header %s missing; API Gateway sends it", h)
				}
			}
		})
	}
}

func keyPaths(v any, prefix string, ignore map[string]bool) []string {
	var out []string
	if m, ok := v.(map[string]any); ok {
		for k, c := range m {
			if ignore[k] && prefix == "" {
				continue
			}
			out = append(out, prefix+k)
			out = append(out, keyPaths(c, prefix+k+".", ignore)...)
		}
	}
	sort.Strings(out)
	return out
}

func TestRouting(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		routeKey     string
		params       map[string]string
		allow        string
	}{
		{"GET", "/api/v1/health", 200, "GET /api/v1/health", nil, ""},
		{"GET", "/api/v1/services", 200, "GET /api/v1/services", nil, ""},
		{"GET", "/api/v1/services/web", 200, "GET /api/v1/services/{name}", map[string]string{"name": "web"}, ""},
		{"GET", "/api/v1/services/special", 200, "GET /api/v1/services/special", nil, ""}, // literal beats {name}
		{"PUT", "/api/v1/services/special", 200, "PUT /api/v1/services/{name}", map[string]string{"name": "special"}, ""},
		{"GET", "/api/v1/services/web/series", 200, "GET /api/v1/services/{name}/series", map[string]string{"name": "web"}, ""}, // own method beats ANY
		{"DELETE", "/api/v1/services/web/series", 200, "ANY /api/v1/services/{name}/series", map[string]string{"name": "web"}, ""},
		{"POST", "/api/v1/services/web", 200, "ANY /api/v1/{proxy+}", map[string]string{"proxy": "services/web"}, ""}, // greedy catches the rest
		{"GET", "/api/v1/a/b%2Fc/d", 200, "ANY /api/v1/{proxy+}", map[string]string{"proxy": "a/b/c/d"}, ""},
		{"POST", "/webhooks/grafana", 200, "POST /webhooks/{source}", map[string]string{"source": "grafana"}, ""},
		{"GET", "/webhooks/grafana", 405, "", nil, "POST"},
		{"GET", "/slack/interactive", 405, "", nil, "POST"},
		{"GET", "/api/v2/health", 404, "", nil, ""},
		{"GET", "/api/v1", 404, "", nil, ""}, // greedy needs a segment
		{"GET", "/webhooks", 404, "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := &recorder{}
			w := serve(newGateway(t, rec, nil), request(tt.method, tt.path, "", nil))
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status == 200 {
				ev := lastEvent(t, rec)
				if ev.RouteKey != tt.routeKey || ev.RequestContext.RouteKey != tt.routeKey {
					t.Errorf("routeKey %q, want %q", ev.RouteKey, tt.routeKey)
				}
				if !reflect.DeepEqual(ev.PathParameters, tt.params) {
					t.Errorf("pathParameters %v, want %v", ev.PathParameters, tt.params)
				}
				return
			}
			if len(rec.events) != 0 {
				t.Error("function invoked for an unrouted request")
			}
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
				t.Errorf("error body %s", w.Body)
			}
			if w.Header().Get("Allow") != tt.allow {
				t.Errorf("Allow %q, want %q", w.Header().Get("Allow"), tt.allow)
			}
			want := map[int]string{404: "not_found", 405: "method_not_allowed"}[tt.status]
			if body.Error.Code != want {
				t.Errorf("code %q, want %q", body.Error.Code, want)
			}
		})
	}
}

func TestAllowListsEveryMethod(t *testing.T) {
	routes := []samtemplate.Route{
		{Function: "F", Method: "GET", Path: "/api/x/{id}"},
		{Function: "F", Method: "DELETE", Path: "/api/x/{id}"},
		{Function: "F", Method: "PATCH", Path: "/api/x/{id}"},
	}
	g, err := New(Config{Routes: routes, Invoke: (&recorder{}).invoke})
	if err != nil {
		t.Fatal(err)
	}
	w := serve(g, request("POST", "/api/x/1", "", nil))
	if w.Code != 405 || w.Header().Get("Allow") != "DELETE, GET, PATCH" {
		t.Fatalf("%d Allow=%q", w.Code, w.Header().Get("Allow"))
	}
}

func TestDefaultRoute(t *testing.T) {
	rec := &recorder{}
	routes := append([]samtemplate.Route{{Function: "Catch", Event: "All", Method: "ANY", Path: "$default"}}, testRoutes...)
	g := newGateway(t, rec, func(c *Config) { c.Routes = routes })
	serve(g, request("DELETE", "/api/v9/anything", "", nil))
	if ev := lastEvent(t, rec); ev.RouteKey != "$default" || rec.function[0] != "Catch" {
		t.Errorf("routeKey %q function %q", ev.RouteKey, rec.function[0])
	}
	serve(g, request("GET", "/api/v1/health", "", nil))
	if rec.function[1] != "ApiFunction" {
		t.Errorf("a matching route must win over $default")
	}
}

func TestDuplicateRoute(t *testing.T) {
	_, err := New(Config{Invoke: (&recorder{}).invoke, Routes: []samtemplate.Route{
		{Function: "A", Event: "E", Method: "GET", Path: "/x"}, {Function: "B", Event: "F", Method: "GET", Path: "/x"},
	}})
	if err == nil || !strings.Contains(err.Error(), `"GET /x" is defined by both A.E and B.F`) {
		t.Fatalf("err = %v", err)
	}
}

func TestBodies(t *testing.T) {
	bin := []byte{0, 1, 2, 0xff, 0xfe, 'a'}
	tests := []struct {
		contentType string
		body        []byte
		base64      bool
	}{
		{"application/json", []byte(`{"a":1}`), false},
		{"application/vnd.api+json", []byte(`{}`), false},
		{"text/plain; charset=utf-8", []byte("hi"), false},
		{"application/xml", []byte("<a/>"), false},
		{"application/x-www-form-urlencoded", []byte("a=1&b=2"), true},
		{"application/octet-stream", bin, true},
		{"", []byte("no type"), true},
	}
	for _, tt := range tests {
		rec := &recorder{}
		h := map[string][]string{}
		if tt.contentType != "" {
			h["Content-Type"] = []string{tt.contentType}
		}
		serve(newGateway(t, rec, nil), request("POST", "/webhooks/x", string(tt.body), h))
		ev := lastEvent(t, rec)
		if ev.IsBase64Encoded != tt.base64 {
			t.Errorf("%q: isBase64Encoded %v, want %v", tt.contentType, ev.IsBase64Encoded, tt.base64)
		}
		got := []byte(ev.Body)
		if ev.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(ev.Body)
		}
		if !bytes.Equal(got, tt.body) {
			t.Errorf("%q: body %q, want %q", tt.contentType, got, tt.body)
		}
		if ev.Headers["content-length"] != strconv.Itoa(len(tt.body)) {
			t.Errorf("%q: content-length %q", tt.contentType, ev.Headers["content-length"])
		}
	}
	// No body: no body field at all.
	rec := &recorder{}
	serve(newGateway(t, rec, nil), request("GET", "/api/v1/health", "", nil))
	var raw map[string]any
	json.Unmarshal(rec.events[0], &raw)
	if _, ok := raw["body"]; ok || raw["isBase64Encoded"] != false {
		t.Errorf("empty body event: %s", rec.events[0])
	}
}

func TestBodyLimit(t *testing.T) {
	rec := &recorder{}
	g := newGateway(t, rec, nil)
	w := serve(g, request("POST", "/webhooks/x", strings.Repeat("a", MaxBodySize+1), map[string][]string{"Content-Type": {"text/plain"}}))
	if w.Code != 413 || !strings.Contains(w.Body.String(), "Request Entity Too Large") || len(rec.events) != 0 {
		t.Fatalf("%d %s (invoked %d)", w.Code, w.Body, len(rec.events))
	}
	w = serve(g, request("POST", "/webhooks/x", strings.Repeat("a", MaxBodySize), map[string][]string{"Content-Type": {"text/plain"}}))
	if w.Code != 200 {
		t.Fatalf("exactly 10 MB: %d", w.Code)
	}
}

func TestResponses(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		err     error
		status  int
		body    string
		headers map[string]string
		cookies []string
	}{
		{"structured", `{"statusCode":201,"headers":{"Content-Type":"text/plain","X-A":"1"},"body":"made"}`, nil, 201, "made", map[string]string{"Content-Type": "text/plain", "X-A": "1"}, nil},
		{"base64", `{"statusCode":200,"body":"AAH/","isBase64Encoded":true}`, nil, 200, "\x00\x01\xff", nil, nil},
		{"cookies", `{"statusCode":200,"cookies":["a=1; Path=/","b=2"],"body":""}`, nil, 200, "", nil, []string{"a=1; Path=/", "b=2"}},
		{"inferred object", `{"service":"web","ok":true}`, nil, 200, `{"service":"web","ok":true}`, map[string]string{"Content-Type": "application/json"}, nil},
		{"inferred string", `"hello"`, nil, 200, `"hello"`, map[string]string{"Content-Type": "application/json"}, nil},
		{"inferred list", `[1,2]`, nil, 200, `[1,2]`, nil, nil},
		{"not json", `hello`, nil, 500, `{"message":"Internal Server Error"}`, nil, nil},
		{"bad status", `{"statusCode":42}`, nil, 500, `{"message":"Internal Server Error"}`, nil, nil},
		{"status not a number", `{"statusCode":"200"}`, nil, 500, `{"message":"Internal Server Error"}`, nil, nil},
		{"bad base64", `{"statusCode":200,"body":"***","isBase64Encoded":true}`, nil, 500, `{"message":"Internal Server Error"}`, nil, nil},
		{"function error", `{"errorMessage":"boom","errorType":"errorString"}`, &runtimeapi.FunctionError{Type: "errorString", Message: "boom"}, 500, `{"message":"Internal Server Error"}`, nil, nil},
		{"event too large", ``, &runtimeapi.FunctionError{Type: "RequestEntityTooLargeException"}, 413, `{"message":"Request Entity Too Large"}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{answer: func([]byte) ([]byte, error) { return []byte(tt.out), tt.err }}
			w := serve(newGateway(t, rec, nil), request("GET", "/api/v1/health", "", nil))
			if w.Code != tt.status || strings.TrimSpace(w.Body.String()) != tt.body {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body, tt.status, tt.body)
			}
			for k, v := range tt.headers {
				if got := w.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.cookies != nil && !reflect.DeepEqual(w.Header().Values("Set-Cookie"), tt.cookies) {
				t.Errorf("Set-Cookie %v", w.Header().Values("Set-Cookie"))
			}
		})
	}
}

func TestIntegrationTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rec := &recorder{answer: func([]byte) ([]byte, error) { <-release; return []byte(`{}`), nil }}
	g := newGateway(t, rec, func(c *Config) { c.IntegrationTimeout = 50 * time.Millisecond })
	w := serve(g, request("GET", "/api/v1/health", "", nil))
	if w.Code != 503 || strings.TrimSpace(w.Body.String()) != `{"message":"Service Unavailable"}` {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestRouteTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rec := &recorder{answer: func([]byte) ([]byte, error) { <-release; return []byte(`{}`), nil }}
	routes := []samtemplate.Route{{Function: "F", Method: "GET", Path: "/api/slow", Timeout: 50 * time.Millisecond}}
	g := newGateway(t, rec, func(c *Config) { c.Routes = routes })
	start := time.Now()
	if w := serve(g, request("GET", "/api/slow", "", nil)); w.Code != 503 || time.Since(start) > 5*time.Second {
		t.Fatalf("%d after %v", w.Code, time.Since(start))
	}
}

func TestPayloadFormat1Rejected(t *testing.T) {
	_, err := New(Config{Invoke: (&recorder{}).invoke, Routes: []samtemplate.Route{
		{Function: "A", Event: "E", Method: "GET", Path: "/x", PayloadFormatVersion: "1.0"},
	}})
	if err == nil || !strings.Contains(err.Error(), "payload format 1.0") {
		t.Fatalf("err = %v", err)
	}
}

func TestStatic(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<html>dashboard</html>"), 0o644)
	os.MkdirAll(filepath.Join(dir, "assets"), 0o755)
	os.WriteFile(filepath.Join(dir, "assets", "app.js"), []byte("console.log(1)"), 0o644)
	rec := &recorder{}
	g := newGateway(t, rec, func(c *Config) { c.StaticDir = dir })
	tests := []struct {
		method, path string
		status       int
		body, ctype  string
	}{
		{"GET", "/", 200, "<html>dashboard</html>", "text/html"},
		{"GET", "/assets/app.js", 200, "console.log(1)", "javascript"},
		{"GET", "/incidents/42", 200, "<html>dashboard</html>", "text/html"}, // SPA route
		{"GET", "/assets", 200, "<html>dashboard</html>", "text/html"},       // a directory is not a file
		{"GET", "/../../etc/passwd", 200, "<html>dashboard</html>", "text/html"},
		{"POST", "/", 405, "", ""},
	}
	for _, tt := range tests {
		w := serve(g, request(tt.method, tt.path, "", nil))
		if w.Code != tt.status || (tt.body != "" && w.Body.String() != tt.body) || !strings.Contains(w.Header().Get("Content-Type"), tt.ctype) {
			t.Errorf("%s %s: %d %q %q", tt.method, tt.path, w.Code, w.Body, w.Header().Get("Content-Type"))
		}
	}
	if len(rec.events) != 0 {
		t.Error("static requests reached a function")
	}
	// Without a static dir: a JSON 404.
	w := serve(newGateway(t, rec, nil), request("GET", "/", "", nil))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "not_found") {
		t.Errorf("no static dir: %d %s", w.Code, w.Body)
	}
}

func TestNewNeedsInvoke(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("want an error without Invoke")
	}
}
