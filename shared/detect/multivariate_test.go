package detect

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/opsight/opsight/shared/detect/iforest"
)

// service returns rows of (request rate, error rate, p95 latency, CPU)
// where latency and CPU follow the request rate.
func service(n int, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	rows := make([][]float64, n)
	for i := range rows {
		rate := 100 + 20*rng.NormFloat64()
		rows[i] = []float64{rate, 0.01 + 0.002*rng.NormFloat64(), 50 + 0.2*rate + 3*rng.NormFloat64(), 0.3*rate + 2*rng.NormFloat64()}
	}
	return rows
}

func TestEnsembleNamesTheMetric(t *testing.T) {
	e, err := FitEnsemble(service(3000, 1), EnsembleConfig{Forest: iforestSeed(1)})
	if err != nil {
		t.Fatal(err)
	}
	test := service(500, 2)
	var maxNormal float64
	for _, r := range test {
		maxNormal = math.Max(maxNormal, e.Score(nil, r).Score)
	}
	if Severity(maxNormal) > Low {
		t.Errorf("normal rows reach %v (%v)", maxNormal, Severity(maxNormal))
	}
	// An incident: latency and error rate up together while traffic and
	// CPU are as usual. Both are beyond every training row, which is as far
	// as ECOD's empirical tails can see, so the row must outrank every
	// normal row and name the two metrics.
	contrib := make([]float64, 4)
	r := e.Score(contrib, []float64{100, 0.05, 130, 30})
	if r.Score <= maxNormal {
		t.Errorf("incident scores %v (%v), normal rows up to %v", r.Score, Severity(r.Score), maxNormal)
	}
	if top := Top(contrib, 2); len(top) != 2 || top[0]+top[1] != 1+2 {
		t.Errorf("contributions %v, top %v: want error rate (1) and latency (2)", contrib, top)
	}
	var sum float64
	for _, c := range contrib {
		sum += c
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("contributions sum to %v", sum)
	}
}

func TestEnsembleMembersAndErrors(t *testing.T) {
	rows := service(400, 3)
	for _, m := range []Members{WithECOD, WithForest} {
		e, err := FitEnsemble(rows, EnsembleConfig{Members: m})
		if err != nil {
			t.Fatal(err)
		}
		r := e.Score(nil, rows[0])
		if (m == WithECOD) == math.IsNaN(r.ECOD) || (m == WithForest) == math.IsNaN(r.IF) {
			t.Errorf("members %v: result %+v", m, r)
		}
	}
	if _, err := FitEnsemble(rows[:10], EnsembleConfig{}); err == nil {
		t.Error("10 training rows accepted")
	}
	got := Rows(mat.NewDense(2, 2, []float64{1, 2, 3, 4}))
	if got[1][0] != 3 || got[0][1] != 2 {
		t.Errorf("Rows = %v", got)
	}
}

func TestOnline(t *testing.T) {
	ts := make([]time.Time, 600)
	rows := service(600, 4)
	cols := make([][]float64, 4)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i) * time.Minute)
		for j := range cols {
			cols[j] = append(cols[j], rows[i][j])
		}
	}
	in := Series{Times: ts, Names: []string{"rate", "errors", "p95", "cpu"}, Cols: cols}
	res, err := Online(MethodAuto, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scores) != 600 || res.Learning != minTrainRows {
		t.Fatalf("%d scores, %d learning", len(res.Scores), res.Learning)
	}
	for i := 0; i < minTrainRows; i++ {
		if res.Scores[i] != 0 {
			t.Fatalf("row %d scored %v before anything could be learned", i, res.Scores[i])
		}
	}
	// Online means a row's score ignores later rows.
	cut := Series{Times: ts[:300], Names: in.Names, Cols: [][]float64{cols[0][:300], cols[1][:300], cols[2][:300], cols[3][:300]}}
	part, _ := Online(MethodAuto, nil, cut)
	for i := range part.Scores {
		if part.Scores[i] != res.Scores[i] {
			t.Fatalf("row %d depends on later rows", i)
		}
	}
	uni := Series{Times: ts, Names: []string{"rate"}, Cols: cols[:1]}
	if _, err := Online(MethodAuto, &uni, uni); err == nil {
		t.Error("training data overlapping the input accepted for streaming")
	}
	if _, err := Online("magic", nil, in); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := Online(MethodEnsemble, &uni, in); err == nil {
		t.Error("training columns that differ from the input accepted")
	}
	for _, m := range []string{MethodStream, MethodECOD, MethodIForest} {
		r, err := Online(m, nil, in)
		if err != nil || len(r.Scores) != 600 {
			t.Errorf("%s: %v", m, err)
		}
	}
}

func iforestSeed(s uint64) iforest.Config { return iforest.Config{Seed: s} }
