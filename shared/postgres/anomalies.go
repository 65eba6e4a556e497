package postgres

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/aiops"
)

// DetectorTarget is a series with points the streaming detector has not
// seen, and the detector's saved state (nil for a new series).
type DetectorTarget struct {
	aiops.Series
	ServiceID int64
	State     []byte
	FedUntil  time.Time // zero for a new series
	Anchor    *Anchor
	// LevelCheckedUntil is the end of the last hour the hourly level check
	// judged; zero for a new series.
	LevelCheckedUntil time.Time
}

// Anchor is the expected level and the value that opened the anomaly a
// series is in, and when the last point that could open one was seen.
type Anchor struct {
	Expected, Observed float64
	At                 time.Time
}

// DetectorTargets lists the series that have points newer than what their
// detector has seen.
func (db *DB) DetectorTargets(ctx context.Context) ([]DetectorTarget, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.id, v.name, v.id, s.metric, s.labels, s.first_point, s.last_point, d.state, d.fed_until,
		       d.anchor_expected, d.anchor_observed, d.anchor_at, d.level_checked_until
		FROM series s JOIN services v ON v.id = s.service_id
		LEFT JOIN detector_state d ON d.series_id = s.id
		WHERE s.last_point IS NOT NULL AND (d.fed_until IS NULL OR s.last_point > d.fed_until)
		ORDER BY v.name, s.metric, s.id`)
	if err != nil {
		return nil, wrap(err, "detector targets")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DetectorTarget, error) {
		var t DetectorTarget
		var fed *time.Time
		var ae, ao *float64
		var at, checked *time.Time
		err := row.Scan(&t.ID, &t.Service, &t.ServiceID, &t.Metric, &t.Labels, &t.FirstPoint, &t.LastPoint, &t.State, &fed, &ae, &ao, &at, &checked)
		t.LevelCheckedUntil = fromOptTime(checked)
		if fed != nil {
			t.FedUntil = *fed
		}
		if ae != nil && ao != nil && at != nil {
			t.Anchor = &Anchor{Expected: *ae, Observed: *ao, At: at.UTC()}
		}
		return t, err
	})
	return out, wrap(err, "detector targets")
}

// PointsAfter returns up to limit points of a series after a time, oldest
// first.
func (db *DB) PointsAfter(ctx context.Context, seriesID int64, after time.Time, limit int) ([]aiops.Point, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT ts, value FROM points WHERE series_id = $1 AND ts > $2 ORDER BY ts LIMIT $3`, seriesID, after, limit)
	if err != nil {
		return nil, wrap(err, "points after")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (aiops.Point, error) {
		var p aiops.Point
		err := row.Scan(&p.T, &p.V)
		p.T = p.T.UTC()
		return p, err
	})
	return out, wrap(err, "points after")
}

// ServiceRows returns a service's unlabelled series of the given metrics as
// rows of one-minute averages over [from, to): times[i] is the minute of
// rows[i], rows[i][j] the value of metrics[j] (NaN where it has no point).
// Minutes where no metric has a point are left out.
func (db *DB) ServiceRows(ctx context.Context, service string, metrics []string, from, to time.Time) ([]time.Time, [][]float64, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT date_trunc('minute', p.ts) AS m, s.metric, avg(p.value)
		FROM series s JOIN services v ON v.id = s.service_id
		JOIN points p ON p.series_id = s.id AND p.ts >= $3 AND p.ts < $4
		WHERE v.name = $1 AND s.metric = ANY($2) AND s.labels = '{}'::jsonb
		GROUP BY m, s.metric ORDER BY m`, service, metrics, from, to)
	if err != nil {
		return nil, nil, wrap(err, "service rows")
	}
	defer rows.Close()
	col := map[string]int{}
	for i, m := range metrics {
		col[m] = i
	}
	var times []time.Time
	var out [][]float64
	for rows.Next() {
		var t time.Time
		var m string
		var v float64
		if err := rows.Scan(&t, &m, &v); err != nil {
			return nil, nil, wrap(err, "service rows")
		}
		if n := len(times); n == 0 || !times[n-1].Equal(t) {
			times = append(times, t.UTC())
			row := make([]float64, len(metrics))
			for j := range row {
				row[j] = math.NaN()
			}
			out = append(out, row)
		}
		out[len(out)-1][col[m]] = v
	}
	return times, out, wrap(rows.Err(), "service rows")
}

// ServiceDetectorState is a service's multivariate progress and its
// efficiency detector's state.
type ServiceDetectorState struct {
	ScoredUntil   time.Time // zero: never scored
	Ratio         []byte    // nil: none yet
	RatioFedUntil time.Time
}

// ServiceDetectorStates returns the services' detector states by name.
func (db *DB) ServiceDetectorStates(ctx context.Context) (map[string]ServiceDetectorState, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT v.name, d.scored_until, d.ratio_state, d.ratio_fed_until
		FROM service_detector_state d JOIN services v ON v.id = d.service_id`)
	if err != nil {
		return nil, wrap(err, "service detector state")
	}
	defer rows.Close()
	out := map[string]ServiceDetectorState{}
	for rows.Next() {
		var n string
		var st ServiceDetectorState
		var scored, fed *time.Time
		if err := rows.Scan(&n, &scored, &st.Ratio, &fed); err != nil {
			return nil, wrap(err, "service detector state")
		}
		st.ScoredUntil, st.RatioFedUntil = fromOptTime(scored), fromOptTime(fed)
		out[n] = st
	}
	return out, wrap(rows.Err(), "service detector state")
}

const anomalyColumns = `a.id, v.name, a.start_ts, a.end_ts, a.open, a.peak_ts, a.peak_score, a.severity,
	a.metrics, a.description, a.observed, a.expected, a.updated_at`

func scanAnomaly(row pgx.CollectableRow) (aiops.Anomaly, error) {
	var a aiops.Anomaly
	err := row.Scan(&a.ID, &a.Service, &a.Start, &a.End, &a.Open, &a.PeakTime, &a.PeakScore, &a.Severity,
		&a.Metrics, &a.Description, &a.Observed, &a.Expected, &a.UpdatedAt)
	a.Start, a.End, a.PeakTime = a.Start.UTC(), a.End.UTC(), a.PeakTime.UTC()
	return a, err
}

// OpenAnomalies returns every service's open episode, by service name.
func (db *DB) OpenAnomalies(ctx context.Context) (map[string]aiops.Anomaly, error) {
	rows, err := db.Pool.Query(ctx, `SELECT `+anomalyColumns+` FROM anomalies a JOIN services v ON v.id = a.service_id WHERE a.open`)
	if err != nil {
		return nil, wrap(err, "open anomalies")
	}
	list, err := pgx.CollectRows(rows, scanAnomaly)
	if err != nil {
		return nil, wrap(err, "open anomalies")
	}
	out := map[string]aiops.Anomaly{}
	for _, a := range list {
		out[a.Service] = a
	}
	return out, nil
}

// SeriesState is a detector's state to save.
type SeriesState struct {
	SeriesID          int64
	State             []byte
	FedUntil          time.Time
	Anchor            *Anchor
	LevelCheckedUntil time.Time
}

// DetectionRun is everything one detection run writes, saved together so a
// crash never records detector progress without the episodes it found.
type DetectionRun struct {
	States   []SeriesState
	Services map[string]ServiceDetectorState
	// Episodes are inserted when their ID is 0 and updated otherwise.
	Episodes []aiops.Anomaly
}

// SaveDetection writes a run in one transaction and fills new episodes'
// IDs.
func (db *DB) SaveDetection(ctx context.Context, run *DetectionRun) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, s := range run.States {
			var ae, ao *float64
			var at *time.Time
			if s.Anchor != nil {
				ae, ao, at = &s.Anchor.Expected, &s.Anchor.Observed, &s.Anchor.At
			}
			b.Queue(`INSERT INTO detector_state (series_id, state, fed_until, anchor_expected, anchor_observed, anchor_at, level_checked_until)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (series_id) DO UPDATE SET state = EXCLUDED.state, fed_until = EXCLUDED.fed_until,
				anchor_expected = EXCLUDED.anchor_expected, anchor_observed = EXCLUDED.anchor_observed,
				anchor_at = EXCLUDED.anchor_at, level_checked_until = EXCLUDED.level_checked_until, updated_at = now()`,
				s.SeriesID, s.State, s.FedUntil, ae, ao, at, optTime(s.LevelCheckedUntil))
		}
		for svc, st := range run.Services {
			b.Queue(`INSERT INTO service_detector_state (service_id, scored_until, ratio_state, ratio_fed_until)
				SELECT id, $2, $3, $4 FROM services WHERE name = $1
				ON CONFLICT (service_id) DO UPDATE SET scored_until = EXCLUDED.scored_until,
				  ratio_state = EXCLUDED.ratio_state, ratio_fed_until = EXCLUDED.ratio_fed_until, updated_at = now()`,
				svc, optTime(st.ScoredUntil), st.Ratio, optTime(st.RatioFedUntil))
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return wrap(err, "save detector state")
		}
		for i := range run.Episodes {
			a := &run.Episodes[i]
			if a.ID == 0 {
				err := tx.QueryRow(ctx, `
					INSERT INTO anomalies (service_id, start_ts, end_ts, open, peak_ts, peak_score, severity, metrics, description, observed, expected)
					SELECT id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM services WHERE name = $1
					RETURNING id, updated_at`,
					a.Service, a.Start, a.End, a.Open, a.PeakTime, a.PeakScore, a.Severity, a.Metrics, a.Description, a.Observed, a.Expected).
					Scan(&a.ID, &a.UpdatedAt)
				if errors.Is(err, pgx.ErrNoRows) {
					continue // the service was deleted meanwhile
				}
				if err != nil {
					return wrap(err, "insert anomaly")
				}
				continue
			}
			if _, err := tx.Exec(ctx, `
				UPDATE anomalies SET end_ts = $2, open = $3, peak_ts = $4, peak_score = $5, severity = $6,
				       metrics = $7, description = $8, observed = $9, expected = $10, updated_at = now()
				WHERE id = $1`,
				a.ID, a.End, a.Open, a.PeakTime, a.PeakScore, a.Severity, a.Metrics, a.Description, a.Observed, a.Expected); err != nil {
				return wrap(err, "update anomaly")
			}
		}
		return nil
	})
}

// Anomalies lists episodes matching f, newest first.
func (db *DB) Anomalies(ctx context.Context, f aiops.AnomalyFilter) ([]aiops.Anomaly, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var severities []string
	if r := aiops.SeverityRank(f.MinSeverity); r >= 0 {
		severities = aiops.Severities[r:]
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT `+anomalyColumns+` FROM anomalies a JOIN services v ON v.id = a.service_id
		WHERE ($1 = '' OR v.name = $1)
		  AND ($2::text[] IS NULL OR a.severity = ANY($2))
		  AND ($3::timestamptz IS NULL OR a.end_ts >= $3)
		  AND ($4::timestamptz IS NULL OR a.start_ts < $4)
		  AND ($5::timestamptz IS NULL OR (a.start_ts, a.id) < ($5, $6))
		ORDER BY a.start_ts DESC, a.id DESC LIMIT $7`,
		f.Service, severities, nullTime(f.From), nullTime(f.To), nullTime(f.BeforeStart), f.BeforeID, limit)
	if err != nil {
		return nil, wrap(err, "list anomalies")
	}
	out, err := pgx.CollectRows(rows, scanAnomaly)
	return out, wrap(err, "list anomalies")
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
