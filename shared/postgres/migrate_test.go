package postgres_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// Migrating an already migrated database, from several processes at once,
// applies nothing and fails nowhere.
func TestMigrateIdempotentAndConcurrent(t *testing.T) {
	db := pgtest.NewDB(t)
	ms, err := postgres.Migrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %v, %v", ms, err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := db.Migrate(context.Background(), discard)
			if err != nil {
				t.Error(err)
				return
			}
			if len(res.Applied) != 0 || res.Current != ms[len(ms)-1].Version {
				t.Errorf("result = %+v on a migrated database", res)
			}
		}()
	}
	wg.Wait()
}

func TestMigrateFromEmptyAndDetectsEditedMigration(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	// Reset the schema to empty to watch a first migration.
	if _, err := db.Pool.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	res, err := db.Migrate(ctx, discard)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := postgres.Migrations()
	if len(res.Applied) != len(ms) {
		t.Fatalf("applied %v, want all %d", res.Applied, len(ms))
	}
	if _, err := db.Pool.Exec(ctx, "UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, discard); err == nil {
		t.Fatal("an edited migration went unnoticed")
	}
}

func TestMigrationFilesAreNumberedWithoutGaps(t *testing.T) {
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.Version != i+1 {
			t.Fatalf("migration %d has version %d: versions must be 1, 2, 3, ...", i, m.Version)
		}
	}
}
