package promql

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestClientQuery(t *testing.T) {
	var got http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got = *r
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"7"]}]}}`))
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL+"/prom/", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	at := time.Unix(1700000000, 123e6)
	res, err := c.Query(ctx, `sum(up{job="a"})`, at)
	if err != nil {
		t.Fatal(err)
	}
	if res.Series[0].Points[0].V != 7 {
		t.Errorf("result = %+v", res)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/prom/api/v1/query" {
		t.Errorf("request = %s %s, want POST /prom/api/v1/query", got.Method, got.URL.Path)
	}
	if q, ts := got.PostForm.Get("query"), got.PostForm.Get("time"); q != `sum(up{job="a"})` || ts != "1700000000.123" {
		t.Errorf("form query=%q time=%q", q, ts)
	}
	// The deadline travels as the server-side evaluation timeout.
	if to, err := strconv.ParseFloat(got.PostForm.Get("timeout"), 64); err != nil || to <= 0 || to > 10 {
		t.Errorf("timeout = %q, want seconds in (0, 10]", got.PostForm.Get("timeout"))
	}
}

func TestClientQueryRange(t *testing.T) {
	var form map[string][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		form = r.PostForm
		if r.URL.Path != "/api/v1/query_range" {
			t.Errorf("path = %s", r.URL.Path)
		}
		w.Write([]byte(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"1"],[1700000060,"2"]]}]}}`))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL, srv.Client())
	res, err := c.QueryRange(context.Background(), "x", time.Unix(1700000000, 0), time.Unix(1700000060, 0), time.Minute)
	if err != nil || res.Points() != 2 {
		t.Fatalf("result %+v, %v", res, err)
	}
	if form["start"][0] != "1700000000.000" || form["end"][0] != "1700000060.000" || form["step"][0] != "60" {
		t.Errorf("form = %v", form)
	}
	if _, ok := form["timeout"]; ok {
		t.Errorf("timeout sent without a deadline: %v", form)
	}
}

func TestClientErrors(t *testing.T) {
	// A closed port: connection refused, which is the server being down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close()
	c, _ := NewClient(down, nil)
	if _, err := c.Query(context.Background(), "up", time.Now()); err == nil || !Unavailable(err) {
		t.Errorf("closed port: err = %v, Unavailable = %v", err, Unavailable(err))
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch r.PostForm.Get("query") {
		case "bad":
			w.WriteHeader(400)
			w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"1:4: parse error"}`))
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "huge":
			w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[` + strings.Repeat(" ", 2000) + `]}}`))
		}
	}))
	defer srv.Close()
	c, _ = NewClient(srv.URL, nil)
	_, err = c.Query(context.Background(), "bad", time.Now())
	var e *Error
	if !errors.As(err, &e) || e.Type != "bad_data" || !e.Rejected() || Unavailable(err) {
		t.Errorf("bad query: err = %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = c.Query(ctx, "slow", time.Now())
	if !errors.Is(err, context.DeadlineExceeded) || !Unavailable(err) {
		t.Errorf("slow query: err = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("slow query returned after %v; the deadline was 100ms", d)
	}

	c.MaxBodyBytes = 1000
	if _, err := c.Query(context.Background(), "huge", time.Now()); !errors.As(err, &e) || !strings.Contains(e.Message, "larger than 1000 bytes") {
		t.Errorf("huge answer: err = %v", err)
	}
}

func TestNewClientRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"", "prometheus:9090", "ftp://x", "http://", "http://x/?q=1", "http://x/#f", "http://[::1"} {
		if _, err := NewClient(u, nil); err == nil {
			t.Errorf("NewClient(%q) accepted", u)
		}
	}
}
