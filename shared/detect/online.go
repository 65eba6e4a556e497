package detect

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Series is a table of metrics over time: Cols[j][i] is metric Names[j] at
// Times[i], NaN when missing. Times increase.
type Series struct {
	Times []time.Time
	Names []string
	Cols  [][]float64
}

// Methods accepted by Online.
const (
	MethodAuto     = "auto"     // stream for one metric, ensemble for several
	MethodStream   = "stream"   // Stream per metric; rows take the strongest, Bonferroni-corrected
	MethodEnsemble = "ensemble" // ECOD and Isolation Forest
	MethodECOD     = "ecod"
	MethodIForest  = "iforest"
)

// Methods lists the method names, for usage messages.
var Methods = []string{MethodAuto, MethodStream, MethodEnsemble, MethodECOD, MethodIForest}

// OnlineResult is Online's output: one score per input row, and counts of
// what could not be judged.
type OnlineResult struct {
	Scores   []float64
	Learning int // rows scored 0 because too little had been seen
	Skipped  int // cells skipped as missing
}

// Online scores every row of input using only train (which may be nil)
// and the input rows before and at it. With a multivariate method and no
// training data the models are refitted on all earlier rows each time their
// number doubles (from minTrainRows on), so every score stays online at
// O(n log n) total cost.
func Online(method string, train *Series, input Series) (OnlineResult, error) {
	if err := input.check("input"); err != nil {
		return OnlineResult{}, err
	}
	if train != nil {
		if err := train.check("training data"); err != nil {
			return OnlineResult{}, err
		}
		if !slices.Equal(train.Names, input.Names) {
			return OnlineResult{}, fmt.Errorf("detect: training columns %v differ from input columns %v", train.Names, input.Names)
		}
	}
	if method == "" || method == MethodAuto {
		method = MethodEnsemble
		if len(input.Names) == 1 {
			method = MethodStream
		}
	}
	switch method {
	case MethodStream:
		return onlineStream(train, input)
	case MethodEnsemble:
		return onlineBatch(WithECOD|WithForest, train, input)
	case MethodECOD:
		return onlineBatch(WithECOD, train, input)
	case MethodIForest:
		return onlineBatch(WithForest, train, input)
	}
	return OnlineResult{}, fmt.Errorf("detect: unknown method %q (want one of %v)", method, Methods)
}

func (s *Series) check(what string) error {
	if len(s.Names) == 0 || len(s.Cols) != len(s.Names) {
		return fmt.Errorf("detect: %s has no metric columns", what)
	}
	for j, c := range s.Cols {
		if len(c) != len(s.Times) {
			return fmt.Errorf("detect: %s column %q has %d values for %d times", what, s.Names[j], len(c), len(s.Times))
		}
	}
	return nil
}

func onlineStream(train *Series, input Series) (OnlineResult, error) {
	if train != nil && len(train.Times) > 0 && len(input.Times) > 0 && !train.Times[len(train.Times)-1].Before(input.Times[0]) {
		return OnlineResult{}, fmt.Errorf("detect: training data must end before the input starts (training ends %s, input starts %s)",
			train.Times[len(train.Times)-1].Format(time.RFC3339), input.Times[0].Format(time.RFC3339))
	}
	d := len(input.Names)
	streams := make([]*Stream, d)
	for j := range streams {
		streams[j] = NewStream(DefaultConfig())
	}
	if train != nil {
		for i, t := range train.Times {
			for j := range streams {
				streams[j].Update(t, train.Cols[j][i])
			}
		}
	}
	res := OnlineResult{Scores: make([]float64, len(input.Times))}
	for i, t := range input.Times {
		p, n, learning, scored := 1.0, 0.0, false, false
		for j, s := range streams {
			pt := s.Update(t, input.Cols[j][i])
			switch {
			case pt.Skipped:
				res.Skipped++
			case pt.Reason == ReasonLearning:
				learning = true
			default:
				scored = true
				p = math.Min(p, pt.P)
				n = math.Max(n, s.point.n())
			}
		}
		if learning && !scored {
			res.Learning++
		}
		if scored {
			// Several metrics: the strongest evidence, Bonferroni-corrected
			// for the number of metrics looked at.
			res.Scores[i] = ScoreOf(math.Min(1, float64(d)*p), n)
		}
	}
	return res, nil
}

// maxRefitRows bounds the rows an online refit learns from (the most
// recent ones), keeping the refits' total cost linear in long inputs.
const maxRefitRows = 50000

func onlineBatch(m Members, train *Series, input Series) (OnlineResult, error) {
	res := OnlineResult{Scores: make([]float64, len(input.Times))}
	rows := input.rows()
	for _, r := range rows {
		for _, v := range r {
			if math.IsNaN(v) {
				res.Skipped++
			}
		}
	}
	cfg := EnsembleConfig{Members: m}
	if train != nil {
		e, err := FitEnsemble(train.rows(), cfg)
		if err != nil {
			return res, err
		}
		e.ScoreRows(res.Scores, rows)
		return res, nil
	}
	var e *Ensemble
	next := minTrainRows
	for i, r := range rows {
		if i == next {
			fitted, err := FitEnsemble(rows[max(0, i-maxRefitRows):i], cfg)
			if err != nil {
				return res, err
			}
			e, next = fitted, 2*next
		}
		if e == nil {
			res.Learning++
			continue
		}
		res.Scores[i] = e.Score(nil, r).Score
	}
	return res, nil
}

// rows transposes the columns into rows.
func (s *Series) rows() [][]float64 {
	out := make([][]float64, len(s.Times))
	for i := range out {
		out[i] = make([]float64, len(s.Cols))
		for j := range s.Cols {
			out[i][j] = s.Cols[j][i]
		}
	}
	return out
}
