package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/opsight/opsight/shared/postgres"
)

// statsStore is what the platform-wide metrics read.
type statsStore interface {
	CollectorTargetStats(ctx context.Context) ([]postgres.CollectorTargetStats, error)
}

// platformStats exports what the scheduled functions record in the
// database. Lambda instances share no memory, so a counter kept in the
// collector's process would be invisible here and reset with every cold
// start; the database's totals are the same whichever API instance answers
// the scrape.
type platformStats struct {
	db  statsStore
	log *slog.Logger

	attempts, failures, points, consecutive, circuit, lastSuccess, lastDuration *prometheus.Desc
}

func newPlatformStats(db statsStore, log *slog.Logger) *platformStats {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, []string{"service"}, nil)
	}
	return &platformStats{db: db, log: log,
		attempts:     d("opsight_collector_target_attempts_total", "Collection attempts of a Prometheus target, all invocations."),
		failures:     d("opsight_collector_target_failures_total", "Failed collection attempts of a Prometheus target (circuit skips included)."),
		points:       d("opsight_collector_target_points_total", "Points the collector stored for a service."),
		consecutive:  d("opsight_collector_target_consecutive_failures", "Failures in a row; the circuit opens at COLLECTOR_BREAKER_THRESHOLD."),
		circuit:      d("opsight_collector_target_circuit_open", "1 while the target's circuit breaker is open."),
		lastSuccess:  d("opsight_collector_target_last_success_timestamp_seconds", "The last minute collected successfully (Unix seconds)."),
		lastDuration: d("opsight_collector_target_last_duration_seconds", "How long the last collection attempt took."),
	}
}

func (p *platformStats) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.attempts, p.failures, p.points, p.consecutive, p.circuit, p.lastSuccess, p.lastDuration} {
		ch <- d
	}
}

func (p *platformStats) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	stats, err := p.db.CollectorTargetStats(ctx)
	if err != nil {
		// The scrape still gets the process's own metrics.
		p.log.Warn("platform metrics unavailable", "err", err)
		return
	}
	for _, s := range stats {
		open := 0.0
		if s.CircuitOpen {
			open = 1
		}
		ch <- prometheus.MustNewConstMetric(p.attempts, prometheus.CounterValue, float64(s.Attempts), s.Service)
		ch <- prometheus.MustNewConstMetric(p.failures, prometheus.CounterValue, float64(s.Failures), s.Service)
		ch <- prometheus.MustNewConstMetric(p.points, prometheus.CounterValue, float64(s.Points), s.Service)
		ch <- prometheus.MustNewConstMetric(p.consecutive, prometheus.GaugeValue, float64(s.ConsecutiveFailures), s.Service)
		ch <- prometheus.MustNewConstMetric(p.circuit, prometheus.GaugeValue, open, s.Service)
		if !s.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(p.lastSuccess, prometheus.GaugeValue, float64(s.LastSuccess.Unix()), s.Service)
		}
		ch <- prometheus.MustNewConstMetric(p.lastDuration, prometheus.GaugeValue, s.LastDuration.Seconds(), s.Service)
	}
}

// exposition answers GET /api/v1/metrics/prometheus: this instance's own
// metrics (requests, ingest) and the platform's recorded in the database
// (the collector's per-target totals and state).
func (s *Server) exposition(w http.ResponseWriter, r *http.Request) error {
	promhttp.HandlerFor(prometheus.Gatherers{s.gatherer, s.platform}, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
	return nil
}
