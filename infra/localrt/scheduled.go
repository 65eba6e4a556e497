package localrt

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/opsight/opsight/infra/localrt/runtimeapi"
	"github.com/opsight/opsight/infra/localrt/schedule"
)

// StartScheduler invokes the functions on the template's Schedule and
// ScheduleV2 events until Close, asynchronously as EventBridge does:
// results go to the log, and function errors are retried twice. It fails,
// starting nothing, if an expression or Input is invalid. Disabled events
// are skipped.
func (r *Runtime) StartScheduler() error {
	var entries []schedule.Entry
	byName := map[string]scheduledEvent{}
	for _, s := range r.cfg.Template.Schedules() {
		name := s.Function + s.Event // the rule's logical ID, as SAM names it
		if !s.Enabled {
			r.log.Info("schedule disabled; skipping", "rule", name, "expression", s.Expression)
			continue
		}
		sc, err := schedule.Parse(s.Expression)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", s.Function, s.Event, err)
		}
		if s.Timezone != "" {
			loc, err := time.LoadLocation(s.Timezone)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", s.Function, s.Event, err)
			}
			sc = sc.In(loc)
		}
		if s.Input != "" && !json.Valid([]byte(s.Input)) {
			return fmt.Errorf("%s.%s: Input is not valid JSON", s.Function, s.Event)
		}
		entries = append(entries, schedule.Entry{Name: name, Schedule: sc})
		byName[name] = scheduledEvent{function: s.Function, typ: s.Type, input: s.Input}
	}
	if len(entries) == 0 {
		return nil
	}
	clock := schedule.Clock{Now: r.cfg.Now, After: r.cfg.After}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		schedule.Run(r.ctx, clock, entries, func(e schedule.Entry, due time.Time) {
			ev := byName[e.Name]
			payload := ev.payload(e.Name, due, r.cfg.Region, r.cfg.AccountID)
			r.wg.Add(1)
			go func() {
				defer r.wg.Done()
				r.invokeAsync(ev.function, payload, "rule", e.Name, "due", due)
			}()
		})
	}()
	return nil
}

// AsyncRetryDelays are the waits before Lambda's two retries of an
// asynchronous invocation that failed with a function error (about a
// minute, then two).
var AsyncRetryDelays = []time.Duration{time.Minute, 2 * time.Minute}

// invokeAsync is an asynchronous (Event) invocation: nobody waits for
// the result, and function errors are retried as Lambda retries them.
func (r *Runtime) invokeAsync(fn string, payload []byte, logAttrs ...any) {
	for attempt := 0; ; attempt++ {
		_, rep, err := r.Invoke(r.ctx, fn, payload)
		var fe *runtimeapi.FunctionError
		if err == nil || !errors.As(err, &fe) || attempt == len(AsyncRetryDelays) {
			if err != nil {
				r.log.Warn("asynchronous invocation failed", append(logAttrs, "request_id", rep.RequestID, "attempts", attempt+1, "err", err)...)
			}
			return
		}
		select {
		case <-r.ctx.Done():
			return
		case <-r.cfg.After(AsyncRetryDelays[attempt]):
		}
	}
}

type scheduledEvent struct {
	function, typ, input string
}

// payload is the event a rule sends: its Input when set, else for an
// EventBridge rule the "Scheduled Event", and for EventBridge Scheduler
// (ScheduleV2) an empty object.
func (ev scheduledEvent) payload(rule string, due time.Time, region, account string) []byte {
	if ev.input != "" {
		return []byte(ev.input)
	}
	if ev.typ == "ScheduleV2" {
		return []byte("{}")
	}
	b, _ := json.Marshal(ScheduledEvent(rule, due, region, account))
	return b
}

// ScheduledEvent is the EventBridge "Scheduled Event" a rule named rule
// sends at due.
func ScheduledEvent(rule string, due time.Time, region, account string) events.CloudWatchEvent {
	return events.CloudWatchEvent{
		Version:    "0",
		ID:         newRequestID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  account,
		Time:       due.UTC().Truncate(time.Second),
		Region:     region,
		Resources:  []string{fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", region, account, rule)},
		Detail:     json.RawMessage("{}"),
	}
}
