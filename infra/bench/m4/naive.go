package m4

import (
	"github.com/opsight/opsight/shared/forecast/decompose"
)

// Naive2 stores in dst (its length is the horizon) the M4 benchmark Naive2
// forecast of x with period m: when decompose.SeasonalityTest finds x
// seasonal, x is seasonally adjusted by classical multiplicative
// decomposition, the last adjusted value is carried forward and the seasonal
// indexes of the last cycle are put back; otherwise it is the naive forecast.
// This is the benchmark OWA is relative to (M4-methods, Benchmarks and
// Evaluation.R).
func Naive2(dst, x []float64, m int) []float64 {
	n := len(x)
	if !decompose.SeasonalityTest(x, m) {
		for i := range dst {
			dst[i] = x[n-1]
		}
		return dst
	}
	idx := decompose.Classical(make([]float64, m), x, m, true)
	last := x[n-1] / idx[(n-1)%m]
	// The R code repeats the last m values of the seasonal component, which
	// is the index of positions n−m … n−1 in order.
	for i := range dst {
		dst[i] = last * idx[(n+i)%m]
	}
	return dst
}

// SNaive stores in dst the seasonal naive forecast of x with period m: each
// step repeats the value one (or more) full periods earlier.
func SNaive(dst, x []float64, m int) []float64 {
	n := len(x)
	for i := range dst {
		dst[i] = x[n-m+i%m]
	}
	return dst
}
