package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// RefreshRollups recomputes the 5-minute and 1-hour rollups of up to limit
// hours that writes marked dirty, oldest first, and returns how many it
// refreshed. Each hour is recomputed from its points, never incremented:
// an overwritten point can lower a maximum, which no increment can undo.
// Concurrent refreshers take disjoint hours (SKIP LOCKED); a write that
// lands during a refresh marks its hour again, so nothing is missed.
func (db *DB) RefreshRollups(ctx context.Context, limit int) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `
		WITH claimed AS (
			DELETE FROM rollup_dirty d USING (
				SELECT series_id, hour FROM rollup_dirty ORDER BY hour LIMIT $1 FOR UPDATE SKIP LOCKED
			) pick
			WHERE d.series_id = pick.series_id AND d.hour = pick.hour
			RETURNING d.series_id, d.hour
		), fine AS (
			INSERT INTO rollup_5m (series_id, bucket, min, max, sum, count)
			SELECT p.series_id, to_timestamp(floor(extract(epoch FROM p.ts) / 300) * 300),
			       min(p.value), max(p.value), sum(p.value), count(*)
			FROM claimed c JOIN points p
			  ON p.series_id = c.series_id AND p.ts >= c.hour AND p.ts < c.hour + interval '1 hour'
			GROUP BY 1, 2
			ON CONFLICT (series_id, bucket) DO UPDATE
			SET min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, count = EXCLUDED.count
		), coarse AS (
			INSERT INTO rollup_1h (series_id, bucket, min, max, sum, count)
			SELECT p.series_id, c.hour, min(p.value), max(p.value), sum(p.value), count(*)
			FROM claimed c JOIN points p
			  ON p.series_id = c.series_id AND p.ts >= c.hour AND p.ts < c.hour + interval '1 hour'
			GROUP BY 1, 2
			ON CONFLICT (series_id, bucket) DO UPDATE
			SET min = EXCLUDED.min, max = EXCLUDED.max, sum = EXCLUDED.sum, count = EXCLUDED.count
		)
		SELECT count(*) FROM claimed`, limit).Scan(&n)
	})
	if err != nil {
		return 0, wrap(err, "refresh rollups")
	}
	return n, nil
}

// DeleteRollupsBefore removes 5-minute rollups older than fine and hourly
// ones older than coarse (rollups outlive the raw points they summarise).
func (db *DB) DeleteRollupsBefore(ctx context.Context, fine, coarse time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql string
		at  any
	}{
		{"DELETE FROM rollup_5m WHERE bucket < $1", fine},
		{"DELETE FROM rollup_1h WHERE bucket < $1", coarse},
	} {
		tag, err := db.Pool.Exec(ctx, q.sql, q.at)
		if err != nil {
			return total, wrap(err, "delete rollups")
		}
		total += tag.RowsAffected()
	}
	return total, nil
}
