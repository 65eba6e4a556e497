package runtimeapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) (*Server, string) {
	t.Helper()
	s, err := Listen(slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, "http://" + s.Addr() + "/2018-06-01/runtime"
}

// invokeAsync starts an Invoke and returns where its result will arrive.
func invokeAsync(s *Server, inv Invocation) <-chan Result {
	ch := make(chan Result, 1)
	go func() {
		r, err := s.Invoke(context.Background(), inv)
		if err != nil {
			r.Err = &FunctionError{Type: "test", Message: err.Error()}
		}
		ch <- r
	}()
	return ch
}

func post(t *testing.T, url, body string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func next(t *testing.T, base string) *http.Response {
	t.Helper()
	resp, err := http.Get(base + "/invocation/next")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestInvocationCycle(t *testing.T) {
	s, base := start(t)
	deadline := time.UnixMilli(1893456000123)
	res := invokeAsync(s, Invocation{
		RequestID: "req-1", Payload: []byte(`{"a":1}`), Deadline: deadline,
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:Fn", TraceID: "Root=1-abc",
		ClientContext: `{"custom":{"k":"v"}}`,
	})
	if s.Delivered("req-1") {
		t.Error("Delivered before /next")
	}
	resp := next(t, base)
	if !s.Delivered("req-1") || s.Answered("req-1") {
		t.Error("after /next: want delivered, not answered")
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("Ready not closed after the first /next")
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"a":1}` {
		t.Fatalf("next: %d %s", resp.StatusCode, body)
	}
	for h, want := range map[string]string{
		HeaderRequestID:       "req-1",
		HeaderDeadlineMs:      strconv.FormatInt(deadline.UnixMilli(), 10),
		HeaderFunctionARN:     "arn:aws:lambda:us-east-1:123456789012:function:Fn",
		HeaderTraceID:         "Root=1-abc",
		HeaderClientContext:   `{"custom":{"k":"v"}}`,
		HeaderCognitoIdentity: "",
	} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	// A second /next before responding is a state error.
	if r := next(t, base); r.StatusCode != http.StatusForbidden {
		t.Errorf("/next while in flight: %d, want 403", r.StatusCode)
	}
	if code, b := post(t, base+"/invocation/other/response", "x", nil); code != 400 || !strings.Contains(b, "InvalidRequestID") {
		t.Errorf("wrong id: %d %s", code, b)
	}
	if code, b := post(t, base+"/invocation/req-1/response", `"ok"`, nil); code != 202 {
		t.Fatalf("response: %d %s", code, b)
	}
	if !s.Answered("req-1") || s.Answered("other") {
		t.Error("Answered after the response")
	}
	r := <-res
	if r.Err != nil || string(r.Payload) != `"ok"` || r.Delivered.IsZero() || r.Done.Before(r.Delivered) {
		t.Fatalf("result = %+v", r)
	}
	if code, b := post(t, base+"/invocation/req-1/response", `"again"`, nil); code != 403 || !strings.Contains(b, "InvalidStateTransition") {
		t.Errorf("double response: %d %s", code, b)
	}
	if code, _ := post(t, base+"/init/error", `{}`, nil); code != 403 {
		t.Errorf("init error after init: %d, want 403", code)
	}
}

func TestInvocationError(t *testing.T) {
	s, base := start(t)
	res := invokeAsync(s, Invocation{RequestID: "req-2", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Second)})
	next(t, base)
	body := `{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`
	code, _ := post(t, base+"/invocation/req-2/error", body, http.Header{HeaderErrorType: {"errorString"}})
	if code != 202 {
		t.Fatalf("error: %d", code)
	}
	r := <-res
	if r.Err == nil || r.Err.Type != "errorString" || r.Err.Message != "boom" || string(r.Payload) != body {
		t.Fatalf("result = %+v", r)
	}
	if code, _ := post(t, base+"/invocation/req-2/error", body, nil); code != 403 {
		t.Errorf("error after error: %d, want 403", code)
	}
}

func TestResponseTooLarge(t *testing.T) {
	s, base := start(t)
	res := invokeAsync(s, Invocation{RequestID: "big", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Second)})
	next(t, base)
	code, b := post(t, base+"/invocation/big/response", strings.Repeat("x", MaxPayloadSize+1), nil)
	if code != 413 || !strings.Contains(b, "RequestEntityTooLarge") || !strings.Contains(b, "6291556") {
		t.Fatalf("oversized: %d %s", code, b)
	}
	r := <-res
	if r.Err == nil || r.Err.Type != "Function.ResponseSizeTooLarge" {
		t.Fatalf("result = %+v", r)
	}
	var e map[string]string
	if err := json.Unmarshal(r.Err.Body, &e); err != nil || e["errorType"] != "Function.ResponseSizeTooLarge" {
		t.Fatalf("error body %s: %v", r.Err.Body, err)
	}
}

func TestResponseAtLimitIsAccepted(t *testing.T) {
	s, base := start(t)
	res := invokeAsync(s, Invocation{RequestID: "edge", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Second)})
	next(t, base)
	if code, b := post(t, base+"/invocation/edge/response", strings.Repeat("x", MaxPayloadSize), nil); code != 202 {
		t.Fatalf("at the limit: %d %s", code, b)
	}
	if r := <-res; r.Err != nil || len(r.Payload) != MaxPayloadSize {
		t.Fatalf("result err %v, %d bytes", r.Err, len(r.Payload))
	}
}

// trailerBody fails after some bytes so the client sends error trailers,
// the way aws-lambda-go reports a handler whose response stream failed.
func TestResponseErrorTrailer(t *testing.T) {
	s, base := start(t)
	res := invokeAsync(s, Invocation{RequestID: "tr", Payload: []byte(`{}`), Deadline: time.Now().Add(time.Second)})
	next(t, base)
	errBody := `{"errorMessage":"stream broke","errorType":"streamError"}`
	req, _ := http.NewRequest("POST", base+"/invocation/tr/response", io.NopCloser(bytes.NewReader([]byte("partial"))))
	req.ContentLength = -1
	req.Trailer = http.Header{
		HeaderErrorType: {"streamError"},
		HeaderErrorBody: {base64.StdEncoding.EncodeToString([]byte(errBody))},
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := <-res
	if r.Err == nil || r.Err.Type != "streamError" || r.Err.Message != "stream broke" {
		t.Fatalf("result = %+v", r)
	}
}

func TestInitError(t *testing.T) {
	s, base := start(t)
	code, _ := post(t, base+"/init/error", `{"errorMessage":"no config","errorType":"ConfigError"}`, http.Header{HeaderErrorType: {"Runtime.ConfigError"}})
	if code != 202 {
		t.Fatalf("init error: %d", code)
	}
	select {
	case fe := <-s.InitError():
		if fe.Type != "Runtime.ConfigError" || fe.Message != "no config" {
			t.Fatalf("init error = %+v", fe)
		}
	case <-time.After(time.Second):
		t.Fatal("no init error delivered")
	}
}

func TestInvokeCanceledBeforePickup(t *testing.T) {
	s, base := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Invoke(ctx, Invocation{RequestID: "gone"}); err != context.DeadlineExceeded {
		t.Fatalf("err = %v", err)
	}
	// The withdrawn event must not reach the runtime.
	res := invokeAsync(s, Invocation{RequestID: "second", Payload: []byte(`2`)})
	resp := next(t, base)
	if id := resp.Header.Get(HeaderRequestID); id != "second" {
		t.Fatalf("runtime got %q, want the second event", id)
	}
	post(t, base+"/invocation/second/response", "2", nil)
	<-res
}

func TestWrongMethodAndPath(t *testing.T) {
	_, base := start(t)
	if code, _ := post(t, base+"/invocation/next", "", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("POST /next: %d", code)
	}
	resp, err := http.Get(base + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

func FuzzParseFunctionError(f *testing.F) {
	f.Add("errorString", []byte(`{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`))
	f.Add("", []byte(`not json`))
	f.Add("", []byte(`{"errorType":7}`))
	f.Fuzz(func(t *testing.T, typ string, body []byte) {
		fe := parseFunctionError(typ, body)
		if fe.Type == "" || (typ != "" && fe.Type != typ) {
			t.Fatalf("type %q for header %q", fe.Type, typ)
		}
		if !bytes.Equal(fe.Body, body) {
			t.Fatal("body not kept")
		}
	})
}
