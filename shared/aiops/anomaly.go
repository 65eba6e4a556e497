package aiops

import "time"

// Anomaly is an episode: consecutive minutes in which a service's metrics
// behaved unusually, merged into one record an operator reads once.
type Anomaly struct {
	ID      int64     `json:"id"`
	Service string    `json:"service"`
	Start   time.Time `json:"start"`
	// End is the last anomalous minute seen; the episode may still be
	// going on while Open.
	End       time.Time `json:"end"`
	Open      bool      `json:"open"`
	PeakTime  time.Time `json:"peak_time"`
	PeakScore float64   `json:"peak_score"`
	// Severity is the severity of the peak: low, medium, high or critical.
	Severity string `json:"severity"`
	// Metrics are the metrics that were anomalous during the episode, the
	// peak's first.
	Metrics []string `json:"metrics"`
	// Description is the plain-language sentence for the peak.
	Description string `json:"description"`
	// Observed and Expected are the peak metric's value and usual level.
	Observed  float64   `json:"observed"`
	Expected  *float64  `json:"expected"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Severities in increasing order; a filter by severity keeps that level
// and those above it.
var Severities = []string{"low", "medium", "high", "critical"}

// SeverityRank returns the position of s in Severities, or -1.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// AnomalyFilter selects anomalies. Zero fields match everything.
type AnomalyFilter struct {
	Service     string
	MinSeverity string
	From, To    time.Time // episodes overlapping [From, To)
	Limit       int
	// Before pages backwards: episodes starting before this (start, id).
	BeforeStart time.Time
	BeforeID    int64
}
