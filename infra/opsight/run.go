package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/opsight/opsight/infra/devserver"
)

func init() {
	register(command{
		name:    "run",
		summary: "start the whole platform locally (database, functions, gateway, scheduler, dashboard)",
		run:     runPlatform,
	})
}

func runPlatform(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "address of the gateway (dashboard, API, webhooks)")
	tpl := fs.String("template", "template.yaml", "SAM template")
	web := fs.String("web", "web/dist", "dashboard folder served at /")
	noSchedule := fs.Bool("no-schedule", false, "do not run the template's scheduled events")
	if err := fs.Parse(args); err != nil {
		return usageErrorf("%v", err)
	}
	start := time.Now()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := devserver.Start(ctx, devserver.Options{
		Addr: *addr, Template: *tpl, WebDir: *web,
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		InstallPostgres: true,
		Schedule:        !*noSchedule,
		Log:             log,
		Output:          stderr,
	})
	if err != nil {
		return err
	}
	defer func() {
		log.Info("stopping")
		if err := p.Close(); err != nil {
			log.Error("stop", "err", err)
		}
	}()
	fmt.Fprintf(stdout, `
Opsight is running (ready in %.1fs).
  dashboard  %[2]s/
  API        %[2]s/api/v1   (try %[2]s/api/v1/health)
  webhooks   %[2]s/webhooks/<source>
  database   %[3]s
Press Ctrl-C to stop; everything started here stops with it.
`, time.Since(start).Seconds(), p.URL, p.DatabaseURL)
	select {
	case <-ctx.Done():
		return nil
	case err := <-p.Done():
		return err
	}
}
