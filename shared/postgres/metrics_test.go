package postgres_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

var t0 = time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)

func minutes(from time.Time, n int, f func(i int) float64) []aiops.Point {
	ps := make([]aiops.Point, n)
	for i := range ps {
		ps[i] = aiops.Point{T: from.Add(time.Duration(i) * time.Minute), V: f(i)}
	}
	return ps
}

func mustService(t *testing.T, db *postgres.DB, name string) {
	t.Helper()
	if err := db.CreateService(context.Background(), &aiops.Service{Name: name}); err != nil {
		t.Fatal(err)
	}
}

func countPoints(t *testing.T, db *postgres.DB) int {
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM points").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriteSamplesIdempotentLastWriteWins(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustService(t, db, "checkout")
	key := aiops.SeriesKey{Service: "checkout", Metric: "latency_p95", Labels: map[string]string{"route": "/pay"}}
	batch := []aiops.Samples{
		{SeriesKey: key, Points: minutes(t0, 3, func(i int) float64 { return float64(i) })},
		// The same series again, in the same batch: the later value wins.
		{SeriesKey: key, Points: []aiops.Point{{T: t0.Add(time.Minute), V: 10}}},
	}
	res, err := db.WriteSamples(ctx, batch, postgres.WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Series != 1 || res.Points != 3 || res.CreatedSeries != 1 {
		t.Fatalf("result = %+v", res)
	}
	// Writing again stores no new point and overwrites one.
	res, err = db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: key, Points: []aiops.Point{{T: t0, V: 7}}}}, postgres.WriteOptions{})
	if err != nil || res.CreatedSeries != 0 {
		t.Fatalf("second write: %+v, %v", res, err)
	}
	if n := countPoints(t, db); n != 3 {
		t.Fatalf("%d points stored, want 3", n)
	}
	series, _ := db.FindSeries(ctx, postgres.SeriesFilter{Service: "checkout", Labels: map[string]string{"route": "/pay"}})
	if len(series) != 1 || !series[0].FirstPoint.Equal(t0) || !series[0].LastPoint.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("series = %+v", series)
	}
	b, src, err := db.QueryRange(ctx, postgres.RangeQuery{SeriesID: series[0].ID, From: t0, To: t0.Add(time.Hour), Step: time.Minute})
	if err != nil || src != postgres.SourceRaw {
		t.Fatal(err, src)
	}
	got := []float64{b[0].Avg, b[1].Avg, b[2].Avg}
	if got[0] != 7 || got[1] != 10 || got[2] != 2 {
		t.Fatalf("values = %v, want [7 10 2]", got)
	}
	svc, _ := db.Service(ctx, "checkout")
	if svc.LastSeen == nil {
		t.Fatal("last_seen not set")
	}
}

func TestWriteSamplesAllOrNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustService(t, db, "a")
	batch := []aiops.Samples{
		{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "cpu"}, Points: minutes(t0, 10, func(int) float64 { return 1 })},
		{SeriesKey: aiops.SeriesKey{Service: "ghost", Metric: "cpu"}, Points: minutes(t0, 10, func(int) float64 { return 1 })},
	}
	_, err := db.WriteSamples(ctx, batch, postgres.WriteOptions{})
	var e *aiops.Error
	if aiops.ErrorCode(err) != aiops.ENOTFOUND || !errorAs(err, &e) || e.Field != "[1].service" {
		t.Fatalf("err = %v", err)
	}
	if n := countPoints(t, db); n != 0 {
		t.Fatalf("%d points written from a rejected batch", n)
	}
	var series int
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM series").Scan(&series)
	if series != 0 {
		t.Fatalf("%d series written from a rejected batch", series)
	}
	res, err := db.WriteSamples(ctx, batch, postgres.WriteOptions{CreateServices: true})
	if err != nil || res.CreatedServices != 1 || res.Points != 20 {
		t.Fatalf("with CreateServices: %+v, %v", res, err)
	}
}

func TestPartitionsOnDemandAndRetention(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustService(t, db, "a")
	// Three days of 10-minute points: three partitions created on demand.
	ps := make([]aiops.Point, 0)
	for i := 0; i < 3*144; i++ {
		ps = append(ps, aiops.Point{T: t0.Add(time.Duration(i) * 10 * time.Minute), V: float64(i)})
	}
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: ps}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	dropped, err := db.DropPartitionsBefore(ctx, t0.Add(48*time.Hour))
	if err != nil || len(dropped) != 2 || dropped[0] != "points_p20260310" {
		t.Fatalf("dropped %v, %v", dropped, err)
	}
	if n := countPoints(t, db); n != 144 {
		t.Fatalf("%d points left, want one day (144)", n)
	}
	// Writing into a dropped day again recreates its partition, even though
	// this pool believed it existed.
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: ps[:1]}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	other, _ := postgres.Open(ctx, db.Pool.Config().ConnString(), postgres.Options{})
	defer other.Close()
	if _, err := other.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: ps[:2]}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.DropPartitionsBefore(ctx, t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: ps[:1]}}, postgres.WriteOptions{}); err != nil {
		t.Fatalf("write after another pool dropped the partition: %v", err)
	}
}

// Rollups agree with the raw points, including after an overwrite lowers a
// maximum, and queries are exact while hours are still dirty.
func TestRollupsMatchRawPoints(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustService(t, db, "a")
	key := aiops.SeriesKey{Service: "a", Metric: "latency_p95"}
	ps := minutes(t0, 6*60, func(i int) float64 { return 100 + 50*math.Sin(float64(i)/37) + float64(i%7) })
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: key, Points: ps}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	series, _ := db.FindSeries(ctx, postgres.SeriesFilter{Service: "a"})
	id := series[0].ID
	check := func(stage string) {
		t.Helper()
		for _, step := range []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 2 * time.Hour} {
			raw, src, err := db.QueryRange(ctx, postgres.RangeQuery{SeriesID: id, From: t0, To: t0.Add(6 * time.Hour), Step: step})
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: postgres.Source1h, false: postgres.Source5m}[step%time.Hour == 0]; src != want {
				t.Fatalf("step %v read %s, want %s", step, src, want)
			}
			exact := aggregate(ps, step) // the truth, computed here from the points
			if len(raw) != len(exact) {
				t.Fatalf("%s step %v: %d buckets, want %d", stage, step, len(raw), len(exact))
			}
			for i := range raw {
				if !raw[i].T.Equal(exact[i].T) || math.Abs(raw[i].Avg-exact[i].Avg) > 1e-9 || raw[i].Max != exact[i].Max || raw[i].Min != exact[i].Min || raw[i].Count != exact[i].Count {
					t.Fatalf("%s step %v bucket %d = %+v, want %+v", stage, step, i, raw[i], exact[i])
				}
			}
		}
	}
	check("dirty")
	n, err := db.RefreshRollups(ctx, 1000)
	if err != nil || n != 6 {
		t.Fatalf("refreshed %d hours, %v; want 6", n, err)
	}
	check("refreshed")
	// Overwrite the largest point of hour 2 with a small value.
	hi := 120
	for i := 120; i < 180; i++ {
		if ps[i].V > ps[hi].V {
			hi = i
		}
	}
	ps[hi].V = 0
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: key, Points: ps[hi : hi+1]}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	check("overwritten, dirty")
	if n, _ := db.RefreshRollups(ctx, 1000); n != 1 {
		t.Fatalf("refreshed %d hours after one overwrite, want 1", n)
	}
	check("overwritten, refreshed")
}

// aggregate buckets points the way QueryRange does.
func aggregate(ps []aiops.Point, step time.Duration) []postgres.Bucket {
	var out []postgres.Bucket
	var sum float64
	for _, p := range ps {
		b := time.Unix(p.T.Unix()/int64(step.Seconds())*int64(step.Seconds()), 0).UTC()
		if n := len(out); n == 0 || !out[n-1].T.Equal(b) {
			if n > 0 {
				out[n-1].Avg = sum / float64(out[n-1].Count)
			}
			out = append(out, postgres.Bucket{T: b, Min: p.V, Max: p.V})
			sum = 0
		}
		c := &out[len(out)-1]
		c.Min, c.Max = math.Min(c.Min, p.V), math.Max(c.Max, p.V)
		c.Count++
		sum += p.V
	}
	out[len(out)-1].Avg = sum / float64(out[len(out)-1].Count)
	return out
}

func TestDeletingAServiceDeletesItsPoints(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustService(t, db, "a")
	mustService(t, db, "b")
	for _, s := range []string{"a", "b"} {
		if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: s, Metric: "m"}, Points: minutes(t0, 90, func(int) float64 { return 1 })}}, postgres.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	db.RefreshRollups(ctx, 100)
	if err := db.DeleteService(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if n := countPoints(t, db); n != 90 {
		t.Fatalf("%d points left, want b's 90", n)
	}
	var r int
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM rollup_1h").Scan(&r)
	if r != 2 {
		t.Fatalf("%d hourly rollups left, want b's 2", r)
	}
}
