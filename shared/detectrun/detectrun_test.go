package detectrun_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/detectrun"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

var origin = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// service writes minutes [from, to) of a service's metrics: a daily cycle
// with noise, and a latency and error spike during [spikeFrom, spikeTo).
func write(t *testing.T, db *postgres.DB, from, to, spikeFrom, spikeTo time.Time) {
	t.Helper()
	writeWith(t, db, from, to, func(m string, tm time.Time, v float64) float64 {
		if !tm.Before(spikeFrom) && tm.Before(spikeTo) {
			switch m {
			case aiops.MetricLatencyP95:
				return v * 6
			case aiops.MetricErrorRate:
				return 0.08
			}
		}
		return v
	})
}

// writeWith writes minutes [from, to) with change applied to each value.
func writeWith(t *testing.T, db *postgres.DB, from, to time.Time, change func(metric string, tm time.Time, v float64) float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(from.Unix()), 7))
	metrics := map[string]func(tm time.Time, day float64) float64{
		aiops.MetricRequestRate: func(tm time.Time, day float64) float64 { return 100 * (1 + 0.5*day) * (1 + 0.05*rng.NormFloat64()) },
		aiops.MetricErrorRate:   func(tm time.Time, day float64) float64 { return 0.002 * (1 + 0.2*rng.NormFloat64()) },
		aiops.MetricLatencyP95:  func(tm time.Time, day float64) float64 { return 0.2 * (1 + 0.2*day) * (1 + 0.05*rng.NormFloat64()) },
		aiops.MetricCPU:         func(tm time.Time, day float64) float64 { return 0.3 * (1 + 0.4*day) * (1 + 0.03*rng.NormFloat64()) },
	}
	var batch []aiops.Samples
	for _, m := range aiops.StandardMetrics {
		f, ok := metrics[m]
		if !ok {
			continue
		}
		s := aiops.Samples{SeriesKey: aiops.SeriesKey{Service: "checkout", Metric: m}}
		for tm := from; tm.Before(to); tm = tm.Add(time.Minute) {
			day := math.Sin(2 * math.Pi * float64(tm.Hour()*60+tm.Minute()) / 1440)
			v := change(m, tm, f(tm, day))
			s.Points = append(s.Points, aiops.Point{T: tm, V: math.Max(v, 0)})
		}
		batch = append(batch, s)
	}
	if _, err := db.WriteSamples(context.Background(), batch, postgres.WriteOptions{CreateServices: true}); err != nil {
		t.Fatal(err)
	}
}

func TestRunFindsTheSpikeAndClosesTheEpisode(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	spike := origin.Add(4*24*time.Hour + 14*time.Hour)
	write(t, db, origin, spike.Add(20*time.Minute), spike, spike.Add(20*time.Minute))

	res, err := detectrun.Run(ctx, db, detectrun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Series != 4 || res.Points != 4*(4*1440+14*60+20) || res.Services != 1 || res.RowsScored == 0 {
		t.Fatalf("result = %+v", res)
	}
	list, err := db.Anomalies(ctx, aiops.AnomalyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var found *aiops.Anomaly
	for i, a := range list {
		if !a.End.Before(spike) && a.Start.Before(spike.Add(20*time.Minute)) {
			found = &list[i]
		}
	}
	if found == nil {
		t.Fatalf("the spike was not found; episodes: %+v", list)
	}
	if !found.Open || found.Start.Sub(spike) > 2*time.Minute || aiops.SeverityRank(found.Severity) < 2 ||
		!slices.Contains(found.Metrics, aiops.MetricLatencyP95) || found.Description == "" {
		t.Fatalf("episode = %+v", *found)
	}
	t.Logf("found: %s %s..%s peak %.2f (%s) metrics %v: %s", found.Severity, found.Start.Format(time.TimeOnly), found.End.Format(time.TimeOnly), found.PeakScore, found.PeakTime.Format(time.TimeOnly), found.Metrics, found.Description)
	falseAlarms := len(list) - 1
	if falseAlarms > 3 {
		t.Errorf("%d other episodes in 4.5 quiet days: %+v", falseAlarms, list)
	}

	// Thirty normal minutes later the episode is closed, not duplicated.
	end := spike.Add(20 * time.Minute)
	write(t, db, end, end.Add(30*time.Minute), time.Time{}, time.Time{})
	res, err = detectrun.Run(ctx, db, detectrun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Points != 4*30 {
		t.Fatalf("second run fed %d points, want only the 120 new ones", res.Points)
	}
	again, _ := db.Anomalies(ctx, aiops.AnomalyFilter{From: spike})
	for _, a := range again {
		if a.ID == found.ID && a.Open {
			t.Fatalf("episode still open after 30 normal minutes: %+v", a)
		}
	}
	// Nothing new: nothing to do.
	if res, err := detectrun.Run(ctx, db, detectrun.Options{}); err != nil || res.Points != 0 || res.NewEpisodes != 0 {
		t.Fatalf("idle run: %+v, %v", res, err)
	}
}

// A corrupt saved state is reset with a warning; the run goes on.
func TestCorruptStateIsReset(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	write(t, db, origin, origin.Add(6*time.Hour), time.Time{}, time.Time{})
	if _, err := detectrun.Run(ctx, db, detectrun.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "UPDATE detector_state SET state = '\\x00ff'"); err != nil {
		t.Fatal(err)
	}
	write(t, db, origin.Add(6*time.Hour), origin.Add(7*time.Hour), time.Time{}, time.Time{})
	res, err := detectrun.Run(ctx, db, detectrun.Options{})
	if err != nil || res.StateResets != 4 || res.Points != 4*60 {
		t.Fatalf("result = %+v, %v", res, err)
	}
}

// A lasting level shift is an episode that ends: after MaxExtend the new
// level is the normal one.
func TestLevelShiftEpisodeEnds(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	shift := origin.Add(4*24*time.Hour + 10*time.Hour)
	writeWith(t, db, origin, shift.Add(4*time.Hour), func(m string, tm time.Time, v float64) float64 {
		if m == aiops.MetricLatencyP95 && !tm.Before(shift) {
			return v * 3
		}
		return v
	})
	if _, err := detectrun.Run(ctx, db, detectrun.Options{}); err != nil {
		t.Fatal(err)
	}
	list, _ := db.Anomalies(ctx, aiops.AnomalyFilter{From: shift.Add(-time.Minute)})
	if len(list) == 0 {
		t.Fatal("the level shift was not found")
	}
	first := list[len(list)-1]
	if first.Start.Sub(shift) > 5*time.Minute || first.Open || first.End.Sub(first.Start) > 2*time.Hour {
		t.Fatalf("episode = %+v", first)
	}
	t.Logf("level shift: %s..%s %s", first.Start.Format(time.TimeOnly), first.End.Format(time.TimeOnly), first.Description)
}

// A deploy that doubles the CPU each request costs is found through the
// efficiency detector (CPU per request), and filed under cpu.
func TestEfficiencyRegression(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	deploy := origin.Add(4*24*time.Hour + 3*time.Hour) // at night, when CPU is low anyway
	writeWith(t, db, origin, deploy.Add(2*time.Hour), func(m string, tm time.Time, v float64) float64 {
		if m == aiops.MetricCPU && !tm.Before(deploy) {
			return v * 2
		}
		return v
	})
	if _, err := detectrun.Run(ctx, db, detectrun.Options{}); err != nil {
		t.Fatal(err)
	}
	list, _ := db.Anomalies(ctx, aiops.AnomalyFilter{From: deploy.Add(-time.Minute)})
	for _, a := range list {
		if a.Start.Sub(deploy) <= 5*time.Minute && slices.Contains(a.Metrics, aiops.MetricCPU) {
			t.Logf("found: %s %s", a.Start.Format(time.TimeOnly), a.Description)
			return
		}
	}
	t.Fatalf("the CPU regression was not found: %+v", list)
}
