package forecast

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Calibration turns validation errors into prediction intervals. The error
// scale at step k is modelled as σ_k = exp((c + d·ln k)/2), a power law fitted
// by least squares to the log mean squared errors per step with 0 ≤ d ≤ 2
// (d = 0: errors that do not grow, as for a stable seasonal pattern; d = 1:
// a random walk; d = 2: an uncertain trend), so intervals never narrow with
// the horizon and extend smoothly past it. The errors divided by σ_k are
// pooled and their empirical quantiles give the interval at any level, which
// keeps the skew and heavy tails of real errors instead of assuming a normal
// distribution (the empirical approach of Williams and Goodman 1971, and of
// conformal prediction).
type Calibration struct {
	C float64 `json:"c"`
	D float64 `json:"d"`
	// Errors are the standardised errors, ascending.
	Errors []float64 `json:"errors"`
	// Folds is the number of validation folds the errors come from.
	Folds int `json:"folds"`
}

// calibrate fits a Calibration to errs[f][k], the error at step k+1 of fold
// f (NaN where the actual value was missing).
func calibrate(errs [][]float64) Calibration {
	h := 0
	for _, e := range errs {
		h = max(h, len(e))
	}
	var xs, ys []float64
	for k := range h {
		var s float64
		cnt := 0
		for _, e := range errs {
			if k < len(e) && !math.IsNaN(e[k]) {
				s += e[k] * e[k]
				cnt++
			}
		}
		if cnt == 0 || s <= 0 {
			continue
		}
		xs = append(xs, math.Log(float64(k+1)))
		ys = append(ys, math.Log(s/float64(cnt)))
	}
	var cal Calibration
	switch len(xs) {
	case 0:
		return Calibration{} // every error was zero: no Errors, so zero width
	case 1:
		cal.C = ys[0] - 2*0.5*xs[0] // assume random-walk growth
		cal.D = 1
	default:
		var mx, my float64
		for i := range xs {
			mx += xs[i]
			my += ys[i]
		}
		mx /= float64(len(xs))
		my /= float64(len(xs))
		var sxy, sxx float64
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
		}
		d := 0.0
		if sxx > 0 {
			d = sxy / sxx
		}
		cal.D = math.Min(math.Max(d, 0), 2)
		cal.C = my - cal.D*mx
	}
	for _, e := range errs {
		for k, v := range e {
			if !math.IsNaN(v) {
				cal.Errors = append(cal.Errors, v/cal.scale(k+1))
			}
		}
	}
	slices.Sort(cal.Errors)
	return cal
}

// scale returns σ_k.
func (c Calibration) scale(k int) float64 {
	return math.Exp((c.C + c.D*math.Log(float64(k))) / 2)
}

// bounds returns the lower and upper multipliers of σ_k for a central
// interval of the given level (a fraction in (0,1)).
func (c Calibration) bounds(level float64) (lo, hi float64) {
	if len(c.Errors) == 0 {
		return 0, 0
	}
	a := (1 - level) / 2
	f := c.smallSample(level)
	return f * quantile(c.Errors, a), f * quantile(c.Errors, 1-a)
}

// smallSample returns the factor that widens an interval estimated from
// Folds validation folds. Errors within a fold share the same origin and
// are strongly correlated, so the information about the tails is that of
// about Folds observations; a prediction interval for one more draw from a
// normal sample of size F is wider than the plug-in one by
// t_{F−1}·sqrt(1+1/F)/z (e.g. 1.21 for F = 8).
func (c Calibration) smallSample(level float64) float64 {
	if c.Folds < 2 {
		return 1
	}
	p := 1 - (1-level)/2
	f := float64(c.Folds)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: f - 1}.Quantile(p)
	z := distuv.UnitNormal.Quantile(p)
	return t * math.Sqrt(1+1/f) / z
}
