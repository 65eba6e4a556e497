package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/opsight/opsight/shared/csvimport"
	"github.com/opsight/opsight/shared/postgres"
)

func init() {
	register(command{
		name:    "import",
		summary: "import metrics from a CSV export (long or wide format) into the database",
		run:     runImport,
	})
}

// stdin is the command's standard input; tests replace it.
var stdin io.Reader = os.Stdin

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", stderr)
	dbURL := fs.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL")
	format := fs.String("format", "auto", "layout: long (timestamp,service,metric,value[,label...]), wide (timestamp,service/metric,...) or auto")
	service := fs.String("service", "", "wide format: the service of columns named by metric alone")
	batch := fs.Int("batch", csvimport.DefaultBatchPoints, "points per write (one transaction each)")
	create := fs.Bool("create-services", false, "register services the file names that do not exist")
	dryRun := fs.Bool("dry-run", false, "read and check the whole file, write nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: opsight import [flags] FILE.csv   (FILE - reads standard input)\n\nThe whole file is checked before anything is written; see the csvimport package for the formats.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err // main exits 0
		}
		return usageErrorf("%v", err)
	}
	f, err := csvimport.ParseFormat(*format)
	switch {
	case err != nil:
		return usageErrorf("--%v", err)
	case fs.NArg() != 1:
		return usageErrorf("name one CSV file (or - for standard input)")
	case *batch <= 0:
		return usageErrorf("--batch must be positive")
	case *dbURL == "":
		return usageErrorf("set DATABASE_URL or --database-url (make run starts a local database)")
	}
	in, err := csvimport.Open(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	db, err := postgres.Open(ctx, *dbURL, postgres.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()

	opt := csvimport.ImportOptions{
		Options:        csvimport.Options{Format: f, Service: *service, BatchPoints: *batch},
		CreateServices: *create, DryRun: *dryRun,
	}
	if isTerminal(stderr) {
		bar := newImportBar(stderr, in.Size)
		defer bar.Finish()
		opt.Progress = bar.update
	}
	sum, err := csvimport.Import(ctx, db, in, in.Size, opt)
	if err != nil {
		return err
	}
	verb := "Imported"
	if sum.DryRun {
		verb = "Checked (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %s-format CSV: %d rows, %d points in %d series of %d services; %d empty values skipped; %d new services, %d new series; %.1fs, %.0f points/s\n",
		verb, sum.Format, sum.Rows, sum.Points, sum.Series, sum.Services, sum.Skipped, sum.CreatedServices, sum.CreatedSeries,
		sum.Elapsed.Seconds(), sum.PointsPerSecond())
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// importBar shows each phase's progress by bytes read.
type importBar struct {
	w     io.Writer
	size  int64
	phase csvimport.Phase
	bar   *progressbar.ProgressBar
}

func newImportBar(w io.Writer, size int64) *importBar { return &importBar{w: w, size: size} }

func (b *importBar) update(p csvimport.Progress) {
	if p.Phase != b.phase {
		b.Finish()
		b.phase = p.Phase
		b.bar = progressbar.NewOptions64(b.size, progressbar.OptionSetWriter(b.w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription(string(p.Phase)), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(b.w) }))
	}
	b.bar.Set64(p.Bytes)
}

func (b *importBar) Finish() {
	if b.bar != nil {
		b.bar.Finish()
	}
}
