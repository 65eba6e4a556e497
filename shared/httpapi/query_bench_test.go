package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

const (
	queryBenchDB     = "opsight_bench_query_50m"
	queryBenchSeries = 500
	queryBenchDays   = 70 // 500 series x 70 days x 1440 = 50.4 million points
)

var queryBenchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchmarkQuery50M asks GET /api/v1/query for one week of a 1-minute series,
// downsampled to at most 1,000 points, with 50 million points in the table.
// The database is built once (minutes) and kept between runs under the name
// opsight_bench_query_50m; drop it to rebuild. Run with -benchtime 500x.
func BenchmarkQuery50M(b *testing.B) {
	if os.Getenv("OPSIGHT_BENCH_LARGE") == "" {
		b.Skip("builds a 50-million-point database (about 40 minutes the first time); run with OPSIGHT_BENCH_LARGE=1 (make bench-large)")
	}
	ctx := context.Background()
	dbURL := ensureQueryBenchDB(b)
	db, err := postgres.Open(ctx, dbURL, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var points int64
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM points").Scan(&points)
	store, _ := blob.OpenFS(b.TempDir())
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Store: db, Blob: store}))
	defer srv.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	get := func() {
		series := 1 + rng.IntN(queryBenchSeries)
		from := queryBenchStart.Add(time.Duration(rng.IntN((queryBenchDays-7)*24)) * time.Hour)
		q := url.Values{"series": {fmt.Sprint(series)}, "from": {from.Format(time.RFC3339)},
			"to": {from.Add(7 * 24 * time.Hour).Format(time.RFC3339)}, "max_points": {"1000"}}
		res, err := http.Get(srv.URL + "/api/v1/query?" + q.Encode())
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	for range 20 {
		get()
	}
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		get()
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(points)/1e6, "Mpoints")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
}

// ensureQueryBenchDB builds the benchmark database once: 500 series of
// 1-minute points over 70 days, generated in SQL (a daily cycle plus noise),
// with rollups refreshed. It also reports bytes per point.
func ensureQueryBenchDB(b *testing.B) string {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.ServerURL())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	u, _ := url.Parse(pgtest.ServerURL())
	u.Path = "/" + queryBenchDB
	var exists bool
	admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", queryBenchDB).Scan(&exists)
	if exists {
		db, err := postgres.Open(ctx, u.String(), postgres.Options{})
		if err == nil {
			var done bool
			db.Pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM services WHERE name = 'bench-complete')").Scan(&done)
			db.Close()
			if done {
				return u.String()
			}
		}
		admin.Exec(ctx, "DROP DATABASE "+queryBenchDB+" WITH (FORCE)")
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+queryBenchDB); err != nil {
		b.Fatal(err)
	}
	db, err := postgres.Open(ctx, u.String(), postgres.Options{MaxConns: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO services (name, type) SELECT 'svc-' || i, 'api' FROM generate_series(1, $1) i`, queryBenchSeries); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `INSERT INTO series (service_id, metric) SELECT id, 'latency_p95' FROM services ORDER BY id`); err != nil {
		b.Fatal(err)
	}
	for d := range queryBenchDays {
		day := queryBenchStart.Add(time.Duration(d) * 24 * time.Hour)
		if err := db.EnsurePartitionsAhead(ctx, day, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `
			INSERT INTO points (series_id, ts, value)
			SELECT s, t, 0.2 + 0.1 * sin(extract(epoch FROM t) / 13751) + random() * 0.05
			FROM generate_series(1, $1) s, generate_series($2::timestamptz, $2::timestamptz + interval '1 day' - interval '1 minute', interval '1 minute') t`,
			queryBenchSeries, day); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `
			INSERT INTO rollup_dirty SELECT s, h FROM generate_series(1, $1) s,
			generate_series($2::timestamptz, $2::timestamptz + interval '23 hours', interval '1 hour') h`, queryBenchSeries, day); err != nil {
			b.Fatal(err)
		}
	}
	for {
		n, err := db.RefreshRollups(ctx, 5000)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	db.Pool.Exec(ctx, "VACUUM ANALYZE")
	db.Pool.Exec(ctx, "INSERT INTO services (name, type) VALUES ('bench-complete', 'other')")
	var bytes, points int64
	db.Pool.QueryRow(ctx, "SELECT pg_total_relation_size('points') + (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits WHERE inhparent = 'points'::regclass)").Scan(&bytes)
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM points").Scan(&points)
	b.Logf("built %s in %v: %d points, %.1f bytes per point (table and indexes)", queryBenchDB, time.Since(start).Round(time.Second), points, float64(bytes)/float64(points))
	return u.String()
}
