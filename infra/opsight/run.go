package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/opsight/opsight/infra/demo"
	"github.com/opsight/opsight/infra/devserver"
	"github.com/opsight/opsight/shared/postgres"
)

func init() {
	register(command{
		name:    "run",
		summary: "start the whole platform locally (database, functions, gateway, scheduler, dashboard)",
		run:     runPlatform,
	})
}

// runDemoStream fills an empty database with the demo and streams live
// points into the running platform until ctx ends (see infra/demo.Run); a
// database with services of its own is left alone.
func runDemoStream(ctx context.Context, p *devserver.Platform, log *slog.Logger) {
	db, err := postgres.Open(ctx, p.DatabaseURL, postgres.Options{MaxConns: 4})
	if err != nil {
		log.Error("demo", "err", err)
		return
	}
	defer db.Close()
	if err := demo.Run(ctx, db, p.URL, demo.Options{Log: log}); err != nil && ctx.Err() == nil {
		log.Error("demo stopped", "err", err)
	}
}

func runPlatform(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", stderr)
	addr := fs.String("addr", "127.0.0.1:3000", "address of the gateway (dashboard, API, webhooks)")
	tpl := fs.String("template", "template.yaml", "SAM template")
	web := fs.String("web", "web/dist", "dashboard folder served at /")
	noSchedule := fs.Bool("no-schedule", false, "do not run the template's scheduled events")
	noDemo := fs.Bool("no-demo", os.Getenv("OPSIGHT_DEMO") == "off", "do not fill an empty database with the demo (also OPSIGHT_DEMO=off)")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	demoDone := make(chan struct{})
	if *noDemo {
		close(demoDone)
	} else {
		go func() {
			defer close(demoDone)
			runDemoStream(ctx, p, log)
		}()
	}
	defer func() { <-demoDone }()
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
