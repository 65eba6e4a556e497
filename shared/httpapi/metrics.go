package httpapi

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/healthscore"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/remotewrite"
)

// pushMetrics answers POST /api/v1/metrics: a JSON batch
// [{service, metric, labels, points: [[ts, value], ...]}, ...], stored all
// or nothing.
func (s *Server) pushMetrics(w http.ResponseWriter, r *http.Request) error {
	var batch []aiops.Samples
	if err := decodeJSON(w, r, s.metricsMaxBody, &batch); err != nil {
		s.ingest.WithLabelValues("json", "rejected").Inc()
		return err
	}
	return s.writeBatch(w, r, "json", batch, 0)
}

// remoteWrite answers POST /api/v1/write, Prometheus remote_write 1.0.
// Staleness markers are honoured by not storing them; a request that fails
// validation answers 400, which Prometheus does not retry, and a database
// outage 503, which it does.
func (s *Server) remoteWrite(w http.ResponseWriter, r *http.Request) error {
	if enc := r.Header.Get("Content-Encoding"); enc != "" && enc != "snappy" {
		return aiops.Errorf(aiops.EINVALID, "Content-Encoding must be snappy, got %q", enc)
	}
	if v := r.Header.Get("X-Prometheus-Remote-Write-Version"); v != "" && !strings.HasPrefix(v, "0.1") {
		return aiops.Errorf(aiops.EINVALID, "remote_write version %q is not supported; use protobuf_message: prometheus.WriteRequest (1.0)", v)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.metricsMaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return aiops.Errorf(aiops.ETOOLARGE, "request body is larger than %d bytes", s.metricsMaxBody)
		}
		return aiops.Errorf(aiops.EINVALID, "reading the body: %v", err)
	}
	res, err := remotewrite.Decode(body)
	if err != nil {
		s.ingest.WithLabelValues("remote_write", "rejected").Inc()
		return aiops.Errorf(aiops.EINVALID, "remote_write: %v", err)
	}
	return s.writeBatch(w, r, "remote_write", res.Samples, res.Stale)
}

func (s *Server) writeBatch(w http.ResponseWriter, r *http.Request, source string, batch []aiops.Samples, stale int) error {
	if err := aiops.ValidateSamples(batch, s.now()); err != nil {
		s.ingest.WithLabelValues(source, "rejected").Inc()
		return err
	}
	res, err := s.store.WriteSamples(r.Context(), batch, postgres.WriteOptions{CreateServices: s.createServices})
	if err != nil {
		s.ingest.WithLabelValues(source, "failed").Inc()
		return err
	}
	res.Stale = stale
	s.ingest.WithLabelValues(source, "stored").Inc()
	s.ingestPoints.WithLabelValues(source).Add(float64(res.Points))
	if source == "remote_write" {
		w.WriteHeader(http.StatusNoContent) // what Prometheus expects
		return nil
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// listSeries answers GET /api/v1/series?service=&metric=&label.<name>=<value>.
func (s *Server) listSeries(w http.ResponseWriter, r *http.Request) error {
	f, err := seriesFilter(r.URL.Query(), "limit")
	if err != nil {
		return err
	}
	if f.Limit, err = intParam(r.URL.Query(), "limit", 1000, 1, 10000); err != nil {
		return err
	}
	list, err := s.store.FindSeries(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []aiops.Series{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"series": list})
	return nil
}

// seriesFilter reads service, metric and label.<name> parameters; extra
// names the other parameters the endpoint accepts.
func seriesFilter(q url.Values, extra ...string) (postgres.SeriesFilter, error) {
	f := postgres.SeriesFilter{Service: q.Get("service"), Metric: q.Get("metric"), Labels: map[string]string{}}
	for k, v := range q {
		switch name, isLabel := strings.CutPrefix(k, "label."); {
		case isLabel:
			f.Labels[name] = v[0]
		case k == "service" || k == "metric":
		default:
			known := false
			for _, e := range extra {
				known = known || k == e
			}
			if !known {
				return f, &aiops.Error{Code: aiops.EINVALID, Field: k, Message: "unknown query parameter " + strconv.Quote(k)}
			}
		}
	}
	return f, aiops.ValidateLabels("label", f.Labels)
}

// niceSteps are the steps automatic downsampling rounds up to.
var niceSteps = []time.Duration{
	time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
}

type queryResponse struct {
	Series      aiops.Series `json:"series"`
	From        time.Time    `json:"from"`
	To          time.Time    `json:"to"`
	StepSeconds float64      `json:"step_seconds"`
	Source      string       `json:"source"`
	// Points are [t, avg, min, max, count] per step that has data.
	Points [][5]float64 `json:"points"`
}

// query answers GET /api/v1/query: one series (series=ID, or service,
// metric and labels naming exactly one) between from and to, as at most
// max_points buckets of min/avg/max/count.
func (s *Server) query(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	now := s.now()
	to, err := timeParam(q, "to", now)
	if err != nil {
		return err
	}
	from, err := timeParam(q, "from", to.Add(-time.Hour))
	if err != nil {
		return err
	}
	if !to.After(from) {
		return &aiops.Error{Code: aiops.EINVALID, Field: "from", Message: "from must be before to"}
	}
	maxPoints, err := intParam(q, "max_points", 1000, 1, 11000)
	if err != nil {
		return err
	}
	step, err := stepParam(q, from, to, maxPoints)
	if err != nil {
		return err
	}
	series, err := s.oneSeries(r, q)
	if err != nil {
		return err
	}
	buckets, source, err := s.store.QueryRange(r.Context(), postgres.RangeQuery{SeriesID: series.ID, From: from, To: to, Step: step})
	if err != nil {
		return err
	}
	res := queryResponse{Series: series, From: from, To: to, StepSeconds: step.Seconds(), Source: source, Points: make([][5]float64, len(buckets))}
	for i, b := range buckets {
		res.Points[i] = [5]float64{float64(b.T.Unix()), b.Avg, b.Min, b.Max, float64(b.Count)}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) oneSeries(r *http.Request, q url.Values) (aiops.Series, error) {
	if id := q.Get("series"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return aiops.Series{}, &aiops.Error{Code: aiops.EINVALID, Field: "series", Message: "series must be a positive integer id"}
		}
		return s.store.SeriesByID(r.Context(), n)
	}
	f, err := seriesFilter(q, "from", "to", "step", "max_points")
	if err != nil {
		return aiops.Series{}, err
	}
	if f.Service == "" || f.Metric == "" {
		return aiops.Series{}, &aiops.Error{Code: aiops.EINVALID, Field: "series", Message: "name the series: series=ID, or service and metric (and label.<name>=value)"}
	}
	f.Limit = 2
	list, err := s.store.FindSeries(r.Context(), f)
	if err != nil {
		return aiops.Series{}, err
	}
	switch len(list) {
	case 0:
		return aiops.Series{}, aiops.Errorf(aiops.ENOTFOUND, "no series %s of %s matches those labels", f.Metric, f.Service)
	case 1:
		return list[0], nil
	}
	// Several match: the unlabelled aggregate wins, else ask for labels.
	f.Limit = 1000
	all, err := s.store.FindSeries(r.Context(), f)
	if err != nil {
		return aiops.Series{}, err
	}
	for _, se := range all {
		if len(se.Labels) == len(f.Labels) {
			return se, nil
		}
	}
	return aiops.Series{}, &aiops.Error{Code: aiops.EINVALID, Field: "label", Message: fmt.Sprintf("%d series of %s %s match; add label.<name>=value parameters or pass series=ID", len(all), f.Service, f.Metric)}
}

// timeParam reads RFC 3339 or Unix seconds.
func timeParam(q url.Values, name string, def time.Time) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && f >= 0 && f < 1e11 {
		return time.UnixMilli(int64(f * 1000)).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &aiops.Error{Code: aiops.EINVALID, Field: name, Message: name + " must be RFC 3339 (2006-01-02T15:04:05Z) or Unix seconds"}
	}
	return t.UTC(), nil
}

// stepParam honours an explicit step (a Go duration or seconds) unless it
// would exceed maxPoints, and otherwise picks the smallest nice step that
// fits.
func stepParam(q url.Values, from, to time.Time, maxPoints int) (time.Duration, error) {
	span := to.Sub(from)
	need := time.Duration(math.Ceil(float64(span) / float64(maxPoints)))
	if v := q.Get("step"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			secs, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return 0, &aiops.Error{Code: aiops.EINVALID, Field: "step", Message: "step must be a duration like 5m or a number of seconds"}
			}
			d = time.Duration(secs * float64(time.Second))
		}
		if d < time.Second {
			return 0, &aiops.Error{Code: aiops.EINVALID, Field: "step", Message: "step must be at least 1s"}
		}
		if d >= need {
			return d, nil
		}
	}
	for _, n := range niceSteps {
		if n >= need {
			return n, nil
		}
	}
	return need.Round(time.Hour) + time.Hour, nil
}

type healthResponse struct {
	Service string             `json:"service"`
	At      time.Time          `json:"at"`
	Window  string             `json:"window"`
	Score   *float64           `json:"score"`
	Grade   string             `json:"grade"`
	Status  string             `json:"status"`
	Parts   []healthscore.Part `json:"parts"`
	Formula string             `json:"formula"`
}

const healthFormula = "part = 100 × clamp((critical − value) / (critical − warn), 0, 1); score = min(weighted mean of parts, worst part + 50); weights: error_rate 0.5, latency_p95 0.3, cpu 0.2"

// serviceHealth answers GET /api/v1/services/{name}/health[?window=15m&at=].
func (s *Server) serviceHealth(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := onlyParams(q, "window", "at"); err != nil {
		return err
	}
	window := 15 * time.Minute
	if v := q.Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 24*time.Hour {
			return &aiops.Error{Code: aiops.EINVALID, Field: "window", Message: "window must be a duration from 1m to 24h"}
		}
		window = d
	}
	at, err := timeParam(q, "at", s.now())
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if _, err := s.store.Service(r.Context(), name); err != nil {
		return err
	}
	avgs, err := s.store.ServiceMetricAverages(r.Context(), name,
		[]string{aiops.MetricErrorRate, aiops.MetricLatencyP95, aiops.MetricCPU}, at.Add(-window), at)
	if err != nil {
		return err
	}
	value := func(m string) float64 {
		if v, ok := avgs[m]; ok {
			return v
		}
		return math.NaN()
	}
	h := s.healthThresholds
	res := healthscore.Compute([]healthscore.Part{
		{Name: aiops.MetricErrorRate, Value: value(aiops.MetricErrorRate), Warn: h.ErrorRate.Warn, Critical: h.ErrorRate.Critical, Weight: healthscore.WeightErrorRate},
		{Name: aiops.MetricLatencyP95, Value: value(aiops.MetricLatencyP95), Warn: h.LatencyP95.Warn, Critical: h.LatencyP95.Critical, Weight: healthscore.WeightLatencyP95},
		{Name: aiops.MetricCPU, Value: value(aiops.MetricCPU), Warn: h.CPU.Warn, Critical: h.CPU.Critical, Weight: healthscore.WeightCPU},
	})
	out := healthResponse{Service: name, At: at, Window: window.String(), Grade: res.Grade, Parts: res.Parts, Formula: healthFormula}
	switch {
	case math.IsNaN(res.Score):
		out.Status = "no_data"
	case res.Score >= 75:
		out.Status = "healthy"
	case res.Score >= 40:
		out.Status = "degraded"
	default:
		out.Status = "critical"
	}
	if !math.IsNaN(res.Score) {
		out.Score = &res.Score
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
