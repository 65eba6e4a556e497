package prometheustest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestStartServesBackfilledData(t *testing.T) {
	end := time.Now().Truncate(time.Minute).Add(-10 * time.Minute)
	var b strings.Builder
	b.WriteString("# TYPE demo_requests counter\n")
	// 2 requests a second, a sample every 15s for an hour.
	for t := end.Add(-time.Hour); !t.After(end); t = t.Add(15 * time.Second) {
		fmt.Fprintf(&b, "demo_requests_total{job=\"demo\"} %d %d\n", 2*(t.Unix()-end.Add(-time.Hour).Unix()), t.Unix())
	}
	srv := Start(t, b.String())
	if v := query(t, srv.URL, `rate(demo_requests_total{job="demo"}[5m])`, end); v != "2" {
		t.Errorf("rate = %s, want 2", v)
	}
	srv.Stop()
	if _, err := http.Get(srv.URL + "/-/ready"); err == nil {
		t.Error("server still answers after Stop")
	}
	srv.Stop() // idempotent
}

func TestStartFailsWithoutBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	rec := &recordTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(rec, "")
	}()
	<-done
	if !strings.Contains(rec.msg, "apt-get install -y prometheus") {
		t.Errorf("failure message %q does not say how to install prometheus", rec.msg)
	}
}

func TestStartReportsBadData(t *testing.T) {
	rec := &recordTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(rec, "this is not openmetrics\n")
	}()
	<-done
	if !strings.Contains(rec.msg, "create-blocks-from openmetrics") {
		t.Errorf("failure message %q does not name the backfill", rec.msg)
	}
}

// recordTB records a fatal failure instead of failing the test.
type recordTB struct {
	testing.TB
	msg string
}

func (r *recordTB) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func query(t *testing.T, base, q string, at time.Time) string {
	t.Helper()
	resp, err := http.PostForm(base+"/api/v1/query", url.Values{"query": {q}, "time": {fmt.Sprint(at.Unix())}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(body.Data.Result) != 1 {
		t.Fatalf("%s: %d series, want 1", q, len(body.Data.Result))
	}
	return body.Data.Result[0].Value[1].(string)
}
