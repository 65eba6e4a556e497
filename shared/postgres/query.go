package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/aiops"
)

// Bucket is one step of a range query: the aggregate of the points in
// [T, T+step).
type Bucket struct {
	T     time.Time
	Avg   float64
	Min   float64
	Max   float64
	Count int64
}

// RangeQuery asks for one series between From (inclusive) and To
// (exclusive) in buckets of Step.
type RangeQuery struct {
	SeriesID int64
	From, To time.Time
	Step     time.Duration
}

// Sources of a range query, chosen by step.
const (
	SourceRaw = "raw"
	Source5m  = "rollup_5m"
	Source1h  = "rollup_1h"
)

// QueryRange returns the buckets of q that hold points, in time order, and
// the table they came from. Steps that are multiples of an hour read the
// hourly rollups and multiples of five minutes the 5-minute ones; hours
// whose rollups are not yet refreshed are read from the points instead, so
// the answer is always exact.
func (db *DB) QueryRange(ctx context.Context, q RangeQuery) ([]Bucket, string, error) {
	if q.Step <= 0 || !q.To.After(q.From) {
		return nil, "", errors.New("postgres: QueryRange needs a positive step and From < To")
	}
	step := q.Step.Seconds()
	var sql, source string
	switch {
	case q.Step%time.Hour == 0:
		source, sql = Source1h, rollupQuery("rollup_1h")
	case q.Step%(5*time.Minute) == 0:
		source, sql = Source5m, rollupQuery("rollup_5m")
	default:
		source, sql = SourceRaw, `
		SELECT to_timestamp(floor(extract(epoch FROM ts) / $4) * $4) AS b,
		       avg(value), min(value), max(value), count(*)
		FROM points WHERE series_id = $1 AND ts >= $2 AND ts < $3
		GROUP BY b ORDER BY b`
	}
	rows, err := db.Pool.Query(ctx, sql, q.SeriesID, q.From, q.To, step)
	if err != nil {
		return nil, "", wrap(err, "query range")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Bucket, error) {
		var b Bucket
		err := row.Scan(&b.T, &b.Avg, &b.Min, &b.Max, &b.Count)
		b.T = b.T.UTC()
		return b, err
	})
	if err != nil {
		return nil, "", wrap(err, "query range")
	}
	return out, source, nil
}

// rollupQuery reads buckets from a rollup table, and the raw points of the
// hours still marked dirty.
func rollupQuery(table string) string {
	return strings.ReplaceAll(`
	WITH dirty AS (
		SELECT hour FROM rollup_dirty
		WHERE series_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) AND hour < $3
	), parts AS (
		SELECT bucket AS t, min, max, sum, count FROM TABLE r
		WHERE r.series_id = $1 AND r.bucket >= $2 AND r.bucket < $3
		  AND date_trunc('hour', r.bucket) NOT IN (SELECT hour FROM dirty)
		UNION ALL
		SELECT ts, value, value, value, 1 FROM points p
		WHERE p.series_id = $1 AND p.ts >= $2 AND p.ts < $3
		  AND date_trunc('hour', p.ts) IN (SELECT hour FROM dirty)
	)
	SELECT to_timestamp(floor(extract(epoch FROM t) / $4) * $4) AS b,
	       sum(sum) / sum(count), min(min), max(max), sum(count)::bigint
	FROM parts GROUP BY b ORDER BY b`, "TABLE", table)
}

// SeriesFilter selects series. Labels must all match.
type SeriesFilter struct {
	Service string
	Metric  string
	Labels  map[string]string
	Limit   int
}

// FindSeries lists series matching f, by service, metric and labels.
func (db *DB) FindSeries(ctx context.Context, f SeriesFilter) ([]aiops.Series, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	labels := f.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT s.id, v.name, s.metric, s.labels, s.first_point, s.last_point
		FROM series s JOIN services v ON v.id = s.service_id
		WHERE ($1 = '' OR v.name = $1) AND ($2 = '' OR s.metric = $2) AND s.labels @> $3
		ORDER BY v.name, s.metric, s.labels::text LIMIT $4`, f.Service, f.Metric, labels, limit)
	if err != nil {
		return nil, wrap(err, "find series")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (aiops.Series, error) {
		var s aiops.Series
		err := row.Scan(&s.ID, &s.Service, &s.Metric, &s.Labels, &s.FirstPoint, &s.LastPoint)
		return s, err
	})
	if err != nil {
		return nil, wrap(err, "find series")
	}
	return out, nil
}

// SeriesByID returns one series, or ENOTFOUND.
func (db *DB) SeriesByID(ctx context.Context, id int64) (aiops.Series, error) {
	var s aiops.Series
	err := db.Pool.QueryRow(ctx, `
		SELECT s.id, v.name, s.metric, s.labels, s.first_point, s.last_point
		FROM series s JOIN services v ON v.id = s.service_id WHERE s.id = $1`, id).
		Scan(&s.ID, &s.Service, &s.Metric, &s.Labels, &s.FirstPoint, &s.LastPoint)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, &aiops.Error{Code: aiops.ENOTFOUND, Field: "series", Message: fmt.Sprintf("no series with id %d", id)}
	}
	return s, wrap(err, "get series")
}

// ServiceMetricAverages returns, for each of metrics that has points in
// [from, to), the average over that window of the service's unlabelled
// series: the service-level aggregate that the collector and agents write
// for the standard metrics.
func (db *DB) ServiceMetricAverages(ctx context.Context, service string, metrics []string, from, to time.Time) (map[string]float64, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.metric, avg(p.value)
		FROM series s JOIN services v ON v.id = s.service_id
		JOIN points p ON p.series_id = s.id AND p.ts >= $3 AND p.ts < $4
		WHERE v.name = $1 AND s.metric = ANY($2) AND s.labels = '{}'::jsonb
		GROUP BY s.metric`, service, metrics, from, to)
	if err != nil {
		return nil, wrap(err, "service averages")
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var m string
		var v float64
		if err := rows.Scan(&m, &v); err != nil {
			return nil, wrap(err, "service averages")
		}
		out[m] = v
	}
	return out, wrap(rows.Err(), "service averages")
}
