package forecast

import (
	"fmt"
	"math"

	"github.com/opsight/opsight/shared/forecast/decompose"
)

// Cleaning thresholds. A point is anomalous when its remainder after the
// MSTL fit is more than outlierK robust standard deviations from the median
// remainder (5σ flags about one point in two million of normal noise). Runs
// of at most maxSpike anomalous points are spikes and are replaced by the
// fit; longer runs are real behaviour and are kept. At the end of the
// history a run of fewer than minShift points is treated as a spike,
// because one or two points cannot tell a spike from a new level.
const (
	outlierK = 5.0
	maxSpike = 3
	minShift = 3
)

// Level-shift detection: the most recent step change within the last
// shiftWindow points, at least minShift points before the end, whose size is
// above shiftK robust one-step noise deviations, and which is flat on both
// sides (a ramp is trend, not a shift).
const (
	shiftK      = 6.0
	shiftFlat   = 0.34
	shiftBefore = 48
)

// prepared is a history ready for fitting.
type prepared struct {
	z   []float64 // working scale: gaps filled, spikes replaced, level shift removed
	obs []float64 // working scale as observed (NaN at gaps), for calibration
	// What cleaning did, for the model's notes.
	gaps, outliers int
	shiftAt        int     // index of the first point at the new level; 0 when none
	shiftSize      float64 // on the working scale, added to the history before shiftAt
}

// prepare fills gaps, replaces spikes and removes a late level shift from
// z (working scale, NaN at gaps), using the MSTL decomposition with periods.
func prepare(z []float64, periods []int) (*prepared, error) {
	n := len(z)
	p := &prepared{obs: z, z: make([]float64, n)}
	if err := fillGaps(p.z, z); err != nil {
		return nil, err
	}
	for _, v := range z {
		if math.IsNaN(v) {
			p.gaps++
		}
	}
	fit := make([]float64, n)
	smoothFit(fit, p.z, periods)
	resid := make([]float64, n)
	for i := range resid {
		resid[i] = p.z[i] - fit[i]
	}
	buf := make([]float64, 0, n)
	med := median(resid, buf)
	s := mad(resid, med, buf)
	if s > 0 {
		bad := make([]bool, n)
		for i, r := range resid {
			bad[i] = math.Abs(r-med) > outlierK*s
		}
		for i := 0; i < n; {
			if !bad[i] {
				i++
				continue
			}
			j := i
			for j < n && bad[j] && (resid[j] > med) == (resid[i] > med) {
				j++
			}
			run := j - i
			if (j < n && run <= maxSpike) || (j == n && run < minShift) {
				for k := i; k < j; k++ {
					if !math.IsNaN(z[k]) {
						p.outliers++
					}
					p.z[k] = fit[k]
				}
			}
			i = j
		}
	}
	// Gaps take the fitted value too, so their seasonal shape is kept.
	for i, v := range z {
		if math.IsNaN(v) {
			p.z[i] = fit[i]
		}
	}
	p.removeShift(periods)
	return p, nil
}

// fillGaps linearly interpolates NaN in z into dst; leading and trailing
// gaps take the nearest observed value.
func fillGaps(dst, z []float64) error {
	prev := -1
	for i, v := range z {
		if math.IsNaN(v) {
			continue
		}
		if prev == -1 {
			for k := 0; k < i; k++ {
				dst[k] = v
			}
		} else {
			for k := prev + 1; k < i; k++ {
				f := float64(k-prev) / float64(i-prev)
				dst[k] = z[prev] + f*(v-z[prev])
			}
		}
		dst[i] = v
		prev = i
	}
	if prev == -1 {
		return fmt.Errorf("%w: every value is missing", ErrTooShort)
	}
	for k := prev + 1; k < len(z); k++ {
		dst[k] = z[prev]
	}
	return nil
}

// smoothFit stores in fit the trend plus seasonal parts of x: MSTL when a
// period fits, else a running median of 7 points (Tukey's smoother), which
// follows steps and ignores spikes.
func smoothFit(fit, x []float64, periods []int) {
	if len(usablePeriods(periods, len(x))) > 0 {
		dec, err := decompose.DecomposeMSTL(x, periods, decompose.MSTLParams{})
		if err == nil && len(dec.Periods) > 0 {
			for i := range fit {
				fit[i] = x[i] - dec.Remainder[i]
			}
			return
		}
	}
	const half = 3
	buf := make([]float64, 0, 2*half+1)
	for i := range x {
		lo, hi := max(0, i-half), min(len(x), i+half+1)
		fit[i] = median(x[lo:hi], buf)
	}
}

// removeShift looks for a level shift near the end of z and, when it finds
// one, moves the history before it to the new level so that every model
// starts from where the series is now (an intervention in the sense of Box
// and Tiao 1975, estimated robustly). The test runs on p.z with its seasonal
// components removed.
func (p *prepared) removeShift(periods []int) {
	z := p.z
	n := len(z)
	a := append([]float64(nil), z...)
	if ps := usablePeriods(periods, n); len(ps) > 0 {
		dec, err := decompose.DecomposeMSTL(z, ps, decompose.MSTLParams{})
		if err == nil {
			for _, s := range dec.Seasonal {
				for i := range a {
					a[i] -= s[i]
				}
			}
		}
	}
	buf := make([]float64, 0, n)
	diff := make([]float64, n-1)
	for i := range diff {
		diff[i] = a[i+1] - a[i]
	}
	noise := mad(diff, median(diff, buf), buf) / math.Sqrt2
	if !(noise > 0) {
		return
	}
	window := min(n/3, 168)
	bestStat, bestAt, bestSize := 0.0, 0, 0.0
	for tau := n - window; tau <= n-minShift; tau++ {
		if tau < shiftBefore {
			continue
		}
		post := a[tau:]
		pre := a[tau-shiftBefore : tau]
		mPost, mPre := median(post, buf), median(pre, buf)
		d := mPost - mPre
		stat := math.Abs(d) / noise
		if stat <= shiftK || stat <= bestStat {
			continue
		}
		// Flat on both sides: halves differ by little compared with d,
		// and the post-shift values stay near their median.
		h := shiftBefore / 2
		if math.Abs(median(pre[h:], buf)-median(pre[:h], buf)) > shiftFlat*math.Abs(d) {
			continue
		}
		if len(post) >= 4 {
			k := len(post) / 2
			if math.Abs(median(post[k:], buf)-median(post[:k], buf)) > shiftFlat*math.Abs(d) {
				continue
			}
		}
		bestStat, bestAt, bestSize = stat, tau, d
	}
	if bestAt == 0 {
		return
	}
	p.shiftAt, p.shiftSize = bestAt, bestSize
	obs := append([]float64(nil), p.obs...)
	for i := range bestAt {
		z[i] += bestSize
		obs[i] += bestSize
	}
	p.obs = obs
}

// usablePeriods returns the periods with at least two full cycles in n
// points, ascending and without duplicates.
func usablePeriods(periods []int, n int) []int {
	var out []int
	for _, p := range periods {
		if p >= 2 && n >= 2*p {
			out = append(out, p)
		}
	}
	return out
}
