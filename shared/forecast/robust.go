package forecast

import (
	"math"
	"slices"
)

// median returns the median of x without modifying it (NaN for empty x).
func median(x []float64, buf []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	buf = append(buf[:0], x...)
	slices.Sort(buf)
	n := len(buf)
	if n%2 == 1 {
		return buf[n/2]
	}
	return (buf[n/2-1] + buf[n/2]) / 2
}

// mad returns the median absolute deviation of x from c, scaled by 1.4826
// so that it estimates the standard deviation of normal data (Hampel 1974).
func mad(x []float64, c float64, buf []float64) float64 {
	buf = buf[:0]
	for _, v := range x {
		buf = append(buf, math.Abs(v-c))
	}
	return 1.4826 * median(buf, nil)
}

// quantile returns the p-quantile of sorted x by linear interpolation
// between order statistics (Hyndman and Fan 1996, type 7).
func quantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	if lo < 0 {
		return sorted[0]
	}
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
