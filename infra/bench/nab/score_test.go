package nab

import (
	"context"
	"testing"

	"github.com/opsight/opsight/shared/detect"
)

// TestStreamScore runs the streaming detector with its default settings
// over the whole corpus (a few seconds) and guards its NAB scores against
// regressions: 70.76, 75.05 and 64.56 when last measured, checked with a
// margin of 0.5.
func TestStreamScore(t *testing.T) {
	c, _ := loadCorpus(t)
	scores, _, err := Run(context.Background(), c, StreamDetector(detect.DefaultConfig()), 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(c, scores)
	if err != nil {
		t.Fatal(err)
	}
	floor := map[string]float64{"standard": 70.2, "reward_low_FN_rate": 74.5, "reward_low_FP_rate": 64.0}
	for _, r := range res {
		t.Logf("%s: %.2f at threshold %.4f", r.Profile.Name, r.Normalized, r.Threshold)
		if want, ok := floor[r.Profile.Name]; ok && r.Normalized < want {
			t.Errorf("%s: NAB score %.2f, want at least %.1f", r.Profile.Name, r.Normalized, want)
		}
	}
}
