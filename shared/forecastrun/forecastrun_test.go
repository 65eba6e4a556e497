package forecastrun_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/forecast"
	"github.com/opsight/opsight/shared/forecastrun"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

var now = time.Date(2026, 11, 25, 13, 5, 0, 0, time.UTC)

// writeCPU writes 14 days of hourly CPU utilisation with a daily cycle,
// growing 1.5 points a day: it will cross 85% within the next two days.
func writeCPU(t *testing.T, db *postgres.DB) {
	var ps []aiops.Point
	start := now.Truncate(time.Hour).Add(-14 * 24 * time.Hour)
	for i := 0; i < 14*24; i++ {
		tm := start.Add(time.Duration(i) * time.Hour)
		daily := 0.08 * math.Sin(2*math.Pi*float64(tm.Hour()-8)/24)
		ps = append(ps, aiops.Point{T: tm, V: 0.55 + 0.015*float64(i)/24 + daily})
	}
	_, err := db.WriteSamples(context.Background(), []aiops.Samples{
		{SeriesKey: aiops.SeriesKey{Service: "checkout", Metric: aiops.MetricCPU}, Points: ps},
		{SeriesKey: aiops.SeriesKey{Service: "checkout", Metric: "queue_depth"}, Points: ps[len(ps)-10:]},
	}, postgres.WriteOptions{CreateServices: true})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	db := pgtest.NewDB(t)
	store, _ := blob.OpenFS(t.TempDir())
	ctx := context.Background()
	writeCPU(t, db)
	opt := forecastrun.Options{Thresholds: []config.CapacityThreshold{{Metric: aiops.MetricCPU, Above: true, Value: 0.85}}}
	res, err := forecastrun.Run(ctx, db, store, now, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Candidates != 2 || res.Fitted != 1 || res.TooShort != 1 || res.Breaches != 1 {
		t.Fatalf("result = %+v", res)
	}
	series, _ := db.FindSeries(ctx, postgres.SeriesFilter{Service: "checkout", Metric: aiops.MetricCPU})
	m, pts, err := db.Forecast(ctx, series[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 48 || !pts[0].T.Equal(now.Truncate(time.Hour)) || m.Summary == "" {
		t.Fatalf("model %+v, %d points from %v", m, len(pts), pts[0].T)
	}
	for _, p := range pts {
		if !(p.Lo95 <= p.Lo80 && p.Lo80 <= p.Yhat && p.Yhat <= p.Hi80 && p.Hi80 <= p.Hi95) {
			t.Fatalf("intervals out of order: %+v", p)
		}
	}
	// The stored model forecasts the same without refitting.
	raw, err := store.Get(ctx, m.ObjectKey)
	if err != nil {
		t.Fatal(err)
	}
	var stored forecast.Model
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	p, _ := stored.Forecast(48, []float64{80, 95})
	if math.Abs(p.Mean[10]-pts[10].Yhat) > 1e-9 {
		t.Fatalf("stored model forecasts %v, table has %v", p.Mean[10], pts[10].Yhat)
	}
	b, _ := db.Breaches(ctx, 0)
	if len(b) != 1 || b[0].Expected == nil || b[0].Earliest == nil || b[0].Earliest.After(*b[0].Expected) {
		t.Fatalf("breach = %+v", b)
	}
	t.Logf("CPU predicted above 85%%: earliest %v, expected %v", b[0].Earliest, b[0].Expected)

	// An hour later the model is fresh; seven hours later it is refitted
	// into a new object, the old one kept.
	if res, _ := forecastrun.Run(ctx, db, store, now.Add(time.Hour), opt); res.Fitted != 0 || res.Fresh != 1 {
		t.Fatalf("fresh model refitted: %+v", res)
	}
	if res, _ := forecastrun.Run(ctx, db, store, now.Add(7*time.Hour), opt); res.Fitted != 1 {
		t.Fatalf("stale model not refitted: %+v", res)
	}
	keys, _ := store.List(ctx, "models/forecast/")
	if len(keys) != 2 {
		t.Fatalf("model versions = %v", keys)
	}
}
