package detect

import "math"

// tail estimates P(X ≥ x) for a non-negative statistic X from a stream of
// its past values, with exponential forgetting so the estimate follows the
// series as it changes.
//
// The body of the distribution is a histogram on a logarithmic grid. Beyond
// the histogram's (1-m)-quantile x_q, m = tailMass, the tail is extrapolated
// with the peaks-over-threshold model (Pickands 1975) as used by SPOT
// (Siffer et al., "Anomaly detection in streams with extreme value theory",
// KDD 2017), a generalised Pareto tail:
//
//	P(X ≥ x) = m · (1 + ξ(x - x_q)/σ)^(-1/ξ),  x > x_q,
//
// with the shape ξ from Pickands' estimator on the quantiles x_q, x_q4 and
// x_q16 at masses m, m/4 and m/16,
//
//	ξ = ln((x_q16 - x_q4)/(x_q4 - x_q)) / ln 4,
//
// and σ chosen so the tail passes through x_q16. Heavy-tailed statistics
// (bursty counts, ξ > 0) thus get a power-law tail, so their tenth burst
// is not a one-in-a-billion event; light or bounded tails (ξ ≤ 0) keep the
// exponential (Gumbel-domain) limit ξ → 0,
//
//	P(X ≥ x) = m · exp(-(x - x_q)/β),  β = (x_q10 - x_q)/ln 10,
//
// which stays finite and strictly decreasing for values never seen before,
// as a detector needs to rank them. Fitting through quantiles rather than
// by the mean excess keeps one huge past value from flattening the tail.
//
// Forgetting multiplies every past weight by keep per observation; it is
// implemented by growing the weight of new observations instead (w ← w/keep)
// and rescaling rarely, so an update costs O(1) plus a few quantile scans.
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
	// minShape is the smallest ξ treated as a power-law tail; below it the
	// exponential limit is used. maxShape caps ξ at 1 (infinite mean), the
	// heaviest tail an operations metric plausibly has.
	minShape = 0.01
	maxShape = 1
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

// logTailEdge is ln(tailEdge(b)), without the exp and log.
func logTailEdge(b int) float64 { return logTailLo + float64(b)*tailStep }

var logTailLo = math.Log(tailLo)

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
			hi, lo := logTailEdge(b+1), logTailEdge(b)
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
			lo, hi := logTailEdge(b), logTailEdge(b+1)
			frac = (hi - math.Log(x)) / (hi - lo)
		}
		p := (above + frac*t.counts[b]) / t.total
		return math.Min(math.Max(p, tailMass), 1)
	}
	// A floor on the scale keeps a tail that has seen no excess (a flat
	// stretch) from calling every slightly larger value impossible: at
	// least an e-fold drop per quarter of x_q.
	floor := 0.25 * xq
	x4, x16 := t.quantile(tailMass/4), t.quantile(tailMass/16)
	if x4 > xq && x16 > x4 {
		if xi := math.Min(math.Log((x16-x4)/(x4-xq))/math.Log(4), maxShape); xi > minShape {
			sigma := math.Max(xi*(x16-xq)/(math.Pow(16, xi)-1), floor)
			return tailMass * math.Pow(1+xi*(x-xq)/sigma, -1/xi)
		}
	}
	beta := math.Max((t.quantile(tailMass/10)-xq)/math.Ln10, floor)
	if beta <= 0 {
		return 0
	}
	return tailMass * math.Exp(-(x-xq)/beta)
}
