package decompose

import "math"

// ACF stores in dst the sample autocorrelations of x at lags 1..len(dst):
//
//	r_k = Σ_{t=k}^{n-1} (x_t - x̄)(x_{t-k} - x̄) / Σ_{t=0}^{n-1} (x_t - x̄)²
//
// which is the estimator R's acf uses (Box, Jenkins and Reinsel, Time Series
// Analysis, 4th ed., §2.1.5). Lags at or beyond len(x), and every lag of a
// constant series, are NaN. It returns dst.
func ACF(dst, x []float64) []float64 {
	n := len(x)
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	var c0 float64
	for _, v := range x {
		c0 += (v - mean) * (v - mean)
	}
	for k := 1; k <= len(dst); k++ {
		if k >= n || c0 == 0 || math.IsNaN(c0) {
			dst[k-1] = math.NaN()
			continue
		}
		var ck float64
		for t := k; t < n; t++ {
			ck += (x[t] - mean) * (x[t-k] - mean)
		}
		dst[k-1] = ck / c0
	}
	return dst
}

// SeasonalityTest reports whether x is seasonal with period m by the test
// the M4 competition applied before deseasonalising its benchmarks: the lag-m
// autocorrelation must exceed its 90% one-sided limit under Bartlett's
// formula,
//
//	|r_m| > 1.645 · sqrt((1 + 2 Σ_{k=1}^{m-1} r_k²) / n).
//
// Series shorter than three periods are never seasonal, as in M4's R code
// (Makridakis, Spiliotis and Assimakopoulos 2020, the benchmarks' source).
func SeasonalityTest(x []float64, m int) bool {
	n := len(x)
	if m < 2 || n < 3*m {
		return false
	}
	r := ACF(make([]float64, m), x)
	s := 1.0
	for k := 0; k < m-1; k++ {
		s += 2 * r[k] * r[k]
	}
	limit := 1.645 / math.Sqrt(float64(n)) * math.Sqrt(s)
	return math.Abs(r[m-1]) > limit // false when NaN
}
