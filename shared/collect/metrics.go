package collect

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics are the collector's own: how long runs and queries take, what
// happened to the targets and what went wrong, so Opsight's collector can
// be watched like any other service.
type metrics struct {
	runDuration    prometheus.Histogram
	queryDuration  prometheus.Histogram
	targetDuration *prometheus.HistogramVec
	targets        *prometheus.CounterVec
	errors         *prometheus.CounterVec
	points         prometheus.Counter
	empty          prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	m := &metrics{
		runDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "opsight_collector_run_duration_seconds",
			Help:    "Duration of collection runs.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60},
		}),
		queryDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "opsight_collector_query_duration_seconds",
			Help:    "Duration of single requests to a Prometheus query API, failed ones included.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}),
		targetDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "opsight_collector_target_duration_seconds",
			Help:    "Time spent on one target in a run (queries, write, state), by outcome.",
			Buckets: []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"outcome"}),
		targets: f.NewCounterVec(prometheus.CounterOpts{
			Name: "opsight_collector_targets_total",
			Help: "Targets visited by collection runs, by outcome (ok, failed, skipped_open_circuit, canceled).",
		}, []string{"outcome"}),
		errors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "opsight_collector_errors_total",
			Help: "Collector errors by kind: target (Prometheus unreachable or unwell), query (rejected or unstorable answer), template (bad override), write, state, registry.",
		}, []string{"kind"}),
		points: f.NewCounter(prometheus.CounterOpts{
			Name: "opsight_collector_points_total",
			Help: "Points stored by the collector.",
		}),
		empty: f.NewCounter(prometheus.CounterOpts{
			Name: "opsight_collector_empty_queries_total",
			Help: "Metric queries that returned no data (the metric is absent for the service).",
		}),
	}
	for _, o := range []string{outcomeOK, outcomeFailed, outcomeSkipped, outcomeCanceled} {
		m.targets.WithLabelValues(o) // export zeros, so rate() works from the first failure
	}
	for _, k := range []string{"target", "query", "template", "write", "state", "registry"} {
		m.errors.WithLabelValues(k)
	}
	return m
}

func (m *metrics) observeRun(s *Summary, d time.Duration) {
	m.runDuration.Observe(d.Seconds())
	m.targets.WithLabelValues(outcomeOK).Add(float64(s.OK))
	m.targets.WithLabelValues(outcomeFailed).Add(float64(s.Failed))
	m.targets.WithLabelValues(outcomeSkipped).Add(float64(s.SkippedOpenCircuit))
	m.targets.WithLabelValues(outcomeCanceled).Add(float64(s.Canceled))
	m.points.Add(float64(s.Points))
	m.empty.Add(float64(s.Empty))
}
