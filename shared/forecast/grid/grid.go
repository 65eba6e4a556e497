// Package grid puts timestamped observations on the regular time grid that
// forecasting models assume. Real metric exports miss scrapes and drift off
// schedule; a model fitted across such a hole would silently shift its
// seasonal phase, so irregular input is either refused with the place it
// went wrong or, when the caller names a step, resampled with the filled
// points counted.
package grid

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Errors Check and Resample return, for errors.Is.
var (
	ErrTooFew    = errors.New("need at least two timestamps to find the step")
	ErrOffGrid   = errors.New("timestamp off the regular grid")
	ErrMissing   = errors.New("missing timestamps")
	ErrUnordered = errors.New("timestamps must strictly increase")
	ErrBadStep   = errors.New("step must be positive")
)

// Error locates a problem: Row is the 0-based index of the offending
// observation.
type Error struct {
	Row  int
	Time time.Time
	Err  error
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("data row %d (%s): %v%s", e.Row+1, e.Time.Format(time.RFC3339Nano), e.Err, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Step returns the most common interval between consecutive timestamps (the
// smallest of equally common ones), the scrape interval of a metric export.
func Step(times []time.Time) (time.Duration, error) {
	if len(times) < 2 {
		return 0, ErrTooFew
	}
	count := map[time.Duration]int{}
	for i := 1; i < len(times); i++ {
		d := times[i].Sub(times[i-1])
		if d <= 0 {
			return 0, &Error{Row: i, Time: times[i], Err: ErrUnordered}
		}
		count[d]++
	}
	var best time.Duration
	for d, c := range count {
		if c > count[best] || (c == count[best] && d < best) {
			best = d
		}
	}
	return best, nil
}

// Check verifies that times[i] = times[0] + i·step for every i and returns
// the first violation: a timestamp between grid points (ErrOffGrid) or a
// jump of more than one step (ErrMissing, with how many are missing).
func Check(times []time.Time, step time.Duration) error {
	if step <= 0 {
		return ErrBadStep
	}
	for i := 1; i < len(times); i++ {
		d := times[i].Sub(times[i-1])
		switch {
		case d <= 0:
			return &Error{Row: i, Time: times[i], Err: ErrUnordered}
		case d == step:
		case d%step != 0 || times[i].Sub(times[0])%step != 0:
			return &Error{Row: i, Time: times[i], Err: ErrOffGrid,
				Msg: fmt.Sprintf(": %s after the previous one, the step is %s", d, step)}
		default:
			k := int(d/step) - 1
			what := "points are"
			if k == 1 {
				what = "point is"
			}
			return &Error{Row: i, Time: times[i], Err: ErrMissing,
				Msg: fmt.Sprintf(": %d %s missing before it at step %s", k, what, step)}
		}
	}
	return nil
}

// Resample returns values on the grid times[0], times[0]+step, … up to the
// last timestamp, linearly interpolating in time between the nearest
// observed (non-NaN) neighbours, and how many grid points had no
// observation of their own. Grid points before the first or after the last
// observed value are NaN (gaps for the model to handle). More than a
// million grid points is refused as a mistaken step.
func Resample(times []time.Time, values []float64, step time.Duration) ([]float64, int, error) {
	if step <= 0 {
		return nil, 0, ErrBadStep
	}
	if len(times) != len(values) {
		panic("grid: times and values differ in length")
	}
	if len(times) == 0 {
		return nil, 0, ErrTooFew
	}
	for i := 1; i < len(times); i++ {
		if !times[i].After(times[i-1]) {
			return nil, 0, &Error{Row: i, Time: times[i], Err: ErrUnordered}
		}
	}
	span := times[len(times)-1].Sub(times[0])
	const maxPoints = 1_000_000
	if span/step >= maxPoints {
		return nil, 0, fmt.Errorf("grid: %s at step %s is more than %d points", span, step, maxPoints)
	}
	n := int(span/step) + 1
	out := make([]float64, n)
	filled := 0
	j := 0 // times[j] ≤ grid point < times[j+1], over observed values
	for k := range n {
		g := times[0].Add(time.Duration(k) * step)
		for j+1 < len(times) && !times[j+1].After(g) {
			j++
		}
		if times[j].Equal(g) && !math.IsNaN(values[j]) {
			out[k] = values[j]
			continue
		}
		filled++
		lo := j
		for lo >= 0 && (math.IsNaN(values[lo]) || times[lo].After(g)) {
			lo--
		}
		hi := j + 1
		for hi < len(times) && math.IsNaN(values[hi]) {
			hi++
		}
		if lo < 0 || hi >= len(times) {
			out[k] = math.NaN()
			continue
		}
		f := float64(g.Sub(times[lo])) / float64(times[hi].Sub(times[lo]))
		out[k] = values[lo] + f*(values[hi]-values[lo])
	}
	return out, filled, nil
}
