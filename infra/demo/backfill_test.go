package demo

import (
	"context"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// clock is a settable time for the stream under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 25, 10, 17, 42, 0, time.UTC)

func countRows(t *testing.T, db *postgres.DB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBackfill(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	opt := Options{Now: func() time.Time { return t0 }, Seed: 1, Days: 2}
	sum, err := Backfill(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backfill: %d points in %v, rollups of %d series-hours in %v", sum.Points, sum.Write, sum.Rollups, sum.Refresh)
	minutes := 2*24*60 + 1
	if want := SeriesCount() * minutes; sum.Points != want || sum.Series != SeriesCount() || sum.Services != len(catalogue) {
		t.Fatalf("summary %+v; want %d points in %d series", sum, want, SeriesCount())
	}
	if got := countRows(t, db, "SELECT count(*) FROM points"); got != sum.Points {
		t.Fatalf("%d points stored, summary says %d", got, sum.Points)
	}
	if got := countRows(t, db, "SELECT count(*) FROM rollup_dirty"); got != 0 {
		t.Fatalf("%d rollup hours still dirty after the backfill", got)
	}
	if got := countRows(t, db, "SELECT count(DISTINCT series_id) FROM rollup_1h"); got != SeriesCount() {
		t.Fatalf("hourly rollups for %d series, want %d", got, SeriesCount())
	}
	last := t0.Truncate(time.Minute)
	if got := countRows(t, db, "SELECT count(*) FROM series WHERE last_point = $1 AND first_point = $2", last, sum.From); got != SeriesCount() {
		t.Fatalf("%d series span %v .. %v, want all", got, sum.From, last)
	}
	recorded, err := db.DemoIncidents(ctx, sum.From, last.Add(time.Minute))
	if err != nil || len(recorded) != len(sum.Incidents) || len(recorded) == 0 {
		t.Fatalf("recorded %d incidents (%v), backfill injected %d", len(recorded), err, len(sum.Incidents))
	}
	if !reflect.DeepEqual(recorded[0], sum.Incidents[0].Record()) {
		t.Fatalf("recorded %+v, injected %+v", recorded[0], sum.Incidents[0])
	}
	svc, err := db.Service(ctx, "postgres-primary")
	if err != nil || svc.Type != "database" || svc.OwnerTeam != "platform" || svc.Labels["engine"] != "postgresql" {
		t.Fatalf("service = %+v, %v", svc, err)
	}

	// The points are the generator's.
	g, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	checkStored(t, db, g, sum.From, last.Add(time.Minute))

	if _, err := Backfill(ctx, db, opt); aiops.ErrorCode(err) != aiops.ECONFLICT {
		t.Fatalf("second backfill: err = %v, want conflict", err)
	}
}

func TestBackfillRefusesForeignService(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if err := db.CreateService(ctx, &aiops.Service{Name: "search", Type: "api"}); err != nil {
		t.Fatal(err)
	}
	_, err := Backfill(ctx, db, Options{Now: func() time.Time { return t0 }, Days: 2})
	if aiops.ErrorCode(err) != aiops.ECONFLICT {
		t.Fatalf("err = %v, want conflict over the existing search service", err)
	}
	// The failed attempt leaves no claim behind.
	if _, err := Load(ctx, db); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("after a failed backfill: %v", err)
	}
}

// checkStored compares the stored points of every demo series in [from, to)
// with the generator's: same minutes, same values.
func checkStored(t *testing.T, db *postgres.DB, g *Generator, from, to time.Time) {
	t.Helper()
	ctx := context.Background()
	want := g.Samples(from, to)
	for _, s := range want {
		rows, err := db.Pool.Query(ctx, `
			SELECT p.ts, p.value FROM points p JOIN series s ON s.id = p.series_id JOIN services v ON v.id = s.service_id
			WHERE v.name = $1 AND s.metric = $2 AND p.ts >= $3 AND p.ts < $4 ORDER BY p.ts`, s.Service, s.Metric, from, to)
		if err != nil {
			t.Fatal(err)
		}
		i := 0
		for rows.Next() {
			var ts time.Time
			var v float64
			if err := rows.Scan(&ts, &v); err != nil {
				t.Fatal(err)
			}
			if i >= len(s.Points) || !ts.Equal(s.Points[i].T) || v != s.Points[i].V {
				rows.Close()
				t.Fatalf("%s/%s point %d: stored (%v, %v), generator has %+v", s.Service, s.Metric, i, ts, v, s.Points[min(i, len(s.Points)-1)])
			}
			i++
		}
		rows.Close()
		if i != len(s.Points) {
			t.Fatalf("%s/%s: %d points stored in [%v, %v), want %d", s.Service, s.Metric, i, from, to, len(s.Points))
		}
	}
}

func newAPI(t *testing.T, db *postgres.DB, now func() time.Time) string {
	t.Helper()
	store, err := blob.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Store: db, Blob: store, Now: now}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestStreamContinuesWithoutGap(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	clk := &clock{t: t0}
	opt := Options{Now: clk.Now, Seed: 9, Days: 2, Incidents: db}
	sum, err := Backfill(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	api := newAPI(t, db, clk.Now)
	g, err := Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}

	// Stopped for 95 minutes: the stream fills the gap first.
	clk.Set(t0.Add(95 * time.Minute))
	s, err := newStreamer(ctx, api, g, opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := sum.To.Add(time.Minute); !s.next.Equal(want) {
		t.Fatalf("resumes at %v, want %v", s.next, want)
	}
	sent, err := s.catchUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sent != 95 {
		t.Fatalf("sent %d minutes, want 95", sent)
	}
	clk.Set(t0.Add(96 * time.Minute))
	if sent, err := s.catchUp(ctx); err != nil || sent != 1 {
		t.Fatalf("next minute: sent %d, %v", sent, err)
	}
	end := t0.Add(96 * time.Minute).Truncate(time.Minute).Add(time.Minute)
	checkStored(t, db, g, sum.From, end)

	// A restarted stream picks up where this one stopped.
	s2, err := newStreamer(ctx, api, g, opt)
	if err != nil || !s2.next.Equal(end) {
		t.Fatalf("restart resumes at %v (%v), want %v", s2.next, err, end)
	}

	// Reaching a live incident, the stream lists it before sending its
	// first point.
	live := g.Incidents(end, end.Add(48*time.Hour))
	if len(live) == 0 {
		t.Fatal("no live incident in the next two days")
	}
	s2.next = live[0].Start.Add(-2 * time.Minute)
	clk.Set(live[0].Start)
	if _, err := s2.catchUp(ctx); err != nil {
		t.Fatal(err)
	}
	recorded, err := db.DemoIncidents(ctx, end, end.Add(48*time.Hour))
	if err != nil || len(recorded) != 1 || !reflect.DeepEqual(recorded[0], live[0].Record()) {
		t.Fatalf("recorded %+v (%v), want %+v", recorded, err, live[0].Record())
	}

	// Run, as make run calls it, continues the demo until cancelled.
	runCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := Run(runCtx, db, api, Options{Now: clk.Now}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := countRows(t, db, "SELECT count(*) FROM points WHERE ts = $1", live[0].Start); got != SeriesCount() {
		t.Fatalf("Run: %d points at the current minute, want %d", got, SeriesCount())
	}
}

func TestRunLeavesRealDataAlone(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if err := db.CreateService(ctx, &aiops.Service{Name: "billing", Type: "api"}); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, db, "http://127.0.0.1:1", Options{Now: func() time.Time { return t0 }}); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, db, "SELECT count(*) FROM services"); got != 1 {
		t.Fatalf("%d services after Run on a database with its own", got)
	}
}

func TestStreamRegistersServicesAndStops(t *testing.T) {
	db := pgtest.NewDB(t)
	clk := &clock{t: t0}
	api := newAPI(t, db, clk.Now)
	g := NewGenerator(3, t0.Add(-48*time.Hour), 2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Stream(ctx, api, g, Options{Now: clk.Now}) }()
	deadline := time.Now().Add(30 * time.Second)
	for countRows(t, db, "SELECT count(*) FROM points") < SeriesCount() {
		if time.Now().After(deadline) {
			t.Fatal("no points streamed within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Stream returned %v, want context.Canceled", err)
	}
	// With no earlier data, it starts at the current minute.
	if got := countRows(t, db, "SELECT count(*) FROM points WHERE ts = $1", t0.Truncate(time.Minute)); got != SeriesCount() {
		t.Fatalf("%d points at the current minute, want %d", got, SeriesCount())
	}
	if got := countRows(t, db, "SELECT count(*) FROM services WHERE labels->>'env' = 'demo'"); got != len(catalogue) {
		t.Fatalf("%d demo services registered through the API, want %d", got, len(catalogue))
	}
}

func TestStreamNeedsAnAPI(t *testing.T) {
	g := NewGenerator(1, t0, 2)
	srv := httptest.NewServer(nil)
	srv.Close() // a port nothing listens on
	err := Stream(context.Background(), srv.URL, g, Options{})
	if err == nil {
		t.Fatal("Stream to a closed port succeeded")
	}
	if err := Stream(context.Background(), "localhost:3000", g, Options{}); err == nil {
		t.Fatal("Stream to a URL without scheme succeeded")
	}
}

// BenchmarkBackfill measures the whole default backfill: 14 days of every
// series written and its rollups refreshed, on a fresh database each time.
func BenchmarkBackfill(b *testing.B) {
	var write, refresh time.Duration
	points := 0
	for b.Loop() {
		b.StopTimer()
		db := pgtest.NewDB(b)
		b.StartTimer()
		sum, err := Backfill(context.Background(), db, Options{Now: func() time.Time { return t0 }, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		write, refresh, points = write+sum.Write, refresh+sum.Refresh, sum.Points
	}
	b.ReportMetric(float64(points), "points/op")
	b.ReportMetric(write.Seconds()/float64(b.N), "write-s/op")
	b.ReportMetric(refresh.Seconds()/float64(b.N), "refresh-s/op")
}
