package healthscore

import (
	"math"
	"testing"
)

func TestPartScore(t *testing.T) {
	for _, tt := range []struct{ v, want float64 }{{0, 100}, {0.01, 100}, {0.03, 50}, {0.05, 0}, {0.5, 0}} {
		if got := PartScore(tt.v, 0.01, 0.05); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("PartScore(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestCompute(t *testing.T) {
	parts := func(errRate, p95, cpu float64) []Part {
		return []Part{
			{Name: "error_rate", Value: errRate, Warn: 0.01, Critical: 0.05, Weight: WeightErrorRate},
			{Name: "latency_p95", Value: p95, Warn: 0.5, Critical: 2, Weight: WeightLatencyP95},
			{Name: "cpu", Value: cpu, Warn: 0.7, Critical: 0.95, Weight: WeightCPU},
		}
	}
	tests := []struct {
		name  string
		parts []Part
		score float64
		grade string
	}{
		{"healthy", parts(0.001, 0.2, 0.3), 100, "A"},
		{"errors half way", parts(0.03, 0.2, 0.3), 75, "B"},
		// Error rate critical: the weighted mean would be 50, the cap is 0+50.
		{"errors critical", parts(0.2, 0.2, 0.3), 50, "D"},
		// CPU critical alone: mean 80, capped at 50.
		{"cpu critical", parts(0.001, 0.2, 1.2), 50, "D"},
		{"all critical", parts(1, 10, 2), 0, "F"},
		{"latency missing", parts(0.03, math.NaN(), 0.3), 64, "C"}, // (0.5*50+0.2*100)/0.7
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(tt.parts)
			if r.Score != tt.score || r.Grade != tt.grade {
				t.Fatalf("score %v grade %s, want %v %s (parts %+v)", r.Score, r.Grade, tt.score, tt.grade, r.Parts)
			}
		})
	}
	if r := Compute(parts(math.NaN(), math.NaN(), math.NaN())); !math.IsNaN(r.Score) || r.Grade != "unknown" || len(r.Parts) != 0 {
		t.Fatalf("no data: %+v", r)
	}
}
