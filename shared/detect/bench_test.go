package detect

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkStreamUpdate measures one Update on a seasonal minutely series
// after a week of history; points/s is per core.
func BenchmarkStreamUpdate(b *testing.B) {
	ts, vs := daily(14*1440, 9)
	s := NewStream(DefaultConfig())
	run(s, ts[:7*1440], vs[:7*1440])
	rest := len(ts) - 7*1440
	t := ts[len(ts)-1]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t = t.Add(time.Minute)
		s.Update(t, vs[7*1440+i%rest])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkStreamMarshal is the per-series cost of saving state.
func BenchmarkStreamMarshal(b *testing.B) {
	ts, vs := daily(2*1440, 9)
	s := NewStream(DefaultConfig())
	run(s, ts, vs)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		blob, _ := s.MarshalBinary()
		if err := s.UnmarshalBinary(blob); err != nil {
			b.Fatal(err)
		}
	}
}

func randomRows(n, d int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, d)
		base := rng.NormFloat64()
		for j := range rows[i] {
			rows[i][j] = base*float64(j%3) + rng.NormFloat64()
		}
	}
	return rows
}

// BenchmarkEnsembleFitScore100kx10 fits the ensemble on 100,000 rows of 10
// metrics and scores them all.
func BenchmarkEnsembleFitScore100kx10(b *testing.B) {
	rows := randomRows(100000, 10, 1)
	dst := make([]float64, len(rows))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e, err := FitEnsemble(rows, EnsembleConfig{})
		if err != nil {
			b.Fatal(err)
		}
		e.ScoreRows(dst, rows)
	}
}
