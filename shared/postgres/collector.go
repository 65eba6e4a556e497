package postgres

import (
	"context"
	"time"

	"github.com/opsight/opsight/shared/collect/breaker"
)

// CollectorState is what the Prometheus collector remembers about one
// service between runs.
type CollectorState struct {
	Service   string
	SourceURL string
	// LastCollected is the last scheduled time whose points are stored;
	// zero before the first success.
	LastCollected time.Time
	Breaker       breaker.State
	LastAttempt   time.Time // zero before the first attempt
	LastError     string    // of the last attempt; "" when it succeeded
	// LastDuration and Points describe the last attempt; saving an attempt
	// adds to the target's totals (see CollectorTargetStats).
	LastDuration time.Duration
	Points       int
}

// CollectorStates returns the stored state of every service the collector
// has seen, by service name.
func (db *DB) CollectorStates(ctx context.Context) (map[string]CollectorState, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.name, c.source_url, c.last_collected, c.consecutive_failures, c.circuit_opened_at, c.last_attempt, c.last_error
		FROM collector_targets c JOIN services s ON s.id = c.service_id`)
	if err != nil {
		return nil, wrap(err, "collector states")
	}
	defer rows.Close()
	out := map[string]CollectorState{}
	for rows.Next() {
		var st CollectorState
		var last, opened, attempt *time.Time
		if err := rows.Scan(&st.Service, &st.SourceURL, &last, &st.Breaker.Failures, &opened, &attempt, &st.LastError); err != nil {
			return nil, wrap(err, "scan collector state")
		}
		st.LastCollected, st.Breaker.OpenedAt, st.LastAttempt = fromOptTime(last), fromOptTime(opened), fromOptTime(attempt)
		out[st.Service] = st
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(err, "collector states")
	}
	return out, nil
}

// SaveCollectorState stores st. LastCollected never moves backwards, so a
// late or retried run of an earlier minute cannot reopen a filled gap. A
// service deleted meanwhile is no error: there is nothing left to collect.
func (db *DB) SaveCollectorState(ctx context.Context, st CollectorState) error {
	_, err := db.Pool.Exec(ctx, `
		INSERT INTO collector_targets AS c (service_id, source_url, last_collected, consecutive_failures,
			circuit_opened_at, last_attempt, last_error, updated_at,
			attempts_total, failures_total, points_total, last_duration_ms)
		SELECT id, $2, $3, $4, $5, $6, $7, now(), 1, ($7 <> '')::int, $8, $9 FROM services WHERE name = $1
		ON CONFLICT (service_id) DO UPDATE SET
			source_url = EXCLUDED.source_url,
			last_collected = GREATEST(c.last_collected, EXCLUDED.last_collected),
			consecutive_failures = EXCLUDED.consecutive_failures,
			circuit_opened_at = EXCLUDED.circuit_opened_at,
			last_attempt = EXCLUDED.last_attempt,
			last_error = EXCLUDED.last_error,
			updated_at = now(),
			attempts_total = c.attempts_total + 1,
			failures_total = c.failures_total + EXCLUDED.failures_total,
			points_total = c.points_total + EXCLUDED.points_total,
			last_duration_ms = EXCLUDED.last_duration_ms`,
		st.Service, st.SourceURL, optTime(st.LastCollected), st.Breaker.Failures,
		optTime(st.Breaker.OpenedAt), optTime(st.LastAttempt), st.LastError,
		st.Points, float64(st.LastDuration)/float64(time.Millisecond))
	return wrap(err, "save collector state")
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromOptTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// CollectorTargetStats is one target's record for the platform's metrics.
type CollectorTargetStats struct {
	Service             string
	Attempts, Failures  int64
	Points              int64
	ConsecutiveFailures int
	CircuitOpen         bool
	LastSuccess         time.Time // zero: never
	LastDuration        time.Duration
}

// CollectorTargetStats returns every collector target's totals.
func (db *DB) CollectorTargetStats(ctx context.Context) ([]CollectorTargetStats, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.name, c.attempts_total, c.failures_total, c.points_total, c.consecutive_failures,
		       c.circuit_opened_at IS NOT NULL, c.last_collected, c.last_duration_ms
		FROM collector_targets c JOIN services s ON s.id = c.service_id ORDER BY s.name`)
	if err != nil {
		return nil, wrap(err, "collector stats")
	}
	defer rows.Close()
	var out []CollectorTargetStats
	for rows.Next() {
		var st CollectorTargetStats
		var last *time.Time
		var ms float64
		if err := rows.Scan(&st.Service, &st.Attempts, &st.Failures, &st.Points, &st.ConsecutiveFailures, &st.CircuitOpen, &last, &ms); err != nil {
			return nil, wrap(err, "collector stats")
		}
		st.LastSuccess, st.LastDuration = fromOptTime(last), time.Duration(ms*float64(time.Millisecond))
		out = append(out, st)
	}
	return out, wrap(rows.Err(), "collector stats")
}
