package m4

import (
	"math"
)

// Alpha is the significance of the M4 prediction intervals (95%).
const Alpha = 0.05

// SMAPE returns the symmetric mean absolute percentage error of f against y
// as M4 defines it, in percent:
//
//	sMAPE = (200/h) Σ |y_t − f_t| / (|y_t| + |f_t|).
func SMAPE(y, f []float64) float64 {
	mustSameLen(y, f)
	var s float64
	for i := range y {
		s += 200 * math.Abs(y[i]-f[i]) / (math.Abs(y[i]) + math.Abs(f[i]))
	}
	return s / float64(len(y))
}

// Scale returns the in-sample mean absolute error of the seasonal naive
// method with period m, the denominator of MASE and MSIS:
//
//	scale = 1/(n−m) Σ_{t=m}^{n−1} |x_t − x_{t−m}|.
//
// It is NaN when x is not longer than m.
func Scale(x []float64, m int) float64 {
	if len(x) <= m {
		return math.NaN()
	}
	var s float64
	for t := m; t < len(x); t++ {
		s += math.Abs(x[t] - x[t-m])
	}
	return s / float64(len(x)-m)
}

// MASE returns the mean absolute scaled error of f against y with the given
// scale (see Scale; Hyndman and Koehler 2006).
func MASE(y, f []float64, scale float64) float64 {
	mustSameLen(y, f)
	var s float64
	for i := range y {
		s += math.Abs(y[i] - f[i])
	}
	return s / float64(len(y)) / scale
}

// MSIS returns the mean scaled interval score of the (1−a) interval
// [lo, hi] against y (Gneiting and Raftery 2007; M4's interval measure):
//
//	MSIS = (1/h) Σ [(u−l) + (2/a)(l−y)·1{y<l} + (2/a)(y−u)·1{y>u}] / scale.
func MSIS(y, lo, hi []float64, a, scale float64) float64 {
	mustSameLen(y, lo)
	mustSameLen(y, hi)
	var s float64
	for i := range y {
		s += hi[i] - lo[i]
		if y[i] < lo[i] {
			s += 2 / a * (lo[i] - y[i])
		}
		if y[i] > hi[i] {
			s += 2 / a * (y[i] - hi[i])
		}
	}
	return s / float64(len(y)) / scale
}

// Covered returns how many values of y lie in [lo, hi].
func Covered(y, lo, hi []float64) int {
	mustSameLen(y, lo)
	mustSameLen(y, hi)
	k := 0
	for i := range y {
		if y[i] >= lo[i] && y[i] <= hi[i] {
			k++
		}
	}
	return k
}

// OWA returns the overall weighted average of a method's mean sMAPE and
// MASE relative to Naive2's on the same series, as M4 ranks methods:
//
//	OWA = (sMAPE/sMAPE_Naive2 + MASE/MASE_Naive2) / 2.
func OWA(smape, mase, naive2SMAPE, naive2MASE float64) float64 {
	return (smape/naive2SMAPE + mase/naive2MASE) / 2
}

func mustSameLen(a, b []float64) {
	if len(a) != len(b) {
		panic("m4: slices of different lengths")
	}
}

var nan = math.NaN()
