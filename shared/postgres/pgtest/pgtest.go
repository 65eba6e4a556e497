// Package pgtest gives tests their own freshly migrated PostgreSQL database
// on a real server. There is no fake: a test that needs the database fails
// when none is reachable, so `make test` can never pass without one.
//
// The server is $DATABASE_URL (the Makefile points it at the machine's
// server or at the private cluster it starts), else the conventional local
// postgres://postgres@127.0.0.1:5432/postgres.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/postgres"
)

// DefaultURL is used when $DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the URL of the server tests create databases on.
func ServerURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// NewDB creates an empty database with every migration applied, opens a pool
// on it and drops it when the test ends.
func NewDB(tb testing.TB) *postgres.DB {
	tb.Helper()
	u := NewDatabaseURL(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, u, postgres.Options{MaxConns: 8})
	if err != nil {
		tb.Fatalf("pgtest: open: %v", err)
	}
	tb.Cleanup(db.Close)
	return db
}

// NewDatabaseURL creates a migrated database (dropped when the test ends)
// and returns its URL, for tests that hand the URL to another process.
func NewDatabaseURL(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		tb.Fatalf("pgtest: PostgreSQL is required and not reachable at %s: %v\n(start it, or set DATABASE_URL; `make test` does both)", redact(ServerURL()), err)
	}
	defer admin.Close(context.Background())
	tmpl, err := templateDB(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: template database: %v", err)
	}
	name := "opsight_test_" + randomHex(6)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, ServerURL())
		if err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(ServerURL(), name)
}

// templateDB returns the name of a database holding the current migrations,
// creating it on first use. Its name carries a hash of the migrations, so a
// changed migration gets a new template; an advisory lock serialises test
// binaries that race to create it.
func templateDB(ctx context.Context, admin *pgx.Conn) (string, error) {
	ms, err := postgres.Migrations()
	if err != nil {
		return "", err
	}
	sum := ""
	for _, m := range ms {
		sum += m.Checksum
	}
	name := "opsight_tmpl_" + shortHash(sum)
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(4242)"); err != nil {
		return "", err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(4242)")
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	db, err := postgres.Open(ctx, withDatabase(ServerURL(), building), postgres.Options{MaxConns: 1})
	if err != nil {
		return "", err
	}
	_, err = db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	// Rename only once complete, so a crash mid-way never leaves a
	// half-migrated template behind under the real name.
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	// Templates of earlier migration sets are of no more use; a failure to
	// drop one (a test still copying it) is harmless.
	rows, err := admin.Query(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'opsight\\_tmpl\\_%' AND datname NOT LIKE '%\\_build' AND datname <> $1", name)
	if err == nil {
		stale, _ := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, db := range stale {
			admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize())
		}
	}
	return name, nil
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic("pgtest: bad server URL: " + err.Error())
	}
	u.Path = "/" + db
	return u.String()
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
