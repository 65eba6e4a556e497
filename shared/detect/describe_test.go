package detect

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSeverity(t *testing.T) {
	for _, c := range []struct {
		score float64
		want  Level
	}{
		{math.NaN(), None}, {0, None}, {0.49, None}, {0.5, Low}, {0.69, Low}, {0.7, Medium},
		{0.85, High}, {0.949, High}, {0.95, Critical}, {1, Critical},
	} {
		if got := Severity(c.score); got != c.want {
			t.Errorf("Severity(%v) = %v, want %v", c.score, got, c.want)
		}
	}
	if Critical.String() != "critical" || None.String() != "none" {
		t.Error("level names")
	}
}

func TestDescribe(t *testing.T) {
	tue := time.Date(2024, 3, 5, 14, 7, 0, 0, time.UTC)
	for _, c := range []struct {
		o    Observation
		with []string
		want string
	}{
		{Observation{"p95 latency", tue, 340, Point{Expected: 100, Season: SeasonWeekly}}, []string{"the error rate"},
			"p95 latency is 3.4x its usual Tuesday 14:00 level, together with the error rate"},
		{Observation{"CPU", tue, 55, Point{Expected: 100, Season: SeasonDaily}}, nil,
			"CPU is 45% below its usual 14:05 level"},
		{Observation{"memory", tue, 120, Point{Expected: 100}}, []string{"CPU", "restarts", "the error rate"},
			"memory is 20% above its recent level, together with CPU, restarts and the error rate"},
		{Observation{"error rate", tue, 0.12, Point{Expected: 0}}, nil,
			"error rate is 0.12 above its recent level (0)"},
		{Observation{"restarts", tue, 3, Point{Expected: math.NaN()}}, nil,
			"restarts is 3, with no usual level learned yet"},
	} {
		if got := Describe(c.o, c.with...); got != c.want {
			t.Errorf("Describe = %q\n          want %q", got, c.want)
		}
	}
}

func TestDescribeNearZeroExpected(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 36, 0, 0, time.UTC)
	got := Describe(Observation{Metric: "restarts", Time: at, Value: 2, Point: Point{Expected: 4.7e-77}})
	if strings.Contains(got, "x its") || !strings.Contains(got, "2 above") || !strings.HasSuffix(got, "(0)") {
		t.Errorf("Describe = %q, want an absolute difference", got)
	}
}
