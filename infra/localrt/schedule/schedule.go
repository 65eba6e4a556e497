// Package schedule parses EventBridge schedule expressions — rate(),
// AWS's six-field cron() and EventBridge Scheduler's one-time at() — and
// computes when they are next due, so the local runtime fires scheduled
// functions when AWS would and the template test rejects expressions AWS
// would reject.
//
// AWS's cron differs from Unix cron: it has a year field, day-of-week runs
// 1-7 for SUN-SAT, and exactly one of day-of-month and day-of-week must be
// "?". Reference: "Schedule types on EventBridge Scheduler" and "Cron
// expressions reference" in the Amazon EventBridge user guide.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed expression. The zero value is not useful; use Parse.
type Schedule struct {
	expr string
	loc  *time.Location

	rate time.Duration // rate(): the period
	cron *cronSpec     // cron(): the fields
	at   time.Time     // at(): the one time, as wall clock in loc
}

// Error reports an invalid expression.
type Error struct {
	Expr string
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("schedule %q: %s", e.Expr, e.Msg) }

// Parse parses "rate(N unit)", "cron(min hour dom month dow year)" or
// "at(yyyy-mm-ddThh:mm:ss)". Cron and at expressions are in UTC until In
// says otherwise.
func Parse(expr string) (*Schedule, error) {
	s := &Schedule{expr: expr, loc: time.UTC}
	inner, kind, err := split(expr)
	if err != nil {
		return nil, &Error{expr, err.Error()}
	}
	switch kind {
	case "rate":
		s.rate, err = parseRate(inner)
	case "cron":
		s.cron, err = parseCron(inner)
	case "at":
		s.at, err = time.Parse("2006-01-02T15:04:05", inner)
		if err != nil {
			err = fmt.Errorf("want at(yyyy-mm-ddThh:mm:ss), e.g. at(2026-03-01T09:00:00)")
		}
	}
	if err != nil {
		return nil, &Error{expr, err.Error()}
	}
	return s, nil
}

func split(expr string) (inner, kind string, err error) {
	for _, k := range []string{"rate", "cron", "at"} {
		if rest, ok := strings.CutPrefix(expr, k+"("); ok {
			inner, ok := strings.CutSuffix(rest, ")")
			if !ok {
				return "", "", fmt.Errorf("missing closing parenthesis")
			}
			return strings.TrimSpace(inner), k, nil
		}
	}
	return "", "", fmt.Errorf("want rate(...), cron(...) or at(...)")
}

// In returns a copy of s whose cron or at expression is read in loc (as
// ScheduleV2's ScheduleExpressionTimezone does). Rates have no time zone.
func (s *Schedule) In(loc *time.Location) *Schedule {
	c := *s
	c.loc = loc
	return &c
}

// String returns the expression as parsed.
func (s *Schedule) String() string { return s.expr }

// Next returns the first due time strictly after after, or the zero time
// when there is none (an at() in the past, a cron whose years have ended).
// A rate is due one period after after: the runner anchors it at the time it
// starts, as EventBridge anchors a rate rule at its creation.
func (s *Schedule) Next(after time.Time) time.Time {
	switch {
	case s.rate > 0:
		return after.Add(s.rate)
	case s.cron != nil:
		return s.cron.next(after.In(s.loc))
	default:
		at := time.Date(s.at.Year(), s.at.Month(), s.at.Day(), s.at.Hour(), s.at.Minute(), s.at.Second(), 0, s.loc)
		if at.After(after) {
			return at
		}
		return time.Time{}
	}
}

func parseRate(inner string) (time.Duration, error) {
	f := strings.Fields(inner)
	if len(f) != 2 {
		return 0, fmt.Errorf("want rate(value unit), e.g. rate(5 minutes)")
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("rate value %q must be a positive integer", f[0])
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit := strings.TrimSuffix(f[1], "s")
	d, ok := units[unit]
	if !ok {
		return 0, fmt.Errorf("rate unit %q must be minute(s), hour(s) or day(s)", f[1])
	}
	// AWS: the unit is singular for 1 and plural otherwise.
	if plural := strings.HasSuffix(f[1], "s"); plural != (n != 1) {
		want := unit
		if n != 1 {
			want += "s"
		}
		return 0, fmt.Errorf("rate(%d %s): AWS requires %q for a value of %d", n, f[1], want, n)
	}
	if int64(n) > int64(maxRate/d) {
		return 0, fmt.Errorf("rate(%s) is longer than %v", inner, maxRate)
	}
	return time.Duration(n) * d, nil
}

// maxRate bounds rates so that due times stay far from time.Duration's
// overflow; EventBridge has no use for periods past a few years either.
const maxRate = 100 * 365 * 24 * time.Hour
