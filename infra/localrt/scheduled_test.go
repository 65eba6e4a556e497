package localrt

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/opsight/opsight/infra/samtemplate"
)

// fastClock runs simulated time: every wait the scheduler asks for passes
// in 20 real milliseconds.
type fastClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fastClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fastClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return time.After(20 * time.Millisecond)
}

func TestSchedulerSendsScheduledEvents(t *testing.T) {
	clock := &fastClock{now: time.Date(2026, 1, 1, 10, 2, 30, 0, time.UTC)}
	rt, out := newRuntime(t, "testdata/schedule-template.yaml", func(c *Config) {
		c.Now, c.After = clock.Now, clock.After
		c.Region, c.AccountID = "eu-west-1", "111122223333"
	})
	if err := rt.StartScheduler(); err != nil {
		t.Fatal(err)
	}
	// Simulated 10:02:30 to past 10:05:30 holds 3 rate firings and 1 cron
	// one (with Input); invocations are asynchronous, so wait for them.
	var rateTimes []string
	var inputs int
	waitFor(t, func() bool {
		rateTimes, inputs = scheduledEvents(t, out)
		return len(rateTimes) >= 3 && rateTimes[2] == "10:05:30" && inputs >= 1 &&
			len(out.lines("[ShortFunction] event: ")) >= 3
	})
	rt.Close()
	// The at() schedule fires once; its function error is retried twice,
	// as Lambda retries asynchronous invocations.
	if n := len(out.lines("[ShortFunction] event: ")); n != 3 {
		t.Errorf("a failing scheduled invocation ran %d times, want 1 + 2 retries", n)
	}
	rateTimes, inputs = scheduledEvents(t, out)
	if strings.Join(rateTimes[:3], " ") != "10:03:30 10:04:30 10:05:30" {
		t.Errorf("rate(1 minute) from 10:02:30 fired at %v", rateTimes)
	}
	if strings.Contains(out.String(), "EchoFunctionNever") {
		t.Error("a disabled schedule fired")
	}
}

func TestSchedulerRejectsBadExpression(t *testing.T) {
	tpl, err := samtemplate.Parse([]byte(`
Resources:
  JobFunction:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: cron(0 12 * * * *)
`))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := New(Config{Template: tpl, BinDir: binDir})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if err := rt.StartScheduler(); err == nil || !strings.Contains(err.Error(), "JobFunction.Tick") || !strings.Contains(err.Error(), "must be ?") {
		t.Fatalf("err = %v", err)
	}
}

// scheduledEvents checks the events the function logged and returns the
// times of the Scheduled Events, sorted, and how many Input events came.
func scheduledEvents(t *testing.T, out *syncBuffer) (rateTimes []string, inputs int) {
	t.Helper()
	for _, l := range out.lines("[EchoFunction] event: ") {
		raw := strings.TrimPrefix(l, "[EchoFunction] event: ")
		if raw == `{"action":"scheduled","custom":true}` {
			inputs++
			continue
		}
		var ev events.CloudWatchEvent
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		if ev.Version != "0" || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" ||
			ev.AccountID != "111122223333" || ev.Region != "eu-west-1" || string(ev.Detail) != "{}" ||
			len(ev.Resources) != 1 || ev.Resources[0] != "arn:aws:events:eu-west-1:111122223333:rule/EchoFunctionEveryMinute" ||
			!regexp.MustCompile(`^[0-9a-f-]{36}$`).MatchString(ev.ID) {
			t.Errorf("scheduled event %s", raw)
		}
		if !regexp.MustCompile(`"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"`).MatchString(raw) {
			t.Errorf("time is not RFC 3339 in UTC to the second: %s", raw)
		}
		rateTimes = append(rateTimes, ev.Time.Format("15:04:05"))
	}
	sort.Strings(rateTimes)
	return rateTimes, inputs
}
