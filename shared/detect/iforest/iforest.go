// Package iforest implements Isolation Forest (Liu, Ting and Zhou,
// "Isolation Forest", ICDM 2008).
//
// Anomalies are few and different, so random axis-parallel splits isolate
// them in fewer steps than normal points. The forest is t trees, each grown
// on a sub-sample of ψ rows drawn without replacement (Algorithm 1); a node
// picks a feature uniformly at random and a split value uniformly between
// that feature's minimum and maximum in the node (Algorithm 2), and growth
// stops at depth ⌈log2 ψ⌉ or when a node holds one row or identical rows.
// A row's path length h(x) adds, at the external node where it ends holding
// size rows, the average path length of an unsuccessful binary-search-tree
// search c(size) (Algorithm 3), with
//
//	c(n) = 2H(n-1) - 2(n-1)/n,   H(i) ≈ ln i + 0.5772156649 (Euler's constant),
//
// and the anomaly score is s(x) = 2^(-E[h(x)]/c(ψ)): near 1 for anomalies,
// at most 0.5 for normal rows. The paper's defaults are t = 100, ψ = 256.
//
// Contributions: each split on x's path credits its feature with the share
// of the node's rows it separated from x, 1 - size(child)/size(node), the
// "induced imbalance" of DIFFI (Carletti, Terzi and Susto 2020) for one
// point; the per-feature sums over all trees are normalised to add up to 1.
package iforest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Config sets the forest's size. The zero value means the paper's
// defaults.
type Config struct {
	Trees      int    // t, default 100
	SampleSize int    // ψ, default 256 (capped at the number of rows)
	Seed       uint64 // seed of the random generator, for reproducible forests
}

// Forest is a fitted isolation forest; safe for concurrent scoring.
type Forest struct {
	trees  [][]node
	dims   int
	psi    int
	cpsi   float64
	median []float64 // per-feature training median, used for missing values
}

// node is a tree node in a flat slice: an internal node splits feature at
// value, children at left and left+1; an external node has feature -1 and
// value c(size), its path-length adjustment. size is the number of training
// rows that reached the node.
type node struct {
	feature int32
	left    int32
	value   float64
	size    int32
}

const euler = 0.5772156649015329

// c is the average path length of an unsuccessful search in a binary
// search tree of n nodes.
func c(n int) float64 {
	switch {
	case n <= 1:
		return 0
	case n == 2:
		return 1
	}
	fn := float64(n)
	return 2*(math.Log(fn-1)+euler) - 2*(fn-1)/fn
}

// Fit grows a forest on rows (n rows of d values). Missing values (NaN)
// are replaced by the feature's training median, so a gap neither isolates
// a row nor hides it.
func Fit(rows [][]float64, cfg Config) (*Forest, error) {
	if len(rows) == 0 {
		return nil, errors.New("iforest: no rows to fit")
	}
	d := len(rows[0])
	if d == 0 {
		return nil, errors.New("iforest: rows have no dimensions")
	}
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("iforest: row %d has %d values, row 0 has %d", i, len(r), d)
		}
	}
	if cfg.Trees <= 0 {
		cfg.Trees = 100
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = 256
	}
	psi := min(cfg.SampleSize, len(rows))
	f := &Forest{dims: d, psi: psi, cpsi: c(psi), median: medians(rows, d)}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x15f0e57))
	limit := int(math.Ceil(math.Log2(float64(max(psi, 2)))))
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	sample := make([][]float64, psi)
	for t := 0; t < cfg.Trees; t++ {
		// Partial Fisher-Yates: the first psi entries are a sample without
		// replacement.
		for i := 0; i < psi; i++ {
			j := i + rng.IntN(len(idx)-i)
			idx[i], idx[j] = idx[j], idx[i]
			sample[i] = f.filled(rows[idx[i]])
		}
		tree := grow(make([]node, 1, 2*psi), 0, sample, 0, limit, rng)
		f.trees = append(f.trees, tree)
	}
	return f, nil
}

// grow fills the reserved node tree[at] with the subtree for rows at depth
// e, appending its descendants, and returns the grown slice. Children sit
// next to each other at left and left+1.
func grow(tree []node, at int, rows [][]float64, e, limit int, rng *rand.Rand) []node {
	tree[at] = node{feature: -1, value: c(len(rows)), size: int32(len(rows))}
	if e >= limit || len(rows) <= 1 {
		return tree
	}
	d := len(rows[0])
	// Only features whose values differ in this node can separate rows.
	var feats []int
	for q := 0; q < d; q++ {
		if lo, hi := span(rows, q); hi > lo {
			feats = append(feats, q)
		}
	}
	if len(feats) == 0 {
		return tree // identical rows
	}
	q := feats[rng.IntN(len(feats))]
	lo, hi := span(rows, q)
	p := lo + rng.Float64()*(hi-lo)
	if p <= lo { // keep both sides non-empty
		p = math.Nextafter(lo, hi)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][q] < rows[j][q] })
	k := sort.Search(len(rows), func(i int) bool { return rows[i][q] >= p })
	left := len(tree)
	tree = append(tree, node{}, node{})
	tree[at] = node{feature: int32(q), value: p, left: int32(left), size: int32(len(rows))}
	tree = grow(tree, left, rows[:k], e+1, limit, rng)
	return grow(tree, left+1, rows[k:], e+1, limit, rng)
}

func span(rows [][]float64, q int) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		lo = math.Min(lo, r[q])
		hi = math.Max(hi, r[q])
	}
	return lo, hi
}

// Dims is the number of features the forest was fitted on.
func (f *Forest) Dims() int { return f.dims }

// Score returns s(x) = 2^(-E[h(x)]/c(ψ)). If contrib is not nil it must
// have length Dims() and receives the per-feature contributions (summing
// to 1; all 0 only for a forest of single-row trees).
func (f *Forest) Score(contrib, x []float64) float64 {
	if len(x) != f.dims {
		panic("iforest: wrong number of values")
	}
	if contrib != nil {
		if len(contrib) != f.dims {
			panic("iforest: contrib has wrong length")
		}
		for j := range contrib {
			contrib[j] = 0
		}
	}
	var sum float64
	for _, tree := range f.trees {
		h := 0.0
		i := 0
		for {
			n := tree[i]
			if n.feature < 0 {
				h += n.value
				break
			}
			h++
			v := x[n.feature]
			if math.IsNaN(v) {
				v = f.median[n.feature]
			}
			next := int(n.left)
			if v >= n.value {
				next++
			}
			if contrib != nil {
				contrib[n.feature] += 1 - float64(tree[next].size)/float64(n.size)
			}
			i = next
		}
		sum += h
	}
	if contrib != nil {
		var tot float64
		for _, v := range contrib {
			tot += v
		}
		if tot > 0 {
			for j := range contrib {
				contrib[j] /= tot
			}
		}
	}
	if f.cpsi == 0 {
		return 0.5
	}
	return math.Pow(2, -sum/float64(len(f.trees))/f.cpsi)
}

// ScoreRows writes the score of each row to dst, which must have len(rows).
func (f *Forest) ScoreRows(dst []float64, rows [][]float64) {
	if len(dst) != len(rows) {
		panic("iforest: dst has wrong length")
	}
	for i, r := range rows {
		dst[i] = f.Score(nil, r)
	}
}

// filled returns r with missing values replaced by the training medians,
// copying only when there is something to replace.
func (f *Forest) filled(r []float64) []float64 {
	var out []float64
	for j, v := range r {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if out == nil {
				out = append([]float64(nil), r...)
			}
			out[j] = f.median[j]
		}
	}
	if out == nil {
		return r
	}
	return out
}

func medians(rows [][]float64, d int) []float64 {
	med := make([]float64, d)
	col := make([]float64, 0, len(rows))
	for j := 0; j < d; j++ {
		col = col[:0]
		for _, r := range rows {
			if v := r[j]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				col = append(col, v)
			}
		}
		if len(col) == 0 {
			continue
		}
		sort.Float64s(col)
		med[j] = col[len(col)/2]
	}
	return med
}
