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
// Both detectors see each metric twice: its value and its residual from a
// regression on the other metrics (see relations), so a break in the usual
// relation between metrics (latency up while traffic is flat) is as visible
// as a metric leaving its range. The per-metric contributions average the
// two detectors' normalised attributions, a metric's value and residual
// features counting for it together.
type Ensemble struct {
	rel        *relations
	ecod       *ecod.Model
	forest     *iforest.Forest
	calE, calF calibration
	n          float64
}

// Members selects the ensemble's detectors; zero means both.
type Members uint8

// Ensemble members.
const (
	WithECOD Members = 1 << iota
	WithForest
)

// EnsembleConfig configures FitEnsemble.
type EnsembleConfig struct {
	Members Members
	Forest  iforest.Config
}

// MultiResult is the ensemble's verdict on one row.
type MultiResult struct {
	Score float64 // calibrated score in [0, 1]
	P     float64 // the combined tail probability behind Score
	ECOD  float64 // ECOD's raw outlier score O (NaN without ECOD)
	IF    float64 // the forest's raw score s(x) ∈ (0, 1] (NaN without it)
}

// FitEnsemble fits the selected detectors on rows (n rows of d metrics;
// NaN marks a missing value). It needs at least minTrainRows rows.
func FitEnsemble(rows [][]float64, cfg EnsembleConfig) (*Ensemble, error) {
	if len(rows) < minTrainRows {
		return nil, fmt.Errorf("detect: %d training rows, need at least %d to learn what is normal", len(rows), minTrainRows)
	}
	if cfg.Members == 0 {
		cfg.Members = WithECOD | WithForest
	}
	e := &Ensemble{n: float64(len(rows)), rel: fitRelations(rows)}
	features := make([][]float64, len(rows))
	for i, r := range rows {
		features[i] = e.features(r)
	}
	scores := make([]float64, len(rows))
	if cfg.Members&WithECOD != 0 {
		m, err := ecod.Fit(features)
		if err != nil {
			return nil, err
		}
		m.ScoreRows(scores, features)
		e.ecod, e.calE = m, newCalibration(scores)
	}
	if cfg.Members&WithForest != 0 {
		f, err := iforest.Fit(features, cfg.Forest)
		if err != nil {
			return nil, err
		}
		f.ScoreRows(scores, features)
		e.forest, e.calF = f, newCalibration(scores)
	}
	return e, nil
}

// minTrainRows is the fewest rows an ensemble learns from: the exponential
// tail is fitted through the training scores' 99% and 99.9% quantiles, so
// fewer rows than 1,000 would leave the second unobserved; 100 is the
// smallest for which the 99% quantile is a row at all.
const minTrainRows = 100

// Dims is the number of metrics the ensemble was fitted on.
func (e *Ensemble) Dims() int { return len(e.rel.mean) }

// features is x followed by its residuals.
func (e *Ensemble) features(x []float64) []float64 {
	out := make([]float64, 2*len(x))
	copy(out, x)
	e.rel.residuals(out[len(x):], x)
	return out
}

// Score scores x. If contrib is not nil it must have length Dims() and
// receives each metric's share of the evidence (summing to 1 unless nothing
// stands out). It panics if len(x) != Dims().
func (e *Ensemble) Score(contrib, x []float64) MultiResult {
	if contrib != nil && len(contrib) != e.Dims() {
		panic("detect: contrib has wrong length")
	}
	if len(x) != e.Dims() {
		panic("detect: wrong number of values")
	}
	return e.score(contrib, x, make([]float64, 2*len(x)))
}

// score is Score with fx (2·Dims long) as scratch space for the features.
func (e *Ensemble) score(contrib, x, fx []float64) MultiResult {
	r := MultiResult{ECOD: math.NaN(), IF: math.NaN(), P: 1}
	copy(fx, x)
	e.rel.residuals(fx[len(x):], x)
	var c []float64
	if contrib != nil {
		c = make([]float64, len(fx))
		for j := range contrib {
			contrib[j] = 0
		}
	}
	members := 0
	if e.ecod != nil {
		members++
		r.ECOD = e.ecod.Score(c, fx)
		r.P = e.calE.prob(r.ECOD)
		addShare(contrib, c)
	}
	if e.forest != nil {
		members++
		r.IF = e.forest.Score(c, fx)
		r.P = math.Min(r.P, e.calF.prob(r.IF))
		addShare(contrib, c)
	}
	r.P = math.Min(1, float64(members)*r.P)
	r.Score = ScoreOf(r.P, e.n)
	normalize(contrib)
	return r
}

// addShare adds the normalised attribution c over the features (values
// then residuals) to dst over the metrics (if any).
func addShare(dst, c []float64) {
	if dst == nil {
		return
	}
	normalize(c)
	for j := range c {
		dst[j%len(dst)] += c[j]
	}
}

// ScoreRows writes the calibrated score of each row to dst (len(rows)).
func (e *Ensemble) ScoreRows(dst []float64, rows [][]float64) {
	if len(dst) != len(rows) {
		panic("detect: dst has wrong length")
	}
	fx := make([]float64, 2*e.Dims())
	for i, r := range rows {
		if len(r) != e.Dims() {
			panic("detect: wrong number of values")
		}
		dst[i] = e.score(nil, r, fx).Score
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
