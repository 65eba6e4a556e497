package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/opsight/opsight/infra/devdb"
)

func init() {
	register(command{
		name:    "devdb",
		summary: "devdb up|down: ensure a PostgreSQL server for local work and print its URL, or stop the private one",
		run:     runDevDB,
	})
}

// runDevDB serves the Makefile: `make test` runs `opsight devdb up`, uses
// the URL it prints, and runs `opsight devdb down` when done.
func runDevDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("devdb", stderr)
	fast := fs.Bool("fast", false, "turn off fsync in a private cluster (tests)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	switch fs.Arg(0) {
	case "up":
		s, err := devdb.Ensure(ctx, devdb.Options{
			DatabaseURL: os.Getenv("DATABASE_URL"), Install: true, Fast: *fast, Log: log, Output: stderr,
		})
		if err != nil {
			return err
		}
		if err := s.Detach(""); err != nil {
			return err
		}
		fmt.Fprintln(stdout, s.URL)
		return nil
	case "down":
		return devdb.StopPrivate(ctx, devdb.Options{Log: log, Output: stderr})
	default:
		return usageErrorf("want `devdb up` or `devdb down`")
	}
}
