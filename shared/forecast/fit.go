package forecast

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/opsight/opsight/shared/forecast/decompose"
)

// Validation and combination settings. The methods whose validation error
// is within combineSlack of the best are averaged, at most combineMax of
// them: averaging a few good forecasts is more accurate on average than
// picking the single best on a short validation window (Bates and Granger
// 1969; the M4 results), while admitting poor ones would dilute it.
const (
	combineMax   = 3
	combineSlack = 0.25
	minFitPoints = 10 // history a validation fold must have at least
)

// Fit fits a forecasting model to y, a series observed at a regular step
// (NaN marks a missing value). See the package documentation for what it
// does; the returned Model's Notes say what it did to this series.
func Fit(y []float64, opts Options) (*Model, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	first, obs := -1, 0
	allPos, nonNeg := true, true
	for i, v := range y {
		if math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: infinite value at index %d", ErrBadValue, i)
		}
		if math.IsNaN(v) {
			continue
		}
		if first < 0 {
			first = i
		}
		obs++
		allPos = allPos && v > 0
		nonNeg = nonNeg && v >= 0
	}
	if obs < MinPoints {
		return nil, fmt.Errorf("%w: %d observed values, need at least %d", ErrTooShort, obs, MinPoints)
	}
	y = y[first:] // leading gaps carry no information
	dropped := 0
	if len(y) > MaxHistory {
		dropped = len(y) - MaxHistory
		y = y[dropped:]
	}
	n := len(y)
	m := &Model{Version: Version, N: n, Horizon: o.Horizon}
	if dropped > 0 {
		m.note("only the last %d values were used; %d older ones were ignored", MaxHistory, dropped)
	}
	switch o.NonNegative {
	case Auto:
		m.NonNegative = nonNeg
	case On:
		m.NonNegative = true
	}
	switch o.Log {
	case On:
		if !allPos {
			return nil, fmt.Errorf("%w: the log transform needs positive values", ErrBadValue)
		}
		m.Log = true
	case Auto:
		m.Log = allPos && logValidates(y, usablePeriods(o.Seasons, n), o.Horizon)
	}
	z := make([]float64, n)
	for i, v := range y {
		z[i] = v
		if m.Log {
			z[i] = math.Log(v)
		}
	}
	periods := usablePeriods(o.Seasons, n)
	for _, p := range o.Seasons {
		if !slices.Contains(periods, p) {
			m.note("seasonal period %d dropped: it needs %d points (two cycles), the series has %d", p, 2*p, n)
		}
	}
	slices.Sort(periods)
	prep, err := prepare(z, periods, o.LevelShift != Off)
	if err != nil {
		return nil, err
	}
	m.Gaps, m.Outliers, m.ShiftAt = prep.gaps, prep.outliers, prep.shiftAt
	if prep.gaps > 0 {
		m.note("%d missing values filled", prep.gaps)
	}
	if prep.outliers > 0 {
		m.note("%d spikes replaced by the seasonal fit", prep.outliers)
	}
	if prep.shiftAt > 0 {
		m.note("level shift at index %d (%d steps before the end) taken as the new level", prep.shiftAt, n-prep.shiftAt)
		if young := n - prep.shiftAt; len(periods) > 0 && young < periods[0] {
			m.Revert = -prep.shiftSize
			m.note("the shift is younger than one period of %d steps: intervals also cover a return to the old level", periods[0])
		}
	}

	// Drop the longest periods until at least one validation fold fits.
	for {
		// Validate over at least one cycle of the shortest period, so that
		// the folds see every phase of it even for a short horizon; the
		// calibrated error scale covers the shorter steps as well.
		ov := o
		if len(periods) > 0 {
			ov.Horizon = max(o.Horizon, periods[0])
		}
		origins := foldOrigins(n, ov.Horizon, o.Folds, minTrain(periods))
		if len(origins) > 0 {
			m.Periods = periods
			m.Horizon = ov.Horizon
			if err := m.validateAndFit(prep, origins, ov); err != nil {
				return nil, err
			}
			return m, nil
		}
		if len(periods) == 0 {
			break
		}
		m.note("seasonal period %d dropped: too short to validate a %d-step forecast", periods[len(periods)-1], o.Horizon)
		periods = periods[:len(periods)-1]
	}
	return m, m.fallback(prep, fmt.Sprintf("series of %d points is too short to validate a %d-step forecast (needs %d)", n, o.Horizon, o.Horizon+minFitPoints))
}

// logValidates decides the working scale of a positive series: the log
// makes growth exponential and seasonal swings proportional to the level,
// which suits request rates and traffic, while filling disks and other
// bounded percentages grow linearly, where the log would bring a capacity
// breach forward. The main method (MSTL with ETS, or ETS without periods)
// is fitted on both scales at the last two rolling origins and the scale
// with the smaller mean absolute error on the original scale wins; ties
// and series too short to tell go to the log.
func logValidates(y []float64, periods []int, h int) bool {
	n := len(y)
	x := make([]float64, n)
	if fillGaps(x, y) != nil {
		return true
	}
	lx := make([]float64, n)
	for i, v := range x {
		lx[i] = math.Log(v)
	}
	origins := foldOrigins(n, h, 2, minTrain(periods))
	if len(origins) == 0 {
		return true
	}
	fit := fitMSTLETS
	if len(periods) == 0 {
		fit = fitETS
	}
	var errRaw, errLog float64
	f := make([]float64, h)
	for _, t := range origins {
		for _, lg := range []bool{false, true} {
			z := x[:t]
			if lg {
				z = lx[:t]
			}
			dec, err := decomposition(z, periods)
			if err != nil {
				return true
			}
			c, err := fit(z, dec, 0)
			if err != nil || c.forecast(f) != nil {
				return true
			}
			for i, v := range f {
				if lg {
					v = math.Exp(v)
				}
				e := math.Abs(x[t+i] - v)
				if lg {
					errLog += e
				} else {
					errRaw += e
				}
			}
		}
	}
	return errLog <= errRaw
}

func (m *Model) note(format string, a ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, a...))
}

// minTrain is the history a fold needs for the seasonal methods.
func minTrain(periods []int) int {
	if len(periods) == 0 {
		return minFitPoints
	}
	return max(2*periods[len(periods)-1]+1, minFitPoints)
}

// foldOrigins returns the rolling origins (history lengths) of the
// validation, latest first: the last ends h steps before the end, and
// earlier ones step back by half a horizon (at least one step).
func foldOrigins(n, h, folds, minHist int) []int {
	step := max(1, h/2)
	var out []int
	for f := range folds {
		t := n - h - f*step
		if t < minHist {
			break
		}
		out = append(out, t)
	}
	return out
}

// candidates lists the methods validated for a series with these periods.
func candidates(periods []int) []method {
	if len(periods) == 0 {
		return []method{
			{kind: KindETS, fit: fitETS},
			{kind: KindNaive, fit: fitNaive},
		}
	}
	ms := []method{
		{kind: KindMSTLETS, fit: fitMSTLETS},
		{kind: KindMSTLTheta, fit: fitMSTLTheta},
		{kind: KindSeasonalETS, fit: fitSeasonalETS},
	}
	for _, p := range periods {
		ms = append(ms, method{kind: KindSNaive, period: p, fit: fitSNaive})
	}
	return ms
}

func (mt method) name() string {
	if mt.kind == KindSNaive {
		return fmt.Sprintf("%s[%d]", mt.kind, mt.period)
	}
	return mt.kind
}

// validateAndFit runs the rolling-origin validation, chooses the
// combination, calibrates its intervals from its out-of-sample errors and
// fits the chosen methods on the whole history.
func (m *Model) validateAndFit(prep *prepared, origins []int, o Options) error {
	h := o.Horizon
	ms := candidates(m.Periods)
	// fc[c][f] is method c's forecast from origin f; nil when it failed.
	fc := make([][][]float64, len(ms))
	for c := range ms {
		fc[c] = make([][]float64, len(origins))
	}
	for f, t := range origins {
		hist := prep.z[:t]
		dec, err := decomposition(hist, m.Periods)
		if err != nil {
			return err
		}
		for c, mt := range ms {
			comp, err := mt.fit(hist, dec, mt.period)
			if err != nil {
				continue
			}
			out := make([]float64, h)
			if comp.forecast(out) != nil {
				continue
			}
			fc[c][f] = out
		}
	}
	chosen := choose(fc, origins, prep.z, -1)
	if chosen == nil {
		return m.fallback(prep, "no method could be validated")
	}
	// Errors for the intervals. Fold f's errors come from the combination
	// chosen on the other folds, so that they are out of sample for the
	// choice too: errors of the methods that won on the same folds would be
	// optimistic and the intervals too narrow.
	errs := make([][]float64, len(origins))
	var vsum float64
	vk := 0
	for f, t := range origins {
		cf := chosen
		if len(origins) > 1 {
			if c := choose(fc, origins, prep.z, f); c != nil {
				cf = c
			}
		}
		errs[f] = make([]float64, h)
		for i := range h {
			var v, w float64
			for _, c := range cf {
				v += fc[c][f][i]
			}
			v /= float64(len(cf))
			errs[f][i] = prep.obs[t+i] - v
			for _, c := range chosen {
				w += fc[c][f][i]
			}
			vsum += math.Abs(prep.z[t+i] - w/float64(len(chosen)))
			vk++
		}
	}
	m.Validation = vsum / float64(vk)
	m.Calib = calibrate(errs)
	m.Calib.Folds = len(origins)

	dec, err := decomposition(prep.z, m.Periods)
	if err != nil {
		return err
	}
	var names []string
	for _, c := range chosen {
		comp, err := ms[c].fit(prep.z, dec, ms[c].period)
		if err != nil {
			// It fitted every fold but not the whole history (an AR fit
			// that turned explosive, say): the others carry on.
			m.note("%s left out: it failed on the whole history: %v", ms[c].name(), err)
			continue
		}
		comp.Weight = 1
		m.Components = append(m.Components, *comp)
		names = append(names, ms[c].name())
	}
	if len(m.Components) == 0 {
		return m.fallback(prep, "no chosen method fitted the whole history")
	}
	o.Logger.Debug("forecast: chosen", "methods", strings.Join(names, "+"), "validation", m.Validation, "folds", len(origins))
	return nil
}

// choose returns the methods to combine: those whose mean absolute error
// over the folds other than skip (−1: all folds) is within combineSlack of
// the best, at most combineMax, best first; nil when no method has a finite
// error. Errors are taken against the cleaned series, so that a spike in a
// validation window does not decide the choice. A method that failed in any
// fold is out.
func choose(fc [][][]float64, origins []int, z []float64, skip int) []int {
	score := make([]float64, len(fc))
	for c := range fc {
		var s float64
		k := 0
		for f, t := range origins {
			if fc[c][f] == nil {
				s = math.Inf(1) // also when f is skipped: its errors are used
				break
			}
			if f == skip {
				continue
			}
			for i, v := range fc[c][f] {
				s += math.Abs(z[t+i] - v)
				k++
			}
		}
		score[c] = s / float64(max(k, 1))
	}
	order := make([]int, len(fc))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return score[order[a]] < score[order[b]] })
	best := score[order[0]]
	if math.IsInf(best, 1) || math.IsNaN(best) {
		return nil
	}
	var chosen []int
	for _, c := range order {
		if len(chosen) < combineMax && score[c] <= best*(1+combineSlack) {
			chosen = append(chosen, c)
		}
	}
	return chosen
}

func decomposition(z []float64, periods []int) (*decompose.MSTL, error) {
	if len(periods) == 0 {
		return nil, nil
	}
	return decompose.DecomposeMSTL(z, periods, decompose.MSTLParams{})
}

// fallback fits one simple method without validation, for histories too
// short to hold out a horizon: non-seasonal ETS when there are enough points,
// else the naive method. Its intervals assume random-walk growth of the
// one-step errors of the naive method, which is conservative.
func (m *Model) fallback(prep *prepared, why string) error {
	z := prep.z
	n := len(z)
	var comp *Component
	var err error
	if n >= minFitPoints {
		comp, err = fitETS(z, nil, 0)
	}
	if comp == nil || err != nil {
		comp, _ = fitNaive(z, nil, 0)
	}
	m.Periods = nil
	comp.Weight = 1
	m.Components = []Component{*comp}
	m.note("%s; fell back to %s without validation", why, comp.Kind)
	// One-step naive errors, scaled as a random walk's: σ_k = σ_1·√k.
	var cal Calibration
	var ss float64
	var errs []float64
	for i := 1; i < n; i++ {
		if e := prep.obs[i] - z[i-1]; !math.IsNaN(e) {
			errs = append(errs, e)
			ss += e * e
		}
	}
	if len(errs) > 0 && ss > 0 {
		cal.C, cal.D = math.Log(ss/float64(len(errs))), 1
		for _, e := range errs {
			cal.Errors = append(cal.Errors, e/cal.scale(1))
		}
		slices.Sort(cal.Errors)
		cal.Folds = len(errs) // few errors: widen as for a sample of that size
	}
	m.Calib = cal
	return nil
}
