package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsight/opsight/infra/demo"
	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

func init() {
	register(command{
		name:    "demo",
		summary: "fill an empty database with 14 days of demo services, metrics and incidents, then stream live points",
		run:     runDemo,
	})
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	api := fs.String("api", "http://127.0.0.1:3000", "the platform's URL: live points go to its API, as an agent's would")
	seed := fs.Int64("seed", 1, "random seed of the generated series and incidents")
	days := fs.Int("days", demo.DefaultDays, "days of history to backfill (at least 2)")
	list := fs.Bool("list", false, "print the injected incidents and exit")
	asJSON := fs.Bool("json", false, "with --list: print JSON")
	streamOnly := fs.Bool("stream", false, "only stream, continuing an earlier backfill")
	noStream := fs.Bool("no-stream", false, "backfill and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: opsight demo [flags]\n\nWithout flags: backfill when the database has no demo data, then stream live points until Ctrl-C.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err // main exits 0
		}
		return usageErrorf("%v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	case *dbURL == "":
		return usageErrorf("set DATABASE_URL or --database-url (make run starts a local database)")
	case *days < 2:
		return usageErrorf("--days must be at least 2")
	case *streamOnly && *noStream, *list && (*streamOnly || *noStream):
		return usageErrorf("--list, --stream and --no-stream exclude each other")
	case *asJSON && !*list:
		return usageErrorf("--json goes with --list")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	db, err := postgres.Open(ctx, *dbURL, postgres.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, log); err != nil {
		return err
	}
	if *list {
		return listIncidents(ctx, db, stdout, *asJSON)
	}
	opt := demo.Options{Seed: *seed, Days: *days, Log: log, Incidents: db}

	g, err := demo.Load(ctx, db)
	switch {
	case aiops.ErrorCode(err) == aiops.ENOTFOUND && !*streamOnly:
		sum, err := demo.Backfill(ctx, db, opt)
		if err != nil {
			return err
		}
		printSummary(stdout, sum)
		if g, err = demo.Load(ctx, db); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		fmt.Fprintf(stdout, "The database has demo data since %s; continuing it.\n", g.Origin().Format(time.RFC3339))
	}
	if *noStream {
		return nil
	}
	fmt.Fprintf(stdout, "Streaming live points to %s every minute; Ctrl-C stops.\n", *api)
	if err := demo.Stream(ctx, *api, g, opt); ctx.Err() == nil {
		return err
	}
	return nil // Ctrl-C
}

func printSummary(w io.Writer, s demo.Summary) {
	kinds := map[demo.Kind]int{}
	for _, in := range s.Incidents {
		kinds[in.Kind]++
	}
	fmt.Fprintf(w, "Backfilled %d points of %d series (%d new services) from %s to %s: written in %.1fs, %d rollup hours refreshed in %.1fs.\n",
		s.Points, s.Series, s.Services, s.From.Format(time.RFC3339), s.To.Format(time.RFC3339), s.Write.Seconds(), s.Rollups, s.Refresh.Seconds())
	fmt.Fprintf(w, "Injected %d incidents (%d latency spikes, %d error bursts, %d memory leaks, %d level shifts): opsight demo --list\n",
		len(s.Incidents), kinds[demo.LatencySpike], kinds[demo.ErrorBurst], kinds[demo.MemoryLeak], kinds[demo.LevelShift])
}

func listIncidents(ctx context.Context, db *postgres.DB, w io.Writer, asJSON bool) error {
	list, err := db.DemoIncidents(ctx, time.Unix(0, 0), time.Now().Add(100*365*24*time.Hour))
	if err != nil {
		return err
	}
	if asJSON {
		if list == nil {
			list = []postgres.DemoIncident{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(w, "No demo incidents: run opsight demo first.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTART (UTC)\tEND\tSERVICE\tKIND\tMETRICS\tDESCRIPTION")
	for _, in := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", in.ID, in.Start.Format("2006-01-02 15:04"), in.End.Format("2006-01-02 15:04"),
			in.Service, in.Kind, strings.Join(in.Metrics, ","), in.Description)
	}
	return tw.Flush()
}
