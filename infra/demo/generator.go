package demo

import (
	"math"
	"sync"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// Generator computes the demo's series. Every value is a function of the
// seed, the origin and the minute, so backfill and stream agree exactly.
type Generator struct {
	seed   uint64
	origin time.Time     // the first minute of the backfill
	epoch  time.Duration // Days: the backfill's length and the incident plan's period
	index  map[string]int

	mu    sync.Mutex
	plans map[int][]Incident
}

// NewGenerator returns the generator of seed whose backfill starts at origin
// (truncated to the minute) and lasts days (at least 2).
func NewGenerator(seed int64, origin time.Time, days int) *Generator {
	if days < 2 {
		panic("demo: NewGenerator needs at least 2 days")
	}
	g := &Generator{seed: uint64(seed), origin: origin.UTC().Truncate(time.Minute),
		epoch: time.Duration(days) * 24 * time.Hour, index: map[string]int{}, plans: map[int][]Incident{}}
	for i, p := range catalogue {
		g.index[p.name] = i
	}
	return g
}

// Origin is the first minute of the backfill.
func (g *Generator) Origin() time.Time { return g.origin }

// Incidents returns the incidents that overlap [from, to), by start.
func (g *Generator) Incidents(from, to time.Time) []Incident {
	var out []Incident
	for e := g.epochOf(from); e <= g.epochOf(to); e++ {
		for _, in := range g.epochPlan(e) {
			if in.End.After(from) && in.Start.Before(to) {
				out = append(out, in)
			}
		}
	}
	return out
}

func (g *Generator) epochOf(t time.Time) int {
	d := t.Sub(g.origin)
	e := int(d / g.epoch)
	if d < 0 && d%g.epoch != 0 {
		e--
	}
	return e
}

func (g *Generator) epochPlan(e int) []Incident {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.plans[e]
	if !ok {
		p = g.plan(e)
		g.plans[e] = p
	}
	return p
}

// SeriesCount is the number of demo series.
func SeriesCount() int {
	n := 0
	for _, p := range catalogue {
		n += len(p.metrics)
	}
	return n
}

// Samples returns every demo series' points at each minute in [from, to),
// one Samples per series in catalogue order.
func (g *Generator) Samples(from, to time.Time) []aiops.Samples {
	from, to = ceilMinute(from), ceilMinute(to)
	n := int(to.Sub(from) / time.Minute)
	if n <= 0 {
		return nil
	}
	out := make([]aiops.Samples, 0, SeriesCount())
	incidents := g.Incidents(from, to)
	for s, p := range catalogue {
		var mine []*Incident
		for i := range incidents {
			if incidents[i].Service == p.name {
				mine = append(mine, &incidents[i])
			}
		}
		first := len(out)
		for _, m := range p.metrics {
			out = append(out, aiops.Samples{SeriesKey: aiops.SeriesKey{Service: p.name, Metric: m}, Points: make([]aiops.Point, n)})
		}
		for i := 0; i < n; i++ {
			t := from.Add(time.Duration(i) * time.Minute)
			r := g.read(s, t, mine)
			for j, m := range p.metrics {
				out[first+j].Points[i] = aiops.Point{T: t, V: r.value(m)}
			}
		}
	}
	return out
}

func ceilMinute(t time.Time) time.Time {
	t = t.UTC()
	if tr := t.Truncate(time.Minute); !tr.Equal(t) {
		return tr.Add(time.Minute)
	}
	return t
}

// reading is one service's standard metrics at one minute.
type reading struct {
	rate, errRate, p50, p95, p99, cpu, mem, restarts, pods float64
}

func (r reading) value(metric string) float64 {
	switch metric {
	case aiops.MetricRequestRate:
		return r.rate
	case aiops.MetricErrorRate:
		return r.errRate
	case aiops.MetricLatencyP50:
		return r.p50
	case aiops.MetricLatencyP95:
		return r.p95
	case aiops.MetricLatencyP99:
		return r.p99
	case aiops.MetricCPU:
		return r.cpu
	case aiops.MetricMemory:
		return r.mem
	case aiops.MetricRestarts:
		return r.restarts
	default:
		return r.pods
	}
}

// cleanRate is service s's traffic at t without noise: its own curve,
//
//	rate(t) = peak · daily(hour) · weekly(day) · (1 + growth · days since origin),
//
// or the sum of its feeds' clean rates times their fan-out.
func (g *Generator) cleanRate(s int, t time.Time) float64 {
	p := catalogue[s]
	if len(p.feeds) > 0 {
		sum := 0.0
		for _, f := range p.feeds {
			sum += f.perReq * g.cleanRate(g.index[f.from], t)
		}
		return sum
	}
	days := t.Sub(g.origin).Hours() / 24
	return p.peakRate * daily(hourOfDay(t), p.peakHour, p.peakWidth, p.nightFloor) * weekly(t, p.weekend) * (1 + p.growth*days)
}

// read computes service s's metrics at minute t, with its incidents mine.
// The metrics are tied the way real ones are: replicas follow traffic, CPU
// follows traffic per replica, latency rises with utilisation and with the
// error ratio (timeouts, retries), memory follows replicas and traffic.
func (g *Generator) read(s int, t time.Time, mine []*Incident) reading {
	p := catalogue[s]
	m := t.Unix() / 60
	z := func(stream int) float64 { return normal(draw(g.seed, s, stream, m)) }

	clean := g.cleanRate(s, t)
	var r reading
	r.rate = clean * lognormal(p.rateNoise, z(streamRate))
	// The autoscaler sees smoothed traffic, so replicas step a few times a
	// day rather than every minute.
	r.pods = math.Min(float64(p.maxPods), math.Max(float64(p.minPods), math.Ceil(clean*1.1/p.perPod)))

	latency, cpuFactor, leak := 1.0, 1.0, 0.0
	r.errRate = p.errBase * lognormal(0.35, z(streamErr))
	for _, in := range mine {
		switch in.Kind {
		case LatencySpike:
			latency *= 1 + (in.magnitude-1)*envelope(t, in.Start, in.End, 2*time.Minute)
		case ErrorBurst:
			e := envelope(t, in.Start, in.End, time.Minute)
			r.errRate += (in.magnitude*lognormal(0.1, z(streamErr)) - r.errRate) * e
		case LevelShift:
			cpuFactor *= 1 + in.magnitude*envelope(t, in.Start, in.End, 0)
		case MemoryLeak:
			// Growing through the window; its last minute is the OOM kill:
			// every replica restarts, fresh.
			kill := in.End.Add(-time.Minute)
			switch {
			case t.Equal(kill):
				r.restarts = r.pods
			case !t.Before(in.Start) && t.Before(kill):
				leak = in.magnitude * float64(t.Sub(in.Start)+time.Minute) / float64(kill.Sub(in.Start))
			}
		}
	}
	r.errRate = math.Min(1, r.errRate)

	util := p.cpuIdle + r.rate*p.cpuPerReq*cpuFactor/(r.pods*p.coresPerPod)
	r.cpu = util * lognormal(0.03, z(streamCPU))

	// Latency: a queueing-style rise with the load on the replicas,
	// 1 + 0.8·load² with load = rate / (replicas × capacity each), and with
	// the error ratio; p95 and p99 above the median by the service's ratios
	// times log-normal noise, and 1.5% of minutes slow by ×1.5–3 (a
	// garbage-collection pause, a cold cache): heavy tails.
	load := r.rate / (r.pods * p.perPod)
	base := p.lat50 * (1 + 0.8*load*load) * (1 + 3*r.errRate) * latency
	r.p50 = base * lognormal(0.05, z(streamLat))
	slow := 1.0
	if u := unit(draw(g.seed, s, streamSlow, m)); u < 0.015 {
		slow = 1.5 + 1.5*u/0.015
	}
	r.p95 = math.Max(r.p50, r.p50*p.r95*lognormal(0.12, z(streamTail95))*slow)
	r.p99 = math.Max(r.p95, r.p95*p.r99*lognormal(0.15, z(streamTail99))*slow)

	// Memory: per-replica base plus buffers for the traffic, a
	// garbage-collector sawtooth (a 17-minute cycle), and the leak.
	saw := p.gcSaw * (float64(m%17)/17 - 0.5)
	r.mem = (r.pods*p.memPerPod + r.rate*p.memPerReq) * (1 + saw + leak) * lognormal(0.01, z(streamMem))
	return r
}
