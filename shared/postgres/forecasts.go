package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/aiops"
)

// ForecastTarget is a live series and its current model, if any.
type ForecastTarget struct {
	aiops.Series
	Model *aiops.ForecastModel
}

// ForecastTargets lists series with points since activeSince, those without
// a model or with the oldest models first, at most limit.
func (db *DB) ForecastTargets(ctx context.Context, activeSince time.Time, limit int) ([]ForecastTarget, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.id, v.name, s.metric, s.labels, s.first_point, s.last_point,
		       m.object_key, m.step_seconds, m.last_ts, m.fitted_at, m.points, m.summary, m.notes
		FROM series s JOIN services v ON v.id = s.service_id
		LEFT JOIN forecast_models m ON m.series_id = s.id
		WHERE s.last_point >= $1
		ORDER BY m.fitted_at NULLS FIRST, s.id LIMIT $2`, activeSince, limit)
	if err != nil {
		return nil, wrap(err, "forecast targets")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ForecastTarget, error) {
		var t ForecastTarget
		var key *string
		var m aiops.ForecastModel
		var step, points *int
		var last, fitted *time.Time
		var summary *string
		var notes []string
		err := row.Scan(&t.ID, &t.Service, &t.Metric, &t.Labels, &t.FirstPoint, &t.LastPoint,
			&key, &step, &last, &fitted, &points, &summary, &notes)
		if key != nil {
			m = aiops.ForecastModel{SeriesID: t.ID, ObjectKey: *key, StepSeconds: *step, LastTime: last.UTC(),
				FittedAt: fitted.UTC(), Points: *points, Summary: *summary, Notes: notes}
			t.Model = &m
		}
		return t, err
	})
	return out, wrap(err, "forecast targets")
}

// ForecastWrite is one series' new model, forecast and breach.
type ForecastWrite struct {
	Model  aiops.ForecastModel
	Points []aiops.ForecastPoint
	// Breach is nil when the series has no threshold; a breach with all
	// times nil clears a previous one.
	Breach *aiops.Breach
}

// SaveForecast replaces a series' model pointer, future points and breach
// in one transaction.
func (db *DB) SaveForecast(ctx context.Context, w ForecastWrite) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		m := w.Model
		if m.Notes == nil {
			m.Notes = []string{}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO forecast_models (series_id, object_key, step_seconds, last_ts, fitted_at, points, summary, notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (series_id) DO UPDATE SET object_key = EXCLUDED.object_key, step_seconds = EXCLUDED.step_seconds,
			  last_ts = EXCLUDED.last_ts, fitted_at = EXCLUDED.fitted_at, points = EXCLUDED.points,
			  summary = EXCLUDED.summary, notes = EXCLUDED.notes`,
			m.SeriesID, m.ObjectKey, m.StepSeconds, m.LastTime, m.FittedAt, m.Points, m.Summary, m.Notes); err != nil {
			return wrap(err, "save model")
		}
		if _, err := tx.Exec(ctx, "DELETE FROM forecasts WHERE series_id = $1", m.SeriesID); err != nil {
			return wrap(err, "clear forecast")
		}
		rows := make([][]any, len(w.Points))
		for i, p := range w.Points {
			rows[i] = []any{m.SeriesID, p.T, p.Yhat, p.Lo80, p.Hi80, p.Lo95, p.Hi95}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"forecasts"}, []string{"series_id", "ts", "yhat", "lo80", "hi80", "lo95", "hi95"}, pgx.CopyFromRows(rows)); err != nil {
			return wrap(err, "save forecast")
		}
		if w.Breach == nil {
			return nil
		}
		b := w.Breach
		if b.Earliest == nil && b.Expected == nil && b.Certain == nil {
			_, err := tx.Exec(ctx, "DELETE FROM capacity_breaches WHERE series_id = $1", m.SeriesID)
			return wrap(err, "clear breach")
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO capacity_breaches (series_id, threshold, direction, earliest, expected, certain, generated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (series_id) DO UPDATE SET threshold = EXCLUDED.threshold, direction = EXCLUDED.direction,
			  earliest = EXCLUDED.earliest, expected = EXCLUDED.expected, certain = EXCLUDED.certain, generated_at = EXCLUDED.generated_at`,
			m.SeriesID, b.Threshold, b.Direction, b.Earliest, b.Expected, b.Certain, b.GeneratedAt)
		return wrap(err, "save breach")
	})
}

// Forecast returns a series' stored model and forecast; ENOTFOUND when the
// series has none yet.
func (db *DB) Forecast(ctx context.Context, seriesID int64) (*aiops.ForecastModel, []aiops.ForecastPoint, error) {
	var m aiops.ForecastModel
	err := db.Pool.QueryRow(ctx, `
		SELECT series_id, object_key, step_seconds, last_ts, fitted_at, points, summary, notes
		FROM forecast_models WHERE series_id = $1`, seriesID).
		Scan(&m.SeriesID, &m.ObjectKey, &m.StepSeconds, &m.LastTime, &m.FittedAt, &m.Points, &m.Summary, &m.Notes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, &aiops.Error{Code: aiops.ENOTFOUND, Field: "series", Message: "this series has no forecast yet; the forecast function makes one every hour for series with enough history"}
	}
	if err != nil {
		return nil, nil, wrap(err, "get model")
	}
	m.LastTime, m.FittedAt = m.LastTime.UTC(), m.FittedAt.UTC()
	rows, err := db.Pool.Query(ctx, `SELECT ts, yhat, lo80, hi80, lo95, hi95 FROM forecasts WHERE series_id = $1 ORDER BY ts`, seriesID)
	if err != nil {
		return nil, nil, wrap(err, "get forecast")
	}
	pts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (aiops.ForecastPoint, error) {
		var p aiops.ForecastPoint
		err := row.Scan(&p.T, &p.Yhat, &p.Lo80, &p.Hi80, &p.Lo95, &p.Hi95)
		p.T = p.T.UTC()
		return p, err
	})
	return &m, pts, wrap(err, "get forecast")
}

// Breaches lists predicted capacity breaches, soonest first; with seriesID
// > 0 only that series'.
func (db *DB) Breaches(ctx context.Context, seriesID int64) ([]aiops.Breach, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT s.id, v.name, s.metric, s.labels, s.first_point, s.last_point,
		       b.threshold, b.direction, b.earliest, b.expected, b.certain, b.generated_at
		FROM capacity_breaches b JOIN series s ON s.id = b.series_id JOIN services v ON v.id = s.service_id
		WHERE $1 = 0 OR b.series_id = $1
		ORDER BY coalesce(b.earliest, b.expected, b.certain), s.id`, seriesID)
	if err != nil {
		return nil, wrap(err, "list breaches")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (aiops.Breach, error) {
		var b aiops.Breach
		err := row.Scan(&b.Series.ID, &b.Series.Service, &b.Series.Metric, &b.Series.Labels, &b.Series.FirstPoint, &b.Series.LastPoint,
			&b.Threshold, &b.Direction, &b.Earliest, &b.Expected, &b.Certain, &b.GeneratedAt)
		return b, err
	})
	return out, wrap(err, "list breaches")
}
