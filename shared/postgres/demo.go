package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/aiops"
)

// DemoGenerator is what the demo's series are a function of: a restarted
// stream that knows it continues the backfill's values exactly.
type DemoGenerator struct {
	Seed      int64
	Origin    time.Time // the first minute of the backfill
	Days      int       // the backfill's length, and the period of the incident plan
	CreatedAt time.Time
}

// DemoIncident is one incident the demo injected into its series.
type DemoIncident struct {
	ID          string    `json:"id"`
	Service     string    `json:"service"`
	Kind        string    `json:"kind"`
	Metrics     []string  `json:"metrics"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Description string    `json:"description"`
}

// ClaimDemoGenerator records g as the database's demo. Only one demo may
// exist: a second claim is ECONFLICT, which is also what a concurrent second
// `opsight demo` gets, so two backfills never interleave.
func (db *DB) ClaimDemoGenerator(ctx context.Context, g DemoGenerator) error {
	tag, err := db.Pool.Exec(ctx, `
		INSERT INTO demo_generator (seed, origin, days) VALUES ($1, $2, $3)
		ON CONFLICT (singleton) DO NOTHING`, g.Seed, g.Origin, g.Days)
	if err != nil {
		return wrap(err, "claim demo generator")
	}
	if tag.RowsAffected() == 0 {
		return &aiops.Error{Code: aiops.ECONFLICT, Message: "the database already has demo data (or another demo backfill is running)"}
	}
	return nil
}

// DemoGenerator returns the database's demo, or ENOTFOUND when it has none.
func (db *DB) DemoGenerator(ctx context.Context) (*DemoGenerator, error) {
	var g DemoGenerator
	err := db.Pool.QueryRow(ctx, "SELECT seed, origin, days, created_at FROM demo_generator").
		Scan(&g.Seed, &g.Origin, &g.Days, &g.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, &aiops.Error{Code: aiops.ENOTFOUND, Message: "the database has no demo data; run `opsight demo` first"}
	}
	if err != nil {
		return nil, wrap(err, "get demo generator")
	}
	g.Origin, g.CreatedAt = g.Origin.UTC(), g.CreatedAt.UTC()
	return &g, nil
}

// DeleteDemo forgets the demo generator and its incident list (not its
// services or points), so a failed backfill can be started again.
func (db *DB) DeleteDemo(ctx context.Context) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM demo_incidents"); err != nil {
			return wrap(err, "delete demo incidents")
		}
		_, err := tx.Exec(ctx, "DELETE FROM demo_generator")
		return wrap(err, "delete demo generator")
	})
}

// RecordDemoIncidents stores incidents, replacing any with the same ID.
func (db *DB) RecordDemoIncidents(ctx context.Context, list []DemoIncident) error {
	if len(list) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, in := range list {
		if !in.End.After(in.Start) {
			return fmt.Errorf("postgres: demo incident %s ends before it starts", in.ID)
		}
		b.Queue(`
			INSERT INTO demo_incidents (id, service, kind, metrics, starts_at, ends_at, description)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET service = EXCLUDED.service, kind = EXCLUDED.kind,
				metrics = EXCLUDED.metrics, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
				description = EXCLUDED.description`,
			in.ID, in.Service, in.Kind, in.Metrics, in.Start, in.End, in.Description)
	}
	return db.inTx(ctx, func(tx pgx.Tx) error {
		return wrap(tx.SendBatch(ctx, b).Close(), "record demo incidents")
	})
}

// DemoIncidents lists the recorded incidents that overlap [from, to), by
// start time.
func (db *DB) DemoIncidents(ctx context.Context, from, to time.Time) ([]DemoIncident, error) {
	rows, err := db.Pool.Query(ctx, `
		SELECT id, service, kind, metrics, starts_at, ends_at, description FROM demo_incidents
		WHERE ends_at > $1 AND starts_at < $2 ORDER BY starts_at, id`, from, to)
	if err != nil {
		return nil, wrap(err, "list demo incidents")
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DemoIncident, error) {
		var in DemoIncident
		err := row.Scan(&in.ID, &in.Service, &in.Kind, &in.Metrics, &in.Start, &in.End, &in.Description)
		in.Start, in.End = in.Start.UTC(), in.End.UTC()
		return in, err
	})
	if err != nil {
		return nil, wrap(err, "list demo incidents")
	}
	return list, nil
}
