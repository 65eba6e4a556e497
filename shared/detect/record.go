package detect

import "math"

// record tracks the range of the values of the last Memory points (the
// detector's memory) to judge a value that leaves it: a new record high or
// low.
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
//
// The range is a sliding window kept in recordBlocks blocks: each block
// holds the extremes of Memory/recordBlocks consecutive points, and the
// oldest block is dropped when a new one starts, so the window spans
// between (1 - 1/recordBlocks)·Memory and Memory points in bounded state.
type record struct {
	lo, hi           float64 // the range over the blocks
	blockLo, blockHi [recordBlocks]float64
	blocks           int64   // blocks started
	inBlock          float64 // points in the newest block
}

// recordBlocks is the number of blocks of the sliding range.
const recordBlocks = 16

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

// learn adds v to the range; blockLen is the number of points per block.
func (r *record) learn(v, blockLen float64) {
	if r.blocks == 0 || r.inBlock >= blockLen {
		k := int(r.blocks % recordBlocks)
		r.blocks++
		r.blockLo[k], r.blockHi[k], r.inBlock = v, v, 0
		r.lo, r.hi = v, v
		for b := 0; b < int(min(r.blocks, recordBlocks)); b++ {
			r.lo = math.Min(r.lo, r.blockLo[b])
			r.hi = math.Max(r.hi, r.blockHi[b])
		}
	}
	k := int((r.blocks - 1) % recordBlocks)
	r.blockLo[k] = math.Min(r.blockLo[k], v)
	r.blockHi[k] = math.Max(r.blockHi[k], v)
	r.lo = math.Min(r.lo, v)
	r.hi = math.Max(r.hi, v)
	r.inBlock++
}
