package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func loadEvent(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The event goes through the real aws-lambda-go handler plumbing (JSON in,
// JSON out) and arrives as the request it describes.
func TestHandlerRoundTrip(t *testing.T) {
	var seen *http.Request
	var body []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		body, _ = io.ReadAll(r.Body)
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Cookie")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":true}`)
	})
	out, err := lambda.NewHandler(Handler(h)).Invoke(context.Background(), loadEvent(t, "post-service.json"))
	if err != nil {
		t.Fatal(err)
	}
	if seen.Method != "POST" || seen.URL.Path != "/api/v1/services" || seen.URL.Query()["tag"][1] != "b" {
		t.Errorf("request line: %s %s", seen.Method, seen.URL)
	}
	if string(body) != `{"name":"checkout"}` {
		t.Errorf("body = %q", body)
	}
	if c, err := seen.Cookie("theme"); err != nil || c.Value != "dark" {
		t.Errorf("cookie theme: %v %v", c, err)
	}
	if seen.Host != "abc123.execute-api.eu-west-1.amazonaws.com" || seen.RemoteAddr != "203.0.113.7" ||
		seen.Header.Get("Content-Type") != "application/json" || seen.Header.Get("X-Request-Id") != "JKJaXmPLvHcESHA=" {
		t.Errorf("request metadata: host %q remote %q headers %v", seen.Host, seen.RemoteAddr, seen.Header)
	}
	var res events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 201 || res.Body != `{"ok":true}` || res.IsBase64Encoded ||
		res.Headers["content-type"] != "application/json" || res.Headers["vary"] != "Accept, Cookie" ||
		len(res.Cookies) != 2 || res.Cookies[0] != "a=1" {
		t.Errorf("response = %+v", res)
	}
}

func TestBinaryResponseIsBase64(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	})
	res, err := Handler(h)(context.Background(), events.APIGatewayV2HTTPRequest{
		RawPath:        "/x",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := base64.StdEncoding.DecodeString(res.Body)
	if !res.IsBase64Encoded || string(got) != string(png) || res.StatusCode != 200 {
		t.Errorf("response = %+v", res)
	}
}

func TestBadEventIs400(t *testing.T) {
	res, err := Handler(http.NotFoundHandler())(context.Background(), events.APIGatewayV2HTTPRequest{
		RawPath:         "/x",
		Body:            "not base64!",
		IsBase64Encoded: true,
		RequestContext:  events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST"}},
	})
	if err != nil || res.StatusCode != 400 {
		t.Fatalf("response = %+v, %v", res, err)
	}
}

func FuzzRequest(f *testing.F) {
	seed, _ := os.ReadFile("testdata/post-service.json")
	f.Add(seed)
	f.Add([]byte(`{"rawPath":"/%zz","requestContext":{"http":{"method":"GET"}}}`))
	f.Add([]byte(`{"rawPath":"//x?y","rawQueryString":"a=%","requestContext":{"http":{"method":"GET","protocol":"HTTP/9"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		res, err := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Write([]byte("ok"))
		}))(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != 200 && res.StatusCode != 400 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
