package detect

import (
	"math"
	"testing"
)

// TestTailExponential feeds the quantiles of a unit exponential, for which
// P(X ≥ x) = exp(-x) exactly, and checks the histogram body and the
// extrapolated tail.
func TestTailExponential(t *testing.T) {
	var tl tail
	const n = 20000
	for i := 0; i < n; i++ {
		u := (float64(i) + 0.5) / n
		tl.add(-math.Log(u), 1)
	}
	for _, c := range []struct{ x, rtol float64 }{
		{0.5, 0.05}, {1, 0.05}, {2, 0.08}, // histogram body
		{4, 0.15}, {6, 0.3}, {10, 0.5}, // extrapolated beyond the 95% quantile
	} {
		got, want := tl.prob(c.x), math.Exp(-c.x)
		if math.Abs(got-want) > c.rtol*want {
			t.Errorf("P(X ≥ %v) = %.4g, want %.4g ±%.0f%%", c.x, got, want, 100*c.rtol)
		}
	}
	if math.Abs(tl.n()-n) > 1e-6 {
		t.Errorf("n = %v, want %v", tl.n(), n)
	}
}

func TestTailForgets(t *testing.T) {
	var tl tail
	keep := 1 - 1.0/1000
	for i := 0; i < 5000; i++ {
		tl.add(100, keep) // an old regime of large values
	}
	for i := 0; i < 20000; i++ {
		tl.add(1, keep)
	}
	if p := tl.prob(50); p > 1e-6 {
		t.Errorf("after forgetting, P(X ≥ 50) = %v", p)
	}
	if n := tl.n(); math.Abs(n-1000) > 5 {
		t.Errorf("effective n = %v, want about 1000", n)
	}
}

func TestTailEmptyAndMonotone(t *testing.T) {
	var tl tail
	if tl.prob(3) != 1 {
		t.Fatal("an empty tail must not call anything rare")
	}
	for i := 0; i < 500; i++ {
		tl.add(float64(i%50)/10, 1)
	}
	prev := 2.0
	for x := 0.0; x < 100; x += 0.37 {
		p := tl.prob(x)
		if p > prev+1e-12 || p < 0 || p > 1 {
			t.Fatalf("prob(%v) = %v after %v: not a decreasing probability", x, p, prev)
		}
		prev = p
	}
}

// TestTailPareto feeds the quantiles of a Pareto law with shape ξ = 1/2,
// P(X ≥ x) = (1 + x/2)^-2 (a generalised Pareto with σ = 1), whose tail an
// exponential fit would call a billion times too rare at x = 100.
func TestTailPareto(t *testing.T) {
	var tl tail
	const n = 20000
	for i := 0; i < n; i++ {
		u := (float64(i) + 0.5) / n
		tl.add(2*(math.Pow(u, -0.5)-1), 1) // inverse of P(X ≥ x) = u
	}
	for _, c := range []struct{ x, rtol float64 }{
		{1, 0.05}, {4, 0.08}, // histogram body
		{20, 0.2}, {100, 0.35}, {1000, 0.5}, // generalised Pareto tail
	} {
		got, want := tl.prob(c.x), math.Pow(1+c.x/2, -2)
		if math.Abs(got-want) > c.rtol*want {
			t.Errorf("P(X ≥ %v) = %.4g, want %.4g ±%.0f%%", c.x, got, want, 100*c.rtol)
		}
	}
}
