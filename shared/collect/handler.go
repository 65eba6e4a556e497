package collect

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// HandleScheduled is the collect-prometheus function's handler. It
// collects the minute of the event's time — the time EventBridge scheduled
// the run for, so a late or retried invocation still collects its own
// minute — or, for a direct invocation without a time, the current minute.
func (c *Collector) HandleScheduled(ctx context.Context, ev events.CloudWatchEvent) (*Summary, error) {
	at := ev.Time
	if at.IsZero() {
		at = c.cfg.Now()
		c.log.InfoContext(ctx, "event without a time: collecting the current minute", "minute", at)
	}
	return c.Run(ctx, at)
}
