package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/opsight/opsight/shared/aiops"
)

// WriteOptions tune WriteSamples.
type WriteOptions struct {
	// CreateServices registers services a batch names that do not exist;
	// otherwise such a batch is ENOTFOUND.
	CreateServices bool
}

// seriesRef is one distinct series of a batch and its points, deduplicated
// and in time order.
type seriesRef struct {
	key    aiops.SeriesKey
	labels []byte // canonical JSON, the series table's identity
	index  int    // first batch item with this series, for error messages
	id     int64
	points []aiops.Point
}

// WriteSamples stores a validated batch (see aiops.ValidateSamples) in one
// transaction: every point or none. The same (series, timestamp) keeps one
// point, the last written: a later point in the same batch wins, and a
// point already stored is overwritten. Points are copied (pgx CopyFrom) into
// a session-local staging table and merged into the partitioned points
// table with one INSERT ... ON CONFLICT; the hours touched are marked for
// the rollup refresh.
func (db *DB) WriteSamples(ctx context.Context, batch []aiops.Samples, opt WriteOptions) (aiops.WriteResult, error) {
	refs, err := groupSeries(batch)
	if err != nil {
		return aiops.WriteResult{}, err
	}
	res := aiops.WriteResult{Series: len(refs)}
	if len(refs) == 0 {
		return res, nil
	}
	lo, hi := refs[0].points[0].T, refs[0].points[0].T
	for _, r := range refs {
		lo = minTime(lo, r.points[0].T)
		hi = maxTime(hi, r.points[len(r.points)-1].T)
		res.Points += len(r.points)
	}
	for attempt := 0; ; attempt++ {
		if err := db.ensurePartitions(ctx, lo, hi); err != nil {
			return aiops.WriteResult{}, err
		}
		err = db.inTx(ctx, func(tx pgx.Tx) error {
			return db.writeTx(ctx, tx, refs, opt, &res)
		})
		if isMissingPartition(err) && attempt == 0 {
			// Another process dropped a partition we believed in.
			db.parts.reset()
			res.CreatedSeries, res.CreatedServices = 0, 0
			continue
		}
		if err != nil {
			return aiops.WriteResult{}, err
		}
		return res, nil
	}
}

func (db *DB) writeTx(ctx context.Context, tx pgx.Tx, refs []*seriesRef, opt WriteOptions, res *aiops.WriteResult) error {
	serviceIDs, created, err := resolveServices(ctx, tx, refs, opt.CreateServices)
	if err != nil {
		return err
	}
	res.CreatedServices = created
	if res.CreatedSeries, err = resolveSeries(ctx, tx, refs, serviceIDs); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS points_staging (
		series_id bigint, ts timestamptz, value double precision) ON COMMIT DELETE ROWS`); err != nil {
		return wrap(err, "staging table")
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"points_staging"}, []string{"series_id", "ts", "value"}, &pointRows{refs: refs, p: -1})
	if err != nil {
		return wrap(err, "copy points")
	}
	if int(n) != res.Points {
		return fmt.Errorf("copy points: copied %d of %d", n, res.Points)
	}
	if err := mergePoints(ctx, tx); err != nil {
		return err
	}
	if err := markDirtyHours(ctx, tx, refs); err != nil {
		return err
	}
	ids := make([]int64, len(refs))
	firsts := make([]time.Time, len(refs))
	lasts := make([]time.Time, len(refs))
	for i, r := range refs {
		ids[i], firsts[i], lasts[i] = r.id, r.points[0].T, r.points[len(r.points)-1].T
	}
	if _, err := tx.Exec(ctx, `
		UPDATE series s SET first_point = LEAST(s.first_point, u.first), last_point = GREATEST(s.last_point, u.last)
		FROM unnest($1::bigint[], $2::timestamptz[], $3::timestamptz[]) AS u(id, first, last)
		WHERE s.id = u.id`, ids, firsts, lasts); err != nil {
		return wrap(err, "series bounds")
	}
	if _, err := tx.Exec(ctx, `UPDATE services SET last_seen = now() WHERE id = ANY($1)`, mapValues(serviceIDs)); err != nil {
		return wrap(err, "last seen")
	}
	return nil
}

// mergePoints moves the staged points into the points table. New points,
// the common case, go in with a plain INSERT, which is more than twice as
// fast as an upsert (no speculative insertion per row); if any point already
// exists, that attempt is rolled back to its savepoint and the upsert runs
// instead, overwriting changed values (last write wins).
func mergePoints(ctx context.Context, tx pgx.Tx) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return wrap(err, "savepoint")
	}
	_, err = sp.Exec(ctx, "INSERT INTO points (series_id, ts, value) SELECT series_id, ts, value FROM points_staging")
	if err == nil {
		return wrap(sp.Commit(ctx), "release savepoint")
	}
	if rerr := sp.Rollback(ctx); rerr != nil {
		return wrap(rerr, "rollback savepoint")
	}
	if !isUniqueViolation(err) {
		return wrap(err, "merge points")
	}
	_, err = tx.Exec(ctx, `
		INSERT INTO points (series_id, ts, value)
		SELECT series_id, ts, value FROM points_staging
		ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value
		WHERE points.value IS DISTINCT FROM EXCLUDED.value`)
	return wrap(err, "merge points")
}

// markDirtyHours records the (series, hour) pairs the batch touched, for
// the rollup refresh. They are computed here rather than by a DISTINCT over
// the staged rows: the batch is already grouped and sorted.
func markDirtyHours(ctx context.Context, tx pgx.Tx, refs []*seriesRef) error {
	var ids []int64
	var hours []time.Time
	for _, r := range refs {
		var last time.Time
		for _, p := range r.points {
			if h := p.T.Truncate(time.Hour); !h.Equal(last) {
				ids, hours, last = append(ids, r.id), append(hours, h), h
			}
		}
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO rollup_dirty (series_id, hour)
		SELECT * FROM unnest($1::bigint[], $2::timestamptz[])
		ON CONFLICT DO NOTHING`, ids, hours)
	return wrap(err, "mark rollups")
}

// groupSeries gathers a batch's points by series, sorted by time, keeping
// the last of equal timestamps (last write wins within a batch too).
func groupSeries(batch []aiops.Samples) ([]*seriesRef, error) {
	byKey := map[string]*seriesRef{}
	var refs []*seriesRef
	for i, s := range batch {
		labels := s.Labels
		if labels == nil {
			labels = map[string]string{}
		}
		lj, err := json.Marshal(labels) // maps marshal with sorted keys: canonical
		if err != nil {
			return nil, err
		}
		k := s.Service + "\x00" + s.Metric + "\x00" + string(lj)
		r, ok := byKey[k]
		if !ok {
			r = &seriesRef{key: s.SeriesKey, labels: lj, index: i}
			byKey[k] = r
			refs = append(refs, r)
		}
		r.points = append(r.points, s.Points...)
	}
	for _, r := range refs {
		sort.SliceStable(r.points, func(a, b int) bool { return r.points[a].T.Before(r.points[b].T) })
		out := r.points[:0]
		for _, p := range r.points {
			if n := len(out); n > 0 && out[n-1].T.Equal(p.T) {
				out[n-1] = p // stable sort kept batch order: this one came later
				continue
			}
			out = append(out, p)
		}
		r.points = out
	}
	return refs, nil
}

// resolveServices maps the batch's service names to ids, registering the
// missing ones when allowed.
func resolveServices(ctx context.Context, tx pgx.Tx, refs []*seriesRef, create bool) (map[string]int64, int, error) {
	var names []string
	seen := map[string]bool{}
	for _, r := range refs {
		if !seen[r.key.Service] {
			seen[r.key.Service] = true
			names = append(names, r.key.Service)
		}
	}
	created := 0
	if create {
		tag, err := tx.Exec(ctx, `
			INSERT INTO services (name, type) SELECT unnest($1::text[]), 'other'
			ON CONFLICT (name) DO NOTHING`, names)
		if err != nil {
			return nil, 0, wrap(err, "create services")
		}
		created = int(tag.RowsAffected())
	}
	rows, err := tx.Query(ctx, "SELECT name, id FROM services WHERE name = ANY($1)", names)
	if err != nil {
		return nil, 0, wrap(err, "resolve services")
	}
	ids := map[string]int64{}
	for rows.Next() {
		var n string
		var id int64
		if err := rows.Scan(&n, &id); err != nil {
			return nil, 0, wrap(err, "resolve services")
		}
		ids[n] = id
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(err, "resolve services")
	}
	for _, r := range refs {
		if _, ok := ids[r.key.Service]; !ok {
			return nil, 0, &aiops.Error{Code: aiops.ENOTFOUND, Field: fmt.Sprintf("[%d].service", r.index),
				Message: fmt.Sprintf("item %d: no service named %q; register it first (POST /api/v1/services) or allow automatic registration (METRICS_CREATE_SERVICES=true)", r.index, r.key.Service)}
		}
	}
	return ids, created, nil
}

// resolveSeries fills each ref's id, creating unseen series, and returns how
// many were created.
func resolveSeries(ctx context.Context, tx pgx.Tx, refs []*seriesRef, serviceIDs map[string]int64) (int, error) {
	svc := make([]int64, len(refs))
	metrics := make([]string, len(refs))
	labels := make([]string, len(refs))
	for i, r := range refs {
		svc[i], metrics[i], labels[i] = serviceIDs[r.key.Service], r.key.Metric, string(r.labels)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO series (service_id, metric, labels)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::jsonb[])
		ON CONFLICT (service_id, metric, labels) DO NOTHING`, svc, metrics, labels)
	if err != nil {
		return 0, wrap(err, "create series")
	}
	rows, err := tx.Query(ctx, `
		SELECT u.ord, s.id FROM unnest($1::bigint[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS u(service_id, metric, labels, ord)
		JOIN series s ON s.service_id = u.service_id AND s.metric = u.metric AND s.labels = u.labels`, svc, metrics, labels)
	if err != nil {
		return 0, wrap(err, "resolve series")
	}
	found := 0
	for rows.Next() {
		var ord, id int64
		if err := rows.Scan(&ord, &id); err != nil {
			return 0, wrap(err, "resolve series")
		}
		refs[ord-1].id = id
		found++
	}
	if err := rows.Err(); err != nil {
		return 0, wrap(err, "resolve series")
	}
	if found != len(refs) {
		return 0, fmt.Errorf("resolve series: found %d of %d", found, len(refs))
	}
	return int(tag.RowsAffected()), nil
}

// pointRows streams a batch's points to CopyFrom without copying them into
// another slice.
type pointRows struct {
	refs []*seriesRef
	r, p int
}

func (it *pointRows) Next() bool {
	if it.r < len(it.refs) && it.p+1 < len(it.refs[it.r].points) {
		it.p++
		return true
	}
	for it.r++; it.r < len(it.refs); it.r++ {
		if len(it.refs[it.r].points) > 0 {
			it.p = 0
			return true
		}
	}
	return false
}

func (it *pointRows) Values() ([]any, error) {
	ref := it.refs[it.r]
	p := ref.points[it.p]
	return []any{ref.id, p.T, p.V}, nil
}

func (it *pointRows) Err() error { return nil }

func isMissingPartition(err error) bool {
	var pgErr *pgconn.PgError
	// 23514 check_violation is what "no partition of relation found for
	// row" reports.
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.TableName == "points"
}

func mapValues(m map[string]int64) []int64 {
	out := make([]int64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
