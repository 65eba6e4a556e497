package csvimport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/tscsv"
)

// Store is where an import writes (*postgres.DB is one).
type Store interface {
	Service(ctx context.Context, name string) (*aiops.Service, error)
	WriteSamples(ctx context.Context, batch []aiops.Samples, opt postgres.WriteOptions) (aiops.WriteResult, error)
}

// ImportOptions control Import.
type ImportOptions struct {
	Options
	// CreateServices registers the services the file names that do not
	// exist; otherwise such a file is rejected before anything is written.
	CreateServices bool
	// DryRun reads and checks the whole file and writes nothing.
	DryRun bool
	// Progress, if set, is called as each phase starts and after each of
	// its batches.
	Progress func(Progress)
}

// Phase is a pass over the input.
type Phase string

// The two passes of an import.
const (
	PhaseCheck Phase = "checking"
	PhaseWrite Phase = "writing"
)

// Progress is how far a phase has read.
type Progress struct {
	Phase        Phase
	Bytes, Total int64 // Total is the input's size, or -1 if unknown
}

// Summary says what an import read and stored.
type Summary struct {
	Format   Format
	Rows     int // data rows
	Points   int // points read (before the store's dedup of equal timestamps)
	Skipped  int // empty or NaN values
	Series   int // distinct series
	Services int // distinct services
	Batches  int
	// CreatedServices and CreatedSeries are what the write registered.
	CreatedServices, CreatedSeries int
	DryRun                         bool
	Elapsed                        time.Duration
}

// PointsPerSecond is the import's throughput over its whole run.
func (s Summary) PointsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Points) / s.Elapsed.Seconds()
}

// Import reads a CSV export from src (size bytes; -1 if unknown) and
// writes its points to st in batches.
//
// An import is all or nothing with respect to its input: it reads the file
// twice. The first pass parses every row, validates every batch with
// aiops.ValidateSamples and looks up every service; only if all of that
// passes does the second pass write, batch by batch, each batch one
// WriteSamples transaction. So a bad value on the last line of a
// multi-gigabyte file stops the import before anything is stored, and the
// error names that line and column.
//
// We chose this over one transaction around the whole file: a transaction
// holding millions of points would hold its row locks and staging table for
// minutes, stalling concurrent pushes to the same series and the rollup
// refresh, and WriteSamples' transactions are per batch by design. The
// price is parsing twice, a fraction of the time writing takes. What the
// first pass cannot rule out is the database failing during the second (an
// outage, a full disk): then the batches before the failure are stored, and
// the error says which lines were and were not. Writes are idempotent (a
// point written again overwrites itself), so running the same import again
// completes it exactly, without duplicates.
func Import(ctx context.Context, st Store, src io.ReadSeeker, size int64, opt ImportOptions) (Summary, error) {
	start := time.Now()
	if opt.Now.IsZero() {
		opt.Now = start // one clock for both passes
	}
	sum, services, err := check(ctx, src, size, opt)
	sum.DryRun = opt.DryRun
	if err != nil {
		return sum, err
	}
	if !opt.CreateServices {
		if err := checkServices(ctx, st, services); err != nil {
			return sum, err
		}
	}
	if !opt.DryRun {
		if _, err := src.Seek(0, io.SeekStart); err != nil {
			return sum, err
		}
		if err := write(ctx, st, src, size, opt, &sum); err != nil {
			return sum, err
		}
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// location is where a service first appears in the file.
type location struct {
	line   int
	column string
	order  int
}

// check is the first pass: everything but the writing.
func check(ctx context.Context, src io.Reader, size int64, opt ImportOptions) (Summary, map[string]location, error) {
	var sum Summary
	r, err := NewReader(src, opt.Options)
	if err != nil {
		return sum, nil, err
	}
	sum.Format = r.Format()
	report(opt.Progress, PhaseCheck, 0, size)
	series := map[string]struct{}{}
	services := map[string]location{}
	for {
		if err := ctx.Err(); err != nil {
			return sum, nil, err
		}
		b, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, nil, err
		}
		sum.Batches++
		for i, s := range b.Samples {
			series[seriesID(s.SeriesKey)] = struct{}{}
			if _, ok := services[s.Service]; !ok {
				services[s.Service] = location{line: b.origins[i].line, column: b.origins[i].serviceCol, order: len(services)}
			}
		}
		report(opt.Progress, PhaseCheck, r.BytesRead(), size)
	}
	sum.Rows, sum.Points, sum.Skipped = r.Rows(), r.Points(), r.Skipped()
	sum.Series, sum.Services = len(series), len(services)
	return sum, services, nil
}

// checkServices makes sure every service the file names is registered,
// naming where the file first mentions one that is not.
func checkServices(ctx context.Context, st Store, services map[string]location) error {
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return services[names[i]].order < services[names[j]].order })
	for _, n := range names {
		_, err := st.Service(ctx, n)
		if aiops.ErrorCode(err) == aiops.ENOTFOUND {
			loc := services[n]
			return &tscsv.Error{Line: loc.line, Column: loc.column,
				Err: fmt.Errorf("no service named %q: register it first, or let the import create it (--create-services)", n)}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// write is the second pass. The next batch is parsed while the current one
// is written.
func write(ctx context.Context, st Store, src io.Reader, size int64, opt ImportOptions, sum *Summary) error {
	r, err := NewReader(src, opt.Options)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	type next struct {
		b     *Batch
		bytes int64
		err   error
	}
	batches := make(chan next, 1)
	defer func() {
		cancel()
		for range batches { // the reader is done with src when it closes this
		}
	}()
	go func() {
		defer close(batches)
		for {
			b, err := r.Next()
			if err == io.EOF {
				return
			}
			select {
			case batches <- next{b, r.BytesRead(), err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	report(opt.Progress, PhaseWrite, 0, size)
	stored := 0 // the last line stored
	for n := range batches {
		if n.err != nil {
			return fmt.Errorf("the file changed after it was checked: %w", n.err)
		}
		res, err := st.WriteSamples(ctx, n.b.Samples, postgres.WriteOptions{CreateServices: opt.CreateServices})
		if err != nil {
			done := "nothing was stored"
			if stored > 0 {
				done = fmt.Sprintf("lines 2-%d are stored; run the same import again to complete it (it overwrites, never duplicates)", stored)
			}
			return fmt.Errorf("writing lines %d-%d: %w (%s)", n.b.FirstLine, n.b.LastLine, err, done)
		}
		stored = n.b.LastLine
		sum.CreatedServices += res.CreatedServices
		sum.CreatedSeries += res.CreatedSeries
		report(opt.Progress, PhaseWrite, n.bytes, size)
	}
	return ctx.Err()
}

func report(f func(Progress), phase Phase, bytes, total int64) {
	if f != nil {
		f(Progress{Phase: phase, Bytes: bytes, Total: total})
	}
}

// seriesID is a canonical string for a series key: labels marshal with
// sorted keys.
func seriesID(k aiops.SeriesKey) string {
	lj, _ := json.Marshal(k.Labels)
	return k.Service + "\x00" + k.Metric + "\x00" + string(lj)
}

// Input is an import's source: a file that can be read twice.
type Input struct {
	*os.File
	Size  int64 // -1 if unknown
	spool bool
}

// Open opens name for Import. "-" is standard input (stdin), which is
// spooled to a temporary file first, since an import reads its input twice.
func Open(name string, stdin io.Reader) (*Input, error) {
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		in := &Input{File: f, Size: -1}
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			in.Size = fi.Size()
		}
		return in, nil
	}
	f, err := os.CreateTemp("", "opsight-import-*.csv")
	if err != nil {
		return nil, fmt.Errorf("spool standard input: %w", err)
	}
	in := &Input{File: f, spool: true}
	if in.Size, err = io.Copy(f, stdin); err != nil {
		in.Close()
		return nil, fmt.Errorf("spool standard input: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// Close closes the file and removes a spool.
func (in *Input) Close() error {
	err := in.File.Close()
	if in.spool {
		if rerr := os.Remove(in.File.Name()); err == nil {
			err = rerr
		}
	}
	return err
}
