package forecast

import (
	"encoding/json"
	"fmt"
	"math"
)

// Version is the version of the Model's JSON form. Unmarshalling a model of
// another version fails, so a stored model is refitted rather than misread.
const Version = 1

// Model is a fitted forecaster: a weighted combination of components on a
// working scale (the log of the series, or the series itself) and the
// calibration of its intervals. It marshals to JSON and forecasts without
// the data it was fitted on.
type Model struct {
	Version int `json:"version"`
	// N is the number of observations fitted; Horizon the validated horizon.
	N       int `json:"n"`
	Horizon int `json:"horizon"`
	// Log is true when components model ln y.
	Log bool `json:"log"`
	// NonNegative clamps forecasts and bounds at 0.
	NonNegative bool `json:"non_negative"`
	// Periods are the seasonal periods in use.
	Periods    []int       `json:"periods,omitempty"`
	Components []Component `json:"components"`
	Calib      Calibration `json:"calibration"`
	// Validation is the validation error (mean absolute error on the
	// working scale over folds and steps) of the combination; 0 without
	// validation.
	Validation float64 `json:"validation,omitempty"`
	// Notes tell in plain words what Fit did beyond the ordinary: dropped
	// periods, fallbacks for short series, replaced spikes, a level shift.
	Notes []string `json:"notes,omitempty"`
	// Outliers counts observations replaced as spikes; ShiftAt is the index
	// of the first observation at a new level found near the end (0: none).
	Outliers int `json:"outliers,omitempty"`
	Gaps     int `json:"gaps,omitempty"`
	ShiftAt  int `json:"shift_at,omitempty"`
	// Revert is set while a level shift is younger than the shortest
	// seasonal period (a day for hourly data): it is the working-scale
	// offset back to the old level, and the intervals are widened to
	// include it, because so soon a new level cannot be told from a
	// temporary one such as a holiday or an outage. The point forecast
	// follows the new level.
	Revert float64 `json:"revert,omitempty"`
}

// Prediction is a forecast: Mean[i] is the point forecast for step i+1 after
// the history (the median when the model works on the log scale), and each
// Interval covers the value with its Level probability.
type Prediction struct {
	Mean      []float64  `json:"mean"`
	Intervals []Interval `json:"intervals,omitempty"`
}

// Interval is a central prediction interval; Level is in percent (80, 95).
type Interval struct {
	Level float64   `json:"level"`
	Lower []float64 `json:"lower"`
	Upper []float64 `json:"upper"`
}

// Interval returns the interval of the given level, or nil.
func (p *Prediction) Interval(level float64) *Interval {
	for i := range p.Intervals {
		if p.Intervals[i].Level == level {
			return &p.Intervals[i]
		}
	}
	return nil
}

// Forecast returns the forecast for steps 1..h after the fitted history with
// central intervals at the given levels in percent (each in (0, 100)).
func (m *Model) Forecast(h int, levels []float64) (*Prediction, error) {
	if h < 1 || h > maxHorizon {
		return nil, fmt.Errorf("%w: horizon %d outside 1..%d", ErrBadOptions, h, maxHorizon)
	}
	for _, l := range levels {
		if !(l > 0 && l < 100) {
			return nil, fmt.Errorf("%w: interval level %v%% outside (0, 100)", ErrBadOptions, l)
		}
	}
	if len(m.Components) == 0 {
		return nil, fmt.Errorf("forecast: model has no components")
	}
	z := make([]float64, h)
	tmp := make([]float64, h)
	var wsum float64
	for i := range m.Components {
		c := &m.Components[i]
		if err := c.forecast(tmp); err != nil {
			return nil, err
		}
		for k := range z {
			z[k] += c.Weight * tmp[k]
		}
		wsum += c.Weight
	}
	if !(wsum > 0) {
		return nil, fmt.Errorf("forecast: component weights sum to %v", wsum)
	}
	for k := range z {
		z[k] /= wsum
	}
	p := &Prediction{Mean: make([]float64, h)}
	for k := range z {
		p.Mean[k] = m.back(z[k])
	}
	for _, l := range levels {
		lo, hi := m.Calib.bounds(l / 100)
		iv := Interval{Level: l, Lower: make([]float64, h), Upper: make([]float64, h)}
		for k := range z {
			s := m.Calib.scale(k + 1)
			iv.Lower[k] = m.back(z[k] + s*lo + math.Min(m.Revert, 0))
			iv.Upper[k] = m.back(z[k] + s*hi + math.Max(m.Revert, 0))
			// A bound may not cut the point forecast off the interval.
			iv.Lower[k] = math.Min(iv.Lower[k], p.Mean[k])
			iv.Upper[k] = math.Max(iv.Upper[k], p.Mean[k])
		}
		p.Intervals = append(p.Intervals, iv)
	}
	return p, nil
}

// back maps a working-scale value to the series' scale.
func (m *Model) back(v float64) float64 {
	if m.Log {
		v = math.Exp(v)
	}
	if m.NonNegative && v < 0 {
		v = 0
	}
	return v
}

// UnmarshalJSON decodes a model, refusing other versions.
func (m *Model) UnmarshalJSON(b []byte) error {
	type plain Model
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Version != Version {
		return fmt.Errorf("forecast: stored model has version %d, this code reads version %d", p.Version, Version)
	}
	*m = Model(p)
	return nil
}
