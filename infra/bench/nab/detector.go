package nab

import (
	"time"

	"github.com/opsight/opsight/shared/detect"
)

// StreamDetector runs Opsight's streaming detector with cfg, the same
// settings on every file: a new detector per file, fed row by row, so each
// score depends only on the rows before and at it.
func StreamDetector(cfg detect.Config) DetectFunc {
	return func(times []time.Time, values []float64, dst []float64) {
		s := detect.NewStream(cfg)
		for i, t := range times {
			dst[i] = s.Update(t, values[i]).Score
		}
	}
}
