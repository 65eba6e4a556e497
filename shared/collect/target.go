package collect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/promql"
)

// Target outcomes, as counted in the summary and the metrics.
const (
	outcomeOK       = "ok"
	outcomeFailed   = "failed"
	outcomeSkipped  = "skipped_open_circuit"
	outcomeCanceled = "canceled" // the invocation ran out of time first
)

// targetResult is what collecting one target did.
type targetResult struct {
	service     string
	outcome     string
	err         error // why the target failed or was skipped
	state       postgres.CollectorState
	points      int
	empty       int  // metrics without data
	caughtUp    bool // missed minutes were filled
	queryErrors []QueryError
}

// collectTarget collects one service at the scheduled time at. Queries run
// under work; storing points and state under ctx, which the invocation's
// deadline alone bounds.
func (c *Collector) collectTarget(ctx, work context.Context, svc *aiops.Service, st postgres.CollectorState, at time.Time) targetResult {
	src := svc.Prometheus
	if st.SourceURL != src.URL {
		// A new server: its breaker starts closed. The last collected
		// minute stays, so a moved Prometheus is caught up from it.
		st = postgres.CollectorState{Service: svc.Name, SourceURL: src.URL, LastCollected: st.LastCollected}
	}
	r := targetResult{service: svc.Name, state: st}
	started := time.Now()
	if !st.Breaker.Allow(at, c.cfg.Breaker) {
		r.outcome = outcomeSkipped
		r.err = fmt.Errorf("circuit open until %s after %d failures; last error: %s",
			st.Breaker.OpenedAt.Add(c.cfg.Breaker.Cooldown).Format(time.RFC3339), st.Breaker.Failures, st.LastError)
		return r
	}
	from := c.catchUpFrom(st.LastCollected, at)
	r.caughtUp = from.Before(at)
	batch, err := c.query(work, svc, from, at, &r)
	switch {
	case err != nil && work.Err() != nil:
		// Out of time: says nothing about the target. Leave its state as
		// it was; the next run catches up.
		r.outcome, r.err = outcomeCanceled, err
		return r
	case err != nil:
		r.outcome, r.err = outcomeFailed, err
		r.state.Breaker.Failure(at, c.cfg.Breaker)
	default:
		if len(batch) > 0 {
			_, err = c.store.WriteSamples(ctx, batch, postgres.WriteOptions{})
		}
		if err != nil {
			// The database's failure, not the target's: the breaker is
			// left alone, and the gap is filled once writes work again.
			c.m.errors.WithLabelValues("write").Inc()
			r.outcome, r.err = outcomeFailed, fmt.Errorf("store points: %w", err)
		} else {
			r.outcome = outcomeOK
			r.state.Breaker.Success()
			r.state.LastCollected = at
			r.points = pointsIn(batch)
		}
	}
	r.state.LastAttempt = at
	r.state.LastDuration = time.Since(started)
	r.state.Points = r.points
	r.state.LastError = ""
	if r.err != nil {
		r.state.LastError = r.err.Error()
	}
	if err := c.store.SaveCollectorState(ctx, r.state); err != nil {
		c.m.errors.WithLabelValues("state").Inc()
		c.log.ErrorContext(ctx, "save collector state", "service", svc.Name, "err", err)
	}
	return r
}

// catchUpFrom returns the first minute to collect: at itself normally, or
// the minute after the last one stored when runs were missed, at most
// MaxCatchUp back. A target never collected starts at at: catch-up fills
// gaps in what the collector stored, it does not import a service's past.
func (c *Collector) catchUpFrom(last, at time.Time) time.Time {
	if last.IsZero() || !last.Before(at) {
		return at
	}
	missed := int64(at.Sub(last)/c.cfg.Step) - 1
	missed = min(missed, int64(c.cfg.MaxCatchUp/c.cfg.Step))
	if missed <= 0 {
		return at
	}
	return at.Add(-time.Duration(missed) * c.cfg.Step)
}

// query runs every standard metric's query of svc for the minutes from..at
// and returns the samples to store. A template that cannot be rendered, a
// query Prometheus rejects or an answer that cannot be stored is a query
// error of that metric (in r); an unwell server is the target's failure,
// returned at once so a dead server costs one timeout, not nine.
func (c *Collector) query(ctx context.Context, svc *aiops.Service, from, at time.Time, r *targetResult) ([]aiops.Samples, error) {
	src := svc.Prometheus
	client, err := promql.NewClient(src.URL, c.cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	templates, errs := promql.Templates(src.Queries)
	for _, err := range errs {
		var te *promql.TemplateError
		errors.As(err, &te)
		r.queryError(te.Metric, "template", err)
		c.m.errors.WithLabelValues("template").Inc()
	}
	data := promql.Data{Service: svc.Name, Selector: src.Selector, Window: promDuration(c.cfg.Window), Step: promDuration(c.cfg.Step)}
	var batch []aiops.Samples
	for _, tpl := range templates {
		q, err := tpl.Render(data)
		if err != nil {
			r.queryError(tpl.Metric, "template", err)
			c.m.errors.WithLabelValues("template").Inc()
			continue
		}
		series, err := c.fetch(ctx, client, q, from, at)
		if promql.Unavailable(err) {
			c.m.errors.WithLabelValues("target").Inc()
			return nil, fmt.Errorf("%s: %w", tpl.Metric, err)
		}
		if err != nil {
			r.queryError(tpl.Metric, "query", err)
			c.m.errors.WithLabelValues("query").Inc()
			continue
		}
		samples, err := c.toSamples(svc.Name, tpl.Metric, series, at)
		if err != nil {
			r.queryError(tpl.Metric, "answer", err)
			c.m.errors.WithLabelValues("query").Inc()
			continue
		}
		if len(samples) == 0 {
			r.empty++
		}
		batch = append(batch, samples...)
	}
	return batch, nil
}

// fetch evaluates q at at, or at every step from from to at with
// query_range in chunks Prometheus accepts, merging the chunks' series.
func (c *Collector) fetch(ctx context.Context, client *promql.Client, q string, from, at time.Time) ([]promql.Series, error) {
	if !from.Before(at) {
		res, err := c.timed(ctx, func(ctx context.Context) (*promql.Result, error) { return client.Query(ctx, q, at) })
		if err != nil {
			return nil, err
		}
		return res.Series, nil
	}
	var merged []promql.Series
	index := map[string]int{}
	span := time.Duration(promql.MaxPointsPerSeries-1) * c.cfg.Step
	for start := from; !start.After(at); {
		end := start.Add(span)
		if end.After(at) {
			end = at
		}
		res, err := c.timed(ctx, func(ctx context.Context) (*promql.Result, error) {
			return client.QueryRange(ctx, q, start, end, c.cfg.Step)
		})
		if err != nil {
			return nil, err
		}
		for _, s := range res.Series {
			k := labelsKey(s.Labels)
			if i, ok := index[k]; ok {
				merged[i].Points = append(merged[i].Points, s.Points...)
				continue
			}
			index[k] = len(merged)
			merged = append(merged, s)
		}
		start = end.Add(c.cfg.Step)
	}
	return merged, nil
}

// timed runs one request under the per-request timeout and observes it.
func (c *Collector) timed(ctx context.Context, do func(context.Context) (*promql.Result, error)) (*promql.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	began := time.Now()
	res, err := do(ctx)
	c.m.queryDuration.Observe(time.Since(began).Seconds())
	return res, err
}

// toSamples turns a metric's answer into storable samples: __name__ is
// dropped (the metric is the standard name), non-finite values are no data
// (a ratio without traffic, a quantile without requests), and a series the
// store would refuse is this metric's error rather than the whole batch's.
func (c *Collector) toSamples(service, metric string, series []promql.Series, at time.Time) ([]aiops.Samples, error) {
	if len(series) > c.cfg.MaxSeriesPerQuery {
		return nil, fmt.Errorf("the query returned %d series, more than %d: aggregate it (sum, max, ...)", len(series), c.cfg.MaxSeriesPerQuery)
	}
	var out []aiops.Samples
	for _, s := range series {
		labels := maps.Clone(s.Labels)
		delete(labels, "__name__")
		pts := make([]aiops.Point, 0, len(s.Points))
		for _, p := range s.Points {
			if !math.IsNaN(p.V) && !math.IsInf(p.V, 0) {
				pts = append(pts, p)
			}
		}
		if len(pts) == 0 {
			continue
		}
		smp := aiops.Samples{SeriesKey: aiops.SeriesKey{Service: service, Metric: metric, Labels: labels}, Points: pts}
		if err := aiops.ValidateSamples([]aiops.Samples{smp}, at); err != nil {
			return nil, err
		}
		out = append(out, smp)
	}
	return out, nil
}

func (r *targetResult) queryError(metric, kind string, err error) {
	r.queryErrors = append(r.queryErrors, QueryError{Service: r.service, Metric: metric, Kind: kind, Error: err.Error()})
}

func pointsIn(batch []aiops.Samples) int {
	n := 0
	for _, s := range batch {
		n += len(s.Points)
	}
	return n
}

// labelsKey is a canonical form of a label set.
func labelsKey(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%q=%q,", k, m[k])
	}
	return b.String()
}

// promDuration writes d as a PromQL duration (5m, 90s), which unlike
// time.Duration's "5m0s" every Prometheus version parses.
func promDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	default:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
}
