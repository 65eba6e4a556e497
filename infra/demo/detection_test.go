package demo_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/demo"
	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/detectrun"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// match pairs each injected incident with the first episode of its service
// that overlaps it (a memory leak shows when it ends in restarts, so its end
// counts with some slack).
func match(incidents []postgres.DemoIncident, episodes []aiops.Anomaly) (found map[string]aiops.Anomaly, used map[int64]bool) {
	found, used = map[string]aiops.Anomaly{}, map[int64]bool{}
	for _, in := range incidents {
		for _, ep := range episodes {
			if ep.Service == in.Service && !ep.Start.After(in.End.Add(30*time.Minute)) && !ep.End.Before(in.Start.Add(-10*time.Minute)) {
				if _, ok := found[in.ID]; !ok || ep.Start.Before(found[in.ID].Start) {
					found[in.ID] = ep
				}
				used[ep.ID] = true
			}
		}
	}
	return found, used
}

// The detector, run as the scheduled function runs it, finds the demo's
// injected incidents in its backfill. This is the end-to-end check of
// detection on realistic operations data: six services, seven days of
// one-minute metrics with daily and weekly cycles, and every kind of
// incident.
func TestDetectionFindsDemoIncidents(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	days := 7 // OPSIGHT_DEMO_DAYS=14 checks what `make run` backfills
	if d, err := strconv.Atoi(os.Getenv("OPSIGHT_DEMO_DAYS")); err == nil && d >= 2 {
		days = d
	}
	if _, err := demo.Backfill(ctx, db, demo.Options{Seed: 1, Days: days, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	res, err := detectrun.Run(ctx, db, detectrun.Options{})
	if err != nil {
		t.Fatal(err)
	}
	incidents, err := db.DemoIncidents(ctx, time.Time{}, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	episodes, err := db.Anomalies(ctx, aiops.AnomalyFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	found, used := match(incidents, episodes)
	var report strings.Builder
	missed := map[string]int{}
	for _, in := range incidents {
		if ep, ok := found[in.ID]; ok {
			fmt.Fprintf(&report, "found  %-14s %-16s %s  after %4.0f min: %s %s\n", in.Kind, in.Service, in.Start.Format("01-02 15:04"),
				ep.Start.Sub(in.Start).Minutes(), ep.Severity, ep.Description)
		} else {
			missed[in.Kind]++
			fmt.Fprintf(&report, "MISSED %-14s %-16s %s  %s\n", in.Kind, in.Service, in.Start.Format("01-02 15:04"), in.Description)
		}
	}
	var others []string
	for _, ep := range episodes {
		if !used[ep.ID] {
			others = append(others, fmt.Sprintf("  %s %s %s..%s %s", ep.Service, ep.Severity, ep.Start.Format("01-02 15:04"), ep.End.Format("15:04"), ep.Description))
		}
	}
	t.Logf("run: %+v\n%d of %d incidents found; %d other episodes:\n%s%s", res, len(found), len(incidents), len(others), report.String(), strings.Join(others, "\n"))
	// Sharp incidents must all be found; slow ones (a leak's growth, a
	// deploy's CPU step) at least in part.
	if missed["latency_spike"]+missed["error_burst"] > 0 {
		t.Errorf("missed sharp incidents: %v", missed)
	}
	if len(found) < len(incidents)*2/3 {
		t.Errorf("found %d of %d incidents", len(found), len(incidents))
	}
	// Quiet days are mostly quiet: at most one unexplained episode a day.
	if len(others) > days {
		t.Errorf("%d episodes match no incident in %d days", len(others), days)
	}
}
