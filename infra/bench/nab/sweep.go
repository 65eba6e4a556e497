package nab

import (
	"cmp"
	"math"
	"slices"
)

// ProbationPercent is the share of each file NAB leaves unscored while a
// detector learns, capped at ProbationPercent·5000 = 750 rows.
const ProbationPercent = 0.15

// ProbationLength returns the number of unscored leading rows of a file of n
// rows: min(⌊0.15·n⌋, 750), as NAB's util.getProbationPeriod.
func ProbationLength(n int) int {
	return int(math.Min(math.Floor(ProbationPercent*float64(n)), ProbationPercent*5000))
}

// ScaledSigmoid is NAB's reward curve σ(x) = 2/(1+exp(5x)) - 1 of a relative
// position x: 0.98661 at the left edge of a window (x = -1), 0 at its right
// edge, -0.98661 one window-length past it and -1 beyond x = 3.
func ScaledSigmoid(x float64) float64 {
	if x > 3 {
		return -1
	}
	return 2/(1+math.Exp(5*x)) - 1
}

// row is one scorable row: its anomaly score, what detecting it is worth
// (sweepScore in NAB) and the window it lies in (-1: none). Window ids are
// unique across the corpus so rows of many files can be swept together.
type row struct {
	score  float64
	worth  float64
	window int32
}

// rows returns the scorable rows of one file (probation dropped) under
// profile p, numbering its windows from firstWindow.
func rows(f *File, scores []float64, p Profile, firstWindow int32, dst []row) []row {
	maxTP := ScaledSigmoid(-1)
	prob := ProbationLength(len(f.Times))
	w := 0 // next window
	in := false
	var right, width int
	prevRight, prevWidth := -1, 0
	for i, s := range scores {
		if !in && w < len(f.Windows) && i == f.Windows[w][0] {
			in = true
			right = f.Windows[w][1]
			width = right - f.Windows[w][0] + 1
		}
		r := row{score: s, window: -1}
		switch {
		case in:
			pos := -float64(right-i+1) / float64(width)
			r.worth = ScaledSigmoid(pos) * p.TPWeight / maxTP
			r.window = firstWindow + int32(w)
		case prevRight < 0:
			r.worth = -p.FPWeight
		default:
			// NAB divides by (width-1); a one-row window would divide by
			// zero there, which we read as "infinitely far".
			pos := math.Inf(1)
			if prevWidth > 1 {
				pos = math.Abs(float64(prevRight-i)) / float64(prevWidth-1)
			}
			r.worth = ScaledSigmoid(pos) * p.FPWeight
		}
		if i >= prob {
			dst = append(dst, r)
		}
		if in && i == right {
			in = false
			prevRight, prevWidth = right, width
			w++
		}
	}
	return dst
}

// ThresholdScore is the result of scoring rows with one threshold: a row is
// a detection when its score is at least Threshold.
type ThresholdScore struct {
	Threshold      float64
	Score          float64
	TP, TN, FP, FN int
}

// Total is the number of scored rows (probation excluded).
func (t ThresholdScore) Total() int { return t.TP + t.TN + t.FP + t.FN }

// sweep scores rs at every distinct anomaly score, from above the highest
// (no detections; threshold 1.1 as in NAB) down to the lowest. nWindows is
// one more than the largest window id in rs. It sorts rs in place.
func sweep(rs []row, nWindows int, p Profile) []ThresholdScore {
	// Rows of equal score are recorded together, so their order does not
	// matter and an unstable sort will do.
	slices.SortFunc(rs, func(a, b row) int { return cmp.Compare(b.score, a.score) })
	best := make([]float64, nWindows)
	seen := make([]bool, nWindows)
	var windowPart float64
	for _, r := range rs {
		if r.window >= 0 && !seen[r.window] {
			seen[r.window] = true
			best[r.window] = -p.FNWeight
			windowPart -= p.FNWeight
		}
	}
	var cur ThresholdScore
	cur.Threshold = 1.1
	for _, r := range rs {
		if r.window < 0 {
			cur.TN++
		} else {
			cur.FN++
		}
	}
	var fpPart float64
	out := make([]ThresholdScore, 0, 64)
	for _, r := range rs {
		if r.score != cur.Threshold {
			cur.Score = fpPart + windowPart
			out = append(out, cur)
			cur.Threshold = r.score
		}
		if r.window < 0 {
			cur.FP++
			cur.TN--
			fpPart += r.worth
		} else {
			cur.TP++
			cur.FN--
			if r.worth > best[r.window] {
				windowPart += r.worth - best[r.window]
				best[r.window] = r.worth
			}
		}
	}
	cur.Score = fpPart + windowPart
	return append(out, cur)
}

// atThreshold scores rs with one threshold directly: a row is a detection
// when its score is at least t. It equals the sweep's entry for t (or, for a
// t between two swept scores, the entry of the next score above it, which
// is how NAB's scoreDataSet picks its row) without sorting.
func atThreshold(rs []row, nWindows int, p Profile, t float64) ThresholdScore {
	best := make([]float64, nWindows)
	seen := make([]bool, nWindows)
	out := ThresholdScore{Threshold: t}
	var fpPart, windowPart float64
	for _, r := range rs {
		if r.window >= 0 && !seen[r.window] {
			seen[r.window] = true
			best[r.window] = -p.FNWeight
		}
		detected := r.score >= t
		switch {
		case r.window < 0 && detected:
			out.FP++
			fpPart += r.worth
		case r.window < 0:
			out.TN++
		case detected:
			out.TP++
			best[r.window] = math.Max(best[r.window], r.worth)
		default:
			out.FN++
		}
	}
	for w, ok := range seen {
		if ok {
			windowPart += best[w]
		}
	}
	out.Score = fpPart + windowPart
	return out
}
