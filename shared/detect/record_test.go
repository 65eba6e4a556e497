package detect

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRecordProb(t *testing.T) {
	r := record{lo: 10, hi: 20}
	for _, c := range []struct {
		v, n, want float64
	}{
		{15, 1000, 1},                        // inside the range
		{20, 1000, 1},                        // on the record itself
		{25, 1000, 2 * math.Pow(1000, -1.5)}, // half a range above
		{0, 1000, 2 * math.Pow(1000, -2)},    // a range below
		{21, 1, 1},                           // no history to judge
		{20.1, 2, 2 * math.Pow(2, -1.01)},
		{30, 1.5, 1}, // 2·1.5^-2 > 1 is capped
	} {
		if got := r.prob(c.v, c.n); math.Abs(got-c.want) > 1e-12*c.want {
			t.Errorf("prob(%v, n=%v) = %v, want %v", c.v, c.n, got, c.want)
		}
	}
	flat := record{lo: 3, hi: 3}
	if flat.prob(3, 500) != 1 || flat.prob(3.001, 500) != 0 {
		t.Errorf("after a constant history: prob(3) = %v, prob(3.001) = %v; want 1 and 0",
			flat.prob(3, 500), flat.prob(3.001, 500))
	}
}

// TestRecordCalibration checks the claim behind prob on i.i.d. exponential
// noise, for which it is derived: the share of points whose record
// probability falls below q must stay near q, within a factor that covers
// the approximation (range ≈ β·ln n).
func TestRecordCalibration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const series, n, q = 200, 5000, 1e-4
	hits, judged := 0, 0
	for s := 0; s < series; s++ {
		var r record
		for i := 0; i < n; i++ {
			v := rng.ExpFloat64()
			if i >= 100 {
				judged++
				if r.prob(v, float64(i)) < q {
					hits++
				}
			}
			r.learn(v, n)
		}
	}
	want := q * float64(judged)
	t.Logf("%d points below p = %g among %d, expected %.0f", hits, q, judged, want)
	if float64(hits) > 5*want || float64(hits) < want/5 {
		t.Errorf("%d points below p = %g among %d, want about %.0f", hits, q, judged, want)
	}
}

// TestRecordWindow: a huge value leaves the range once the window of
// recordBlocks blocks has moved past it, and not before.
func TestRecordWindow(t *testing.T) {
	var r record
	const blockLen = 100
	r.learn(5, blockLen)
	r.learn(100, blockLen) // one huge value, in the first block
	for i := 2; i < (recordBlocks-1)*blockLen; i++ {
		r.learn(5, blockLen)
	}
	if r.hi != 100 {
		t.Fatalf("within the window the record is %v, want 100", r.hi)
	}
	for i := 0; i < 2*blockLen; i++ {
		r.learn(5+float64(i%2), blockLen)
	}
	if r.hi != 6 || r.lo != 5 {
		t.Errorf("after the window moved on the range is [%v, %v], want [5, 6]", r.lo, r.hi)
	}
}
