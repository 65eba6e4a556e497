package localrt

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Through the gateway to a real function process and back.
func TestGatewayEndToEnd(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/services/web?window=1h&tag=a&tag=b", nil)
	req.Header.Add("X-Multi", "1")
	req.Header.Add("X-Multi", "2")
	req.Header.Set("Cookie", "s=1; t=2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Route") != "GET /api/v1/services/{name}" {
		t.Fatalf("%d %v %s", resp.StatusCode, resp.Header, body)
	}
	// The function echoed the event it received.
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.PathParameters["name"] != "web" || ev.QueryStringParameters["tag"] != "a,b" || ev.Headers["x-multi"] != "1,2" ||
		strings.Join(ev.Cookies, "|") != "s=1|t=2" || ev.RequestContext.HTTP.SourceIP != "127.0.0.1" || ev.RequestContext.Stage != "$default" {
		t.Errorf("event as the function saw it: %+v", ev)
	}
	if resp.Header.Get("Apigw-Requestid") != ev.RequestContext.RequestID {
		t.Errorf("apigw-requestid %q vs event %q", resp.Header.Get("Apigw-Requestid"), ev.RequestContext.RequestID)
	}

	// Binary bodies go base64 both ways and arrive byte for byte.
	payload := make([]byte, 4096)
	rand.Read(payload)
	resp, err = http.Post(srv.URL+"/webhooks/binary", "application/octet-stream", bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, payload) || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("binary round trip: %d, %d bytes back, equal %v", resp.StatusCode, len(got), bytes.Equal(got, payload))
	}

	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/api/v1/raw", 200, `["not","an","object"]`},
		{"GET", "/api/v1/fail", 500, `{"message":"Internal Server Error"}`},
		{"GET", "/api/v1/sleepy", 500, `{"message":"Internal Server Error"}`}, // ShortFunction times out: a function error
		{"GET", "/api/v1/nope", 404, `{"error":{"code":"not_found","message":"no route for GET /api/v1/nope"}}`},
		{"DELETE", "/api/v1/services/web", 405, `{"error":{"code":"method_not_allowed","message":"DELETE is not allowed on /api/v1/services/web; allowed: GET, POST"}}`},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || strings.TrimSpace(string(b)) != tc.body {
			t.Errorf("%s %s: %d %s, want %d %s", tc.method, tc.path, resp.StatusCode, b, tc.status, tc.body)
		}
		if tc.status == 405 && resp.Header.Get("Allow") != "GET, POST" {
			t.Errorf("Allow %q", resp.Header.Get("Allow"))
		}
	}

	resp, err = http.Get(srv.URL + "/api/v1/cookies")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || strings.Join(resp.Header.Values("Set-Cookie"), "|") != "a=1; Path=/|b=2" {
		t.Errorf("cookies: %d %v", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
}
