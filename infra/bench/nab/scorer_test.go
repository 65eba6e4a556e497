package nab

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var standard = Profile{Name: "standard", TPWeight: 1, FPWeight: 0.11, FNWeight: 1}

func TestScaledSigmoid(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{-1, 0.98661}, {-0.5, 0.84828}, {0, 0}, {1, -0.98661}, {3, -0.99999969}, {3.0001, -1}, {10, -1},
	} {
		if got := ScaledSigmoid(c.x); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("ScaledSigmoid(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

func TestProbationLength(t *testing.T) {
	for _, c := range []struct{ n, want int }{{100, 15}, {1243, 186}, {5000, 750}, {6000, 750}, {22695, 750}, {6, 0}} {
		if got := ProbationLength(c.n); got != c.want {
			t.Errorf("ProbationLength(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// synthetic builds a file of n rows at 5-minute steps with the given
// windows.
func synthetic(n int, windows ...[2]int) *File {
	f := &File{Name: "synthetic.csv", Category: "synthetic", Windows: windows}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		f.Times = append(f.Times, t0.Add(time.Duration(i)*5*time.Minute))
		f.Values = append(f.Values, 0)
	}
	return f
}

// TestScoreFileByHand checks detections at each kind of position against
// NAB's formulas written independently: σ(x) = -tanh(2.5x).
func TestScoreFileByHand(t *testing.T) {
	sig := func(x float64) float64 { return -math.Tanh(2.5 * x) }
	// 20 rows: probation is rows 0-2, the window is rows 8-12 (width 5).
	f := synthetic(20, [2]int{8, 12})
	for _, c := range []struct {
		name   string
		active []int
		want   float64
	}{
		{"nothing: one missed window", nil, -1},
		{"probation is ignored", []int{0, 1, 2}, -1},
		{"false positive before any window", []int{5}, -1 - 0.11},
		{"first row of the window", []int{8}, 1},
		{"middle of the window", []int{10}, sig(-3.0/5) / sig(-1)},
		{"only the earliest detection counts", []int{12, 9, 10}, sig(-4.0/5) / sig(-1)},
		{"last row of the window", []int{12}, sig(-1.0/5) / sig(-1)},
		{"false positive just after the window", []int{13}, -1 + 0.11*sig(1.0/4)},
		{"false positive well after the window", []int{19}, -1 + 0.11*sig(7.0/4)},
		{"mixed", []int{1, 5, 9, 11, 15}, sig(-4.0/5)/sig(-1) - 0.11 + 0.11*sig(3.0/4)},
	} {
		scores := make([]float64, 20)
		for _, i := range c.active {
			scores[i] = 1
		}
		got := ScoreFile(f, scores, standard, 0.5)
		if math.Abs(got.Score-c.want) > 1e-12 {
			t.Errorf("%s: score %v, want %v", c.name, got.Score, c.want)
		}
		if got.Total() != 17 {
			t.Errorf("%s: %d scored rows, want 17", c.name, got.Total())
		}
	}
}

func TestFarFalsePositiveCostsFullWeight(t *testing.T) {
	f := synthetic(100, [2]int{20, 24})
	scores := make([]float64, 100)
	scores[99] = 1 // 75 rows past a window of width 5: position 18.75 > 3
	if got := ScoreFile(f, scores, standard, 1).Score; math.Abs(got-(-1-0.11)) > 1e-12 {
		t.Fatalf("score %v, want %v", got, -1-0.11)
	}
}

// TestSweepMatchesDirectScoring checks the sweep that the optimiser uses
// against scoring each threshold directly, on random scores.
func TestSweepMatchesDirectScoring(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		f := synthetic(300, [2]int{60, 80}, [2]int{150, 170}, [2]int{250, 260})
		scores := make([]float64, 300)
		for i := range scores {
			scores[i] = math.Round(rng.Float64()*20) / 20 // many ties
		}
		rs := rows(f, scores, standard, 0, nil)
		for _, s := range sweep(append([]row(nil), rs...), 3, standard) {
			d := atThreshold(rs, 3, standard, s.Threshold)
			if math.Abs(d.Score-s.Score) > 1e-9 || d.TP != s.TP || d.FP != s.FP || d.TN != s.TN || d.FN != s.FN {
				t.Fatalf("threshold %v: sweep %+v, direct %+v", s.Threshold, s, d)
			}
		}
	}
}

func TestOptimizeFindsBestThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := &Corpus{Profiles: []Profile{standard}}
	var scores [][]float64
	for k := 0; k < 4; k++ {
		f := synthetic(400, [2]int{100 + 20*k, 130 + 20*k}, [2]int{300, 320})
		s := make([]float64, 400)
		for i := range s {
			s[i] = rng.Float64() * 0.8
			if i == 110+20*k || i == 305 {
				s[i] = 0.75 + 0.25*rng.Float64()
			}
		}
		c.Files = append(c.Files, f)
		scores = append(scores, s)
	}
	total := func(th float64) float64 {
		var sum float64
		for i, f := range c.Files {
			sum += ScoreFile(f, scores[i], standard, th).Score
		}
		return sum
	}
	best := Optimize(c, scores, standard)
	for _, s := range scores {
		for _, th := range s {
			if total(th) > total(best)+1e-9 {
				t.Fatalf("threshold %v scores %v, better than the optimiser's %v (%v)", th, total(th), best, total(best))
			}
		}
	}
}
