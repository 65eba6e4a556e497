package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/collect/breaker"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestCollectorState(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	for _, name := range []string{"checkout", "cart"} {
		if err := db.CreateService(ctx, &aiops.Service{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	states, err := db.CollectorStates(ctx)
	if err != nil || len(states) != 0 {
		t.Fatalf("fresh database: %v, %v", states, err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	want := postgres.CollectorState{
		Service: "checkout", SourceURL: "http://prom:9090", LastCollected: t0,
		Breaker:     breaker.State{Failures: 3, OpenedAt: t0.Add(time.Minute)},
		LastAttempt: t0.Add(time.Minute), LastError: "connection refused",
	}
	if err := db.SaveCollectorState(ctx, want); err != nil {
		t.Fatal(err)
	}
	// Never collected: zero times stay zero.
	if err := db.SaveCollectorState(ctx, postgres.CollectorState{Service: "cart", SourceURL: "http://p"}); err != nil {
		t.Fatal(err)
	}
	// A service that no longer exists is ignored.
	if err := db.SaveCollectorState(ctx, postgres.CollectorState{Service: "gone", SourceURL: "http://p"}); err != nil {
		t.Fatal(err)
	}
	states, err = db.CollectorStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := states["checkout"]; !equalState(got, want) {
		t.Errorf("checkout = %+v, want %+v", got, want)
	}
	if got := states["cart"]; !got.LastCollected.IsZero() || !got.Breaker.OpenedAt.IsZero() || !got.LastAttempt.IsZero() {
		t.Errorf("cart = %+v, want zero times", got)
	}
	if _, ok := states["gone"]; ok || len(states) != 2 {
		t.Errorf("states = %v", states)
	}

	// An earlier minute saved late does not move LastCollected back.
	late := want
	late.LastCollected = t0.Add(-10 * time.Minute)
	late.Breaker = breaker.State{}
	late.LastError = ""
	if err := db.SaveCollectorState(ctx, late); err != nil {
		t.Fatal(err)
	}
	states, _ = db.CollectorStates(ctx)
	if got := states["checkout"]; !got.LastCollected.Equal(t0) || got.Breaker != (breaker.State{}) || got.LastError != "" {
		t.Errorf("after a late save: %+v, want LastCollected %v and a closed breaker", got, t0)
	}

	// Deleting a service forgets its state.
	if err := db.DeleteService(ctx, "checkout"); err != nil {
		t.Fatal(err)
	}
	states, _ = db.CollectorStates(ctx)
	if _, ok := states["checkout"]; ok {
		t.Errorf("state of a deleted service survived: %v", states)
	}
}

func equalState(a, b postgres.CollectorState) bool {
	return a.Service == b.Service && a.SourceURL == b.SourceURL && a.LastCollected.Equal(b.LastCollected) &&
		a.Breaker.Failures == b.Breaker.Failures && a.Breaker.OpenedAt.Equal(b.Breaker.OpenedAt) &&
		a.LastAttempt.Equal(b.LastAttempt) && a.LastError == b.LastError
}
