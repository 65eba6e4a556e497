package ecod

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkFitScore100kx10 fits ECOD on 100,000 rows of 10 dimensions and
// scores every row.
func BenchmarkFitScore100kx10(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([][]float64, 100000)
	for i := range rows {
		rows[i] = make([]float64, 10)
		for j := range rows[i] {
			rows[i][j] = rng.NormFloat64()
		}
	}
	dst := make([]float64, len(rows))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m, err := Fit(rows)
		if err != nil {
			b.Fatal(err)
		}
		m.ScoreRows(dst, rows)
	}
}
