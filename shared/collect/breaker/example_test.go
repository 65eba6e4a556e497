package breaker_test

import (
	"fmt"
	"time"

	"github.com/opsight/opsight/shared/collect/breaker"
)

// A target fails three runs in a row, is skipped while its circuit is
// open, and gets one trial after the cool-down.
func Example() {
	p := breaker.Policy{Threshold: 3, Cooldown: 5 * time.Minute}
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var s breaker.State // loaded from the database in real use
	for m := range 8 {
		now := start.Add(time.Duration(m) * time.Minute)
		if !s.Allow(now, p) {
			fmt.Printf("12:%02d skipped (%s)\n", m, s.Status(now, p))
			continue
		}
		trial := s.Status(now, p) == breaker.HalfOpen
		if m < 3 {
			s.Failure(now, p)
		} else {
			s.Success()
		}
		fmt.Printf("12:%02d tried (trial %v), now %s\n", m, trial, s.Status(now, p))
	}
	// Output:
	// 12:00 tried (trial false), now closed
	// 12:01 tried (trial false), now closed
	// 12:02 tried (trial false), now open
	// 12:03 skipped (open)
	// 12:04 skipped (open)
	// 12:05 skipped (open)
	// 12:06 skipped (open)
	// 12:07 tried (trial true), now closed
}
