package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzServeHTTP feeds the gateway arbitrary requests and function
// responses: it must never panic, must answer with one of its statuses, and
// every event it sends must decode as aws-lambda-go's type.
func FuzzServeHTTP(f *testing.F) {
	f.Add("GET", "/api/v1/services/web", "a=1&a=2", "text/plain", []byte("body"), []byte(`{"statusCode":200,"body":"ok"}`))
	f.Add("POST", "/webhooks/x%2Fy", "", "application/octet-stream", []byte{0, 1, 2}, []byte(`"s"`))
	f.Add("DELETE", "/api/v1/{proxy+}", "%zz", "", []byte(nil), []byte(`{"statusCode":"x"}`))
	f.Add("GET", "/index.html", "", "", []byte(nil), []byte(`not json`))
	f.Fuzz(func(t *testing.T, method, path, query, ctype string, body, answer []byte) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			return
		}
		target := "/" + strings.TrimLeft(path, "/")
		if query != "" {
			target += "?" + query
		}
		req, err := http.NewRequest(method, "http://h"+target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.RemoteAddr = "192.0.2.1:1"
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := &recorder{answer: func([]byte) ([]byte, error) { return answer, nil }}
		g, _ := New(Config{Routes: testRoutes, Invoke: rec.invoke})
		w := httptest.NewRecorder()
		g.ServeHTTP(w, req)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		for _, ev := range rec.events {
			var e events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(ev, &e); err != nil {
				t.Fatalf("event %s: %v", ev, err)
			}
			if e.Version != "2.0" || e.RequestContext.HTTP.Method != method {
				t.Fatalf("event %s", ev)
			}
		}
	})
}
