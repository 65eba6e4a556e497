// Package ecod implements ECOD, the empirical-cumulative-distribution
// outlier detector of Li, Zhao, Hu, Botta, Ionescu and Chen, "ECOD:
// Unsupervised Outlier Detection Using Empirical Cumulative Distribution
// Functions", IEEE TKDE 2022.
//
// ECOD has no parameters. For each dimension j it estimates the left and
// right tail probabilities of a value from the training data,
//
//	F_j(x) = (#{i: X_ij ≤ x} + 1)/(n + 1),   F̄_j(x) = (#{i: X_ij ≥ x} + 1)/(n + 1),
//
// (the +1 counts the scored point itself, as the paper's ECDFs are taken
// over the data including it, and keeps the logarithms finite), and scores a
// row x by three aggregates of the dimensional tail evidence
//
//	O_left  = -Σ_j log F_j(x_j)
//	O_right = -Σ_j log F̄_j(x_j)
//	O_auto  = -Σ_j log (F_j(x_j) if γ_j < 0 else F̄_j(x_j)),
//
// where γ_j is the sample skewness of dimension j, taking
// O = max(O_left, O_right, O_auto) (Algorithm 1 of the paper). The terms of
// the winning aggregate are the dimensional outlier scores the paper uses to
// explain a detection; Score returns them as contributions.
//
// Missing values (NaN) are left out of a dimension's distribution at fit
// time and contribute nothing when scoring.
package ecod

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Model is a fitted ECOD detector. It is safe for concurrent scoring.
type Model struct {
	cols [][]float64 // sorted finite training values per dimension
	skew []float64
}

// Fit learns the per-dimension distributions from rows (n rows of d
// values). It fails for no rows, no dimensions, ragged rows, or a dimension
// with no finite value.
func Fit(rows [][]float64) (*Model, error) {
	if len(rows) == 0 {
		return nil, errors.New("ecod: no rows to fit")
	}
	d := len(rows[0])
	if d == 0 {
		return nil, errors.New("ecod: rows have no dimensions")
	}
	m := &Model{cols: make([][]float64, d), skew: make([]float64, d)}
	for j := range m.cols {
		m.cols[j] = make([]float64, 0, len(rows))
	}
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("ecod: row %d has %d values, row 0 has %d", i, len(r), d)
		}
		for j, v := range r {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				m.cols[j] = append(m.cols[j], v)
			}
		}
	}
	for j, c := range m.cols {
		if len(c) == 0 {
			return nil, fmt.Errorf("ecod: dimension %d has no finite value", j)
		}
		sort.Float64s(c)
		m.skew[j] = skewness(c)
	}
	return m, nil
}

// Dims is the number of dimensions the model was fitted on.
func (m *Model) Dims() int { return len(m.cols) }

// Score returns the outlier score O of x. If contrib is not nil it must
// have length Dims() and receives each dimension's term of the aggregate
// that gave O (0 for a missing value). Score panics if len(x) != Dims().
func (m *Model) Score(contrib, x []float64) float64 {
	if len(x) != len(m.cols) {
		panic("ecod: wrong number of values")
	}
	if contrib != nil && len(contrib) != len(m.cols) {
		panic("ecod: contrib has wrong length")
	}
	var left, right, auto float64
	for j, v := range x {
		if math.IsNaN(v) {
			continue
		}
		l, r := m.tails(j, v)
		left += l
		right += r
		if m.skew[j] < 0 {
			auto += l
		} else {
			auto += r
		}
	}
	o := math.Max(left, math.Max(right, auto))
	if contrib != nil {
		for j, v := range x {
			contrib[j] = 0
			if math.IsNaN(v) {
				continue
			}
			l, r := m.tails(j, v)
			switch {
			case o == left:
				contrib[j] = l
			case o == right:
				contrib[j] = r
			case m.skew[j] < 0:
				contrib[j] = l
			default:
				contrib[j] = r
			}
		}
	}
	return o
}

// ScoreRows writes the score of each row to dst, which must have len(rows).
func (m *Model) ScoreRows(dst []float64, rows [][]float64) {
	if len(dst) != len(rows) {
		panic("ecod: dst has wrong length")
	}
	for i, r := range rows {
		dst[i] = m.Score(nil, r)
	}
}

// tails returns -log F_j(v) and -log F̄_j(v).
func (m *Model) tails(j int, v float64) (float64, float64) {
	c := m.cols[j]
	n := float64(len(c))
	le := sort.Search(len(c), func(i int) bool { return c[i] > v })  // #{≤ v}
	lt := sort.Search(len(c), func(i int) bool { return c[i] >= v }) // #{< v}
	ge := len(c) - lt
	return -math.Log((float64(le) + 1) / (n + 1)), -math.Log((float64(ge) + 1) / (n + 1))
}

// skewness is the sample skewness m3/m2^(3/2); 0 for a constant column.
func skewness(c []float64) float64 {
	var mean float64
	for _, v := range c {
		mean += v
	}
	mean /= float64(len(c))
	var m2, m3 float64
	for _, v := range c {
		d := v - mean
		m2 += d * d
		m3 += d * d * d
	}
	m2 /= float64(len(c))
	m3 /= float64(len(c))
	if m2 == 0 {
		return 0
	}
	return m3 / math.Pow(m2, 1.5)
}
