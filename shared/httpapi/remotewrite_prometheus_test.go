package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/prometheustest"
)

// A real Prometheus, configured with the two lines the README gives,
// scrapes a target and pushes to Opsight through remote_write.
func TestRealPrometheusRemoteWrite(t *testing.T) {
	db := pgtest.NewDB(t)
	store, _ := blob.OpenFS(t.TempDir())
	api := httptest.NewServer(httpapi.New(httpapi.Config{Store: db, Blob: store, CreateServices: true}))
	defer api.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} %d\n", time.Now().Unix())
	}))
	defer target.Close()
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
scrape_configs:
  - job_name: checkout
    static_configs:
      - targets: [%q]
remote_write:
  - url: %s/api/v1/write
    queue_config:
      batch_send_deadline: 1s
`, target.Listener.Addr().String(), api.URL)
	prom := prometheustest.StartWithConfig(t, "", config)
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		series, err := db.FindSeries(ctx, postgres.SeriesFilter{Service: "checkout", Metric: "http_requests_total"})
		if err != nil {
			t.Fatal(err)
		}
		if len(series) == 1 && series[0].Labels["code"] == "200" && series[0].Labels["instance"] != "" {
			var n int
			db.Pool.QueryRow(ctx, "SELECT count(*) FROM points WHERE series_id = $1", series[0].ID).Scan(&n)
			if n >= 2 {
				up, _ := db.FindSeries(ctx, postgres.SeriesFilter{Service: "checkout", Metric: "up"})
				if len(up) != 1 {
					t.Fatalf("no up series: %+v", up)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no points from Prometheus after 60s; series %+v\nprometheus output:\n%s", series, prom.Output())
		}
		time.Sleep(500 * time.Millisecond)
	}
}
