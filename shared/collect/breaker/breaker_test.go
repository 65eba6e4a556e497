package breaker

import (
	"testing"
	"time"
)

func TestBreakerLifecycle(t *testing.T) {
	p := Policy{Threshold: 3, Cooldown: 5 * time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	var s State
	steps := []struct {
		minute int
		ok     bool   // outcome of the call, when allowed
		want   Status // status after recording it
	}{
		{0, false, Closed},
		{1, false, Closed},
		{2, true, Closed}, // a success resets the count
		{3, false, Closed},
		{4, false, Closed},
		{5, false, Open}, // third consecutive failure
		{6, false, Open}, // not allowed: nothing recorded
		{9, false, Open},
		{10, false, Open}, // half-open at 10: the trial fails, open again until 15
		{14, true, Open},  // not allowed
		{15, true, Closed},
	}
	for _, st := range steps {
		now := at(st.minute)
		if s.Allow(now, p) {
			if st.ok {
				s.Success()
			} else {
				s.Failure(now, p)
			}
		}
		if got := s.Status(now, p); got != st.want {
			t.Fatalf("minute %d: status %s, want %s (state %+v)", st.minute, got, st.want, s)
		}
	}
	if s != (State{}) {
		t.Errorf("closed state = %+v, want zero", s)
	}
}

func TestHalfOpen(t *testing.T) {
	p := Policy{Threshold: 1, Cooldown: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var s State
	s.Failure(t0, p)
	for _, tc := range []struct {
		after time.Duration
		want  Status
	}{{0, Open}, {59 * time.Second, Open}, {time.Minute, HalfOpen}, {time.Hour, HalfOpen}} {
		if got := s.Status(t0.Add(tc.after), p); got != tc.want {
			t.Errorf("after %v: %s, want %s", tc.after, got, tc.want)
		}
	}
}

func TestFailurePanicsOnBadPolicy(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for Threshold 0")
		}
	}()
	var s State
	s.Failure(time.Now(), Policy{})
}
