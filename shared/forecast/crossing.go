package forecast

import "fmt"

// Direction says which side of a threshold is the breach.
type Direction int

const (
	// Above: the breach is reaching or exceeding the threshold (disk 90%).
	Above Direction = iota
	// Below: the breach is falling to or under it (free memory 1 GiB).
	Below
)

// Crossing is when a forecast first breaches a threshold. Steps count from 1
// (the first step after the history); 0 means no breach within the
// forecast.
type Crossing struct {
	// Mean is the first step whose point forecast breaches.
	Mean int `json:"mean"`
	// Earliest is the first step whose interval bound on the breach side
	// (the upper bound for Above) breaches: before it, a breach is unlikely
	// at the interval's level.
	Earliest int `json:"earliest"`
	// Latest is the first step whose other bound (the lower bound for
	// Above) breaches: from then on the breach is likely even at the
	// optimistic end of the interval.
	Latest int `json:"latest"`
}

// Crossing finds when p first breaches threshold in direction dir, using the
// interval of the given level for Earliest and Latest; p must hold that
// level. This is the capacity ETA: multiply the steps by the series' step.
func (p *Prediction) Crossing(threshold float64, dir Direction, level float64) (Crossing, error) {
	iv := p.Interval(level)
	if iv == nil {
		return Crossing{}, fmt.Errorf("%w: the prediction has no %v%% interval", ErrBadOptions, level)
	}
	if dir != Above && dir != Below {
		return Crossing{}, fmt.Errorf("%w: direction %d", ErrBadOptions, dir)
	}
	breach := func(v float64) bool {
		if dir == Above {
			return v >= threshold
		}
		return v <= threshold
	}
	near, far := iv.Upper, iv.Lower
	if dir == Below {
		near, far = iv.Lower, iv.Upper
	}
	return Crossing{Mean: first(p.Mean, breach), Earliest: first(near, breach), Latest: first(far, breach)}, nil
}

func first(x []float64, breach func(float64) bool) int {
	for i, v := range x {
		if breach(v) {
			return i + 1
		}
	}
	return 0
}
