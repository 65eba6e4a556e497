// Package healthscore turns a service's recent error rate, p95 latency and
// CPU utilisation into one 0-100 score and a letter grade, with the parts
// kept so the dashboard can say why.
//
// Each part scores 100 at or below its warn threshold, 0 at or above its
// critical threshold, and linearly in between:
//
//	part = 100 × clamp((critical − value) / (critical − warn), 0, 1)
//
// The score is the weighted mean of the parts that have data (error rate
// 0.5, p95 latency 0.3, CPU 0.2; weights renormalised over the parts
// present), capped at the worst part + 50 so that one critical dimension
// cannot hide behind two healthy ones:
//
//	score = min(Σ wᵢ·partᵢ / Σ wᵢ, min(partᵢ) + 50)
//
// Grades: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, F below.
package healthscore

import "math"

// Part is one input dimension.
type Part struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Warn     float64 `json:"warn"`
	Critical float64 `json:"critical"`
	Weight   float64 `json:"weight"`
	Score    float64 `json:"score"`
}

// Result is a service's health.
type Result struct {
	// Score is 0-100; NaN when no part has data.
	Score float64 `json:"score"`
	Grade string  `json:"grade"`
	Parts []Part  `json:"parts"`
}

// Default weights of the standard parts.
const (
	WeightErrorRate  = 0.5
	WeightLatencyP95 = 0.3
	WeightCPU        = 0.2
	// maskCap is how far above its worst part a score may be.
	maskCap = 50
)

// PartScore scores one value against its thresholds (warn < critical).
func PartScore(value, warn, critical float64) float64 {
	return 100 * math.Max(0, math.Min(1, (critical-value)/(critical-warn)))
}

// Compute scores the parts; each part's Score field is filled in. Parts
// with a NaN value (no data) are left out.
func Compute(parts []Part) Result {
	res := Result{Parts: []Part{}}
	var sum, weights float64
	worst := math.Inf(1)
	for _, p := range parts {
		if math.IsNaN(p.Value) {
			continue
		}
		p.Score = math.Round(PartScore(p.Value, p.Warn, p.Critical)*10) / 10
		res.Parts = append(res.Parts, p)
		sum += p.Weight * p.Score
		weights += p.Weight
		worst = math.Min(worst, p.Score)
	}
	if weights == 0 {
		res.Score, res.Grade = math.NaN(), "unknown"
		return res
	}
	res.Score = math.Round(math.Min(sum/weights, worst+maskCap))
	res.Grade = Grade(res.Score)
	return res
}

// Grade maps a score to a letter.
func Grade(score float64) string {
	switch {
	case score >= 90:
		return "A"
	case score >= 75:
		return "B"
	case score >= 60:
		return "C"
	case score >= 40:
		return "D"
	default:
		return "F"
	}
}
