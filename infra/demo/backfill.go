package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

// Options configure Backfill, Stream and Run. Zero values take the defaults.
type Options struct {
	Now  func() time.Time // default time.Now
	Seed int64
	Days int // length of the backfill; default 14, at least 2
	Log  *slog.Logger
	// BatchMinutes is how many minutes of every series one write holds
	// (default 1440: a day, about 70,000 points).
	BatchMinutes int
	// Workers is how many chunks are written, and rollup hours refreshed,
	// at once (default 2).
	Workers int
	// Client sends the stream's requests; default a client with a 30 s
	// timeout.
	Client *http.Client
	// Incidents records the incidents the stream reaches (Run passes the
	// database). Without it, live incidents still happen but go unlisted.
	Incidents IncidentRecorder
}

// IncidentRecorder stores injected incidents (*postgres.DB is one).
type IncidentRecorder interface {
	RecordDemoIncidents(ctx context.Context, list []postgres.DemoIncident) error
}

// DefaultDays is the backfill's length when Options.Days is zero.
const DefaultDays = 14

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Days == 0 {
		o.Days = DefaultDays
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BatchMinutes <= 0 {
		o.BatchMinutes = 1440
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	return o
}

// Summary says what Backfill wrote.
type Summary struct {
	Seed      int64
	From, To  time.Time // the first and last minute written
	Services  int       // demo services registered by this call
	Series    int
	Points    int
	Incidents []Incident
	Write     time.Duration // writing the points
	Refresh   time.Duration // refreshing their rollups
	Rollups   int           // series-hours refreshed
}

// Backfill writes the demo into an empty database: it registers the demo
// services, records the generator and the incidents it injects, writes
// Days of every series at one-minute resolution up to Now, and refreshes the
// rollups until none are dirty, so the dashboard's long ranges are fast from
// the first look. A database that already has demo data is ECONFLICT.
//
// Points go straight to the database (WriteSamples, a day of every series
// per transaction) rather than through the API: the backfill is the one
// bulk load, and it must take seconds, not the minutes that thousands of
// API requests would.
func Backfill(ctx context.Context, db *postgres.DB, opt Options) (Summary, error) {
	opt = opt.withDefaults()
	if opt.Days < 2 {
		return Summary{}, fmt.Errorf("demo: days must be at least 2, got %d", opt.Days)
	}
	now := opt.Now().UTC().Truncate(time.Minute)
	origin := now.Add(-time.Duration(opt.Days) * 24 * time.Hour)
	g := NewGenerator(opt.Seed, origin, opt.Days)
	end := now.Add(time.Minute) // the minute now is written too
	sum := Summary{Seed: opt.Seed, From: origin, To: now}

	if err := db.ClaimDemoGenerator(ctx, postgres.DemoGenerator{Seed: opt.Seed, Origin: origin, Days: opt.Days}); err != nil {
		return sum, err
	}
	err := backfill(ctx, db, g, end, opt, &sum)
	if err != nil {
		// Forget the claim, so the next attempt starts afresh; its points
		// overwrite what this one wrote.
		if derr := db.DeleteDemo(context.WithoutCancel(ctx)); derr != nil {
			opt.Log.Error("demo: forgetting a failed backfill", "err", derr)
		}
	}
	return sum, err
}

func backfill(ctx context.Context, db *postgres.DB, g *Generator, end time.Time, opt Options, sum *Summary) error {
	created, err := registerServices(ctx, db)
	if err != nil {
		return err
	}
	sum.Services = created
	sum.Incidents = g.Incidents(g.origin, end)
	recs := make([]postgres.DemoIncident, len(sum.Incidents))
	for i, in := range sum.Incidents {
		recs[i] = in.Record()
	}
	if err := db.RecordDemoIncidents(ctx, recs); err != nil {
		return err
	}

	start := time.Now()
	if err := writeDays(ctx, db, g, end, opt, sum); err != nil {
		return err
	}
	sum.Write = time.Since(start)

	start = time.Now()
	if sum.Rollups, err = refreshAll(ctx, db, opt.Workers); err != nil {
		return err
	}
	sum.Refresh = time.Since(start)
	opt.Log.Info("demo: backfilled", "seed", opt.Seed, "from", g.origin, "points", sum.Points,
		"incidents", len(sum.Incidents), "write", sum.Write.Round(time.Millisecond), "refresh", sum.Refresh.Round(time.Millisecond))
	return nil
}

// writeDays writes [origin, end) in chunks of BatchMinutes, newest first,
// so the dashboard's default view (the last hours) fills within a second or
// two while older days follow. The first chunk is written alone, creating
// the series; then Workers write the rest side by side, each chunk in its
// own transaction.
func writeDays(ctx context.Context, db *postgres.DB, g *Generator, end time.Time, opt Options, sum *Summary) error {
	step := time.Duration(opt.BatchMinutes) * time.Minute
	var chunks [][2]time.Time
	for to := end; to.After(g.origin); to = to.Add(-step) {
		from := to.Add(-step)
		if from.Before(g.origin) {
			from = g.origin
		}
		chunks = append(chunks, [2]time.Time{from, to})
	}
	var mu sync.Mutex
	write := func(ctx context.Context, c [2]time.Time) error {
		res, err := db.WriteSamples(ctx, g.Samples(c[0], c[1]), postgres.WriteOptions{})
		if err != nil {
			return fmt.Errorf("demo: write %s to %s: %w", c[0].Format(time.RFC3339), c[1].Format(time.RFC3339), err)
		}
		mu.Lock()
		sum.Series, sum.Points = res.Series, sum.Points+res.Points
		mu.Unlock()
		return nil
	}
	if err := write(ctx, chunks[0]); err != nil {
		return err
	}
	opt.Log.Info("demo: wrote the latest minutes; writing the older ones", "through", end.Add(-time.Minute))
	eg, ctx := errgroup.WithContext(ctx)
	eg.SetLimit(opt.Workers)
	for _, c := range chunks[1:] {
		eg.Go(func() error { return write(ctx, c) })
	}
	return eg.Wait()
}

// refreshAll refreshes dirty rollups with workers side by side (each claims
// its own hours: RefreshRollups skips locked ones) until none remain, and
// returns how many series-hours were refreshed.
func refreshAll(ctx context.Context, db *postgres.DB, workers int) (int, error) {
	var total atomic.Int64
	eg, ctx := errgroup.WithContext(ctx)
	for range workers {
		eg.Go(func() error {
			for {
				n, err := db.RefreshRollups(ctx, 1000)
				if err != nil || n == 0 {
					return err
				}
				total.Add(int64(n))
			}
		})
	}
	err := eg.Wait()
	return int(total.Load()), err
}

// registerServices registers the demo services that are missing and returns
// how many it created. A service of the same name that is not a demo
// service (label env=demo) stops the demo: its data is not the demo's to
// overwrite.
func registerServices(ctx context.Context, db *postgres.DB) (int, error) {
	created := 0
	for _, p := range catalogue {
		err := db.CreateService(ctx, p.service())
		if aiops.ErrorCode(err) == aiops.ECONFLICT {
			s, gerr := db.Service(ctx, p.name)
			if gerr != nil {
				return created, gerr
			}
			if s.Labels["env"] != "demo" {
				return created, &aiops.Error{Code: aiops.ECONFLICT, Field: "name",
					Message: fmt.Sprintf("a service named %q exists and is not a demo service (label env=demo); the demo needs an empty database", p.name)}
			}
			continue
		}
		if err != nil {
			return created, err
		}
		created++
	}
	return created, nil
}

// Load returns the generator of the database's demo, or ENOTFOUND.
func Load(ctx context.Context, db *postgres.DB) (*Generator, error) {
	d, err := db.DemoGenerator(ctx)
	if err != nil {
		return nil, err
	}
	return NewGenerator(d.Seed, d.Origin, d.Days), nil
}

// Run is the demo of `make run`: on a database whose registry is empty it
// backfills, and on one that has the demo it continues it; then it streams
// live points to the API at apiURL until ctx ends, recording live incidents
// in db, and returns nil. A database with services of its own and no demo
// is left alone (Run returns nil at once): it is someone's real data.
func Run(ctx context.Context, db *postgres.DB, apiURL string, opt Options) error {
	opt = opt.withDefaults()
	g, err := Load(ctx, db)
	if aiops.ErrorCode(err) == aiops.ENOTFOUND {
		_, n, lerr := db.Services(ctx, aiops.ServiceFilter{Limit: 1})
		if lerr != nil {
			return lerr
		}
		if n > 0 {
			opt.Log.Info("demo: the database has services of its own; no demo")
			return nil
		}
		if _, err = Backfill(ctx, db, opt); err != nil {
			return err
		}
		g, err = Load(ctx, db)
	}
	if err != nil {
		return err
	}
	if opt.Incidents == nil {
		opt.Incidents = db
	}
	if err := Stream(ctx, apiURL, g, opt); ctx.Err() == nil {
		return err
	}
	return nil
}
