package housekeeping_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/housekeeping"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestHousekeeping(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	if err := db.CreateService(ctx, &aiops.Service{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	// 40 days of hourly points: 40 partitions, 960 dirty hours.
	var ps []aiops.Point
	for i := 0; i < 40*24; i++ {
		ps = append(ps, aiops.Point{T: now.Add(-time.Duration(i) * time.Hour), V: float64(i)})
	}
	if _, err := db.WriteSamples(ctx, []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: ps}}, postgres.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	h := housekeeping.Handler(db, slog.New(slog.DiscardHandler), housekeeping.Options{
		RetentionDays: 30, RollupRetentionDays: 400, RollupBatch: 100,
	}, func() time.Time { return now })

	res, err := h(ctx, json.RawMessage(`{"task":"rollups"}`))
	if err != nil || res[0].RefreshedHours != 960 {
		t.Fatalf("rollups: %+v, %v", res, err)
	}
	var dirty, hourly int
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM rollup_dirty").Scan(&dirty)
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM rollup_1h").Scan(&hourly)
	if dirty != 0 || hourly != 960 {
		t.Fatalf("dirty %d, hourly rollups %d", dirty, hourly)
	}

	res, err = h(ctx, json.RawMessage(`{"task":"partitions"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Days older than 30 days are gone: the partitions of Oct 16..25.
	if n := len(res[0].DroppedPartitions); n != 10 {
		t.Fatalf("dropped %v", res[0].DroppedPartitions)
	}
	var parts int
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'points'::regclass").Scan(&parts)
	if parts != 31+7 { // Oct 26 .. Nov 25, and Nov 26 .. Dec 2 ahead
		t.Fatalf("%d partitions, want 38", parts)
	}
	// Rollups outlive the points: all 960 hours are still there.
	db.Pool.QueryRow(ctx, "SELECT count(*) FROM rollup_1h").Scan(&hourly)
	if hourly != 960 {
		t.Fatalf("hourly rollups after retention: %d", hourly)
	}
	if _, err := h(ctx, json.RawMessage(`{"task":"vacuum"}`)); err == nil {
		t.Fatal("unknown task accepted")
	}
}
