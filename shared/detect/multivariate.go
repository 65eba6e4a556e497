package detect

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/opsight/opsight/shared/detect/ecod"
	"github.com/opsight/opsight/shared/detect/iforest"
)

// Ensemble scores rows of a service's metrics together with ECOD and an
// Isolation Forest fitted on the same training rows. Each detector's raw
// score is calibrated against its own scores on the training rows (an
// empirical tail with an exponential extrapolation, as in tail), the two
// probabilities are combined by the Bonferroni minimum 2·min(p_ECOD, p_IF),
// and the result is mapped with ScoreOf, so ensemble scores share the
// univariate scale and Severity thresholds.
//
// ECOD sees each metric's marginal tails; the forest sees combinations
// (a request rate that is normal only together with a higher CPU). The
// per-metric contributions average the two detectors' normalised
// attributions.
type Ensemble struct {
	ecod       *ecod.Model
	forest     *iforest.Forest
	calE, calF calibration
	n          float64
}

// MultiResult is the ensemble's verdict on one row.
type MultiResult struct {
	Score float64 // calibrated score in [0, 1]
	P     float64 // the combined tail probability behind Score
	ECOD  float64 // ECOD's raw outlier score O
	IF    float64 // the forest's raw score s(x) ∈ (0, 1]
}

// FitEnsemble fits both detectors on rows (n rows of d metrics; NaN marks a
// missing value). It needs at least minTrainRows rows.
func FitEnsemble(rows [][]float64, cfg iforest.Config) (*Ensemble, error) {
	if len(rows) < minTrainRows {
		return nil, fmt.Errorf("detect: %d training rows, need at least %d to learn what is normal", len(rows), minTrainRows)
	}
	em, err := ecod.Fit(rows)
	if err != nil {
		return nil, err
	}
	fm, err := iforest.Fit(rows, cfg)
	if err != nil {
		return nil, err
	}
	e := &Ensemble{ecod: em, forest: fm, n: float64(len(rows))}
	se := make([]float64, len(rows))
	sf := make([]float64, len(rows))
	em.ScoreRows(se, rows)
	fm.ScoreRows(sf, rows)
	e.calE = newCalibration(se)
	e.calF = newCalibration(sf)
	return e, nil
}

// minTrainRows is the fewest rows an ensemble learns from: the exponential
// tail is fitted through the training scores' 99% and 99.9% quantiles, so
// fewer rows than 1,000 would leave the second unobserved; 100 is the
// smallest for which the 99% quantile is a row at all.
const minTrainRows = 100

// Dims is the number of metrics the ensemble was fitted on.
func (e *Ensemble) Dims() int { return e.ecod.Dims() }

// Score scores x. If contrib is not nil it must have length Dims() and
// receives each metric's share of the evidence (summing to 1 unless x is
// entirely missing). It panics if len(x) != Dims().
func (e *Ensemble) Score(contrib, x []float64) MultiResult {
	var ce, cf []float64
	if contrib != nil {
		if len(contrib) != e.Dims() {
			panic("detect: contrib has wrong length")
		}
		ce = make([]float64, len(x))
		cf = make([]float64, len(x))
	}
	var r MultiResult
	r.ECOD = e.ecod.Score(ce, x)
	r.IF = e.forest.Score(cf, x)
	r.P = math.Min(1, 2*math.Min(e.calE.prob(r.ECOD), e.calF.prob(r.IF)))
	r.Score = ScoreOf(r.P, e.n)
	if contrib != nil {
		normalize(ce)
		for j := range contrib {
			contrib[j] = (ce[j] + cf[j]) / 2
		}
		normalize(contrib)
	}
	return r
}

// ScoreRows writes the calibrated score of each row to dst (len(rows)).
func (e *Ensemble) ScoreRows(dst []float64, rows [][]float64) {
	if len(dst) != len(rows) {
		panic("detect: dst has wrong length")
	}
	for i, r := range rows {
		dst[i] = e.Score(nil, r).Score
	}
}

// Top returns the indexes of the k largest contributions, largest first,
// leaving out zero ones: the metrics to name in a description.
func Top(contrib []float64, k int) []int {
	idx := make([]int, 0, len(contrib))
	for j, c := range contrib {
		if c > 0 {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return contrib[idx[a]] > contrib[idx[b]] })
	if len(idx) > k {
		idx = idx[:k]
	}
	return idx
}

// Rows copies a gonum matrix into the row slices the detectors take.
func Rows(m mat.Matrix) [][]float64 {
	r, c := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		for j := range out[i] {
			out[i][j] = m.At(i, j)
		}
	}
	return out
}

func normalize(v []float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	if s > 0 {
		for j := range v {
			v[j] /= s
		}
	}
}

// calibration turns a raw score into a tail probability against the
// scores of the training rows: the empirical P(S ≥ s) = (#{≥ s}+1)/(n+1) up
// to the 99% quantile q1, and beyond it the exponential tail
// 0.01·exp(-(s-q1)/β) with β = (q2-q1)/ln 10 through the 99.9% quantile q2
// (the peaks-over-threshold model of tail).
type calibration struct {
	sorted []float64
	q1, q2 float64
	beta   float64
}

func newCalibration(scores []float64) calibration {
	s := append([]float64(nil), scores...)
	sort.Float64s(s)
	c := calibration{sorted: s}
	c.q1 = quantile(s, 0.99)
	c.q2 = quantile(s, 0.999)
	c.beta = (c.q2 - c.q1) / math.Ln10
	// A floor on β as in tail: at least an e-fold drop per quarter of the
	// quantile's distance from the median, so a tight training set does not
	// call every slightly larger score impossible.
	c.beta = math.Max(c.beta, 0.25*math.Abs(c.q1-quantile(s, 0.5)))
	return c
}

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (c calibration) prob(s float64) float64 {
	n := len(c.sorted)
	if n == 0 || math.IsNaN(s) {
		return 1
	}
	if s <= c.q1 {
		ge := n - sort.SearchFloat64s(c.sorted, s)
		return float64(ge+1) / float64(n+1)
	}
	if c.beta <= 0 {
		return 0
	}
	return 0.01 * math.Exp(-(s-c.q1)/c.beta)
}
