package forecast

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// hourly returns n points of a daily and weekly cycle around level with
// Gaussian noise of the given sd.
func hourly(n int, level, sd float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	y := make([]float64, n)
	for t := range y {
		day := 10 * math.Sin(2*math.Pi*float64(t)/24)
		week := 0.0
		if (t/24)%7 >= 5 {
			week = -8
		}
		y[t] = level + day + week + sd*r.NormFloat64()
	}
	return y
}

// truth is hourly without noise at times n..n+h−1.
func truth(n, h int, level float64) []float64 {
	y := hourly(n+h, level, 0, 0)
	return y[n:]
}

func mae(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s / float64(len(a))
}

var hourlyOpts = Options{Seasons: []int{24, 168}, Horizon: 48}

func TestFitSeasonal(t *testing.T) {
	y := hourly(960, 100, 1, 1)
	m, err := Fit(y, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.Forecast(48, []float64{80, 95})
	if err != nil {
		t.Fatal(err)
	}
	if e := mae(p.Mean, truth(960, 48, 100)); e > 1.5 {
		t.Errorf("MAE against the noiseless truth = %.3f, want ≤ 1.5 (noise sd 1); notes %v", e, m.Notes)
	}
	if len(m.Periods) != 2 {
		t.Errorf("periods = %v, want both", m.Periods)
	}
	i80, i95 := p.Interval(80), p.Interval(95)
	for k := range p.Mean {
		if !(i95.Lower[k] <= i80.Lower[k] && i80.Lower[k] <= p.Mean[k] && p.Mean[k] <= i80.Upper[k] && i80.Upper[k] <= i95.Upper[k]) {
			t.Fatalf("step %d: intervals not nested: %v %v %v %v %v", k+1, i95.Lower[k], i80.Lower[k], p.Mean[k], i80.Upper[k], i95.Upper[k])
		}
	}
}

// TestCoverage checks calibration: over many simulated series the 95%
// interval must cover about 95% of the future and the 80% about 80%.
func TestCoverage(t *testing.T) {
	const reps, h = 40, 48
	var in80, in95, total int
	for s := range reps {
		y := hourly(700+h, 50, 2, uint64(100+s))
		m, err := Fit(y[:700], Options{Seasons: []int{24, 168}, Horizon: h, Log: Off})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := m.Forecast(h, []float64{80, 95})
		for k := range h {
			v := y[700+k]
			if v >= p.Interval(80).Lower[k] && v <= p.Interval(80).Upper[k] {
				in80++
			}
			if v >= p.Interval(95).Lower[k] && v <= p.Interval(95).Upper[k] {
				in95++
			}
			total++
		}
	}
	c80, c95 := float64(in80)/float64(total), float64(in95)/float64(total)
	if c95 < 0.90 || c95 > 0.995 || c80 < 0.70 || c80 > 0.92 {
		t.Errorf("coverage 80%%: %.3f, 95%%: %.3f; want about 0.80 and 0.95", c80, c95)
	}
}

func TestIntervalsWiden(t *testing.T) {
	// A random walk: uncertainty must grow with the horizon.
	r := rand.New(rand.NewPCG(7, 7))
	y := make([]float64, 500)
	for i := 1; i < len(y); i++ {
		y[i] = y[i-1] + r.NormFloat64()
	}
	m, err := Fit(y, Options{Horizon: 24})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Forecast(100, []float64{95})
	iv := p.Interval(95)
	w1, w24, w100 := iv.Upper[0]-iv.Lower[0], iv.Upper[23]-iv.Lower[23], iv.Upper[99]-iv.Lower[99]
	if !(w1 < w24 && w24 <= w100) {
		t.Errorf("95%% widths at steps 1, 24, 100 = %.2f %.2f %.2f, want increasing", w1, w24, w100)
	}
}

func TestNonNegative(t *testing.T) {
	// A request count near zero with a falling trend and zeros: no
	// forecast or bound may go below 0.
	r := rand.New(rand.NewPCG(3, 3))
	y := make([]float64, 400)
	for t := range y {
		v := 5 - 0.012*float64(t) + 3*math.Sin(2*math.Pi*float64(t)/24) + r.NormFloat64()
		y[t] = math.Max(0, math.Round(v))
	}
	m, err := Fit(y, Options{Seasons: []int{24}, Horizon: 48})
	if err != nil {
		t.Fatal(err)
	}
	if !m.NonNegative || m.Log {
		t.Errorf("NonNegative = %v, Log = %v; want true, false for data with zeros", m.NonNegative, m.Log)
	}
	p, _ := m.Forecast(200, []float64{80, 95})
	for _, s := range [][]float64{p.Mean, p.Interval(80).Lower, p.Interval(95).Lower} {
		for k, v := range s {
			if v < 0 {
				t.Fatalf("step %d: value %v below 0", k+1, v)
			}
		}
	}
}

func TestSpikesDoNotWreckForecast(t *testing.T) {
	clean := hourly(960, 100, 1, 5)
	spiky := append([]float64(nil), clean...)
	for _, i := range []int{100, 400, 401, 700, 950, 955} {
		spiky[i] *= 8 // a scrape glitch or a burst
	}
	spiky[900] = 0.5
	want := truth(960, 48, 100)
	mc, err := Fit(clean, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Fit(spiky, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	pc, _ := mc.Forecast(48, []float64{95})
	ps, _ := ms.Forecast(48, []float64{95})
	ec, es := mae(pc.Mean, want), mae(ps.Mean, want)
	if es > ec+0.5 {
		t.Errorf("MAE with spikes %.3f, without %.3f: spikes moved the forecast", es, ec)
	}
	if ms.Outliers < 7 {
		t.Errorf("replaced %d outliers, want the 7 spikes; notes %v", ms.Outliers, ms.Notes)
	}
}

func TestLevelShiftFollowed(t *testing.T) {
	for _, back := range []int{6, 24, 60} {
		y := hourly(960, 100, 1, 9)
		for i := 960 - back; i < 960; i++ {
			y[i] += 40 // a new deployment doubles memory use
		}
		m, err := Fit(y, hourlyOpts)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := m.Forecast(48, []float64{95})
		// The log scale turns the additive daily cycle into a slightly
		// larger one at the new level, hence the tolerance.
		if e := mae(p.Mean, truth(960, 48, 140)); e > 4 {
			t.Errorf("shift %d steps before the end: MAE against the new level %.2f, want ≤ 4; notes %v", back, e, m.Notes)
		}
	}
}

func TestLevelShiftOff(t *testing.T) {
	y := hourly(960, 100, 1, 9)
	for i := 960 - 24; i < 960; i++ {
		y[i] += 40
	}
	o := hourlyOpts
	o.LevelShift = Off
	m, err := Fit(y, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.ShiftAt != 0 {
		t.Errorf("LevelShift Off: shift adopted at %d", m.ShiftAt)
	}
}

func TestNoFalseShiftOnTrend(t *testing.T) {
	y := hourly(960, 100, 1, 11)
	for i := range y {
		y[i] += 0.05 * float64(i)
	}
	m, err := Fit(y, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	if m.ShiftAt != 0 {
		t.Errorf("a steady trend was taken for a level shift at %d", m.ShiftAt)
	}
}

func TestGaps(t *testing.T) {
	y := hourly(960, 100, 1, 13)
	for i := 300; i < 310; i++ {
		y[i] = math.NaN()
	}
	y[0], y[1] = math.NaN(), math.NaN()
	y[959] = math.NaN()
	m, err := Fit(y, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Gaps != 11 || m.N != 958 {
		t.Errorf("gaps %d, N %d; want 11 inner/trailing gaps and 2 leading points dropped", m.Gaps, m.N)
	}
	p, _ := m.Forecast(48, nil)
	if e := mae(p.Mean, truth(960, 48, 100)); e > 2 {
		t.Errorf("MAE %.2f with gaps", e)
	}
}

func TestShortSeries(t *testing.T) {
	y := hourly(30, 100, 1, 17)
	m, err := Fit(y, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(m.Notes, "\n")
	if !strings.Contains(joined, "fell back") || !strings.Contains(joined, "period 24 dropped") {
		t.Errorf("notes = %q, want the fallback and the dropped periods explained", joined)
	}
	p, err := m.Forecast(48, []float64{95})
	if err != nil || len(p.Mean) != 48 {
		t.Fatalf("forecast = %v, %v", p, err)
	}
	if _, err := Fit([]float64{1, 2, math.NaN()}, Options{}); !errors.Is(err, ErrTooShort) {
		t.Errorf("3 points: err = %v, want ErrTooShort", err)
	}
}

func TestConstantSeries(t *testing.T) {
	y := make([]float64, 200)
	for i := range y {
		y[i] = 42
	}
	m, err := Fit(y, Options{Seasons: []int{24}})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Forecast(10, []float64{95})
	for k, v := range p.Mean {
		if math.Abs(v-42) > 1e-6 || math.Abs(p.Interval(95).Upper[k]-42) > 1e-6 {
			t.Fatalf("step %d: %v [%v], want 42", k+1, v, p.Interval(95).Upper[k])
		}
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name string
		y    []float64
		o    Options
		want error
	}{
		{"inf", []float64{1, 2, math.Inf(1), 4, 5}, Options{}, ErrBadValue},
		{"period", hourly(100, 10, 1, 1), Options{Seasons: []int{1}}, ErrBadOptions},
		{"duplicate period", hourly(100, 10, 1, 1), Options{Seasons: []int{24, 24}}, ErrBadOptions},
		{"horizon", hourly(100, 10, 1, 1), Options{Horizon: -1}, ErrBadOptions},
		{"log of negatives", []float64{1, -2, 3, 4, 5}, Options{Log: On}, ErrBadValue},
		{"all missing", []float64{math.NaN(), math.NaN()}, Options{}, ErrTooShort},
	}
	for _, tc := range tests {
		if _, err := Fit(tc.y, tc.o); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	m, _ := Fit(hourly(100, 10, 1, 1), Options{Horizon: 10})
	for _, l := range []float64{0, 100, -5, math.NaN()} {
		if _, err := m.Forecast(5, []float64{l}); !errors.Is(err, ErrBadOptions) {
			t.Errorf("level %v: err = %v", l, err)
		}
	}
	if _, err := m.Forecast(0, nil); !errors.Is(err, ErrBadOptions) {
		t.Errorf("horizon 0: err = %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	m, err := Fit(hourly(700, 100, 1, 19), hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Model
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	p1, _ := m.Forecast(72, []float64{80, 95})
	p2, err := back.Forecast(72, []float64{80, 95})
	if err != nil {
		t.Fatal(err)
	}
	for k := range p1.Mean {
		if p1.Mean[k] != p2.Mean[k] || p1.Intervals[1].Upper[k] != p2.Intervals[1].Upper[k] {
			t.Fatalf("step %d: %v/%v before, %v/%v after the round trip", k+1, p1.Mean[k], p1.Intervals[1].Upper[k], p2.Mean[k], p2.Intervals[1].Upper[k])
		}
	}
	old := strings.Replace(string(b), `"version":1`, `"version":0`, 1)
	if err := json.Unmarshal([]byte(old), &back); err == nil || !strings.Contains(err.Error(), "version 0") {
		t.Errorf("unmarshal of version 0: err = %v", err)
	}
	bad := strings.Replace(string(b), `"kind":"`, `"kind":"x`, 1)
	if err := json.Unmarshal([]byte(bad), &back); err != nil {
		t.Fatal(err)
	}
	if _, err := back.Forecast(5, nil); err == nil {
		t.Error("forecast from a model with an unknown component kind succeeded")
	}
}

func TestCrossing(t *testing.T) {
	// Disk usage growing 0.1 point per step from 50%: the mean forecast
	// reaches 90% about 400 steps after the start.
	r := rand.New(rand.NewPCG(23, 23))
	y := make([]float64, 300)
	for i := range y {
		y[i] = 50 + 0.1*float64(i) + 0.3*r.NormFloat64()
	}
	m, err := Fit(y, Options{Horizon: 48})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := m.Forecast(300, []float64{95})
	c, err := p.Crossing(90, Above, 95)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mean < 85 || c.Mean > 120 {
		t.Errorf("mean crossing at step %d, want about 100; %+v", c.Mean, c)
	}
	if !(c.Earliest > 0 && c.Earliest <= c.Mean && (c.Latest == 0 || c.Latest >= c.Mean)) {
		t.Errorf("crossing %+v: want 0 < Earliest ≤ Mean ≤ Latest (or Latest 0)", c)
	}
	c, _ = p.Crossing(10, Below, 95)
	if c != (Crossing{}) {
		t.Errorf("falling to 10%%: %+v, want no crossing", c)
	}
	if _, err := p.Crossing(90, Above, 80); !errors.Is(err, ErrBadOptions) {
		t.Errorf("missing level: err = %v", err)
	}
}

func FuzzFit(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, uint8(4), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, period, h uint8) {
		y := make([]float64, len(raw))
		for i, b := range raw {
			switch b {
			case 255:
				y[i] = math.NaN()
			case 254:
				y[i] = -1e9
			default:
				y[i] = float64(b)
			}
		}
		o := Options{Horizon: int(h%50) + 1}
		if period >= 2 {
			o.Seasons = []int{int(period % 40)}
		}
		m, err := Fit(y, o)
		if err != nil {
			return
		}
		p, err := m.Forecast(o.Horizon, []float64{80, 95})
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range p.Mean {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("step %d: forecast %v", k+1, v)
			}
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkFit960(b *testing.B) {
	y := hourly(960, 100, 2, 29)
	b.ReportAllocs()
	for b.Loop() {
		m, err := Fit(y, hourlyOpts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := m.Forecast(48, []float64{80, 95}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLinearGrowthKeepsOriginalScale(t *testing.T) {
	// A disk filling linearly: on the log scale its trend would turn
	// exponential and bring the 90% breach days forward.
	y := make([]float64, 24*35)
	for i := range y {
		y[i] = 60 + 0.02*float64(i) + 0.5*math.Sin(2*math.Pi*float64(i)/24)
	}
	m, err := Fit(y, hourlyOpts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Log {
		t.Error("linear growth modelled on the log scale")
	}
	p, _ := m.Forecast(24*40, []float64{95})
	c, _ := p.Crossing(90, Above, 95)
	want := int(math.Ceil((90 - 60 - 0.02*float64(len(y)-1)) / 0.02)) // 661 steps
	if c.Mean < want-24 || c.Mean > want+24 {
		t.Errorf("breach at step %d, want %d ± 24", c.Mean, want)
	}
}
