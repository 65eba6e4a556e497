package decompose

import (
	"fmt"
	"slices"
)

// MSTL is a decomposition with several seasonal components:
//
//	x_t = Trend_t + Σ_j Seasonal[j]_t + Remainder_t.
type MSTL struct {
	Periods   []int       // the periods used, ascending
	Trend     []float64   // len(x)
	Seasonal  [][]float64 // one len(x) slice per period
	Remainder []float64   // len(x)
	// Weights are STL's robustness weights of the last pass (all 1 unless
	// robust); a weight near 0 marks an outlier.
	Weights []float64
}

// MSTLParams configures DecomposeMSTL.
type MSTLParams struct {
	// Windows are the seasonal spans (in cycles) per period, ascending by
	// period; default 7+4j for the j-th period (j = 1, 2, …), as in Bandara
	// et al. and the reference implementations.
	Windows []int
	// Iterations of the back-fitting loop; default 2.
	Iterations int
	// Robust makes each STL pass robust to outliers, with Outer
	// robustness passes (default 15, STL's).
	Robust bool
	Outer  int
}

// DecomposeMSTL decomposes x into a trend, one seasonal component per period
// and a remainder by MSTL (K. Bandara, R. J. Hyndman, C. Bergmeir, "MSTL: A
// Seasonal-Trend Decomposition Algorithm for Time Series with Multiple
// Seasonal Patterns", 2021, arXiv:2107.13462): periods are taken in
// ascending order and each seasonal component is re-estimated by STL on the
// series with all other seasonal components removed, for a few rounds.
//
// Periods below 2 or with fewer than two full cycles in x are dropped, the
// way the reference implementations do; with none left there is no seasonal
// component, the trend is x itself and the remainder 0. x must not contain
// NaN; periods must be distinct.
func DecomposeMSTL(x []float64, periods []int, p MSTLParams) (*MSTL, error) {
	n := len(x)
	ps := slices.Clone(periods)
	slices.Sort(ps)
	if len(p.Windows) != 0 && len(p.Windows) != len(ps) {
		return nil, fmt.Errorf("decompose: %d windows for %d periods", len(p.Windows), len(ps))
	}
	var use []int
	var windows []int
	for i, m := range ps {
		if i > 0 && m == ps[i-1] {
			return nil, fmt.Errorf("decompose: period %d given twice", m)
		}
		if m < 2 || n < 2*m {
			continue
		}
		use = append(use, m)
		if len(p.Windows) != 0 {
			windows = append(windows, p.Windows[i])
		} else {
			windows = append(windows, 7+4*len(use))
		}
	}
	iters := p.Iterations
	if iters <= 0 {
		iters = 2
	}
	d := &MSTL{
		Periods:   use,
		Trend:     make([]float64, n),
		Seasonal:  make([][]float64, len(use)),
		Remainder: make([]float64, n),
		Weights:   make([]float64, n),
	}
	for i := range d.Weights {
		d.Weights[i] = 1
	}
	if len(use) == 0 {
		copy(d.Trend, x)
		return d, nil
	}
	for j := range use {
		d.Seasonal[j] = make([]float64, n)
	}
	deseas := slices.Clone(x)
	if len(use) == 1 {
		iters = 1 // nothing to back-fit against
	}
	for range iters {
		for j, m := range use {
			s := d.Seasonal[j]
			for i := range deseas {
				deseas[i] += s[i]
			}
			STL(d.Trend, s, d.Weights, deseas, m, STLParams{Seasonal: windows[j], Robust: p.Robust, Outer: p.Outer})
			for i := range deseas {
				deseas[i] -= s[i]
			}
		}
	}
	for i := range deseas {
		d.Remainder[i] = deseas[i] - d.Trend[i]
	}
	return d, nil
}
