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

// Severity thresholds on the score. With Score = 1/(1+(P_n/(1-P_n))^(1/4))
// (see ScoreOf), each is a bound on P_n, the probability that a point this
// extreme would appear anywhere in the detector's memory of n points by
// chance:
//
//	low       score ≥ 0.50   P_n ≤ 0.5       more likely news than noise
//	medium    score ≥ 0.70   P_n ≤ 0.033
//	high      score ≥ 0.85   P_n ≤ 9.7e-4
//	critical  score ≥ 0.95   P_n ≤ 7.7e-6
//
// The multivariate scores (Ensemble) use the same mapping against their
// training rows, so the thresholds mean the same there.
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
