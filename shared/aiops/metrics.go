package aiops

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// Point is one sample. In JSON it is [timestamp, value], the shape
// Prometheus and most agents use. The timestamp is Unix seconds (a fraction
// carries milliseconds), Unix milliseconds, or an RFC 3339 string.
type Point struct {
	T time.Time
	V float64
	// bad says why the JSON form could not be read. Decoding never fails on
	// one point, so ValidateSamples can name the item and point at fault
	// (encoding/json reports no position for a custom decoder's error).
	bad string
}

// UnmarshalJSON reads [timestamp, value].
func (p *Point) UnmarshalJSON(b []byte) error {
	*p = Point{}
	s := strings.TrimSpace(string(b))
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		p.bad = "a point must be [timestamp, value]"
		return nil
	}
	ts, val, ok := strings.Cut(s[1:len(s)-1], ",")
	if !ok || strings.Contains(val, ",") {
		p.bad = "a point must be [timestamp, value]"
		return nil
	}
	ts, val = strings.TrimSpace(ts), strings.TrimSpace(val)
	t, err := parsePointTime(ts)
	if err != nil {
		p.bad = err.Error()
		return nil
	}
	p.T = t
	switch {
	case val == "null":
		p.bad = "value is null; want a finite number"
	case len(val) > 0 && val[0] == '"':
		p.bad = "value is a string (" + val + "); want a finite number"
	default:
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			p.bad = "value " + quote(val) + " is not a number"
		}
		p.V = v
	}
	return nil
}

// unixMillisCutoff tells seconds from milliseconds: 1e11 seconds is the year
// 5138, 1e11 milliseconds is 1973.
const unixMillisCutoff = 1e11

func parsePointTime(s string) (time.Time, error) {
	if len(s) > 1 && s[0] == '"' {
		t, err := time.Parse(time.RFC3339Nano, strings.Trim(s, `"`))
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp %s is not RFC 3339", s)
		}
		return t.UTC(), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e14 {
		return time.Time{}, fmt.Errorf("timestamp %s is not Unix seconds, Unix milliseconds or an RFC 3339 string", quote(s))
	}
	if math.Abs(f) >= unixMillisCutoff {
		return time.UnixMilli(int64(math.Round(f))).UTC(), nil
	}
	return time.UnixMilli(int64(math.Round(f * 1000))).UTC(), nil
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

// MaxFutureSkew is how far ahead of the receiver's clock a timestamp may be:
// clocks drift, but a point from next week is a bug, and storing it would
// hide the real last value.
const MaxFutureSkew = 10 * time.Minute

// ValidateSamples checks a batch before anything is written: service and
// metric names, labels, and every point's timestamp and value. The error
// names the first bad item by index and field, e.g. "[3].points[17]", so
// the sender can find it; nothing of a batch with an error is stored.
func ValidateSamples(batch []Samples, now time.Time) error {
	limit := now.Add(MaxFutureSkew)
	for i, s := range batch {
		at := func(f string) string { return fmt.Sprintf("[%d].%s", i, f) }
		if !ValidServiceName(s.Service) {
			return &Error{Code: EINVALID, Field: at("service"), Message: fmt.Sprintf("item %d: service %s is not a valid service name (lower-case letters, digits, '.', '_', '-')", i, quote(s.Service))}
		}
		if !ValidMetricName(s.Metric) {
			return &Error{Code: EINVALID, Field: at("metric"), Message: fmt.Sprintf("item %d: metric %s must match [a-zA-Z_:][a-zA-Z0-9_:]*", i, quote(s.Metric))}
		}
		if err := ValidateLabels(at("labels"), s.Labels); err != nil {
			return err
		}
		if len(s.Points) == 0 {
			return &Error{Code: EINVALID, Field: at("points"), Message: fmt.Sprintf("item %d: points is empty", i)}
		}
		for j, p := range s.Points {
			// The common case, a valid point, formats nothing.
			if p.bad == "" && p.T.Unix() >= 0 && !p.T.After(limit) && !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
				continue
			}
			f := at(fmt.Sprintf("points[%d]", j))
			switch {
			case p.bad != "":
				return &Error{Code: EINVALID, Field: f, Message: fmt.Sprintf("item %d point %d: %s", i, j, p.bad)}
			case p.T.Unix() < 0:
				return &Error{Code: EINVALID, Field: f, Message: fmt.Sprintf("item %d point %d: timestamp %s is before 1970", i, j, p.T.UTC().Format(time.RFC3339))}
			case p.T.After(limit):
				return &Error{Code: EINVALID, Field: f, Message: fmt.Sprintf("item %d point %d: timestamp %s is more than %v in the future", i, j, p.T.UTC().Format(time.RFC3339), MaxFutureSkew)}
			default:
				return &Error{Code: EINVALID, Field: f, Message: fmt.Sprintf("item %d point %d: value must be a finite number", i, j)}
			}
		}
	}
	return nil
}
