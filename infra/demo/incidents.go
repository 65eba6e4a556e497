package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

// Kind is a kind of injected incident.
type Kind string

// The incidents the demo injects: the four shapes detection has to find.
const (
	// LatencySpike multiplies a service's latency several-fold for minutes.
	LatencySpike Kind = "latency_spike"
	// ErrorBurst raises the error ratio to several percent for minutes, and
	// latency with it (timeouts and retries).
	ErrorBurst Kind = "error_burst"
	// MemoryLeak ramps memory for hours until the replicas are OOM-killed,
	// which the restarts metric shows at the incident's end.
	MemoryLeak Kind = "memory_leak"
	// LevelShift raises CPU by a quarter or more after a deploy, for about a
	// day until a fix is deployed.
	LevelShift Kind = "level_shift"
)

var kinds = []Kind{LatencySpike, ErrorBurst, MemoryLeak, LevelShift}

// minPerKind is how many incidents of each kind an epoch has at least.
const minPerKind = 3

// Incident is one injected incident.
type Incident struct {
	ID      string // "e<epoch>-<n>", stable for the generator
	Service string
	Kind    Kind
	// Metrics are those the incident changes, the main one first.
	Metrics     []string
	Start, End  time.Time
	Description string
	// magnitude: the latency factor, peak error ratio, memory growth
	// (share of the resting level) or CPU increase (share).
	magnitude float64
}

// Record is the incident as the database lists it.
func (in Incident) Record() postgres.DemoIncident {
	return postgres.DemoIncident{ID: in.ID, Service: in.Service, Kind: string(in.Kind),
		Metrics: append([]string(nil), in.Metrics...), Start: in.Start, End: in.End, Description: in.Description}
}

// eligible reports whether p can have an incident of kind k: it needs the
// metric the incident shows in.
func eligible(p *profile, k Kind) bool {
	switch k {
	case LatencySpike:
		return p.has(aiops.MetricLatencyP95)
	case ErrorBurst:
		return p.has(aiops.MetricErrorRate)
	case MemoryLeak:
		return p.has(aiops.MetricMemory) && p.has(aiops.MetricRestarts)
	default:
		return p.has(aiops.MetricCPU)
	}
}

// plan lays out the incidents of one epoch: the epoch'th period of Days days
// after the origin (epoch 0 is the backfill; later ones happen live). The
// plan is a function of the seed and the epoch only.
//
// Incidents keep to calendar days (UTC), so business hours mean something:
// the first day of an epoch stays quiet, then each whole day before the
// epoch's last 24 hours gets one incident, of the kind seen least so far
// that fits, and a second one when the days left could not otherwise give
// every kind three (a 14-day epoch has three or four of each). A service
// rests for a full day after an incident ends before its next one starts,
// and no incident starts within a day of the epoch's start, so the same
// hours of the day before any incident are undisturbed: "compare with
// yesterday" is a fair check. The last 24 hours always get a latency spike
// ending at least an hour before the epoch does, so a backfill's last day
// holds a finished incident. Level shifts start Monday to Thursday, the
// days teams deploy, so the day before a shift is a weekday or a quieter
// Sunday: yesterday's traffic never hides the shift.
func (g *Generator) plan(epoch int) []Incident {
	if epoch < 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(g.seed, uint64(epoch)^0x1e51de47))
	e0 := g.origin.Add(time.Duration(epoch) * g.epoch)
	e1 := e0.Add(g.epoch)
	free := make([]time.Time, len(catalogue)) // when each service may next start one
	for s := range free {
		free[s] = e0.Add(24 * time.Hour)
	}
	used := make([]int, len(catalogue))
	count := map[Kind]int{}
	var out []Incident
	lastDay := e1.Add(-24 * time.Hour)
	// add places an incident of the first kind in try that fits day and a
	// free service.
	add := func(day time.Time, last bool, try []Kind) {
		for _, k := range try {
			in, ok := g.place(rng, k, day, e1, last)
			if !ok {
				continue
			}
			// Among the services free for it, those with the fewest
			// incidents so far, so every service gets its share.
			var cands []int
			for s, p := range catalogue {
				switch {
				case !eligible(p, k) || free[s].After(in.Start):
				case len(cands) == 0 || used[s] < used[cands[0]]:
					cands = []int{s}
				case used[s] == used[cands[0]]:
					cands = append(cands, s)
				}
			}
			if len(cands) == 0 {
				continue
			}
			s := cands[rng.IntN(len(cands))]
			in.Service = catalogue[s].name
			g.describe(&in, catalogue[s])
			free[s] = in.End.Add(24 * time.Hour)
			used[s]++
			count[k]++
			out = append(out, in)
			return
		}
	}
	for day := e0.Truncate(24 * time.Hour).Add(24 * time.Hour); ; day = day.Add(24 * time.Hour) {
		if day.Add(24 * time.Hour).After(lastDay) {
			add(lastDay, true, []Kind{LatencySpike})
			// IDs in time order: a day's second incident may start first.
			sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
			for i := range out {
				out[i].ID = fmt.Sprintf("e%d-%d", epoch, i)
			}
			return out
		}
		// The kinds seen least so far first, in random order among equals;
		// a level shift counts one less on its few days, so it gets them.
		order := map[Kind]int{}
		for i, j := range rng.Perm(len(kinds)) {
			order[kinds[i]] = j
		}
		try := slices.Clone(kinds)
		deployDay := day.Weekday() >= time.Monday && day.Weekday() <= time.Thursday
		rank := func(k Kind) int {
			if k == LevelShift && deployDay {
				return count[k] - 1
			}
			return count[k]
		}
		sort.SliceStable(try, func(i, j int) bool {
			if ri, rj := rank(try[i]), rank(try[j]); ri != rj {
				return ri < rj
			}
			return order[try[i]] < order[try[j]]
		})
		add(day, false, try)
		// A second incident today when the days left could not otherwise
		// bring every kind to minPerKind.
		var short []Kind
		deficit := 0
		for _, k := range try {
			if count[k] < minPerKind {
				short = append(short, k)
				deficit += minPerKind - count[k]
			}
		}
		if left := int(lastDay.Sub(day.Add(24*time.Hour)) / (24 * time.Hour)); deficit > left {
			add(day, false, short)
		}
	}
}

// place picks an incident's time and size on day, or reports that the kind
// does not fit that day.
func (g *Generator) place(rng *rand.Rand, k Kind, day, epochEnd time.Time, last bool) (Incident, bool) {
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	in := Incident{Kind: k}
	var dur time.Duration
	switch k {
	case LatencySpike:
		dur = minutes(12, 40)
		in.magnitude = 5 + 4*rng.Float64()
		if last {
			// Anywhere in the last 24 hours, finished an hour before their end.
			span := epochEnd.Add(-time.Hour - dur).Sub(day)
			in.Start = day.Add(time.Duration(rng.Int64N(int64(span)/int64(time.Minute))) * time.Minute)
		} else {
			in.Start = day.Add(9*time.Hour + minutes(0, 10*60))
		}
	case ErrorBurst:
		dur = minutes(6, 25)
		in.magnitude = 0.06 + 0.19*rng.Float64()
		in.Start = day.Add(8*time.Hour + minutes(0, 12*60))
	case MemoryLeak:
		dur = minutes(4*60, 10*60)
		in.magnitude = 0.6 + 0.4*rng.Float64()
		in.Start = day.Add(minutes(0, 12*60))
	case LevelShift:
		if wd := day.Weekday(); wd < time.Monday || wd > time.Thursday {
			return in, false
		}
		dur = minutes(20*60, 30*60)
		in.magnitude = 0.25 + 0.15*rng.Float64()
		in.Start = day.Add(10*time.Hour + minutes(0, 6*60))
	}
	in.End = in.Start.Add(dur)
	return in, !in.End.After(epochEnd.Add(-time.Hour))
}

// describe fills the incident's metrics and description.
func (g *Generator) describe(in *Incident, p *profile) {
	latencies := func() []string {
		var out []string
		for _, m := range []string{aiops.MetricLatencyP95, aiops.MetricLatencyP50, aiops.MetricLatencyP99} {
			if p.has(m) {
				out = append(out, m)
			}
		}
		return out
	}
	dur := in.End.Sub(in.Start)
	switch in.Kind {
	case LatencySpike:
		in.Metrics = latencies()
		in.Description = fmt.Sprintf("latency ×%.1f for %d min: %s", in.magnitude, int(dur.Minutes()), p.slowCause)
	case ErrorBurst:
		in.Metrics = append([]string{aiops.MetricErrorRate}, latencies()...)
		in.Description = fmt.Sprintf("errors up to %.0f%% of requests for %d min: %s", 100*in.magnitude, int(dur.Minutes()), p.errorCause)
	case MemoryLeak:
		in.Metrics = []string{aiops.MetricMemory, aiops.MetricRestarts}
		in.Description = fmt.Sprintf("memory grows %.0f%% over %.1f h until the replicas are OOM-killed and restart", 100*in.magnitude, dur.Hours())
	case LevelShift:
		in.Metrics = []string{aiops.MetricCPU}
		in.Description = fmt.Sprintf("CPU %.0f%% higher after deploying %s; fixed %.0f h later", 100*in.magnitude, p.deploy, dur.Hours())
	}
}
