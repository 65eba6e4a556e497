// Package postgres is Opsight's PostgreSQL adapter: the connection pool, the
// embedded schema migrations and one file per aggregate with its SQL next to
// its scan code. It speaks aiops types and turns driver errors into coded
// aiops errors, so no caller ever sees a pgx error.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/opsight/opsight/shared/aiops"
)

// DB is a pool of connections to one database.
type DB struct {
	Pool *pgxpool.Pool
	// Now returns the current time; tests replace it.
	Now func() time.Time

	parts partitionCache
}

// Options tune the pool. Zero values take the defaults.
type Options struct {
	MaxConns       int32         // default 4; Lambda runs one invocation at a time
	ConnectTimeout time.Duration // default 5s
}

// Open creates a pool for url. It does not connect: the first query does, so
// a cold start never waits on the network for a request that needs no data.
func Open(ctx context.Context, url string, opt Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.MaxConns = 4
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	cfg.MinConns = 0
	// Lambda freezes idle environments; a short idle lifetime keeps the pool
	// from handing out connections that RDS Proxy or a firewall has dropped.
	cfg.MaxConnIdleTime = 2 * time.Minute
	cfg.HealthCheckPeriod = time.Minute
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if opt.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = opt.ConnectTimeout
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "opsight"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", err)
	}
	return &DB{Pool: pool, Now: time.Now}, nil
}

// Close closes every connection.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.Pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return wrap(err, "database")
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise, so a failure never leaves a half-written record.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return wrap(err, "begin")
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(err, "commit")
	}
	return nil
}

// wrap turns a driver error into an aiops error: dependency outages become
// EUNAVAILABLE (answered 503 with a retry hint), already-coded errors pass
// through, anything else keeps its cause for the logs behind EINTERNAL.
func wrap(err error, op string) error {
	if err == nil {
		return nil
	}
	var ae *aiops.Error
	if errors.As(err, &ae) {
		return err
	}
	if isUnavailable(err) {
		return aiops.Unavailable("the database", fmt.Errorf("%s: %w", op, err))
	}
	return fmt.Errorf("postgres %s: %w", op, err)
}

// isUnavailable reports whether err means the server could not be reached or
// is refusing work for now, as opposed to a bad query.
func isUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources (too many connections, out of disk)
			"57": // operator intervention (shutdown, cannot connect now)
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err)
}

// isUniqueViolation reports a unique-constraint failure (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
