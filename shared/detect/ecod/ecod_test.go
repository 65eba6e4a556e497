package ecod

import (
	"math"
	"testing"
)

func TestScoreByHand(t *testing.T) {
	// One right-skewed dimension (1,2,3,4,10: skewness > 0) and one
	// left-skewed (-10,-4,-3,-2,-1).
	rows := [][]float64{{1, -1}, {2, -2}, {3, -3}, {4, -4}, {10, -10}}
	m, err := Fit(rows)
	if err != nil {
		t.Fatal(err)
	}
	// x = (5, -5): right tail of dim 0 has #{≥5} = 1, left tail of dim 1 has #{≤-5} = 1,
	// so F̄_0 = F_1 = (1+1)/6; the other tails are (4+1)/6.
	x := []float64{5, -5}
	lo, hi := -math.Log(2.0/6), -math.Log(5.0/6)
	want := math.Max(lo+hi, math.Max(hi+lo, lo+lo)) // left, right, auto
	contrib := make([]float64, 2)
	if got := m.Score(contrib, x); math.Abs(got-want) > 1e-12 {
		t.Fatalf("O = %v, want %v", got, want)
	}
	if math.Abs(contrib[0]-lo) > 1e-12 || math.Abs(contrib[1]-lo) > 1e-12 {
		t.Fatalf("contributions %v, want both %v (the auto aggregate)", contrib, lo)
	}
}

func TestOutlierAndMissing(t *testing.T) {
	var rows [][]float64
	for i := 0; i < 200; i++ {
		rows = append(rows, []float64{float64(i % 20), float64(i % 7), math.NaN()})
		rows[i][2] = float64(i % 11)
	}
	rows[3][1] = math.NaN()
	m, err := Fit(rows)
	if err != nil {
		t.Fatal(err)
	}
	c := make([]float64, 3)
	normal := m.Score(nil, []float64{10, 3, 5})
	odd := m.Score(c, []float64{10, 100, math.NaN()})
	if odd <= normal {
		t.Fatalf("outlier %v not above normal %v", odd, normal)
	}
	if c[2] != 0 || c[1] <= c[0] {
		t.Fatalf("contributions %v: want the missing value 0 and the outlying dimension largest", c)
	}
}

func TestFitErrors(t *testing.T) {
	for name, rows := range map[string][][]float64{
		"none":    nil,
		"no dims": {{}},
		"ragged":  {{1, 2}, {3}},
		"all NaN": {{1, math.NaN()}, {2, math.NaN()}},
	} {
		if _, err := Fit(rows); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
