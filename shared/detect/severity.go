package detect

import "math"

// Level is an anomaly's severity.
type Level int

// Severities, from none to critical.
const (
	None Level = iota
	Low
	Medium
	High
	Critical
)

func (l Level) String() string {
	switch l {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	case Critical:
		return "critical"
	}
	return "none"
}

// Severity thresholds on the score. With Score = 1/(1+(n·p)^(1/4)) (see
// ScoreOf), each is a bound on n·p, the number of points as extreme as this
// one expected in the detector's memory of n points:
//
//	low       score ≥ 0.50   n·p ≤ 1        as rare as the rarest point in memory
//	medium    score ≥ 0.70   n·p ≤ 0.034    ~30x rarer than that
//	high      score ≥ 0.85   n·p ≤ 9.7e-4   ~1,000x rarer
//	critical  score ≥ 0.95   n·p ≤ 7.7e-6   ~100,000x rarer
//
// The multivariate scores (Ensemble) use the same thresholds: they are
// calibrated to the same scale against their training rows.
const (
	LowScore      = 0.50
	MediumScore   = 0.70
	HighScore     = 0.85
	CriticalScore = 0.95
)

// Severity returns the level of a score in [0, 1]; NaN is None.
func Severity(score float64) Level {
	switch {
	case math.IsNaN(score) || score < LowScore:
		return None
	case score < MediumScore:
		return Low
	case score < HighScore:
		return Medium
	case score < CriticalScore:
		return High
	}
	return Critical
}
