// Package theta implements the Theta method of V. Assimakopoulos and K.
// Nikolopoulos ("The theta model: a decomposition approach to forecasting",
// IJF 16(4), 2000, 521–530), the M3 competition's winner and an M4
// benchmark. The series is split into two "theta lines": θ=0, its least-
// squares linear trend, and θ=2, twice the series minus that trend, which
// doubles the local curvature. The θ=2 line is forecast by simple exponential
// smoothing, the θ=0 line by extrapolating the trend, and the forecasts are
// averaged. Hyndman and Billah (IJF 19(2), 2003) showed this equals simple
// exponential smoothing with drift half the trend's slope.
//
// Like the M4 benchmark, it expects seasonally adjusted input.
package theta

import (
	"errors"
	"math"

	"github.com/opsight/opsight/shared/forecast/ets"
)

// Model is a fitted Theta model; it forecasts without the data.
type Model struct {
	// Intercept and Slope of the θ=0 line at t = 0 … n−1.
	Intercept float64 `json:"intercept"`
	Slope     float64 `json:"slope"`
	// SES is the simple exponential smoothing model of the θ=2 line.
	SES *ets.Model `json:"ses"`
}

// ErrTooShort is returned for series too short to fit a line and SES.
var ErrTooShort = errors.New("theta: series needs at least 5 points")

// Fit fits the Theta method to x (no NaN).
func Fit(x []float64) (*Model, error) {
	n := len(x)
	if n < 5 {
		return nil, ErrTooShort
	}
	var st, sx, stt, stx float64
	for t, v := range x {
		ft := float64(t)
		st += ft
		sx += v
		stt += ft * ft
		stx += ft * v
	}
	fn := float64(n)
	b := (fn*stx - st*sx) / (fn*stt - st*st)
	a := (sx - b*st) / fn
	line2 := make([]float64, n)
	for t, v := range x {
		line2[t] = 2*v - (a + b*float64(t))
	}
	ses, err := ets.Fit(line2, ets.Spec{Error: ets.Additive, Trend: ets.None, Season: ets.None})
	if err != nil {
		return nil, err
	}
	if math.IsNaN(b) {
		return nil, errors.New("theta: degenerate series")
	}
	return &Model{Intercept: a, Slope: b, SES: ses}, nil
}

// Forecast stores in dst the forecasts for steps 1..len(dst) and returns dst:
// the average of the SES forecast of the θ=2 line and the θ=0 line's value.
func (m *Model) Forecast(dst []float64) []float64 {
	n := float64(m.SES.N)
	for h := range dst {
		lr := m.Intercept + m.Slope*(n+float64(h))
		dst[h] = 0.5*m.SES.Level + 0.5*lr
	}
	return dst
}
