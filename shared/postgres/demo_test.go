package postgres_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestDemoGeneratorAndIncidents(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if _, err := db.DemoGenerator(ctx); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("empty database: err = %v, want not found", err)
	}
	origin := time.Date(2026, 11, 11, 12, 36, 0, 0, time.UTC)
	if err := db.ClaimDemoGenerator(ctx, postgres.DemoGenerator{Seed: 7, Origin: origin, Days: 14}); err != nil {
		t.Fatal(err)
	}
	if err := db.ClaimDemoGenerator(ctx, postgres.DemoGenerator{Seed: 8, Origin: origin, Days: 14}); aiops.ErrorCode(err) != aiops.ECONFLICT {
		t.Fatalf("second claim: err = %v, want conflict", err)
	}
	g, err := db.DemoGenerator(ctx)
	if err != nil || g.Seed != 7 || !g.Origin.Equal(origin) || g.Days != 14 || g.CreatedAt.IsZero() {
		t.Fatalf("generator = %+v, %v", g, err)
	}

	a := postgres.DemoIncident{ID: "e0-0", Service: "search", Kind: "latency_spike", Metrics: []string{"latency_p95"},
		Start: origin.Add(30 * time.Hour), End: origin.Add(30*time.Hour + 20*time.Minute), Description: "slow"}
	b := postgres.DemoIncident{ID: "e0-1", Service: "checkout-api", Kind: "memory_leak", Metrics: []string{"memory", "restarts"},
		Start: origin.Add(50 * time.Hour), End: origin.Add(56 * time.Hour), Description: "leak"}
	if err := db.RecordDemoIncidents(ctx, []postgres.DemoIncident{b, a}); err != nil {
		t.Fatal(err)
	}
	a.Description = "slower" // recording again replaces
	if err := db.RecordDemoIncidents(ctx, []postgres.DemoIncident{a}); err != nil {
		t.Fatal(err)
	}
	all, err := db.DemoIncidents(ctx, origin, origin.Add(14*24*time.Hour))
	if err != nil || !reflect.DeepEqual(all, []postgres.DemoIncident{a, b}) {
		t.Fatalf("incidents = %+v, %v", all, err)
	}
	// Overlap, not containment: a window inside b finds b.
	if got, _ := db.DemoIncidents(ctx, origin.Add(51*time.Hour), origin.Add(52*time.Hour)); len(got) != 1 || got[0].ID != "e0-1" {
		t.Fatalf("window inside e0-1: %+v", got)
	}
	bad := a
	bad.ID, bad.Kind = "e0-2", "meteor_strike"
	if err := db.RecordDemoIncidents(ctx, []postgres.DemoIncident{bad}); err == nil {
		t.Fatal("an unknown kind was recorded")
	}
	bad.Kind, bad.End = "latency_spike", bad.Start
	if err := db.RecordDemoIncidents(ctx, []postgres.DemoIncident{bad}); err == nil {
		t.Fatal("an incident ending as it starts was recorded")
	}

	if err := db.DeleteDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DemoGenerator(ctx); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("after delete: err = %v", err)
	}
	if got, _ := db.DemoIncidents(ctx, origin, origin.Add(14*24*time.Hour)); len(got) != 0 {
		t.Fatalf("incidents after delete: %+v", got)
	}
}
