package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/forecast"
	"github.com/opsight/opsight/shared/forecastrun"
)

// forecastRequest is the body of POST /api/v1/forecast: a stored series
// (its hourly history) or inline points, forecast on the spot.
type forecastRequest struct {
	Series      int64         `json:"series"`
	HistoryDays int           `json:"history_days"`
	Points      []aiops.Point `json:"points"`
	// Step of inline points, in seconds; inferred (the most common spacing)
	// when 0.
	Step    float64   `json:"step"`
	Seasons []int     `json:"seasons"`
	Horizon int       `json:"horizon"`
	Levels  []float64 `json:"levels"`
}

type forecastStep struct {
	T     time.Time          `json:"t"`
	Yhat  float64            `json:"yhat"`
	Lower map[string]float64 `json:"lower"`
	Upper map[string]float64 `json:"upper"`
}

type forecastResponse struct {
	Series      *aiops.Series  `json:"series,omitempty"`
	StepSeconds float64        `json:"step_seconds"`
	Summary     string         `json:"summary"`
	Notes       []string       `json:"notes"`
	Fitted      int            `json:"fitted_points"`
	Forecast    []forecastStep `json:"forecast"`
}

// forecastNow answers POST /api/v1/forecast.
func (s *Server) forecastNow(w http.ResponseWriter, r *http.Request) error {
	var req forecastRequest
	if err := decodeJSON(w, r, s.metricsMaxBody, &req); err != nil {
		return err
	}
	if req.Horizon == 0 {
		req.Horizon = 48
	}
	if req.Horizon < 1 || req.Horizon > 10000 {
		return &aiops.Error{Code: aiops.EINVALID, Field: "horizon", Message: "horizon must be 1 to 10000 steps"}
	}
	if len(req.Levels) == 0 {
		req.Levels = []float64{80, 95}
	}
	if len(req.Levels) > 5 {
		return &aiops.Error{Code: aiops.EINVALID, Field: "levels", Message: "at most 5 interval levels"}
	}
	for i, l := range req.Levels {
		if !(l > 0 && l < 100) {
			return &aiops.Error{Code: aiops.EINVALID, Field: fmt.Sprintf("levels[%d]", i), Message: "interval levels are percentages strictly between 0 and 100"}
		}
	}
	var values []float64
	var last time.Time
	var step time.Duration
	var series *aiops.Series
	switch {
	case req.Series != 0 && req.Points != nil:
		return &aiops.Error{Code: aiops.EINVALID, Field: "points", Message: "give either series or points, not both"}
	case req.Series != 0:
		se, err := s.store.SeriesByID(r.Context(), req.Series)
		if err != nil {
			return err
		}
		series = &se
		days := req.HistoryDays
		if days == 0 {
			days = 42
		}
		if days < 1 || days > 3650 {
			return &aiops.Error{Code: aiops.EINVALID, Field: "history_days", Message: "history_days must be 1 to 3650"}
		}
		end := s.now().Truncate(forecastrun.Step)
		values, last, err = forecastrun.History(r.Context(), s.store, se.ID, end.Add(-time.Duration(days)*24*time.Hour), end)
		if err != nil {
			return err
		}
		step = forecastrun.Step
		if req.Seasons == nil {
			req.Seasons = []int{24, 168}
		}
	case len(req.Points) > 0:
		if err := aiops.ValidateSamples([]aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "inline", Metric: "inline"}, Points: req.Points}}, s.now()); err != nil {
			var e *aiops.Error
			if errorsAs(err, &e) {
				e.Field = "points" + e.Field[len("[0].points"):]
			}
			return err
		}
		var err error
		values, last, step, err = grid(req.Points, req.Step)
		if err != nil {
			return err
		}
	default:
		return &aiops.Error{Code: aiops.EINVALID, Field: "series", Message: "give a series id or inline points"}
	}
	if len(values) < forecast.MinPoints {
		return &aiops.Error{Code: aiops.EINVALID, Field: "points", Message: fmt.Sprintf("too little history: %d values, need at least %d", len(values), forecast.MinPoints)}
	}
	for i, p := range req.Seasons {
		if p < 2 || p > 10000 {
			return &aiops.Error{Code: aiops.EINVALID, Field: fmt.Sprintf("seasons[%d]", i), Message: "seasonal periods are 2 to 10000 steps"}
		}
	}
	m, err := forecast.Fit(values, forecast.Options{Seasons: req.Seasons, Horizon: req.Horizon})
	if err != nil {
		return aiops.Errorf(aiops.EINVALID, "%v", err)
	}
	p, err := m.Forecast(req.Horizon, req.Levels)
	if err != nil {
		return aiops.Errorf(aiops.EINVALID, "%v", err)
	}
	out := forecastResponse{Series: series, StepSeconds: step.Seconds(), Summary: forecastrun.Summary(m), Notes: m.Notes, Fitted: m.N,
		Forecast: make([]forecastStep, len(p.Mean))}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for k := range p.Mean {
		fs := forecastStep{T: last.Add(time.Duration(k+1) * step), Yhat: p.Mean[k], Lower: map[string]float64{}, Upper: map[string]float64{}}
		for _, iv := range p.Intervals {
			key := strconv.FormatFloat(iv.Level, 'f', -1, 64)
			fs.Lower[key], fs.Upper[key] = iv.Lower[k], iv.Upper[k]
		}
		out.Forecast[k] = fs
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// grid places inline points on a regular grid of the given step (seconds;
// inferred as the most common spacing when 0), NaN where a step has no
// point.
func grid(points []aiops.Point, stepSeconds float64) ([]float64, time.Time, time.Duration, error) {
	ps := append([]aiops.Point(nil), points...)
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].T.Before(ps[j].T) })
	step := time.Duration(stepSeconds * float64(time.Second))
	if stepSeconds == 0 {
		counts := map[time.Duration]int{}
		for i := 1; i < len(ps); i++ {
			if d := ps[i].T.Sub(ps[i-1].T); d > 0 {
				counts[d]++
			}
		}
		best := 0
		for d, n := range counts {
			if n > best || (n == best && d < step) {
				step, best = d, n
			}
		}
	}
	if step < time.Second {
		return nil, time.Time{}, 0, &aiops.Error{Code: aiops.EINVALID, Field: "step", Message: "step must be at least 1 second (or give points at distinct times to infer it)"}
	}
	first, last := ps[0].T, ps[len(ps)-1].T
	n := int(math.Round(float64(last.Sub(first))/float64(step))) + 1
	if n > forecast.MaxHistory {
		return nil, time.Time{}, 0, &aiops.Error{Code: aiops.EINVALID, Field: "step", Message: fmt.Sprintf("the points span %d steps; at most %d", n, forecast.MaxHistory)}
	}
	values := make([]float64, n)
	for i := range values {
		values[i] = math.NaN()
	}
	for _, p := range ps {
		values[int(math.Round(float64(p.T.Sub(first))/float64(step)))] = p.V
	}
	return values, first.Add(time.Duration(n-1) * step), step, nil
}

type forecastsResponse struct {
	Series   aiops.Series          `json:"series"`
	Model    *aiops.ForecastModel  `json:"model"`
	Forecast []aiops.ForecastPoint `json:"forecast"`
	Breach   *aiops.Breach         `json:"breach"`
}

// forecasts answers GET /api/v1/forecasts?series=ID (the stored forecast)
// and GET /api/v1/forecasts (every predicted capacity breach).
func (s *Server) forecasts(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := onlyParams(q, "series"); err != nil {
		return err
	}
	if q.Get("series") == "" {
		list, err := s.store.Breaches(r.Context(), 0)
		if err != nil {
			return err
		}
		if list == nil {
			list = []aiops.Breach{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"breaches": list})
		return nil
	}
	id, err := strconv.ParseInt(q.Get("series"), 10, 64)
	if err != nil || id <= 0 {
		return &aiops.Error{Code: aiops.EINVALID, Field: "series", Message: "series must be a positive integer id"}
	}
	se, err := s.store.SeriesByID(r.Context(), id)
	if err != nil {
		return err
	}
	m, pts, err := s.store.Forecast(r.Context(), id)
	if err != nil {
		return err
	}
	out := forecastsResponse{Series: se, Model: m, Forecast: pts}
	if b, err := s.store.Breaches(r.Context(), id); err != nil {
		return err
	} else if len(b) > 0 {
		out.Breach = &b[0]
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
