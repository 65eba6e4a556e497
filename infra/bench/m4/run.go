package m4

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"
)

// Forecast is a method's answer for one series: the point forecast and,
// optionally, the bounds of the 95% prediction interval.
type Forecast struct {
	Point      []float64
	Lo95, Hi95 []float64 // nil when the method gives no interval
}

// Method forecasts h steps after train.
type Method func(train []float64, h int) (Forecast, error)

// Scores are a method's errors on one series.
type Scores struct {
	ID          string
	SMAPE, MASE float64
	MSIS        float64 // NaN without intervals
	Covered     int     // test points inside the 95% interval
}

// Report is the outcome of a run.
type Report struct {
	Series []Scores
	// Means over series.
	SMAPE, MASE, MSIS float64
	// Coverage is the share of all test points inside the 95% interval.
	Coverage float64
	// Naive2's means on the same series, and the OWA relative to them.
	Naive2SMAPE, Naive2MASE, OWA float64
	Intervals                    bool
	Wall                         time.Duration // forecasting only, all series
	Workers                      int
}

// Score computes the scores of forecast f for series s.
func Score(s Series, f Forecast) Scores {
	scale := Scale(s.Train, Period)
	sc := Scores{ID: s.ID, SMAPE: SMAPE(s.Test, f.Point), MASE: MASE(s.Test, f.Point, scale)}
	sc.MSIS = nan
	if f.Lo95 != nil {
		sc.MSIS = MSIS(s.Test, f.Lo95, f.Hi95, Alpha, scale)
		sc.Covered = Covered(s.Test, f.Lo95, f.Hi95)
	}
	return sc
}

// Run forecasts every series with method on a pool of workers (GOMAXPROCS
// when workers ≤ 0), scores the forecasts, and scores Naive2 on the same
// series for OWA. Wall covers the forecasting alone. The first error stops
// the run.
func Run(ctx context.Context, series []Series, method Method, workers int) (*Report, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	fcs := make([]Forecast, len(series))
	errs := make([]error, len(series))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f, err := method(series[i].Train, len(series[i].Test))
				if err == nil {
					err = check(f, len(series[i].Test))
				}
				if err != nil {
					errs[i] = fmt.Errorf("series %s: %w", series[i].ID, err)
					cancel()
					continue
				}
				fcs[i] = f
			}
		}()
	}
feed:
	for i := range series {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := Evaluate(series, fcs)
	r.Wall, r.Workers = wall, workers
	return r, nil
}

func check(f Forecast, h int) error {
	if len(f.Point) != h {
		return fmt.Errorf("forecast has %d points, want %d", len(f.Point), h)
	}
	if f.Lo95 != nil && (len(f.Lo95) != h || len(f.Hi95) != h) {
		return fmt.Errorf("interval has %d/%d points, want %d", len(f.Lo95), len(f.Hi95), h)
	}
	return nil
}

// Evaluate scores forecasts fcs[i] of series[i] and aggregates them as M4
// does: sMAPE, MASE and MSIS are averaged over series, OWA is computed from
// those averages and Naive2's.
func Evaluate(series []Series, fcs []Forecast) *Report {
	r := &Report{Series: make([]Scores, len(series)), Intervals: true}
	var covered, points int
	var n2s, n2m float64
	buf := make([]float64, 0, Horizon)
	for i, s := range series {
		sc := Score(s, fcs[i])
		r.Series[i] = sc
		r.SMAPE += sc.SMAPE
		r.MASE += sc.MASE
		r.MSIS += sc.MSIS
		if fcs[i].Lo95 == nil {
			r.Intervals = false
		}
		covered += sc.Covered
		points += len(s.Test)
		buf = buf[:len(s.Test)]
		n2 := Naive2(buf, s.Train, Period)
		n2s += SMAPE(s.Test, n2)
		n2m += MASE(s.Test, n2, Scale(s.Train, Period))
	}
	k := float64(len(series))
	r.SMAPE /= k
	r.MASE /= k
	r.MSIS /= k
	r.Naive2SMAPE, r.Naive2MASE = n2s/k, n2m/k
	r.OWA = OWA(r.SMAPE, r.MASE, r.Naive2SMAPE, r.Naive2MASE)
	r.Coverage = float64(covered) / float64(points)
	if !r.Intervals {
		r.MSIS, r.Coverage = nan, nan
	}
	return r
}
