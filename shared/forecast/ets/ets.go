// Package ets fits exponential smoothing state space models (the ETS family
// of Hyndman, Koehler, Snyder and Grose 2002; Hyndman, Koehler, Ord and
// Snyder, Forecasting with Exponential Smoothing, Springer 2008) and chooses
// among them by the corrected Akaike information criterion.
//
// A model is named ETS(error, trend, season): additive (A) or multiplicative
// (M) errors; no (N), additive (A) or additive damped (Ad) trend; no,
// additive or multiplicative seasonality with period m. Smoothing parameters
// and the initial level and slope are estimated by maximum likelihood with
// Nelder–Mead under the usual bounds (0 < β ≤ α < 1, 0 < γ ≤ 1−α,
// 0.8 ≤ φ ≤ 0.98); initial seasonal states come from a classical
// decomposition of the first cycles, as in Hyndman et al. (2008, §2.6.1),
// and are not re-estimated, which keeps a 24-period fit to five dimensions.
//
// A fitted Model holds only what forecasting needs (parameters and the final
// states), marshals to JSON, and forecasts without refitting.
package ets

import (
	"errors"
	"fmt"
	"math"

	"github.com/opsight/opsight/shared/forecast/decompose"
	"github.com/opsight/opsight/shared/forecast/internal/optim"
)

// Component kinds, as single letters in model names.
const (
	None           = "N"
	Additive       = "A"
	AdditiveDamped = "Ad"
	Multiplicative = "M"
)

// Spec names one model of the family.
type Spec struct {
	Error  string `json:"error"`            // A or M
	Trend  string `json:"trend"`            // N, A or Ad
	Season string `json:"season"`           // N, A or M
	Period int    `json:"period,omitempty"` // m, with a seasonal component
}

func (s Spec) String() string {
	if s.Season == None {
		return fmt.Sprintf("ETS(%s,%s,N)", s.Error, s.Trend)
	}
	return fmt.Sprintf("ETS(%s,%s,%s)[%d]", s.Error, s.Trend, s.Season, s.Period)
}

func (s Spec) validate() error {
	switch {
	case s.Error != Additive && s.Error != Multiplicative:
		return fmt.Errorf("ets: error must be A or M, not %q", s.Error)
	case s.Trend != None && s.Trend != Additive && s.Trend != AdditiveDamped:
		return fmt.Errorf("ets: trend must be N, A or Ad, not %q", s.Trend)
	case s.Season != None && s.Season != Additive && s.Season != Multiplicative:
		return fmt.Errorf("ets: season must be N, A or M, not %q", s.Season)
	case s.Season != None && s.Period < 2:
		return fmt.Errorf("ets: seasonal model needs a period ≥ 2, have %d", s.Period)
	}
	return nil
}

func (s Spec) multiplicative() bool { return s.Error == Multiplicative || s.Season == Multiplicative }

// Model is a fitted ETS model.
type Model struct {
	Spec  Spec    `json:"spec"`
	Alpha float64 `json:"alpha"`
	Beta  float64 `json:"beta,omitempty"`
	Gamma float64 `json:"gamma,omitempty"`
	Phi   float64 `json:"phi,omitempty"`
	// Final states after the last observation: level, slope, and the
	// seasonal states of the last m steps, oldest first (Seasonal[0]
	// applies to the first forecast step).
	Level    float64   `json:"level"`
	Slope    float64   `json:"slope,omitempty"`
	Seasonal []float64 `json:"seasonal,omitempty"`
	// Sigma2 is the variance of the one-step errors (relative errors for
	// multiplicative-error models).
	Sigma2 float64 `json:"sigma2"`
	// LogLik is the log-likelihood up to a constant shared by all models
	// fitted to the same data; AICc the corrected Akaike criterion.
	LogLik float64 `json:"loglik"`
	AICc   float64 `json:"aicc"`
	N      int     `json:"n"`
}

// Errors Fit returns for data it cannot use.
var (
	ErrTooShort    = errors.New("ets: series too short for this model")
	ErrNonPositive = errors.New("ets: multiplicative model needs positive data")
	ErrNaN         = errors.New("ets: series contains NaN or Inf")
)

// Fit estimates the model spec on y by maximum likelihood.
func Fit(y []float64, spec Spec) (*Model, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	n := len(y)
	m := 1
	if spec.Season != None {
		m = spec.Period
	}
	k := spec.params()
	if n < max(2*m, 4) || n <= k+1 {
		return nil, fmt.Errorf("%w: %s needs more than %d points, have %d", ErrTooShort, spec, max(2*m, k+1), n)
	}
	for _, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, ErrNaN
		}
		if spec.multiplicative() && v <= 0 {
			return nil, ErrNonPositive
		}
	}
	l0, b0, s0 := initialStates(y, spec)
	f := &filter{spec: spec, y: y, s: make([]float64, m)}
	// Coordinates: α, then β, γ, φ when present, then l0 and b0.
	var x0, step []float64
	x0 = append(x0, 0.1)
	step = append(step, 0.05)
	if spec.Trend != None {
		x0, step = append(x0, 0.01), append(step, 0.005)
	}
	if spec.Season != None {
		x0, step = append(x0, 0.01), append(step, 0.005)
	}
	if spec.Trend == AdditiveDamped {
		x0, step = append(x0, 0.95), append(step, 0.02)
	}
	scale := math.Max(math.Abs(l0)*0.1, 1e-3)
	x0, step = append(x0, l0), append(step, scale)
	if spec.Trend != None {
		x0, step = append(x0, b0), append(step, math.Max(math.Abs(b0), scale*0.1))
	}
	obj := func(x []float64) float64 {
		p, ok := f.unpack(x)
		if !ok {
			return math.Inf(1)
		}
		return f.run(p, s0)
	}
	x, lik := optim.NelderMead(obj, x0, step, optim.Settings{MaxEval: 50 * len(x0), Tol: 1e-5})
	if math.IsInf(lik, 1) {
		return nil, fmt.Errorf("ets: %s found no admissible parameters", spec)
	}
	p, _ := f.unpack(x)
	f.run(p, s0)
	mod := &Model{Spec: spec, Alpha: p.alpha, Beta: p.beta, Gamma: p.gamma, Phi: p.phi,
		Level: f.l, Slope: f.b, N: n}
	if spec.Season != None {
		mod.Seasonal = make([]float64, m)
		for i := range m {
			mod.Seasonal[i] = f.s[(f.pos+i)%m]
		}
	}
	mod.Sigma2 = f.sse / float64(n-k)
	mod.LogLik = -0.5 * lik
	mod.AICc = aicc(lik, k+1, n)
	return mod, nil
}

// params counts the estimated parameters: smoothing parameters, damping and
// initial states (seasonal states count although they are set by
// decomposition, as they are estimated from the data).
func (s Spec) params() int {
	k := 2 // α, l0
	if s.Trend != None {
		k += 2
	}
	if s.Trend == AdditiveDamped {
		k++
	}
	if s.Season != None {
		k += s.Period // γ and m−1 free initial states
	}
	return k
}

// aicc returns AICc = L* + 2k + 2k(k+1)/(n−k−1), with L* = −2·loglik.
func aicc(lik float64, k, n int) float64 {
	if n-k-1 <= 0 {
		return math.Inf(1)
	}
	fk := float64(k)
	return lik + 2*fk + 2*fk*(fk+1)/float64(n-k-1)
}

// Auto fits every spec in specs to y and returns the one with the smallest
// AICc. Specs that cannot be fitted (too short, non-positive data for a
// multiplicative model) are skipped; it fails only when none fits.
func Auto(y []float64, specs []Spec) (*Model, error) {
	var best *Model
	var firstErr error
	for _, s := range specs {
		m, err := Fit(y, s)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if best == nil || m.AICc < best.AICc {
			best = m
		}
	}
	if best == nil {
		if firstErr == nil {
			firstErr = errors.New("ets: no model specs given")
		}
		return nil, firstErr
	}
	return best, nil
}

// NonSeasonal are the non-seasonal specs with additive errors, the set
// fitted to seasonally adjusted series.
var NonSeasonal = []Spec{
	{Error: Additive, Trend: None, Season: None},
	{Error: Additive, Trend: Additive, Season: None},
	{Error: Additive, Trend: AdditiveDamped, Season: None},
}

// Forecast stores in dst the point forecasts for steps 1..len(dst) and
// returns dst. For multiplicative-error models it is the conditional mean
// ignoring the small bias of the multiplicative terms, as is customary.
func (m *Model) Forecast(dst []float64) []float64 {
	phiSum := 0.0
	phi := 1.0
	if m.Spec.Trend == AdditiveDamped {
		phi = m.Phi
	}
	pk := 1.0
	for h := range dst {
		trend := m.Level
		if m.Spec.Trend != None {
			pk *= phi
			phiSum += pk
			if m.Spec.Trend == Additive {
				phiSum = float64(h + 1)
			}
			trend += phiSum * m.Slope
		}
		v := trend
		switch m.Spec.Season {
		case Additive:
			v += m.Seasonal[h%len(m.Seasonal)]
		case Multiplicative:
			v *= m.Seasonal[h%len(m.Seasonal)]
		}
		dst[h] = v
	}
	return dst
}

type params struct {
	alpha, beta, gamma, phi, l0, b0 float64
}

// filter runs the state space recursions over y.
type filter struct {
	spec Spec
	y    []float64
	s    []float64 // seasonal ring buffer
	pos  int       // index of s_{t−m} for the next step
	l, b float64
	sse  float64
}

func (f *filter) unpack(x []float64) (params, bool) {
	p := params{phi: 1}
	i := 0
	p.alpha = x[i]
	i++
	if f.spec.Trend != None {
		p.beta = x[i]
		i++
	}
	if f.spec.Season != None {
		p.gamma = x[i]
		i++
	}
	if f.spec.Trend == AdditiveDamped {
		p.phi = x[i]
		i++
	}
	p.l0 = x[i]
	i++
	if f.spec.Trend != None {
		p.b0 = x[i]
	}
	const lo, hi = 1e-4, 0.9999
	if p.alpha < lo || p.alpha > hi {
		return p, false
	}
	if f.spec.Trend != None && (p.beta < lo || p.beta > p.alpha) {
		return p, false
	}
	if f.spec.Season != None && (p.gamma < lo || p.gamma > 1-p.alpha) {
		return p, false
	}
	if f.spec.Trend == AdditiveDamped && (p.phi < 0.8 || p.phi > 0.98) {
		return p, false
	}
	return p, true
}

// run filters y with parameters p from initial seasonal states s0 and
// returns L* = n·log(Σe²) + 2Σlog|μ_t| (the last term for multiplicative
// errors only), twice the negative log-likelihood up to a constant
// (Hyndman et al. 2008, eq. 5.3). It leaves the final states in f.
func (f *filter) run(p params, s0 []float64) float64 {
	sp := f.spec
	l, b := p.l0, p.b0
	copy(f.s, s0)
	f.pos = 0
	m := len(f.s)
	var sse, logMu float64
	for _, y := range f.y {
		t := l + p.phi*b
		var s float64
		mu := t
		switch sp.Season {
		case Additive:
			s = f.s[f.pos]
			mu = t + s
		case Multiplicative:
			s = f.s[f.pos]
			mu = t * s
		}
		var e float64
		if sp.Error == Additive {
			e = y - mu
			switch sp.Season {
			case Multiplicative:
				l = t + p.alpha*e/s
				b = p.phi*b + p.beta*e/s
				f.s[f.pos] = s + p.gamma*e/t
			default:
				l = t + p.alpha*e
				b = p.phi*b + p.beta*e
				f.s[f.pos] = s + p.gamma*e
			}
			sse += e * e
		} else {
			if mu <= 0 {
				return math.Inf(1)
			}
			e = (y - mu) / mu
			switch sp.Season {
			case Additive:
				l = t + p.alpha*mu*e
				b = p.phi*b + p.beta*mu*e
				f.s[f.pos] = s + p.gamma*mu*e
			case Multiplicative:
				l = t * (1 + p.alpha*e)
				b = p.phi*b + p.beta*t*e
				f.s[f.pos] = s * (1 + p.gamma*e)
			default:
				l = t * (1 + p.alpha*e)
				b = p.phi*b + p.beta*t*e
			}
			sse += e * e
			logMu += math.Log(math.Abs(mu))
		}
		if sp.Trend == None {
			b = 0
		}
		if f.pos++; f.pos == m {
			f.pos = 0
		}
	}
	// A diverging filter shows in the sum of squares (NaN or +Inf), which
	// is cheaper to test once than the level at every step.
	if math.IsNaN(sse) || math.IsInf(sse, 0) {
		return math.Inf(1)
	}
	f.l, f.b, f.sse = l, b, sse
	n := float64(len(f.y))
	if sse <= 0 {
		sse = 1e-300
	}
	return n*math.Log(sse) + 2*logMu
}

// initialStates returns starting values for the level, slope and seasonal
// states (Hyndman et al. 2008, §2.6.1): seasonal indexes from a classical
// decomposition of the first (up to) four cycles, then a least-squares line
// through the first ten seasonally adjusted values for the level and slope.
func initialStates(y []float64, spec Spec) (l0, b0 float64, s0 []float64) {
	m := 1
	adj := y
	if spec.Season != None {
		m = spec.Period
		s0 = seasonalStart(y, m, spec.Season == Multiplicative)
		k := min(len(y), 10)
		adj = make([]float64, k)
		for i := range k {
			if spec.Season == Multiplicative {
				adj[i] = y[i] / s0[i%m]
			} else {
				adj[i] = y[i] - s0[i%m]
			}
		}
	} else {
		s0 = []float64{0}
	}
	k := min(len(adj), 10)
	var sx, sy, sxx, sxy float64
	for i := range k {
		x := float64(i + 1)
		sx += x
		sy += adj[i]
		sxx += x * x
		sxy += x * adj[i]
	}
	fk := float64(k)
	b0 = (fk*sxy - sx*sy) / (fk*sxx - sx*sx)
	a := (sy - b0*sx) / fk
	if spec.Trend == None {
		return sy / fk, 0, s0
	}
	return a, b0, s0 // a is the line at t = 0, one step before y[0]
}

// seasonalStart estimates m seasonal states for the m steps before y[0]:
// the classical decomposition's seasonal indexes (deviations or ratios of
// the first cycles, at most four, from a centred 2×m moving average,
// averaged by position and normalised). With less than two cycles, or a
// position without a usable value, the state is neutral (0, or 1 when
// multiplicative).
func seasonalStart(y []float64, m int, mult bool) []float64 {
	neutral := 0.0
	if mult {
		neutral = 1
	}
	s := make([]float64, m)
	cycles := min(len(y)/m, 4)
	if cycles < 2 {
		for i := range s {
			s[i] = neutral
		}
		return s
	}
	decompose.Classical(s, y[:cycles*m], m, mult)
	for i, v := range s {
		if math.IsNaN(v) {
			s[i] = neutral
		}
	}
	return s
}
