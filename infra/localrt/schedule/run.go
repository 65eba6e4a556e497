package schedule

import (
	"context"
	"time"
)

// Clock is the time source of Run. Tests pass one that jumps ahead instead
// of sleeping.
type Clock struct {
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
var RealClock = Clock{Now: time.Now, After: time.After}

// Entry is one schedule to run.
type Entry struct {
	Name     string
	Schedule *Schedule
}

// Run calls fire for each entry at each due time until ctx is done. Rates
// are anchored at the time Run starts. fire runs on Run's goroutine and
// should hand long work off (scheduled invocations are asynchronous in AWS
// too); due times that passed while fire ran are fired late, not skipped.
func Run(ctx context.Context, clock Clock, entries []Entry, fire func(e Entry, due time.Time)) {
	start := clock.Now()
	next := make([]time.Time, len(entries))
	for i, e := range entries {
		next[i] = e.Schedule.Next(start)
	}
	for {
		i := earliest(next)
		if i < 0 {
			return // nothing will ever be due again
		}
		if wait := next[i].Sub(clock.Now()); wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-clock.After(wait):
			}
			continue // re-read the clock: it may not have reached next[i]
		}
		if ctx.Err() != nil {
			return
		}
		fire(entries[i], next[i])
		next[i] = entries[i].Schedule.Next(next[i])
	}
}

// earliest returns the index of the soonest non-zero time, or -1.
func earliest(ts []time.Time) int {
	best := -1
	for i, t := range ts {
		if !t.IsZero() && (best < 0 || t.Before(ts[best])) {
			best = i
		}
	}
	return best
}
