package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/collect"
)

// envVar documents one of the collector's environment variables. They live
// here until shared/config takes them over.
type envVar struct {
	Name, Default, Doc string
}

var envVars = []envVar{
	{"COLLECTOR_CONCURRENCY", "8", "Targets (services with a Prometheus source) collected at once."},
	{"COLLECTOR_STEP", "1m", "Spacing of collected points; keep it equal to the function's schedule rate."},
	{"COLLECTOR_RATE_WINDOW", "5m", "Range of rate() and increase() in the query templates ({{.Window}}); at least four scrape intervals."},
	{"COLLECTOR_REQUEST_TIMEOUT", "10s", "Timeout of each request to a Prometheus server."},
	{"COLLECTOR_MAX_CATCH_UP", "24h", "How far back missed minutes are filled after an outage."},
	{"COLLECTOR_MAX_SERIES", "50", "A metric query returning more series than this is refused (aggregate it)."},
	{"COLLECTOR_BREAKER_THRESHOLD", "3", "Consecutive failures that open a target's circuit."},
	{"COLLECTOR_BREAKER_COOLDOWN", "5m", "How long an open circuit skips its target before one trial."},
}

// loadConfig reads the collector's variables through getenv, reporting
// every invalid one at once.
func loadConfig(getenv func(string) string) (collect.Config, error) {
	var errs []error
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range envVars {
			if v.Name == name {
				return v.Default
			}
		}
		panic("collect-prometheus: undeclared variable " + name)
	}
	integer := func(name string, lo, hi int) int {
		s := get(name)
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s: want an integer from %d to %d, got %q", name, lo, hi, s))
		}
		return n
	}
	duration := func(name string, lo, hi time.Duration) time.Duration {
		s := get(name)
		d, err := time.ParseDuration(s)
		if err != nil || d < lo || d > hi {
			errs = append(errs, fmt.Errorf("%s: want a duration from %v to %v, got %q", name, lo, hi, s))
		}
		return d
	}
	cfg := collect.Config{
		Concurrency:       integer("COLLECTOR_CONCURRENCY", 1, 256),
		Step:              duration("COLLECTOR_STEP", time.Second, time.Hour),
		Window:            duration("COLLECTOR_RATE_WINDOW", time.Second, 24*time.Hour),
		RequestTimeout:    duration("COLLECTOR_REQUEST_TIMEOUT", 100*time.Millisecond, 5*time.Minute),
		MaxCatchUp:        duration("COLLECTOR_MAX_CATCH_UP", time.Minute, 31*24*time.Hour),
		MaxSeriesPerQuery: integer("COLLECTOR_MAX_SERIES", 1, 10000),
	}
	cfg.Breaker.Threshold = integer("COLLECTOR_BREAKER_THRESHOLD", 1, 1000)
	cfg.Breaker.Cooldown = duration("COLLECTOR_BREAKER_COOLDOWN", time.Second, 24*time.Hour)
	if err := errors.Join(errs...); err != nil {
		return collect.Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}
