package aiops

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Standard service metrics: the names the Prometheus collector writes, the
// demo generates, the health score reads and the multivariate detector
// groups by service. Custom metrics may use any other valid name.
const (
	MetricRequestRate = "request_rate" // requests per second
	MetricErrorRate   = "error_rate"   // fraction of requests that failed, 0..1
	MetricLatencyP50  = "latency_p50"  // seconds
	MetricLatencyP95  = "latency_p95"  // seconds
	MetricLatencyP99  = "latency_p99"  // seconds
	MetricCPU         = "cpu"          // utilisation: cores used / cores allowed (limit, else request), 0..1+
	MetricMemory      = "memory"       // bytes resident
	MetricRestarts    = "restarts"     // container restarts in the last interval
	MetricPods        = "pods"         // running replicas
)

// StandardMetrics lists the standard metrics in display order.
var StandardMetrics = []string{
	MetricRequestRate, MetricErrorRate, MetricLatencyP50, MetricLatencyP95, MetricLatencyP99,
	MetricCPU, MetricMemory, MetricRestarts, MetricPods,
}

// SeriesKey identifies a time series: a service's metric with labels.
type SeriesKey struct {
	Service string            `json:"service"`
	Metric  string            `json:"metric"`
	Labels  map[string]string `json:"labels,omitempty"`
}

// Series is a stored series.
type Series struct {
	ID int64 `json:"id"`
	SeriesKey
	FirstPoint *time.Time `json:"first_point,omitempty"`
	LastPoint  *time.Time `json:"last_point,omitempty"`
}

// Point is one sample. In JSON it is [unix_seconds, value], the shape
// Prometheus and most agents use; timestamps may carry milliseconds as a
// fraction.
type Point struct {
	T time.Time
	V float64
}

// MarshalJSON writes [unix_seconds, value].
func (p Point) MarshalJSON() ([]byte, error) {
	ts := float64(p.T.UnixMilli()) / 1000
	if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
		return []byte(fmt.Sprintf("[%v,null]", ts)), nil
	}
	return json.Marshal([2]float64{ts, p.V})
}

// Samples are points of one series, as pushed or collected.
type Samples struct {
	SeriesKey
	Points []Point `json:"points"`
}

// WriteResult says what a write stored.
type WriteResult struct {
	Series          int `json:"series"`           // distinct series in the batch
	Points          int `json:"points"`           // points stored (after dedup within the batch)
	CreatedSeries   int `json:"created_series"`   // series seen for the first time
	CreatedServices int `json:"created_services"` // services registered automatically
	Stale           int `json:"stale,omitempty"`  // Prometheus staleness markers honoured (not stored)
}
