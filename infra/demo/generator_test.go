package demo

import (
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// origin is a Monday midnight, so the 14 days are two whole weeks.
var origin = time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)

// series returns the generated points of one series over [from, to).
func series(g *Generator, from, to time.Time, service, metric string) []aiops.Point {
	for _, s := range g.Samples(from, to) {
		if s.Service == service && s.Metric == metric {
			return s.Points
		}
	}
	return nil
}

func mean(pts []aiops.Point, keep func(t time.Time) bool) float64 {
	sum, n := 0.0, 0
	for _, p := range pts {
		if keep(p.T) {
			sum += p.V
			n++
		}
	}
	return sum / float64(n)
}

func within(from, to time.Time) func(time.Time) bool {
	return func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
}

func TestCyclesAndTrend(t *testing.T) {
	g := NewGenerator(1, origin, 14)
	end := origin.Add(14 * 24 * time.Hour)
	all := g.Samples(origin, end)
	for _, s := range all {
		if s.Metric != aiops.MetricRequestRate {
			continue
		}
		at := func(h int) float64 {
			return mean(s.Points, func(t time.Time) bool {
				return t.Hour() == h && t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
			})
		}
		weekend := func(t time.Time) bool { return t.Weekday() == time.Saturday || t.Weekday() == time.Sunday }
		if afternoon, night := at(14), at(3); afternoon < 1.5*night {
			t.Errorf("%s: weekday mean at 14:00 = %.2f, at 03:00 = %.2f; want a daily cycle (ratio > 1.5)", s.Service, afternoon, night)
		}
		we := mean(s.Points, weekend)
		wd := mean(s.Points, func(t time.Time) bool { return !weekend(t) })
		if we > 0.9*wd {
			t.Errorf("%s: weekend mean %.2f, weekday mean %.2f; want weekends lower", s.Service, we, wd)
		}
		mid := origin.Add(7 * 24 * time.Hour)
		if w1, w2 := mean(s.Points, within(origin, mid)), mean(s.Points, within(mid, end)); w2 <= w1*1.01 {
			t.Errorf("%s: week 1 mean %.2f, week 2 mean %.2f; want growth", s.Service, w1, w2)
		}
	}
}

// pearson is the sample correlation of x and y.
func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestMetricsFollowTraffic(t *testing.T) {
	g := NewGenerator(3, origin, 14)
	from, to := origin.Add(24*time.Hour), origin.Add(3*24*time.Hour)
	byKey := map[string][]float64{}
	for _, s := range g.Samples(from, to) {
		v := make([]float64, len(s.Points))
		for i, p := range s.Points {
			v[i] = p.V
		}
		byKey[s.Service+"/"+s.Metric] = v
	}
	for _, p := range catalogue {
		rate := byKey[p.name+"/request_rate"]
		if r := pearson(rate, byKey[p.name+"/cpu"]); r < 0.6 {
			t.Errorf("%s: corr(request_rate, cpu) = %.2f, want > 0.6", p.name, r)
		}
		if r := pearson(rate, byKey[p.name+"/latency_p95"]); r < 0.1 {
			t.Errorf("%s: corr(request_rate, latency_p95) = %.2f, want positive", p.name, r)
		}
		for _, m := range p.metrics {
			for i, v := range byKey[p.name+"/"+m] {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (m == aiops.MetricErrorRate && v > 1) {
					t.Fatalf("%s/%s[%d] = %v", p.name, m, i, v)
				}
			}
		}
		if p.has(aiops.MetricLatencyP99) {
			p95, p99 := byKey[p.name+"/latency_p95"], byKey[p.name+"/latency_p99"]
			for i := range p95 {
				if p99[i] < p95[i] {
					t.Fatalf("%s: p99 %v < p95 %v at %d", p.name, p99[i], p95[i], i)
				}
			}
		}
	}
	// Downstream traffic follows upstream: the database's queries track
	// checkout's requests.
	if r := pearson(byKey["checkout-api/request_rate"], byKey["postgres-primary/request_rate"]); r < 0.8 {
		t.Errorf("corr(checkout requests, database queries) = %.2f, want > 0.8", r)
	}
}

// origins are a midnight and a moment in the middle of a day: incidents
// keep to calendar days either way.
var origins = []time.Time{origin, origin.Add(3*24*time.Hour + 12*time.Hour + 36*time.Minute)}

// TestIncidentPlan checks the plan of backfills starting at every fifth
// hour of a week, with several seeds.
func TestIncidentPlan(t *testing.T) {
	for k := 0; k < 6*34; k++ {
		seed, origin := int64(k%6+1), origin.Add(time.Duration(k/6*5)*time.Hour+13*time.Minute)
		g := NewGenerator(seed, origin, 14)
		end := origin.Add(14 * 24 * time.Hour)
		list := g.Incidents(origin, end)
		count := map[Kind]int{}
		services := map[string]bool{}
		lastDay := false
		for i, in := range list {
			if in.ID != fmt.Sprintf("e0-%d", i) || (i > 0 && in.Start.Before(list[i-1].Start)) {
				t.Errorf("seed %d: incident %d is %s at %v: want IDs in time order", seed, i, in.ID, in.Start)
			}
			count[in.Kind]++
			services[in.Service] = true
			if in.Start.Before(origin.Add(24*time.Hour)) || in.End.After(end.Add(-time.Hour)) {
				t.Errorf("seed %d: %s %s at %v–%v is outside day 1 .. end−1h", seed, in.ID, in.Kind, in.Start, in.End)
			}
			if !in.Start.Before(end.Add(-24 * time.Hour)) {
				lastDay = true
			}
			if len(in.Metrics) == 0 || in.Description == "" {
				t.Errorf("seed %d: %s lacks metrics or a description: %+v", seed, in.ID, in)
			}
		}
		for _, k := range kinds {
			if count[k] < 3 {
				t.Errorf("seed %d: %d incidents of kind %s, want at least 3 (%v)", seed, count[k], k, count)
			}
		}
		if len(services) < 4 {
			t.Errorf("seed %d: incidents on only %d services", seed, len(services))
		}
		if !lastDay {
			t.Errorf("seed %d: no incident in the last 24 hours", seed)
		}
	}
}

// TestIncidentsVisible checks each injected incident against the same hours
// of the day before, as a person looking at the chart would.
func TestIncidentsVisible(t *testing.T) {
	for i, seed := range []int64{1, 7, 8, 9} {
		origin := origins[i%2]
		g := NewGenerator(seed, origin, 14)
		for _, in := range g.Incidents(origin, origin.Add(14*24*time.Hour)) {
			day := 24 * time.Hour
			pts := func(metric string) []aiops.Point {
				return series(g, in.Start.Add(-day), in.End.Add(time.Hour), in.Service, metric)
			}
			now, before := within(in.Start, in.End), within(in.Start.Add(-day), in.End.Add(-day))
			switch in.Kind {
			case LatencySpike:
				p95 := pts(aiops.MetricLatencyP95)
				if a, b := mean(p95, now), mean(p95, before); a < 3*b {
					t.Errorf("seed %d %s: p95 %.3fs in the spike, %.3fs the day before; want > 3×", seed, in.ID, a, b)
				}
			case ErrorBurst:
				e := pts(aiops.MetricErrorRate)
				if a, b := mean(e, now), mean(e, before); a < 0.04 || a < 5*b {
					t.Errorf("seed %d %s: error ratio %.4f in the burst, %.4f the day before", seed, in.ID, a, b)
				}
			case MemoryLeak:
				mem, restarts := pts(aiops.MetricMemory), pts(aiops.MetricRestarts)
				start := mean(mem, within(in.Start, in.Start.Add(20*time.Minute)))
				peak := mean(mem, within(in.End.Add(-20*time.Minute), in.End.Add(-time.Minute)))
				after := mean(mem, within(in.End, in.End.Add(20*time.Minute)))
				if peak < 1.4*start || after > 0.8*peak {
					t.Errorf("seed %d %s: memory %.0f MiB at the start, %.0f before the kill, %.0f after", seed, in.ID, start/mib, peak/mib, after/mib)
				}
				if k := mean(restarts, within(in.End.Add(-time.Minute), in.End)); k < 1 {
					t.Errorf("seed %d %s: %v restarts at the kill, want ≥ 1", seed, in.ID, k)
				}
				if k := mean(restarts, before); k != 0 {
					t.Errorf("seed %d %s: restarts the day before", seed, in.ID)
				}
			case LevelShift:
				cpu := series(g, in.Start.Add(-day), in.Start.Add(day), in.Service, aiops.MetricCPU)
				a := mean(cpu, within(in.Start, in.Start.Add(20*time.Hour)))
				b := mean(cpu, within(in.Start.Add(-day), in.Start.Add(-4*time.Hour)))
				if a < 1.15*b {
					t.Errorf("seed %d %s: CPU %.3f after the deploy, %.3f the day before; want a shift", seed, in.ID, a, b)
				}
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	from, to := origin.Add(3*24*time.Hour), origin.Add(3*24*time.Hour+6*time.Hour)
	a := NewGenerator(5, origin, 14).Samples(from, to)
	b := NewGenerator(5, origin, 14).Samples(from, to)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed and origin gave different series")
	}
	c := NewGenerator(6, origin, 14).Samples(from, to)
	if reflect.DeepEqual(a[0].Points, c[0].Points) {
		t.Fatal("seeds 5 and 6 gave the same series")
	}
	if !reflect.DeepEqual(NewGenerator(5, origin, 14).Incidents(origin, to), NewGenerator(5, origin, 14).Incidents(origin, to)) {
		t.Fatal("the same seed planned different incidents")
	}
	// Any split of a range gives the same points: a restarted stream
	// continues exactly.
	mid := from.Add(97 * time.Minute)
	g := NewGenerator(5, origin, 14)
	first, second := g.Samples(from, mid), g.Samples(mid, to)
	for i := range a {
		joined := append(append([]aiops.Point(nil), first[i].Points...), second[i].Points...)
		if !reflect.DeepEqual(joined, a[i].Points) {
			t.Fatalf("%s/%s: split at %v differs from one range", a[i].Service, a[i].Metric, mid)
		}
	}
}

func TestLiveEpochsHaveIncidents(t *testing.T) {
	g := NewGenerator(1, origin, 14)
	e1 := origin.Add(14 * 24 * time.Hour)
	live := g.Incidents(e1, e1.Add(14*24*time.Hour))
	if len(live) < 10 {
		t.Fatalf("%d incidents in the second epoch, want about one a day", len(live))
	}
	if live[0].ID[:3] != "e1-" {
		t.Fatalf("first live incident has ID %s", live[0].ID)
	}
	if got := g.Incidents(origin.Add(-48*time.Hour), origin); len(got) != 0 {
		t.Fatalf("incidents before the origin: %v", got)
	}
}

func BenchmarkSamplesDay(b *testing.B) {
	g := NewGenerator(1, origin, 14)
	for b.Loop() {
		g.Samples(origin.Add(24*time.Hour), origin.Add(48*time.Hour))
	}
	b.ReportMetric(float64(SeriesCount()*1440), "points/op")
}
