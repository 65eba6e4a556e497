package collect_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/collect"
	"github.com/opsight/opsight/shared/collect/breaker"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/prometheustest"
)

// The backfilled world: two services scraped every 15 seconds for three
// hours, with traffic, latencies and resources whose PromQL values are
// known exactly (counters grow linearly, so rates are their slopes).
//
//	checkout: 10 req/s answered 200 and 0.5 req/s answered 500; 3 pods
//	  (kube-state-metrics), each 0.25 cores and 100+10i MiB growing 1 KiB a
//	  minute; pod p1 restarts once at base+65m.
//	billing: 4 req/s, all 200; no kube-state-metrics, 2 healthy targets
//	  (up == 1); same latency profile.
//
// Latency: the share of requests at or under each bucket bound is
// cumulative; histogram_quantile interpolates linearly inside the bucket, so
// p50 = 0.05 + 0.05*(0.5-0.2)/(0.5-0.2) = 0.1, p95 = 0.25 +
// 0.25*(0.95-0.9)/(0.98-0.9) = 0.40625 and p99 = 0.5 + 0.5*(0.99-0.98)/(1-0.98)
// = 0.75.
var (
	bucketBounds = []string{"0.05", "0.1", "0.25", "0.5", "1", "+Inf"}
	bucketShare  = []float64{0.2, 0.5, 0.9, 0.98, 1, 1}
)

const (
	scrape    = 15 * time.Second
	mib       = 1 << 20
	restartAt = 65 * time.Minute
)

type world struct {
	base, end time.Time
	prom      *prometheustest.Server
}

func memoryAt(pod int, base, t time.Time) float64 {
	return float64((100+10*pod)*mib) + float64(t.Sub(base)/time.Minute)*1024
}

func openMetrics(base, end time.Time) string {
	var b strings.Builder
	times := func(f func(t time.Time, s float64)) {
		for t := base; !t.After(end); t = t.Add(scrape) {
			f(t, t.Sub(base).Seconds())
		}
	}
	type svc struct {
		job        string
		ok, errors float64 // requests per second
		pods       int
	}
	services := []svc{{"checkout", 10, 0.5, 3}, {"billing", 4, 0, 2}}

	b.WriteString("# TYPE http_requests counter\n")
	for _, s := range services {
		for code, r := range map[string]float64{"200": s.ok, "500": s.errors} {
			if r == 0 {
				continue // billing never failed: no 500 series at all
			}
			times(func(t time.Time, sec float64) {
				fmt.Fprintf(&b, "http_requests_total{job=%q,code=%q} %g %d\n", s.job, code, r*sec, t.Unix())
			})
		}
	}
	b.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for _, s := range services {
		total := s.ok + s.errors
		times(func(t time.Time, sec float64) {
			for i, le := range bucketBounds {
				fmt.Fprintf(&b, "http_request_duration_seconds_bucket{job=%q,le=%q} %g %d\n", s.job, le, total*bucketShare[i]*sec, t.Unix())
			}
			fmt.Fprintf(&b, "http_request_duration_seconds_count{job=%q} %g %d\n", s.job, total*sec, t.Unix())
			fmt.Fprintf(&b, "http_request_duration_seconds_sum{job=%q} %g %d\n", s.job, total*sec*0.15, t.Unix())
		})
	}
	b.WriteString("# TYPE container_cpu_usage_seconds counter\n")
	for _, s := range services {
		for p := range s.pods {
			times(func(t time.Time, sec float64) {
				fmt.Fprintf(&b, "container_cpu_usage_seconds_total{job=%q,pod=\"p%d\",container=\"app\"} %g %d\n", s.job, p, 0.25*sec, t.Unix())
				// The pod's own cgroup repeats the usage; the default query must not count it.
				fmt.Fprintf(&b, "container_cpu_usage_seconds_total{job=%q,pod=\"p%d\",container=\"\"} %g %d\n", s.job, p, 0.25*sec, t.Unix())
			})
		}
	}
	b.WriteString("# TYPE container_memory_working_set_bytes gauge\n")
	for _, s := range services {
		for p := range s.pods {
			times(func(t time.Time, sec float64) {
				fmt.Fprintf(&b, "container_memory_working_set_bytes{job=%q,pod=\"p%d\",container=\"app\"} %g %d\n", s.job, p, memoryAt(p, base, t), t.Unix())
			})
		}
	}
	b.WriteString("# TYPE kube_pod_container_status_restarts counter\n")
	for p := range 3 {
		times(func(t time.Time, sec float64) {
			n := 0
			if p == 1 && !t.Before(base.Add(restartAt)) {
				n = 1
			}
			fmt.Fprintf(&b, "kube_pod_container_status_restarts_total{job=\"checkout\",pod=\"p%d\",container=\"app\"} %d %d\n", p, n, t.Unix())
		})
	}
	b.WriteString("# TYPE kube_pod_status_phase gauge\n")
	for p := range 3 {
		for _, phase := range []string{"Running", "Pending"} {
			v := 0
			if phase == "Running" {
				v = 1
			}
			times(func(t time.Time, sec float64) {
				fmt.Fprintf(&b, "kube_pod_status_phase{job=\"checkout\",pod=\"p%d\",phase=%q} %d %d\n", p, phase, v, t.Unix())
			})
		}
	}
	b.WriteString("# TYPE up gauge\n")
	for i := range 2 {
		times(func(t time.Time, sec float64) {
			fmt.Fprintf(&b, "up{job=\"billing\",instance=\"10.0.0.%d:8080\"} 1 %d\n", i, t.Unix())
		})
	}
	b.WriteString("# EOF\n")
	return b.String()
}

func startWorld(t *testing.T) *world {
	// Old enough that every collected minute is in the past, recent
	// enough to be inside the default partitions' reach.
	base := time.Now().UTC().Truncate(time.Hour).Add(-4 * time.Hour)
	end := base.Add(3 * time.Hour)
	return &world{base: base, end: end, prom: prometheustest.Start(t, openMetrics(base, end))}
}

// expected is what each standard metric of each service must be at a
// minute m after base; ok false where no point is expected.
func (w *world) expected(service, metric string, at time.Time) (float64, bool) {
	restartInWindow := !at.Before(w.base.Add(restartAt)) && at.Before(w.base.Add(restartAt+5*time.Minute))
	switch service + "/" + metric {
	case "checkout/request_rate":
		return 10.5, true
	case "billing/request_rate": // the override counts 200s only
		return 4, true
	case "checkout/error_rate":
		return 0.5 / 10.5, true
	case "billing/error_rate":
		return 0, true
	case "checkout/latency_p50", "billing/latency_p50":
		return 0.1, true
	case "checkout/latency_p95", "billing/latency_p95":
		return 0.40625, true
	case "checkout/latency_p99":
		return 0.75, true
	case "billing/latency_p99": // a bad override: not collected
		return 0, false
	case "checkout/cpu":
		return 0.75, true
	case "billing/cpu":
		return 0.5, true
	case "checkout/memory":
		return memoryAt(0, w.base, at) + memoryAt(1, w.base, at) + memoryAt(2, w.base, at), true
	case "billing/memory":
		return memoryAt(0, w.base, at) + memoryAt(1, w.base, at), true
	case "checkout/restarts":
		if restartInWindow {
			return 1, true
		}
		return 0, true
	case "billing/restarts": // no such series
		return 0, false
	case "checkout/pods":
		return 3, true
	case "billing/pods": // from up
		return 2, true
	}
	panic("no expectation for " + service + "/" + metric)
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func register(t *testing.T, db *postgres.DB, name, url string, queries map[string]string) {
	t.Helper()
	s := &aiops.Service{Name: name, Prometheus: &aiops.PrometheusSource{URL: url, Selector: `job="` + name + `"`, Queries: queries}}
	if err := db.CreateService(context.Background(), s); err != nil {
		t.Fatal(err)
	}
}

// stored returns the points of a service's metric between from and to.
func stored(t *testing.T, db *postgres.DB, service, metric string, from, to time.Time) map[time.Time]float64 {
	t.Helper()
	ctx := context.Background()
	series, err := db.FindSeries(ctx, postgres.SeriesFilter{Service: service, Metric: metric})
	if err != nil {
		t.Fatal(err)
	}
	out := map[time.Time]float64{}
	for _, s := range series {
		buckets, _, err := db.QueryRange(ctx, postgres.RangeQuery{SeriesID: s.ID, From: from, To: to.Add(time.Second), Step: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range buckets {
			if b.Count != 1 {
				t.Errorf("%s/%s at %v: %d points in one minute", service, metric, b.T, b.Count)
			}
			out[b.T.UTC()] = b.Avg
		}
	}
	return out
}

func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String()
}

// checkMinute compares every standard metric of service at the minute at
// with what the backfilled data implies.
func (w *world) checkMinute(t *testing.T, db *postgres.DB, service string, at time.Time) {
	t.Helper()
	for _, m := range aiops.StandardMetrics {
		want, ok := w.expected(service, m, at)
		got, have := stored(t, db, service, m, at, at)[at]
		switch {
		case !ok && have:
			t.Errorf("%s/%s at %s: stored %v, want nothing", service, m, at.Format("15:04"), got)
		case ok && !have:
			t.Errorf("%s/%s at %s: nothing stored, want %v", service, m, at.Format("15:04"), want)
		case ok && math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)):
			t.Errorf("%s/%s at %s = %v, want %v", service, m, at.Format("15:04"), got, want)
		}
	}
}

func TestAgainstRealPrometheus(t *testing.T) {
	w := startWorld(t)
	billingOverrides := map[string]string{
		aiops.MetricRequestRate: `sum(rate(http_requests_total{ {{.Selector}}, code="200" }[{{.Window}}]))`,
		aiops.MetricLatencyP99:  `histogram_quantile(0.99, {{.Missing}})`,
	}
	cfg := collect.Config{Breaker: breaker.Policy{Threshold: 3, Cooldown: 5 * time.Minute}, RequestTimeout: 5 * time.Second}
	at := w.base.Add(60 * time.Minute)

	t.Run("standard metrics and overrides", func(t *testing.T) {
		db := pgtest.NewDB(t)
		register(t, db, "checkout", w.prom.URL, nil)
		register(t, db, "billing", w.prom.URL, billingOverrides)
		sum, err := collect.New(cfg, db, discard, nil).Run(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		// billing: no restarts series (empty), p99 override refused.
		if sum.OK != 2 || sum.Failed != 0 || sum.Points != 9+7 || sum.Empty != 1 || len(sum.QueryErrors) != 1 {
			t.Fatalf("summary = %+v", sum)
		}
		if qe := sum.QueryErrors[0]; qe.Service != "billing" || qe.Metric != aiops.MetricLatencyP99 || qe.Kind != "template" || !strings.Contains(qe.Error, "Missing") {
			t.Errorf("bad override reported as %+v", qe)
		}
		w.checkMinute(t, db, "checkout", at)
		w.checkMinute(t, db, "billing", at)
	})

	t.Run("a down target opens its circuit, the other keeps arriving", func(t *testing.T) {
		db := pgtest.NewDB(t)
		register(t, db, "checkout", w.prom.URL, nil)
		register(t, db, "ghost", closedPort(t), nil)
		c := collect.New(cfg, db, discard, nil)
		for i, want := range []breaker.Status{breaker.Closed, breaker.Closed, breaker.Open, breaker.Open, breaker.Open} {
			now := at.Add(time.Duration(i) * time.Minute)
			sum, err := c.Run(context.Background(), now)
			if err != nil {
				t.Fatal(err)
			}
			if sum.OK != 1 || sum.Failed+sum.SkippedOpenCircuit != 1 || len(sum.Failures) != 1 || sum.Failures[0].Circuit != want {
				t.Fatalf("run %d: %+v, want ghost's circuit %s", i, sum, want)
			}
			if i >= 3 && sum.SkippedOpenCircuit != 1 {
				t.Errorf("run %d: ghost was tried with its circuit open", i)
			}
			w.checkMinute(t, db, "checkout", now)
		}
		states, err := db.CollectorStates(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if g := states["ghost"]; g.Breaker.Failures != 3 || !strings.Contains(g.LastError, "connection refused") {
			t.Errorf("ghost's stored state = %+v", g)
		}
	})

	t.Run("missed runs are caught up minute by minute", func(t *testing.T) {
		db := pgtest.NewDB(t)
		register(t, db, "checkout", w.prom.URL, nil)
		c := collect.New(cfg, db, discard, nil)
		if _, err := c.Run(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		later := at.Add(30 * time.Minute) // Opsight was down for half an hour
		sum, err := c.Run(context.Background(), later)
		if err != nil {
			t.Fatal(err)
		}
		if sum.OK != 1 || sum.CaughtUp != 1 || sum.Points != 30*9 {
			t.Fatalf("summary = %+v, want 30 minutes of 9 metrics", sum)
		}
		for m := 0; m <= 30; m++ {
			w.checkMinute(t, db, "checkout", at.Add(time.Duration(m)*time.Minute))
		}
		if got := stored(t, db, "checkout", aiops.MetricMemory, at, later); len(got) != 31 {
			t.Errorf("memory has %d points from %s to %s, want 31", len(got), at.Format("15:04"), later.Format("15:04"))
		}
	})
}
