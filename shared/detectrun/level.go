package detectrun

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/detect"
	"github.com/opsight/opsight/shared/postgres"
)

// The hourly level check compares each complete hour's mean with the same
// hour on the previous seven days of the same kind (working day or
// weekend). The streaming detector follows a level
// shift within minutes (it must, or a new normal would alarm forever), so a
// deploy that adds a third to a metric's level is news for one point at
// most; against the same hour of earlier days it stays visible for as long
// as it lasts. Hourly means average out minute noise, so the day-to-day
// spread of one hour is small and a step stands out by many spreads:
//
//	b = median of the same hour's means on days −1…−7 of the same kind
//	    (at least levelMinDays of them)
//	s = max(1.4826·MAD of log(mᵢ/b), 0.05)
//	z = |log(m/b)| / s
//
// and the hour is anomalous when z ≥ levelZ and the change is at least
// levelMinChange, with the score ScoreOf(P, hours in a week), P the normal
// tail of z: the check looks at every hour of a week, and its alarms are
// calibrated for that.
const (
	levelZ         = 5
	levelMinChange = 0.2 // a fifth up or down
	levelDays      = 7
	levelMinDays   = 4
	levelSpread    = 0.05 // floor: a 5% day-to-day spread
)

// levelMetrics are the metrics the hourly level check watches: levels,
// where a step is news. Counts of discrete events (restarts, pods) and
// near-zero ratios (error rate) have their own detectors' attention.
var levelMetrics = map[string]bool{
	aiops.MetricRequestRate: true, aiops.MetricLatencyP50: true, aiops.MetricLatencyP95: true,
	aiops.MetricLatencyP99: true, aiops.MetricCPU: true, aiops.MetricMemory: true,
}

// levelCheck judges the complete hours of a series after its last check and
// up to last, adding its hits to tl, and returns how far it has checked.
func levelCheck(ctx context.Context, db Store, t postgres.DetectorTarget, name string, last time.Time, tl *timeline) (time.Time, error) {
	end := last.Truncate(time.Hour) // hours before this are complete
	if !levelMetrics[t.Metric] {
		return end, nil
	}
	from := t.LevelCheckedUntil
	if earliest := end.Add(-14 * 24 * time.Hour); from.Before(earliest) {
		from = earliest
	}
	if !end.After(from) {
		return t.LevelCheckedUntil, nil
	}
	buckets, _, err := db.QueryRange(ctx, postgres.RangeQuery{SeriesID: t.ID, From: from.Add(-levelDays * 24 * time.Hour), To: end, Step: time.Hour})
	if err != nil {
		return t.LevelCheckedUntil, err
	}
	mean := make(map[time.Time]float64, len(buckets))
	for _, b := range buckets {
		if b.Count >= 30 { // an hour with half its minutes missing says little
			mean[b.T] = b.Avg
		}
	}
	for h := from; h.Before(end); h = h.Add(time.Hour) {
		m, ok := mean[h]
		if !ok {
			continue
		}
		var past []float64
		for d := 1; d <= levelDays; d++ {
			day := h.Add(-time.Duration(d) * 24 * time.Hour)
			if v, ok := mean[day]; ok && weekend(day) == weekend(h) {
				past = append(past, v)
			}
		}
		score, base, ok := levelScore(m, past)
		if !ok {
			continue
		}
		obs := detect.Observation{Metric: humanName(t.Metric, t.Labels), Time: h, Value: m,
			Point: detect.Point{Score: score, Expected: base, Season: detect.SeasonDaily}}
		// The hour is known to be off only once it is over: its last minute
		// opens an episode. Its other minutes, marked every few minutes so
		// they merge (MergeGap), extend one the streaming detector opened
		// inside the hour, and join the hours before and after.
		for at := h; at.Before(h.Add(time.Hour)); at = at.Add(4 * time.Minute) {
			tl.minutes[at] = append(tl.minutes[at], hit{metric: name, score: score, uni: true, obs: obs, extends: true})
		}
		last := h.Add(59 * time.Minute)
		tl.minutes[last] = append(tl.minutes[last], hit{metric: name, score: score, uni: true, obs: obs})
	}
	return end, nil
}

// weekend tells Saturdays and Sundays (UTC) from working days: traffic, and
// everything that follows it, differs between the two, so an hour is
// compared only with days of its own kind.
func weekend(t time.Time) bool {
	d := t.UTC().Weekday()
	return d == time.Saturday || d == time.Sunday
}

// levelScore judges an hour's mean m against the same hour's means on
// earlier days; ok is false when the hour is not anomalous.
func levelScore(m float64, past []float64) (score, base float64, ok bool) {
	if len(past) < levelMinDays || m <= 0 || slices.ContainsFunc(past, func(v float64) bool { return v <= 0 }) {
		return 0, 0, false // ratios need positive levels
	}
	base = median(past)
	logs := make([]float64, len(past))
	for i, v := range past {
		logs[i] = math.Abs(math.Log(v / base))
	}
	spread := math.Max(1.4826*median(logs), levelSpread)
	change := math.Log(m / base)
	z := math.Abs(change) / spread
	if z < levelZ || math.Abs(m/base-1) < levelMinChange {
		return 0, base, false
	}
	p := math.Erfc(z / math.Sqrt2) // two-sided normal tail
	return detect.ScoreOf(p, 7*24), base, true
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
