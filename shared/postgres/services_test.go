package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestServiceLifecycle(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()

	s := &aiops.Service{Name: "checkout-api", OwnerTeam: "payments", Labels: map[string]string{"env": "prod"}}
	if err := db.CreateService(ctx, s); err != nil {
		t.Fatal(err)
	}
	if s.Type != "api" || s.Status != "active" || s.CreatedAt.IsZero() {
		t.Fatalf("defaults not applied: %+v", s)
	}
	if err := db.CreateService(ctx, &aiops.Service{Name: "checkout-api"}); aiops.ErrorCode(err) != aiops.ECONFLICT {
		t.Fatalf("duplicate: err = %v, want conflict", err)
	}

	got, err := db.Service(ctx, "checkout-api")
	if err != nil || got.Labels["env"] != "prod" || got.OwnerTeam != "payments" {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := db.Service(ctx, "nope"); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("missing: err = %v", err)
	}

	worker := "worker"
	up, err := db.UpdateService(ctx, "checkout-api", aiops.ServiceUpdate{Type: &worker, Labels: map[string]*string{"env": nil}})
	if err != nil || up.Type != "worker" || len(up.Labels) != 0 || up.UpdatedAt.Before(up.CreatedAt) {
		t.Fatalf("update = %+v, %v", up, err)
	}
	bad := "sideways"
	if _, err := db.UpdateService(ctx, "checkout-api", aiops.ServiceUpdate{Status: &bad}); aiops.ErrorCode(err) != aiops.EINVALID {
		t.Fatalf("invalid update: err = %v", err)
	}
	if got, _ := db.Service(ctx, "checkout-api"); got.Status != "active" {
		t.Fatalf("a rejected update changed the row: %+v", got)
	}

	if err := db.DeleteService(ctx, "checkout-api"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteService(ctx, "checkout-api"); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("second delete: err = %v", err)
	}
}

func TestServicesFilterAndPage(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	for _, s := range []aiops.Service{
		{Name: "a", Type: "api", OwnerTeam: "x"},
		{Name: "b", Type: "worker", OwnerTeam: "x"},
		{Name: "c", Type: "api", OwnerTeam: "y"},
	} {
		if err := db.CreateService(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	list, total, err := db.Services(ctx, aiops.ServiceFilter{Type: "api"})
	if err != nil || total != 2 || len(list) != 2 || list[0].Name != "a" || list[1].Name != "c" {
		t.Fatalf("filter = %v total %d, %v", list, total, err)
	}
	list, total, err = db.Services(ctx, aiops.ServiceFilter{Limit: 1, Offset: 1})
	if err != nil || total != 3 || len(list) != 1 || list[0].Name != "b" {
		t.Fatalf("page = %v total %d, %v", list, total, err)
	}
	list, total, err = db.Services(ctx, aiops.ServiceFilter{Limit: 1, Offset: 10})
	if err != nil || total != 3 || len(list) != 0 {
		t.Fatalf("past the end = %v total %d, %v", list, total, err)
	}
}

// Concurrent label merges must not lose each other's keys.
func TestUpdateServiceConcurrentMerges(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if err := db.CreateService(ctx, &aiops.Service{Name: "svc"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	keys := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"}
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := "v"
			if _, err := db.UpdateService(ctx, "svc", aiops.ServiceUpdate{Labels: map[string]*string{k: &v}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := db.Service(ctx, "svc")
	if err != nil || len(got.Labels) != len(keys) {
		t.Fatalf("labels = %v, %v; want %d keys", got.Labels, err, len(keys))
	}
}

func errorAs(err error, target **aiops.Error) bool {
	return errors.As(err, target)
}
