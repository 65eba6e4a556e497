// Package breaker is a circuit breaker whose state is a plain value, so it
// can live in a database between invocations of a function that keeps no
// memory: load the State, ask Allow, run the call, record the outcome with
// Success or Failure, store the State.
//
// The breaker is closed until Threshold consecutive failures open it. Once
// Cooldown has passed since it opened it is half-open: the next call is a
// trial, and its success closes the breaker while its failure opens it
// again for another Cooldown. A half-open state is not stored; it is what an
// open state becomes with time, so a trial that never reports (a crashed
// invocation) simply leaves the breaker due for another trial.
package breaker

import "time"

// Policy says when the breaker opens and how long it stays open.
type Policy struct {
	Threshold int           // consecutive failures that open the breaker; at least 1
	Cooldown  time.Duration // time open before a trial call is allowed
}

// Status is where the breaker stands at a given time.
type Status string

const (
	Closed   Status = "closed"
	Open     Status = "open"
	HalfOpen Status = "half_open"
)

// State is the breaker's stored state. The zero value is a closed breaker
// with no failures.
type State struct {
	Failures int       // consecutive failures
	OpenedAt time.Time // when the breaker last opened; zero while closed
}

// Status returns the breaker's status at now.
func (s State) Status(now time.Time, p Policy) Status {
	switch {
	case s.OpenedAt.IsZero():
		return Closed
	case now.Before(s.OpenedAt.Add(p.Cooldown)):
		return Open
	default:
		return HalfOpen
	}
}

// Allow reports whether a call may be made at now: always when closed, as
// a trial when half-open, never when open.
func (s State) Allow(now time.Time, p Policy) bool {
	return s.Status(now, p) != Open
}

// Success records a successful call: the breaker closes.
func (s *State) Success() {
	*s = State{}
}

// Failure records a failed call at now. It opens the breaker when the
// failures reach the threshold, and re-opens it (restarting the cool-down)
// when the call was a half-open trial.
func (s *State) Failure(now time.Time, p Policy) {
	if p.Threshold < 1 {
		panic("breaker: Policy.Threshold must be at least 1")
	}
	s.Failures++
	if !s.OpenedAt.IsZero() || s.Failures >= p.Threshold {
		s.OpenedAt = now
	}
}
