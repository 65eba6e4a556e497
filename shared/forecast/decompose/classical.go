package decompose

import "math"

// Classical stores in index the seasonal indexes of x with period m by
// classical decomposition (Kendall and Stuart; R's decompose): a centred
// moving average of order m (2×m when m is even) estimates the trend, the
// ratios x/trend (multiplicative) or differences x−trend (additive) are
// averaged by position in the cycle, and the averages are normalised to mean
// 1 (multiplicative) or 0 (additive).
//
// index[i] is the seasonal index of the cycle position i, where x[0] is at
// position 0; the index of time t is index[t%m]. len(index) must be m and x
// must hold at least 2m values (else Classical panics). A position with no
// usable ratio, or a trend of zero in the multiplicative case, gives NaN.
// It returns index.
func Classical(index, x []float64, m int, multiplicative bool) []float64 {
	if len(index) != m || m < 2 {
		panic("decompose: Classical index length must equal the period m ≥ 2")
	}
	n := len(x)
	if n < 2*m {
		panic("decompose: Classical needs at least two periods")
	}
	// Centred moving average. For even m the filter is
	// (½, 1, …, 1, ½)/m over m+1 points; for odd m it is m equal weights.
	half := m / 2
	sum := make([]float64, m)
	cnt := make([]int, m)
	for t := half; t < n-half; t++ {
		var tr float64
		if m%2 == 0 {
			tr = 0.5*x[t-half] + 0.5*x[t+half]
			for j := t - half + 1; j < t+half; j++ {
				tr += x[j]
			}
		} else {
			for j := t - half; j <= t+half; j++ {
				tr += x[j]
			}
		}
		tr /= float64(m)
		var v float64
		if multiplicative {
			v = x[t] / tr
		} else {
			v = x[t] - tr
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		sum[t%m] += v
		cnt[t%m]++
	}
	var mean float64
	for i := range index {
		index[i] = sum[i] / float64(cnt[i]) // NaN when cnt is 0
		mean += index[i]
	}
	mean /= float64(m)
	for i := range index {
		if multiplicative {
			index[i] /= mean
		} else {
			index[i] -= mean
		}
	}
	return index
}
