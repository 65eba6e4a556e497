package iforest

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestC(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want float64
	}{{1, 0}, {2, 1}, {256, 2*(math.Log(255)+euler) - 2*255.0/256}, {3, 2*(math.Log(2)+euler) - 4.0/3}} {
		if got := c(tc.n); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("c(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func gaussianRows(n, d int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, d)
		for j := range rows[i] {
			rows[i][j] = rng.NormFloat64()
		}
	}
	return rows
}

func TestSeparatesAnomalies(t *testing.T) {
	rows := gaussianRows(2000, 4, 1)
	f, err := Fit(rows, Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	normal := f.Score(nil, []float64{0, 0, 0, 0})
	contrib := make([]float64, 4)
	odd := f.Score(contrib, []float64{0, 6, 8, 0})
	if normal >= 0.5 || odd <= 0.6 {
		t.Fatalf("scores normal %v, anomaly %v: want < 0.5 and > 0.6 (Liu et al. §2)", normal, odd)
	}
	var sum float64
	for _, v := range contrib {
		sum += v
	}
	if math.Abs(sum-1) > 1e-9 || contrib[1]+contrib[2] < 0.7 {
		t.Fatalf("contributions %v: want the second and third features to dominate, summing to 1", contrib)
	}
	g, _ := Fit(rows, Config{Seed: 1})
	if g.Score(nil, []float64{1, 2, 3, 4}) != f.Score(nil, []float64{1, 2, 3, 4}) {
		t.Fatal("the same seed must grow the same forest")
	}
}

func TestMissingValuesAndDegenerateData(t *testing.T) {
	rows := [][]float64{{1, 1}, {1, 1}, {1, math.NaN()}}
	f, err := Fit(rows, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s := f.Score(nil, []float64{math.NaN(), 1}); math.IsNaN(s) || s <= 0 || s > 1 {
		t.Fatalf("score %v", s)
	}
	if _, err := Fit([][]float64{{1}, {1, 2}}, Config{}); err == nil {
		t.Fatal("ragged rows accepted")
	}
	if _, err := Fit(nil, Config{}); err == nil {
		t.Fatal("no rows accepted")
	}
}
