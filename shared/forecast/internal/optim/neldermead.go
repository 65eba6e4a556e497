// Package optim holds the derivative-free minimiser the model fitters use.
// Exponential smoothing likelihoods have a handful of bounded parameters and
// cheap evaluations, where Nelder–Mead is the customary choice (R's ets,
// statsforecast) and a small allocation-free implementation beats a general
// optimisation framework on per-series overhead.
package optim

import (
	"math"
	"slices"
)

// Settings bounds the work of NelderMead.
type Settings struct {
	MaxEval int     // function evaluations; default 200·dim
	Tol     float64 // stop when the simplex's values span less than Tol·(|f_best|+Tol); default 1e-8
}

// NelderMead minimises f from x0 with initial steps step (one per
// coordinate) by the Nelder–Mead simplex method with the standard
// coefficients (reflection 1, expansion 2, contraction ½, shrink ½; J. A.
// Nelder and R. Mead, The Computer Journal 7(4), 1965, 308–313). Constraints
// are expressed by f returning +Inf outside the feasible set; x0 must be
// feasible. It returns the best point found and its value; x0 is not
// modified.
func NelderMead(f func(x []float64) float64, x0, step []float64, s Settings) ([]float64, float64) {
	d := len(x0)
	if len(step) != d {
		panic("optim: step length differs from x0")
	}
	if s.MaxEval <= 0 {
		s.MaxEval = 200 * d
	}
	if s.Tol <= 0 {
		s.Tol = 1e-8
	}
	pts := make([][]float64, d+1)
	vals := make([]float64, d+1)
	buf := make([]float64, (d+1)*d+4*d)
	for i := range pts {
		pts[i] = buf[i*d : (i+1)*d]
		copy(pts[i], x0)
		if i > 0 {
			pts[i][i-1] += step[i-1]
		}
	}
	rest := buf[(d+1)*d:]
	cen, xr, xe, xc := rest[:d], rest[d:2*d], rest[2*d:3*d], rest[3*d:]
	evals := 0
	eval := func(x []float64) float64 {
		evals++
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	for i := range pts {
		vals[i] = eval(pts[i])
	}
	order := make([]int, d+1)
	for {
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			switch {
			case vals[a] < vals[b]:
				return -1
			case vals[a] > vals[b]:
				return 1
			}
			return 0
		})
		best, worst, second := order[0], order[d], order[d-1]
		spread := vals[worst] - vals[best]
		if evals >= s.MaxEval || (!math.IsInf(vals[worst], 1) && spread <= s.Tol*(math.Abs(vals[best])+s.Tol)) {
			out := slices.Clone(pts[best])
			return out, vals[best]
		}
		clear(cen)
		for i, p := range pts {
			if i == worst {
				continue
			}
			for j := range cen {
				cen[j] += p[j]
			}
		}
		for j := range cen {
			cen[j] /= float64(d)
		}
		for j := range xr {
			xr[j] = cen[j] + (cen[j] - pts[worst][j])
		}
		fr := eval(xr)
		switch {
		case fr < vals[best]:
			for j := range xe {
				xe[j] = cen[j] + 2*(cen[j]-pts[worst][j])
			}
			if fe := eval(xe); fe < fr {
				copy(pts[worst], xe)
				vals[worst] = fe
			} else {
				copy(pts[worst], xr)
				vals[worst] = fr
			}
		case fr < vals[second]:
			copy(pts[worst], xr)
			vals[worst] = fr
		default:
			// Contract towards the better of the worst point and its
			// reflection.
			if fr < vals[worst] {
				for j := range xc {
					xc[j] = cen[j] + 0.5*(xr[j]-cen[j])
				}
			} else {
				for j := range xc {
					xc[j] = cen[j] + 0.5*(pts[worst][j]-cen[j])
				}
			}
			if fc := eval(xc); fc < math.Min(fr, vals[worst]) {
				copy(pts[worst], xc)
				vals[worst] = fc
				continue
			}
			for i, p := range pts {
				if i == best {
					continue
				}
				for j := range p {
					p[j] = pts[best][j] + 0.5*(p[j]-pts[best][j])
				}
				vals[i] = eval(p)
			}
		}
	}
}
