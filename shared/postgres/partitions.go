package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Points are partitioned by UTC day: a day's partition is created before its
// first point arrives (ahead of time by the maintenance run, on demand for
// backfills) and dropped whole when it leaves the retention window, which
// costs nothing compared with deleting rows.

// partitionLockKey serialises partition DDL between writers and maintenance.
const partitionLockKey int64 = 0x6f7073706172 // "opspar"

var day = 24 * time.Hour

func partitionName(d time.Time) string { return "points_p" + d.UTC().Format("20060102") }

// partitionCache remembers which day partitions exist, per pool, so the hot
// write path runs DDL only when a batch reaches a new day. It can go stale
// when another process drops a partition; the write path then forgets and
// retries (see WriteSamples).
type partitionCache struct {
	mu   sync.Mutex
	days map[time.Time]bool
}

func (c *partitionCache) has(d time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.days[d]
}

func (c *partitionCache) add(d time.Time) {
	c.mu.Lock()
	if c.days == nil {
		c.days = map[time.Time]bool{}
	}
	c.days[d] = true
	c.mu.Unlock()
}

func (c *partitionCache) reset() {
	c.mu.Lock()
	c.days = nil
	c.mu.Unlock()
}

// ensurePartitions makes sure a partition exists for every day from lo to
// hi (inclusive), in its own short transaction so the DDL's lock is not held
// through a long write.
func (db *DB) ensurePartitions(ctx context.Context, lo, hi time.Time) error {
	var missing []time.Time
	for d := lo.UTC().Truncate(day); !d.After(hi); d = d.Add(day) {
		if !db.parts.has(d) {
			missing = append(missing, d)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", partitionLockKey); err != nil {
			return wrap(err, "partition lock")
		}
		for _, d := range missing {
			sql := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s PARTITION OF points FOR VALUES FROM ('%s') TO ('%s')",
				partitionName(d), d.Format(time.RFC3339), d.Add(day).Format(time.RFC3339))
			if _, err := tx.Exec(ctx, sql); err != nil {
				return wrap(err, "create partition "+partitionName(d))
			}
		}
		for _, d := range missing {
			db.parts.add(d)
		}
		return nil
	})
}

// EnsurePartitionsAhead creates the partitions from today through days
// ahead, so the minute's writes never wait on DDL.
func (db *DB) EnsurePartitionsAhead(ctx context.Context, now time.Time, days int) error {
	today := now.UTC().Truncate(day)
	return db.ensurePartitions(ctx, today, today.Add(time.Duration(days)*day))
}

// DropPartitionsBefore drops every day partition that ends at or before
// cutoff and returns their names.
func (db *DB) DropPartitionsBefore(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'points'::regclass ORDER BY c.relname`)
	if err != nil {
		return nil, wrap(err, "list partitions")
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap(err, "list partitions")
	}
	var dropped []string
	for _, n := range names {
		d, err := time.Parse("points_p20060102", n)
		if err != nil || d.Add(day).After(cutoff) {
			continue
		}
		err = db.inTx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", partitionLockKey); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{n}.Sanitize())
			return err
		})
		if err != nil {
			return dropped, wrap(err, "drop partition "+n)
		}
		db.parts.reset()
		dropped = append(dropped, n)
	}
	return dropped, nil
}
