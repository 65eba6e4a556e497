// Package forecastrun is one run of the scheduled forecaster: for each live
// series whose model is stale it fits a forecast.Model on the series' hourly
// history, stores the model as versioned JSON in object storage, writes the
// forecast with its 80% and 95% intervals to Postgres, and checks the
// forecast against the configured capacity thresholds (disk 90%, CPU 85%)
// to predict when each will be breached.
package forecastrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/forecast"
	"github.com/opsight/opsight/shared/postgres"
)

// Store is what a run reads and writes.
type Store interface {
	RangeReader
	ForecastTargets(ctx context.Context, activeSince time.Time, limit int) ([]postgres.ForecastTarget, error)
	SaveForecast(ctx context.Context, w postgres.ForecastWrite) error
}

// RangeReader reads a series' history.
type RangeReader interface {
	QueryRange(ctx context.Context, q postgres.RangeQuery) ([]postgres.Bucket, string, error)
}

// Options configure a run.
type Options struct {
	Horizon    int           // steps ahead (default 48)
	History    time.Duration // history fitted (default 42 days)
	Refit      time.Duration // a model older than this is refitted (default 6h)
	MaxSeries  int           // most series refitted per run (default 500)
	Thresholds []config.CapacityThreshold
	Log        *slog.Logger
}

// Step is the forecasts' resolution: hourly buckets from the rollups, with
// daily (24) and weekly (168) seasonal periods, the rhythm of operations
// metrics.
const Step = time.Hour

var seasons = []int{24, 168}

// MinHistory is the fewest hourly values a series needs to be forecast.
const MinHistory = 24

// Result summarises a run.
type Result struct {
	Candidates int  `json:"candidates"`
	Fitted     int  `json:"fitted"`
	Fresh      int  `json:"fresh"`
	TooShort   int  `json:"too_short"`
	Failed     int  `json:"failed"`
	Breaches   int  `json:"breaches"`
	Truncated  bool `json:"truncated,omitempty"`
}

// Run performs one run at time now.
func Run(ctx context.Context, db Store, store blob.Store, now time.Time, opt Options) (Result, error) {
	if opt.Horizon <= 0 {
		opt.Horizon = 48
	}
	if opt.History <= 0 {
		opt.History = 42 * 24 * time.Hour
	}
	if opt.Refit <= 0 {
		opt.Refit = 6 * time.Hour
	}
	if opt.MaxSeries <= 0 {
		opt.MaxSeries = 500
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	var res Result
	targets, err := db.ForecastTargets(ctx, now.Add(-24*time.Hour), opt.MaxSeries)
	if err != nil {
		return res, err
	}
	res.Candidates = len(targets)
	for _, t := range targets {
		if t.Model != nil && now.Sub(t.Model.FittedAt) < opt.Refit {
			res.Fresh++
			continue
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < 10*time.Second {
			res.Truncated = true
			break
		}
		w, err := fitSeries(ctx, db, store, t.Series, now, opt)
		switch {
		case errors.Is(err, errTooShort):
			res.TooShort++
			continue
		case errors.Is(err, forecast.ErrBadValue), errors.Is(err, forecast.ErrTooShort):
			res.Failed++
			opt.Log.Warn("forecast failed", "series", t.ID, "service", t.Service, "metric", t.Metric, "err", err)
			continue
		case err != nil:
			return res, err
		}
		if err := db.SaveForecast(ctx, *w); err != nil {
			return res, err
		}
		res.Fitted++
		if w.Breach != nil && (w.Breach.Earliest != nil || w.Breach.Expected != nil) {
			res.Breaches++
		}
	}
	return res, nil
}

var errTooShort = errors.New("too little history")

func fitSeries(ctx context.Context, db Store, store blob.Store, s aiops.Series, now time.Time, opt Options) (*postgres.ForecastWrite, error) {
	end := now.Truncate(Step) // the current hour is not complete yet
	values, last, err := History(ctx, db, s.ID, end.Add(-opt.History), end)
	if err != nil {
		return nil, err
	}
	if len(values) < MinHistory {
		return nil, errTooShort
	}
	m, err := forecast.Fit(values, forecast.Options{Seasons: seasons, Horizon: opt.Horizon})
	if err != nil {
		return nil, err
	}
	p, err := m.Forecast(opt.Horizon, []float64{80, 95})
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	key := ModelKey(s.ID, now)
	if err := store.Put(ctx, key, body, "application/json"); err != nil {
		return nil, fmt.Errorf("store model: %w", err)
	}
	w := &postgres.ForecastWrite{
		Model: aiops.ForecastModel{SeriesID: s.ID, ObjectKey: key, StepSeconds: int(Step.Seconds()), LastTime: last,
			FittedAt: now, Points: m.N, Summary: Summary(m), Notes: m.Notes},
		Points: Points(p, last, Step),
	}
	if th, ok := thresholdFor(s.Metric, opt.Thresholds); ok {
		w.Breach, err = breach(p, th, last, now)
		if err != nil {
			return nil, err
		}
	}
	return w, nil
}

// History returns a series' hourly averages over [from, to) on a regular
// grid (NaN for a missing hour), starting at its first value, and the time
// of the last hour.
func History(ctx context.Context, db RangeReader, seriesID int64, from, to time.Time) ([]float64, time.Time, error) {
	buckets, _, err := db.QueryRange(ctx, postgres.RangeQuery{SeriesID: seriesID, From: from, To: to, Step: Step})
	if err != nil || len(buckets) == 0 {
		return nil, time.Time{}, err
	}
	first, last := buckets[0].T, buckets[len(buckets)-1].T
	values := make([]float64, int(last.Sub(first)/Step)+1)
	for i := range values {
		values[i] = math.NaN()
	}
	for _, b := range buckets {
		values[int(b.T.Sub(first)/Step)] = b.Avg
	}
	return values, last, nil
}

// ModelKey is where a model fitted at a time is stored: a new object for
// every fit, so earlier versions stay readable.
func ModelKey(seriesID int64, fitted time.Time) string {
	return fmt.Sprintf("models/forecast/%d/%s.json", seriesID, fitted.UTC().Format("20060102T150405Z"))
}

// Summary names the methods a model combines, with their weights.
func Summary(m *forecast.Model) string {
	parts := make([]string, len(m.Components))
	for i, c := range m.Components {
		parts[i] = fmt.Sprintf("%s %.0f%%", c.Kind, 100*c.Weight)
	}
	return strings.Join(parts, " + ")
}

// Points maps a prediction's steps to times after last.
func Points(p *forecast.Prediction, last time.Time, step time.Duration) []aiops.ForecastPoint {
	i80, i95 := p.Interval(80), p.Interval(95)
	out := make([]aiops.ForecastPoint, len(p.Mean))
	for k := range p.Mean {
		out[k] = aiops.ForecastPoint{T: last.Add(time.Duration(k+1) * step), Yhat: p.Mean[k],
			Lo80: i80.Lower[k], Hi80: i80.Upper[k], Lo95: i95.Lower[k], Hi95: i95.Upper[k]}
	}
	return out
}

func thresholdFor(metric string, ths []config.CapacityThreshold) (config.CapacityThreshold, bool) {
	for _, t := range ths {
		if t.Metric == metric {
			return t, true
		}
	}
	return config.CapacityThreshold{}, false
}

func breach(p *forecast.Prediction, th config.CapacityThreshold, last, now time.Time) (*aiops.Breach, error) {
	dir, name := forecast.Above, "above"
	if !th.Above {
		dir, name = forecast.Below, "below"
	}
	c, err := p.Crossing(th.Value, dir, 95)
	if err != nil {
		return nil, err
	}
	at := func(step int) *time.Time {
		if step == 0 {
			return nil
		}
		t := last.Add(time.Duration(step) * Step)
		return &t
	}
	return &aiops.Breach{Threshold: th.Value, Direction: name, Earliest: at(c.Earliest), Expected: at(c.Mean), Certain: at(c.Latest), GeneratedAt: now}, nil
}
