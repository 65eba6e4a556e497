package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The year range AWS accepts in cron expressions.
const (
	minYear = 1970
	maxYear = 2199
)

// bitset holds the allowed values of one field (years offset by minYear).
type bitset [4]uint64

func (b *bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b *bitset) has(i int) bool { return i >= 0 && i < 256 && b[i/64]&(1<<(i%64)) != 0 }
func (b *bitset) setRange(lo, hi, step int) {
	for i := lo; i <= hi; i += step {
		b.set(i)
	}
}

// cronSpec is a parsed cron(min hour dom month dow year).
type cronSpec struct {
	minute, hour, month, years bitset

	// Day of month; unused (AWS's "?") when domAny.
	domAny     bool
	dom        bitset // 1..31
	domLast    bool   // L: the month's last day
	domWeekday int    // NW: the weekday nearest day N, or 0

	// Day of week, 1..7 = SUN..SAT; unused when dowAny.
	dowAny  bool
	dow     bitset
	dowLast int    // NL: the month's last weekday N, or 0
	dowNth  [2]int // N#k: the k-th weekday N of the month, or zeros
}

var monthNames = names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
var dayNames = names("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")

// names maps names to 1, 2, ....
func names(ns ...string) map[string]int {
	m := make(map[string]int, len(ns))
	for i, n := range ns {
		m[n] = i + 1
	}
	return m
}

func parseCron(inner string) (*cronSpec, error) {
	f := strings.Fields(inner)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron needs 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &cronSpec{}
	var err error
	if c.minute, err = parseList("minutes", f[0], 0, 59, nil); err != nil {
		return nil, err
	}
	if c.hour, err = parseList("hours", f[1], 0, 23, nil); err != nil {
		return nil, err
	}
	if err = c.parseDOM(f[2]); err != nil {
		return nil, err
	}
	if c.month, err = parseList("month", f[3], 1, 12, monthNames); err != nil {
		return nil, err
	}
	if err = c.parseDOW(f[4]); err != nil {
		return nil, err
	}
	if c.years, err = parseList("year", f[5], minYear, maxYear, nil); err != nil {
		return nil, err
	}
	if c.domAny == c.dowAny {
		return nil, fmt.Errorf("exactly one of day-of-month (%s) and day-of-week (%s) must be ?", f[2], f[4])
	}
	return c, nil
}

func (c *cronSpec) parseDOM(s string) error {
	switch {
	case s == "?":
		c.domAny = true
	case s == "L":
		c.domLast = true
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return fmt.Errorf("day-of-month %q: W needs a day 1-31 before it, e.g. 15W", s)
		}
		c.domWeekday = n
	default:
		var err error
		c.dom, err = parseList("day-of-month", s, 1, 31, nil)
		return err
	}
	return nil
}

func (c *cronSpec) parseDOW(s string) error {
	switch {
	case s == "?":
		c.dowAny = true
	case s == "L":
		c.dow.set(7) // the last day of the week, Saturday
	case strings.HasSuffix(s, "L"):
		n, err := value(strings.TrimSuffix(s, "L"), 1, 7, dayNames)
		if err != nil {
			return fmt.Errorf("day-of-week %q: L needs a day 1-7 or SUN-SAT before it, e.g. 6L", s)
		}
		c.dowLast = n
	case strings.Contains(s, "#"):
		d, k, _ := strings.Cut(s, "#")
		n, err := value(d, 1, 7, dayNames)
		if err != nil {
			return fmt.Errorf("day-of-week %q: want day#week, e.g. 3#2 for the second Tuesday", s)
		}
		w, err := strconv.Atoi(k)
		if err != nil || w < 1 || w > 5 {
			return fmt.Errorf("day-of-week %q: the week after # must be 1-5", s)
		}
		c.dowNth = [2]int{n, w}
	default:
		var err error
		c.dow, err = parseList("day-of-week", s, 1, 7, dayNames)
		return err
	}
	return nil
}

// parseList parses a comma-separated list of *, a, a-b, */s, a/s and a-b/s.
func parseList(field, s string, lo, hi int, nm map[string]int) (bitset, error) {
	var b bitset
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			var err error
			step, err = strconv.Atoi(stepText)
			if err != nil || step < 1 {
				return b, fmt.Errorf("%s %q: step %q must be a positive integer", field, s, stepText)
			}
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, z, _ := strings.Cut(rng, "-")
			var err error
			if from, err = value(a, lo, hi, nm); err != nil {
				return b, fmt.Errorf("%s %q: %v", field, s, err)
			}
			if to, err = value(z, lo, hi, nm); err != nil {
				return b, fmt.Errorf("%s %q: %v", field, s, err)
			}
			if from > to {
				return b, fmt.Errorf("%s %q: range %s runs backwards", field, s, rng)
			}
		default:
			v, err := value(rng, lo, hi, nm)
			if err != nil {
				return b, fmt.Errorf("%s %q: %v", field, s, err)
			}
			from = v
			if !hasStep {
				to = v
			}
		}
		if field == "year" {
			from, to = from-minYear, to-minYear
		}
		b.setRange(from, to, step)
	}
	return b, nil
}

// value parses a number or a name within lo..hi.
func value(s string, lo, hi int, nm map[string]int) (int, error) {
	if v, ok := nm[strings.ToUpper(s)]; ok {
		return v, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		if s == "?" || strings.ContainsAny(s, "LW#") {
			return 0, fmt.Errorf("%q must stand alone, and only in day-of-month (?, L, nW) or day-of-week (?, L, nL, n#k)", s)
		}
		return 0, fmt.Errorf("%q is not a number%s", s, nameHint(nm))
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is outside %d-%d", v, lo, hi)
	}
	return v, nil
}

func nameHint(nm map[string]int) string {
	switch len(nm) {
	case 12:
		return " or JAN-DEC"
	case 7:
		return " or SUN-SAT"
	}
	return ""
}

// next returns the first minute strictly after t that matches, in t's
// location, or the zero time when none does before the end of maxYear.
func (c *cronSpec) next(t time.Time) time.Time {
	loc := t.Location()
	t = t.Truncate(time.Minute).Add(time.Minute)
	for t.Year() <= maxYear {
		y, mo, d := t.Date()
		h, mi := t.Hour(), t.Minute()
		var cand time.Time
		switch {
		case !c.years.has(y - minYear):
			if y < minYear {
				cand = time.Date(minYear, 1, 1, 0, 0, 0, 0, loc)
			} else {
				cand = time.Date(y+1, 1, 1, 0, 0, 0, 0, loc)
			}
		case !c.month.has(int(mo)):
			cand = time.Date(y, mo+1, 1, 0, 0, 0, 0, loc)
		case !c.dayMatches(y, mo, d, t.Weekday()):
			cand = time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
		case !c.hour.has(h):
			cand = time.Date(y, mo, d, h+1, 0, 0, 0, loc)
		case !c.minute.has(mi):
			cand = time.Date(y, mo, d, h, mi+1, 0, 0, loc)
		default:
			return t
		}
		// Around a daylight-saving change time.Date may pick the earlier of
		// two wall-clock instants; always move forward.
		if !cand.After(t) {
			cand = t.Add(time.Minute)
		}
		t = cand
	}
	return time.Time{}
}

func (c *cronSpec) dayMatches(y int, m time.Month, d int, wd time.Weekday) bool {
	last := daysIn(y, m)
	if !c.domAny {
		return c.dom.has(d) ||
			(c.domLast && d == last) ||
			(c.domWeekday > 0 && d == nearestWeekday(y, m, c.domWeekday, last))
	}
	dow := int(wd) + 1 // AWS: 1 = Sunday
	return c.dow.has(dow) ||
		(c.dowLast > 0 && dow == c.dowLast && d+7 > last) ||
		(c.dowNth[0] > 0 && dow == c.dowNth[0] && (d-1)/7+1 == c.dowNth[1])
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// nearestWeekday is the Monday-to-Friday day closest to day n of the month,
// never crossing into another month (a Saturday the 1st gives Monday the
// 3rd), or 0 when the month has no day n.
func nearestWeekday(y int, m time.Month, n, last int) int {
	if n > last {
		return 0
	}
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}
