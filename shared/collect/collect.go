// Package collect is the Prometheus pull collector: every scheduled run
// queries, for each registered service with a Prometheus source, the
// standard service metrics and stores them.
//
// A run is shaped by what can go wrong:
//   - Targets are collected in parallel by a bounded pool of workers, each
//     HTTP request under its own timeout, so a slow or dead Prometheus holds
//     up one worker for one timeout and never the others.
//   - Each target has a circuit breaker (package breaker), stored in
//     Postgres between runs: after a few consecutive failures the target is
//     skipped until a cool-down has passed, then tried once.
//   - Each target remembers the last minute it stored. When runs were
//     missed (Opsight was down, the circuit was open, a write failed) the
//     next success fills the gap with query_range, bounded and chunked, so
//     an outage of Opsight leaves no hole. Writes are idempotent, so
//     overlapping or retried runs are harmless.
//
// The run's "now" is the scheduled time it was invoked for, not the clock,
// so a late or retried invocation collects the minute it was meant to.
package collect

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/collect/breaker"
	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/postgres"
)

// Config tunes the collector. Zero fields take the defaults in parentheses.
type Config struct {
	Step              time.Duration  // spacing of collected points, the schedule's rate (1m)
	Window            time.Duration  // range of rate() and increase() in the templates (5m)
	Concurrency       int            // targets collected at once (8)
	RequestTimeout    time.Duration  // for each HTTP request to Prometheus (10s)
	MaxCatchUp        time.Duration  // how far back missed minutes are filled (24h)
	MaxSeriesPerQuery int            // a query returning more series is refused (50)
	Breaker           breaker.Policy // opens after Threshold failures for Cooldown (3, 5m)
	// SaveReserve is the part of the invocation's deadline kept for storing
	// points and state after the queries (3s).
	SaveReserve time.Duration
	// Now is the clock for invocations that carry no scheduled time
	// (time.Now).
	Now func() time.Time
	// HTTPClient makes the requests (a client with a 10s dial timeout and
	// no overall timeout: RequestTimeout bounds each request).
	HTTPClient *http.Client
}

// FromConfig maps the platform's validated configuration.
func FromConfig(c config.Collector) Config {
	return Config{
		Step: c.Step, Window: c.RateWindow, Concurrency: c.Concurrency, RequestTimeout: c.RequestTimeout,
		MaxCatchUp: c.MaxCatchUp, MaxSeriesPerQuery: c.MaxSeries,
		Breaker: breaker.Policy{Threshold: c.BreakerThreshold, Cooldown: c.BreakerCooldown},
	}
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Step, time.Minute)
	def(&c.Window, 5*time.Minute)
	def(&c.RequestTimeout, 10*time.Second)
	def(&c.MaxCatchUp, 24*time.Hour)
	def(&c.Breaker.Cooldown, 5*time.Minute)
	def(&c.SaveReserve, 3*time.Second)
	if c.Concurrency <= 0 {
		c.Concurrency = 8
	}
	if c.MaxSeriesPerQuery <= 0 {
		c.MaxSeriesPerQuery = 50
	}
	if c.Breaker.Threshold <= 0 {
		c.Breaker.Threshold = 3
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.HTTPClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 4
		c.HTTPClient = &http.Client{Transport: t}
	}
	return c
}

// Store is what the collector reads and writes; *postgres.DB is one.
type Store interface {
	Services(ctx context.Context, f aiops.ServiceFilter) ([]*aiops.Service, int, error)
	WriteSamples(ctx context.Context, batch []aiops.Samples, opt postgres.WriteOptions) (aiops.WriteResult, error)
	CollectorStates(ctx context.Context) (map[string]postgres.CollectorState, error)
	SaveCollectorState(ctx context.Context, st postgres.CollectorState) error
}

// Collector runs collections. It is safe for concurrent use.
type Collector struct {
	cfg   Config
	store Store
	log   *slog.Logger
	m     *metrics
}

// New returns a collector. Its metrics (opsight_collector_*) are registered
// with reg, which may be nil.
func New(cfg Config, store Store, log *slog.Logger, reg prometheus.Registerer) *Collector {
	return &Collector{cfg: cfg.withDefaults(), store: store, log: log, m: newMetrics(reg)}
}

// Run collects the minute of now (truncated to the step) for every target.
// Failures of single targets are in the summary; the error is for failures
// that stop the whole run (the service registry or the state unreadable).
func (c *Collector) Run(ctx context.Context, now time.Time) (*Summary, error) {
	began := time.Now()
	at := now.UTC().Truncate(c.cfg.Step)
	targets, err := c.targets(ctx)
	if err != nil {
		c.m.errors.WithLabelValues("registry").Inc()
		return nil, fmt.Errorf("collect: list services: %w", err)
	}
	states, err := c.store.CollectorStates(ctx)
	if err != nil {
		c.m.errors.WithLabelValues("state").Inc()
		return nil, fmt.Errorf("collect: read collector state: %w", err)
	}
	// Queries stop early enough to leave time for storing what they got.
	work := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		work, cancel = context.WithDeadline(ctx, dl.Add(-c.cfg.SaveReserve))
		defer cancel()
	}
	results := make([]targetResult, len(targets))
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, svc := range targets {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			t0 := time.Now()
			results[i] = c.collectTarget(ctx, work, svc, states[svc.Name], at)
			c.m.targetDuration.WithLabelValues(results[i].outcome).Observe(time.Since(t0).Seconds())
		}()
	}
	wg.Wait()
	sum := c.summarize(at, results)
	c.m.observeRun(sum, time.Since(began))
	c.log.InfoContext(ctx, "collection run", "minute", at, "targets", sum.Targets, "ok", sum.OK, "failed", sum.Failed,
		"skipped_open_circuit", sum.SkippedOpenCircuit, "points", sum.Points, "empty", sum.Empty,
		"caught_up", sum.CaughtUp, "query_errors", len(sum.QueryErrors), "duration", time.Since(began))
	return sum, nil
}

// targets lists the services with a Prometheus source, except retired ones.
func (c *Collector) targets(ctx context.Context) ([]*aiops.Service, error) {
	const page = 1000
	var out []*aiops.Service
	for offset := 0; ; offset += page {
		list, total, err := c.store.Services(ctx, aiops.ServiceFilter{HasPrometheus: true, Limit: page, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, s := range list {
			if s.Prometheus != nil && s.Status != "retired" {
				out = append(out, s)
			}
		}
		if len(list) < page || offset+len(list) >= total {
			return out, nil
		}
	}
}
