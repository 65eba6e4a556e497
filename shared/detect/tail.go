package detect

import "math"

// tail estimates P(X ≥ x) for a non-negative statistic X from a stream of
// its past values, with exponential forgetting so the estimate follows the
// series as it changes.
//
// The body of the distribution is a histogram on a logarithmic grid. Beyond
// the histogram's (1-tailMass)-quantile x_q the tail is extrapolated with the
// peaks-over-threshold model (Pickands 1975) as used by SPOT (Siffer et al.,
// "Anomaly detection in streams with extreme value theory", KDD 2017),
// restricted to its exponential (Gumbel-domain) case:
//
//	P(X ≥ x) = tailMass · exp(-(x - x_q)/β),  x > x_q,
//
// where β is fitted through two tail quantiles, x_q and the
// (1-tailMass/10)-quantile x_q10: β = (x_q10 - x_q)/ln 10. A quantile fit
// rather than the mean excess keeps one huge past value from flattening the
// tail. The exponential tail keeps the estimate finite and strictly
// decreasing for values never seen before, which a detector needs to rank
// them.
//
// Forgetting multiplies every past weight by keep per observation; it is
// implemented by growing the weight of new observations instead (w ← w/keep)
// and rescaling rarely, so an update costs O(1) plus one quantile scan.
type tail struct {
	counts [tailBins]float64
	total  float64
	w      float64 // weight of the next observation
}

const (
	tailBins = 112
	tailLo   = 1e-3  // lower edge of the first bin; smaller values go there
	tailStep = 0.125 // bin width in natural-log units (≈13% per bin)
	tailMass = 0.05  // probability mass above the extrapolation point x_q
)

func tailBin(x float64) int {
	if !(x > tailLo) {
		return 0
	}
	b := int(math.Log(x/tailLo) / tailStep)
	if b >= tailBins {
		return tailBins - 1
	}
	return b
}

func tailEdge(b int) float64 { return tailLo * math.Exp(float64(b)*tailStep) }

// quantile returns x with P(X ≥ x) = mass, interpolating inside the bin
// where the mass is reached as prob does (mass spread evenly in log x).
func (t *tail) quantile(mass float64) float64 {
	if t.total <= 0 {
		return 0
	}
	want := mass * t.total
	above := 0.0
	for b := tailBins - 1; b >= 0; b-- {
		if c := t.counts[b]; above+c > want {
			f := (want - above) / c // share of the bin's mass needed, from the top
			hi, lo := math.Log(tailEdge(b+1)), math.Log(tailEdge(b))
			return math.Exp(hi - f*(hi-lo))
		}
		above += t.counts[b]
	}
	return tailEdge(0)
}

// add records x after forgetting the past by factor keep ∈ (0, 1].
func (t *tail) add(x, keep float64) {
	if t.w == 0 {
		t.w = 1
	}
	t.counts[tailBin(x)] += t.w
	t.total += t.w
	t.w /= keep
	if t.w > 1e200 {
		s := 1 / t.w
		for b := range t.counts {
			t.counts[b] *= s
		}
		t.total *= s
		t.w = 1
	}
}

// n is the effective number of observations behind the estimate.
func (t *tail) n() float64 {
	if t.w == 0 {
		return 0
	}
	return t.total / t.w
}

// prob returns the estimated P(X ≥ x); 1 before anything was observed.
func (t *tail) prob(x float64) float64 {
	if t.total <= 0 {
		return 1
	}
	xq := t.quantile(tailMass)
	if x <= xq {
		b := tailBin(x)
		above := 0.0
		for k := tailBins - 1; k > b; k-- {
			above += t.counts[k]
		}
		// Inside x's own bin, assume mass spread evenly in log x.
		frac := 1.0
		if x > tailLo {
			lo, hi := math.Log(tailEdge(b)), math.Log(tailEdge(b+1))
			frac = (hi - math.Log(x)) / (hi - lo)
		}
		p := (above + frac*t.counts[b]) / t.total
		return math.Min(math.Max(p, tailMass), 1)
	}
	beta := (t.quantile(tailMass/10) - xq) / math.Ln10
	// A floor on β keeps a tail that has seen no excess (a flat stretch)
	// from calling every slightly larger value impossible: at least an
	// e-fold drop per quarter of x_q.
	beta = math.Max(beta, 0.25*xq)
	if beta <= 0 {
		return 0
	}
	return tailMass * math.Exp(-(x-xq)/beta)
}
