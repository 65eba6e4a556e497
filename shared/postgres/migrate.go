package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.up.sql
var migrationFiles embed.FS

// migrationLockKey is the advisory lock every migrator takes, so concurrent
// cold starts or deploys apply each migration exactly once. The value is
// arbitrary but fixed: "opsight" in ASCII.
const migrationLockKey int64 = 0x6f7073696768

// Migration is one numbered schema change.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string
}

var migrationNameRE = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.up\.sql$`)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	return loadMigrations(migrationFiles, "migrations")
}

func loadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationNameRE.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must look like 0001_name.up.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(b), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// MigrateResult says what Migrate did.
type MigrateResult struct {
	Applied []int // versions applied by this call
	Current int   // schema version after the call
}

// Migrate applies the embedded migrations that the database lacks, each in
// its own transaction, while holding a session advisory lock. It is
// idempotent and safe to run from several processes at once. It refuses to
// run when an applied migration's file has changed since it was applied.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) (MigrateResult, error) {
	ms, err := Migrations()
	if err != nil {
		return MigrateResult{}, err
	}
	return db.migrate(ctx, log, ms)
}

func (db *DB) migrate(ctx context.Context, log *slog.Logger, ms []Migration) (res MigrateResult, err error) {
	conn, err := db.Pool.Acquire(ctx)
	if err != nil {
		return res, wrap(err, "acquire")
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return res, wrap(err, "lock")
	}
	defer func() {
		// Unlock on a fresh context: the caller's may be what ended us.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey); uerr != nil && err == nil {
			err = wrap(uerr, "unlock")
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		checksum   text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return res, wrap(err, "create schema_migrations")
	}
	applied := map[int]string{}
	rows, err := conn.Query(ctx, "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		return res, wrap(err, "read schema_migrations")
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return res, wrap(err, "scan schema_migrations")
		}
		applied[v] = sum
		res.Current = max(res.Current, v)
	}
	if err := rows.Err(); err != nil {
		return res, wrap(err, "read schema_migrations")
	}
	for _, m := range ms {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return res, fmt.Errorf("migration %04d_%s was changed after it was applied (checksum %s, applied %s): add a new migration instead", m.Version, m.Name, m.Checksum[:12], sum[:min(12, len(sum))])
			}
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", m.Version, m.Name, m.Checksum)
			return err
		})
		if err != nil {
			return res, wrap(err, fmt.Sprintf("migration %04d_%s", m.Version, m.Name))
		}
		log.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name)
		res.Applied = append(res.Applied, m.Version)
		res.Current = max(res.Current, m.Version)
	}
	return res, nil
}
