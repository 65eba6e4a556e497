package iforest

import "testing"

// BenchmarkFitScore100kx10 grows the paper's forest (100 trees, ψ = 256) on
// 100,000 rows of 10 features and scores every row.
func BenchmarkFitScore100kx10(b *testing.B) {
	rows := gaussianRows(100000, 10, 2)
	dst := make([]float64, len(rows))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := Fit(rows, Config{Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		f.ScoreRows(dst, rows)
	}
}
