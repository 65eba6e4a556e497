package detect

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// relations predicts each metric from the others with a ridge regression
// fitted on the training rows, so the ensemble can also look at residuals:
// service metrics move together (CPU and latency follow the request rate),
// and an incident is often a break in that relation, such as latency rising
// while traffic is flat, which no metric's marginal distribution shows.
//
// For metric j, with the other metrics standardised to z (training mean and
// standard deviation), the fit minimises Σ (x_j - a_j - b_jᵀz)² + λ‖b_j‖²
// with λ = ridgeLambda·n (Hoerl & Kennard 1970); the residual is
// x_j - a_j - b_jᵀz. A missing input is replaced by its training mean.
type relations struct {
	mean, sd []float64
	a        []float64
	b        [][]float64 // b[j][k]: weight of metric k (b[j][j] = 0)
}

// ridgeLambda is the ridge penalty per training row, relative to the
// standardised predictors: enough to keep collinear metrics (p50, p95 and
// p99 latency) solvable, small against real relations.
const ridgeLambda = 1e-3

func fitRelations(rows [][]float64) *relations {
	d := len(rows[0])
	r := &relations{mean: make([]float64, d), sd: make([]float64, d), a: make([]float64, d), b: make([][]float64, d)}
	cnt := make([]float64, d)
	for _, x := range rows {
		for j, v := range x {
			if !math.IsNaN(v) {
				r.mean[j] += v
				cnt[j]++
			}
		}
	}
	for j := range r.mean {
		if cnt[j] > 0 {
			r.mean[j] /= cnt[j]
		}
	}
	for _, x := range rows {
		for j, v := range x {
			if !math.IsNaN(v) {
				r.sd[j] += (v - r.mean[j]) * (v - r.mean[j])
			}
		}
	}
	for j := range r.sd {
		if cnt[j] > 1 {
			r.sd[j] = math.Sqrt(r.sd[j] / (cnt[j] - 1))
		}
	}
	// Gram matrix of the standardised metrics (missing values at the mean,
	// i.e. z = 0) and their cross products with the raw targets.
	n := float64(len(rows))
	g := mat.NewSymDense(d, nil)
	c := mat.NewDense(d, d, nil) // c[k][j] = Σ z_k (x_j - mean_j)
	z := make([]float64, d)
	for _, x := range rows {
		r.standardize(z, x)
		for k := 0; k < d; k++ {
			for l := k; l < d; l++ {
				g.SetSym(k, l, g.At(k, l)+z[k]*z[l])
			}
			for j := 0; j < d; j++ {
				if !math.IsNaN(x[j]) {
					c.Set(k, j, c.At(k, j)+z[k]*(x[j]-r.mean[j]))
				}
			}
		}
	}
	for j := 0; j < d; j++ {
		r.a[j] = r.mean[j]
		r.b[j] = make([]float64, d)
		// Normal equations over the other metrics only.
		var others []int
		for k := 0; k < d; k++ {
			if k != j && r.sd[k] > 0 {
				others = append(others, k)
			}
		}
		if len(others) == 0 {
			continue
		}
		m := mat.NewSymDense(len(others), nil)
		v := mat.NewVecDense(len(others), nil)
		for p, k := range others {
			for q, l := range others {
				if q >= p {
					m.SetSym(p, q, g.At(k, l))
				}
			}
			m.SetSym(p, p, m.At(p, p)+ridgeLambda*n)
			v.SetVec(p, c.At(k, j))
		}
		var ch mat.Cholesky
		if !ch.Factorize(m) {
			continue // no usable relation; the residual is the deviation from the mean
		}
		var sol mat.VecDense
		if err := ch.SolveVecTo(&sol, v); err != nil {
			continue
		}
		for p, k := range others {
			r.b[j][k] = sol.AtVec(p)
		}
	}
	return r
}

// standardize writes (x - mean)/sd to z, 0 for missing or constant metrics.
func (r *relations) standardize(z, x []float64) {
	for j, v := range x {
		z[j] = 0
		if !math.IsNaN(v) && r.sd[j] > 0 {
			z[j] = (v - r.mean[j]) / r.sd[j]
		}
	}
}

// residuals writes each metric's residual to dst (NaN where x_j is
// missing).
func (r *relations) residuals(dst, x []float64) {
	for j := range x {
		if math.IsNaN(x[j]) {
			dst[j] = math.NaN()
			continue
		}
		pred := r.a[j]
		for k, w := range r.b[j] {
			if w != 0 && !math.IsNaN(x[k]) {
				pred += w * (x[k] - r.mean[k]) / r.sd[k]
			}
		}
		dst[j] = x[j] - pred
	}
}
