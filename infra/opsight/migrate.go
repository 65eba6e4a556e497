package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"

	"github.com/opsight/opsight/shared/postgres"
)

func init() {
	register(command{
		name:    "migrate",
		summary: "apply the database migrations to $DATABASE_URL (or --database-url)",
		run:     runMigrate,
	})
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	url := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *url == "" {
		return usageErrorf("set DATABASE_URL or --database-url (make run starts a local database)")
	}
	db, err := postgres.Open(ctx, *url, postgres.Options{MaxConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Migrate(ctx, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	if res.Applied == nil {
		res.Applied = []int{}
	}
	return json.NewEncoder(stdout).Encode(map[string]any{"applied": res.Applied, "version": res.Current})
}
