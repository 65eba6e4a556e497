package detect

import "math"

// record tracks the range of the values seen so far, forgetting slowly, to
// judge a value that leaves it: a new record high or low.
//
// Among n exchangeable values the chance that the next one is a new
// maximum is 1/(n+1) (Rényi 1962, records of i.i.d. sequences). Beyond the
// record, a series with an exponential (Gumbel-domain) upper tail of scale
// β has its maximum near β·ln n above its bulk, so its range R is about
// β·ln n and
//
//	P(X > max + x·R) ≈ (1/n)·exp(-x·R/β) ≈ n^-(1+x),
//
// which needs no fitted parameter: a value one range-width past the
// record is as rare as n^-2. Counting both ends doubles it. The range
// measures "how far from anything ever seen" in the series' own units, so
// a level a metric has never reached is news even where its recent noise
// is large, the evidence the residual statistics, scaled by that recent
// noise, can miss.
type record struct {
	lo, hi float64
}

// exceedance returns how far v lies outside [lo, hi] in units of hi - lo:
// 0 inside, +Inf for any change after a constant history.
func (r *record) exceedance(v float64) float64 {
	var d float64
	switch {
	case v > r.hi:
		d = v - r.hi
	case v < r.lo:
		d = r.lo - v
	default:
		return 0
	}
	if w := r.hi - r.lo; w > 0 {
		return d / w
	}
	return math.Inf(1)
}

// prob returns 2·n^-(1+x) for a value x range-widths outside the range
// learned from n points, capped at 1; 1 inside the range.
func (r *record) prob(v, n float64) float64 {
	x := r.exceedance(v)
	if x == 0 || n < 2 {
		return 1
	}
	return math.Min(1, 2*math.Pow(n, -(1+x)))
}

// learn widens the range to v, after letting each end relax towards base
// by the factor forget, so records of long ago fade over the detector's
// memory.
func (r *record) learn(v, base, forget float64, first bool) {
	if first {
		r.lo, r.hi = v, v
		return
	}
	r.hi -= forget * (r.hi - math.Max(base, r.lo))
	r.lo -= forget * (r.lo - math.Min(base, r.hi))
	r.hi = math.Max(r.hi, v)
	r.lo = math.Min(r.lo, v)
}
