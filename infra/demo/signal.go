package demo

import (
	"math"
	"time"
)

// Every random draw of a series is a hash of (seed, service, stream,
// minute), not a step of a sequential generator: any minute can be computed
// on its own, so a stream restarted tomorrow produces exactly the values an
// uninterrupted one would have, and a backfill can be written in any order.

// Noise streams: independent draws for the same service and minute.
const (
	streamRate = iota
	streamErr
	streamLat
	streamTail95
	streamTail99
	streamSlow
	streamCPU
	streamMem
)

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64
// ("Fast splittable pseudorandom number generators", OOPSLA 2014): a
// bijection on 64 bits whose output passes BigCrush for counter inputs.
func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// draw is the hash of one random draw.
func draw(seed uint64, svc, stream int, minute int64) uint64 {
	return splitmix64(splitmix64(splitmix64(seed^uint64(svc)<<32^uint64(stream)) ^ uint64(minute)))
}

// unit maps a hash to a uniform number in (0, 1), never 0 or 1.
func unit(h uint64) float64 { return (float64(h>>11) + 0.5) / (1 << 53) }

// normal is a standard normal draw by the Box–Muller transform (Box and
// Muller, "A note on the generation of random normal deviates", Ann. Math.
// Statist. 29, 1958): z = √(−2 ln u₁) cos(2π u₂).
func normal(h uint64) float64 {
	u1, u2 := unit(h), unit(splitmix64(h))
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// lognormal returns exp(σz − σ²/2): multiplicative noise with mean 1, the
// usual model for rates, which vary in proportion to their level.
func lognormal(sigma, z float64) float64 { return math.Exp(sigma*z - sigma*sigma/2) }

// daily is the share of the daily peak at UTC hour h (fractional): a
// Gaussian bump around the peak hour over a night floor,
//
//	daily(h) = floor + (1 − floor)·exp(−d²/(2w²)),  d = circular distance from h to the peak,
//
// which gives the flat night, steep morning ramp and single busy period of
// user-facing traffic.
func daily(h, peak, width, floor float64) float64 {
	d := math.Abs(h - peak)
	if d > 12 {
		d = 24 - d
	}
	return floor + (1-floor)*math.Exp(-d*d/(2*width*width))
}

// weekly is 1 on weekdays and the weekend share on Saturday and Sunday.
func weekly(t time.Time, weekend float64) float64 {
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return weekend
	}
	return 1
}

// hourOfDay is t's UTC hour with the minutes as a fraction.
func hourOfDay(t time.Time) float64 {
	return float64(t.Hour()) + float64(t.Minute())/60
}

// envelope is an incident's intensity at t: 0 outside [start, end), rising
// linearly over ramp, 1 at full strength, falling over ramp before end.
func envelope(t, start, end time.Time, ramp time.Duration) float64 {
	if t.Before(start) || !t.Before(end) {
		return 0
	}
	if ramp <= 0 {
		return 1
	}
	in := float64(t.Sub(start)+time.Minute) / float64(ramp)
	out := float64(end.Sub(t)) / float64(ramp)
	return math.Min(1, math.Min(in, out))
}
