package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Concurrency != 8 || cfg.Step != time.Minute || cfg.Window != 5*time.Minute || cfg.RequestTimeout != 10*time.Second ||
		cfg.MaxCatchUp != 24*time.Hour || cfg.MaxSeriesPerQuery != 50 || cfg.Breaker.Threshold != 3 || cfg.Breaker.Cooldown != 5*time.Minute {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestLoadConfigReportsEveryBadVariable(t *testing.T) {
	env := map[string]string{
		"COLLECTOR_CONCURRENCY":      "0",
		"COLLECTOR_STEP":             "soon",
		"COLLECTOR_BREAKER_COOLDOWN": "-5m",
		"COLLECTOR_MAX_CATCH_UP":     "6h",
	}
	_, err := loadConfig(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("accepted")
	}
	for _, name := range []string{"COLLECTOR_CONCURRENCY", "COLLECTOR_STEP", "COLLECTOR_BREAKER_COOLDOWN"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
	if strings.Contains(err.Error(), "COLLECTOR_MAX_CATCH_UP") {
		t.Errorf("error %q names a valid variable", err)
	}
}
