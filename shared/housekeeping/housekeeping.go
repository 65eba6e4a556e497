// Package housekeeping is the metric store's scheduled upkeep, run by the
// housekeeping function: every minute it refreshes the rollups of the hours
// that writes touched; every hour it creates the coming days' partitions
// and drops what fell out of the retention windows. Each task is idempotent,
// so a retried or doubled invocation does no harm.
package housekeeping

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Store is what housekeeping needs from the database.
type Store interface {
	RefreshRollups(ctx context.Context, limit int) (int, error)
	EnsurePartitionsAhead(ctx context.Context, now time.Time, days int) error
	DropPartitionsBefore(ctx context.Context, cutoff time.Time) ([]string, error)
	DeleteRollupsBefore(ctx context.Context, fine, coarse time.Time) (int64, error)
}

// Options configure the tasks.
type Options struct {
	RetentionDays       int // raw points
	RollupRetentionDays int
	// PartitionsAhead is how many days of partitions exist beyond today.
	PartitionsAhead int
	// RollupBatch is how many dirty hours one refresh statement takes; the
	// task repeats until none are left or its time is up.
	RollupBatch int
}

// Task names, chosen by the schedule's Input {"task": ...}.
const (
	TaskRollups    = "rollups"
	TaskPartitions = "partitions"
)

// Result summarises a run.
type Result struct {
	Task              string   `json:"task"`
	RefreshedHours    int      `json:"refreshed_hours,omitempty"`
	DroppedPartitions []string `json:"dropped_partitions,omitempty"`
	DeletedRollups    int64    `json:"deleted_rollups,omitempty"`
}

// Handler returns the function's handler. The event is the schedule's
// Input ({"task": "rollups"|"partitions"}) or an EventBridge Scheduled
// Event, whose time is used as "now"; an event naming no task runs both.
func Handler(db Store, log *slog.Logger, opt Options, now func() time.Time) func(context.Context, json.RawMessage) ([]Result, error) {
	if opt.RollupBatch <= 0 {
		opt.RollupBatch = 500
	}
	if opt.PartitionsAhead <= 0 {
		opt.PartitionsAhead = 7
	}
	return func(ctx context.Context, raw json.RawMessage) ([]Result, error) {
		var ev struct {
			Task string    `json:"task"`
			Time time.Time `json:"time"`
			events.CloudWatchEvent
		}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("housekeeping: event is not JSON: %w", err)
			}
		}
		at := now()
		if !ev.Time.IsZero() {
			at = ev.Time
		}
		var tasks []string
		switch ev.Task {
		case TaskRollups, TaskPartitions:
			tasks = []string{ev.Task}
		case "":
			tasks = []string{TaskPartitions, TaskRollups}
		default:
			return nil, fmt.Errorf("housekeeping: unknown task %q (want %q or %q)", ev.Task, TaskRollups, TaskPartitions)
		}
		var out []Result
		for _, t := range tasks {
			var r Result
			var err error
			switch t {
			case TaskRollups:
				r, err = refresh(ctx, db, opt)
			case TaskPartitions:
				r, err = partitions(ctx, db, opt, at)
			}
			if err != nil {
				return out, fmt.Errorf("housekeeping %s: %w", t, err)
			}
			log.InfoContext(ctx, "housekeeping done", "task", r.Task, "refreshed_hours", r.RefreshedHours,
				"dropped_partitions", r.DroppedPartitions, "deleted_rollups", r.DeletedRollups)
			out = append(out, r)
		}
		return out, nil
	}
}

// refresh drains the dirty hours, batch by batch, while the invocation has
// time left (a backfill can dirty thousands of hours at once).
func refresh(ctx context.Context, db Store, opt Options) (Result, error) {
	r := Result{Task: TaskRollups}
	deadline, hasDeadline := ctx.Deadline()
	for {
		n, err := db.RefreshRollups(ctx, opt.RollupBatch)
		if err != nil {
			return r, err
		}
		r.RefreshedHours += n
		if n < opt.RollupBatch || (hasDeadline && time.Until(deadline) < 5*time.Second) {
			return r, nil
		}
	}
}

func partitions(ctx context.Context, db Store, opt Options, now time.Time) (Result, error) {
	r := Result{Task: TaskPartitions}
	if err := db.EnsurePartitionsAhead(ctx, now, opt.PartitionsAhead); err != nil {
		return r, err
	}
	day := 24 * time.Hour
	var err error
	if r.DroppedPartitions, err = db.DropPartitionsBefore(ctx, now.Add(-time.Duration(opt.RetentionDays)*day)); err != nil {
		return r, err
	}
	// Hourly rollups live RollupRetentionDays; the four-times-larger
	// 5-minute ones a quarter of that, but never less than the raw points.
	fineDays := max(opt.RollupRetentionDays/4, opt.RetentionDays)
	coarse := now.Add(-time.Duration(opt.RollupRetentionDays) * day)
	fine := now.Add(-time.Duration(fineDays) * day)
	r.DeletedRollups, err = db.DeleteRollupsBefore(ctx, fine, coarse)
	return r, err
}
