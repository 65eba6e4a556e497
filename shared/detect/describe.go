package detect

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Observation is one metric's point as Describe needs it.
type Observation struct {
	// Metric is the metric's human name, e.g. "p95 latency".
	Metric string
	// Time is when the point was seen, in the zone the reader lives in.
	Time  time.Time
	Value float64
	Point Point
}

// Describe says in one plain sentence how o departs from its usual level,
// naming the other metrics that moved with it (the ensemble's top
// contributions, typically):
//
//	p95 latency is 3.4x its usual Tuesday 14:00 level, together with the error rate
//	CPU is 45% below its usual 03:05 level
//	error rate is 0.12 above its recent level (0)
//
// Ratios are used when value and expected level are both positive and
// differ by at least 50%; otherwise the difference is given, as a percentage
// when the expected level is away from zero.
func Describe(o Observation, with ...string) string {
	var b strings.Builder
	if math.IsNaN(o.Point.Expected) {
		fmt.Fprintf(&b, "%s is %s, with no usual level learned yet", o.Metric, num(o.Value))
		if len(with) > 0 {
			b.WriteString(", together with ")
			b.WriteString(list(with))
		}
		return b.String()
	}
	b.WriteString(o.Metric)
	b.WriteString(" is ")
	b.WriteString(change(o.Value, o.Point.Expected))
	b.WriteString(" its ")
	b.WriteString(usual(o.Time, o.Point.Season))
	b.WriteString(" level")
	if !ratioUsable(o.Value, o.Point.Expected) && !percentUsable(o.Value, o.Point.Expected) {
		fmt.Fprintf(&b, " (%s)", num(o.Point.Expected))
	}
	if len(with) > 0 {
		b.WriteString(", together with ")
		b.WriteString(list(with))
	}
	return b.String()
}

// ratioUsable says whether "3.4x" reads better than a difference: both
// levels positive, apart by half or more, and within a thousandfold (an
// expected level of almost nothing makes any ratio absurd; "2 above its
// usual level (0)" says it plainly).
func ratioUsable(v, e float64) bool {
	r := v / e
	return v > 0 && e > 0 && (r >= 1.5 || r <= 1/1.5) && r <= 1000 && r >= 1.0/1000
}

// percentUsable says whether a percentage change reads well: not from a
// level of nearly nothing, where "4,000,000% above" says less than "2
// above its usual level (0)".
func percentUsable(v, e float64) bool {
	return e != 0 && !math.IsNaN(e) && math.Abs(v-e) <= 10*math.Abs(e)
}

func change(v, e float64) string {
	switch {
	case ratioUsable(v, e) && v > e:
		return fmt.Sprintf("%.1fx", v/e)
	case ratioUsable(v, e):
		return fmt.Sprintf("%.0f%% below", 100*(1-v/e))
	case v == e:
		return "at"
	case percentUsable(v, e):
		pct := 100 * (v - e) / math.Abs(e)
		if pct > 0 {
			return fmt.Sprintf("%.0f%% above", pct)
		}
		return fmt.Sprintf("%.0f%% below", -pct)
	case v > e:
		return num(v-e) + " above"
	}
	return num(e-v) + " below"
}

func usual(t time.Time, s Season) string {
	// The profiles' own resolution: hours of the week, 5 minutes of the day.
	switch s {
	case SeasonWeekly:
		return fmt.Sprintf("usual %s %02d:00", t.Weekday(), t.Hour())
	case SeasonDaily:
		return fmt.Sprintf("usual %02d:%02d", t.Hour(), t.Minute()/5*5)
	}
	return "recent"
}

// num formats a level for prose; a level within 1e-9 of zero is 0 (a
// learned level of a series that is almost always 0 is a float's dust).
func num(v float64) string {
	if math.Abs(v) < 1e-9 {
		return "0"
	}
	return fmt.Sprintf("%.3g", v)
}

// list joins names as prose: "a", "a and b", "a, b and c".
func list(names []string) string {
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
