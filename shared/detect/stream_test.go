package detect

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC) // a Monday

// daily returns n minutely points of a daily cycle (peak 100 at 14:00,
// trough 20) with Gaussian noise of sd 2.
func daily(n int, seed uint64) ([]time.Time, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	ts := make([]time.Time, n)
	vs := make([]float64, n)
	for i := range ts {
		ts[i] = t0.Add(time.Duration(i) * time.Minute)
		h := float64(ts[i].Hour()) + float64(ts[i].Minute())/60
		vs[i] = 60 + 40*math.Cos(2*math.Pi*(h-14)/24) + 2*rng.NormFloat64()
	}
	return ts, vs
}

func run(s *Stream, ts []time.Time, vs []float64) []Point {
	out := make([]Point, len(ts))
	for i := range ts {
		out[i] = s.Update(ts[i], vs[i])
	}
	return out
}

func TestStreamHasNoLookAhead(t *testing.T) {
	ts, vs := daily(3000, 1)
	full := run(NewStream(DefaultConfig()), ts, vs)
	alt := append([]float64(nil), vs...)
	for i := 2000; i < len(alt); i++ {
		alt[i] = 1e6 // a wildly different future
	}
	other := run(NewStream(DefaultConfig()), ts, alt)
	for i := 0; i < 2000; i++ {
		if full[i] != other[i] {
			t.Fatalf("point %d depends on later points: %+v vs %+v", i, full[i], other[i])
		}
	}
}

func TestStreamScoresInRangeAndSpikeStandsOut(t *testing.T) {
	ts, vs := daily(4*1440, 2)
	spike := 3*1440 + 14*60 // Thursday 14:00
	vs[spike] *= 3.4
	pts := run(NewStream(DefaultConfig()), ts, vs)
	var maxOther float64
	for i, p := range pts {
		if !(p.Score >= 0 && p.Score <= 1) {
			t.Fatalf("point %d: score %v outside [0, 1]", i, p.Score)
		}
		if i != spike && i > 2*1440 {
			maxOther = math.Max(maxOther, p.Score)
		}
	}
	if got := pts[spike]; Severity(got.Score) < High || got.Deviation <= 0 {
		t.Errorf("spike: score %v (%v), deviation %v; want high or critical, above", got.Score, Severity(got.Score), got.Deviation)
	}
	if Severity(maxOther) > Low {
		t.Errorf("normal points reach %v (%v)", maxOther, Severity(maxOther))
	}
	if p := pts[spike]; p.Season != SeasonDaily || math.Abs(p.Expected-100) > 5 {
		t.Errorf("expected level at the spike %v (%v), want the daily peak near 100", p.Expected, p.Season)
	}
}

func TestStreamConstantSeries(t *testing.T) {
	s := NewStream(DefaultConfig())
	for i := 0; i < 1000; i++ {
		if p := s.Update(t0.Add(time.Duration(i)*time.Minute), 42); p.Score != 0 {
			t.Fatalf("point %d of a constant series scores %v", i, p.Score)
		}
	}
	if p := s.Update(t0.Add(1000*time.Minute), 43); Severity(p.Score) != Critical {
		t.Fatalf("the first change after a flat line scores %v (%v), want critical", p.Score, Severity(p.Score))
	}
}

func TestStreamWarmupAndSkips(t *testing.T) {
	s := NewStream(DefaultConfig())
	p := s.Update(t0, 1)
	if p.Score != 0 || p.Reason != ReasonLearning || p.Skipped {
		t.Fatalf("first point: %+v, want score 0 while learning", p)
	}
	before, _ := s.MarshalBinary()
	if p := s.Update(t0.Add(time.Minute), math.NaN()); !p.Skipped || p.Reason != ReasonMissing {
		t.Fatalf("NaN: %+v", p)
	}
	if p := s.Update(t0, 2); !p.Skipped || p.Reason != ReasonOutOfOrder {
		t.Fatalf("repeated timestamp: %+v", p)
	}
	after, _ := s.MarshalBinary()
	// Only the skip counter may differ.
	s2 := NewStream(DefaultConfig())
	if err := s2.UnmarshalBinary(after); err != nil || s2.Skipped() != 2 || s2.Learned() != 1 {
		t.Fatalf("after skips: err %v, skipped %d, learned %d", err, s2.Skipped(), s2.Learned())
	}
	s2.skipped = 0
	if again, _ := s2.MarshalBinary(); !bytes.Equal(again, before) {
		t.Fatal("skipped points changed the detector's state")
	}
}

func TestStreamLevelShiftIsOneEpisode(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	s := NewStream(DefaultConfig())
	alarms := 0
	for i := 0; i < 3000; i++ {
		v := 10 + rng.NormFloat64()
		if i >= 2000 {
			v += 8 // a new level
		}
		p := s.Update(t0.Add(time.Duration(i)*time.Minute), v)
		if i >= 2000 && Severity(p.Score) >= Medium {
			alarms++
		}
		// An 8-sigma step after 2000 quiet points: P_n about 1e-3 after the
		// family-wise corrections for six statistics and two views.
		if i == 2000 && p.Score < 0.8 {
			t.Errorf("the shift's first point scores %v, want at least 0.8", p.Score)
		}
	}
	if alarms > 5 {
		t.Errorf("a level shift raised %d medium-or-worse points, want an episode of a few", alarms)
	}
}

func TestStateRoundTrip(t *testing.T) {
	ts, vs := daily(9*1440, 3)
	a := NewStream(DefaultConfig())
	run(a, ts[:8*1440], vs[:8*1440])
	blob, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(blob) > 17000 {
		t.Errorf("state is %d bytes", len(blob))
	}
	b, err := Resume(blob, Config{})
	if err != nil {
		t.Fatal(err)
	}
	pa := run(a, ts[8*1440:], vs[8*1440:])
	pb := run(b, ts[8*1440:], vs[8*1440:])
	for i := range pa {
		if pa[i] != pb[i] {
			t.Fatalf("after resuming, point %d differs: %+v vs %+v", i, pa[i], pb[i])
		}
	}
}

func TestCorruptStateResets(t *testing.T) {
	good, _ := NewStream(DefaultConfig()).MarshalBinary()
	nan := append([]byte(nil), good...)
	copy(nan[len(nan)-8:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // NaN in the last field
	neg := append([]byte(nil), good...)
	neg[len(neg)-1] = 0xbf // -1.x in the last histogram count
	version := append([]byte(nil), good...)
	version[3] = 9
	for name, blob := range map[string][]byte{
		"bad magic":  []byte("hello world"),
		"version":    version,
		"truncated":  good[:len(good)-1],
		"padded":     append(append([]byte(nil), good...), 0),
		"NaN field":  nan,
		"negative":   neg,
		"magic only": []byte("ODS"),
	} {
		s, err := Resume(blob, DefaultConfig())
		if !errors.Is(err, ErrCorruptState) {
			t.Errorf("%s: err = %v, want ErrCorruptState", name, err)
		}
		if s == nil || s.Learned() != 0 {
			t.Errorf("%s: want a fresh detector", name)
		}
	}
	if s, err := Resume(nil, DefaultConfig()); err != nil || s.Learned() != 0 {
		t.Errorf("no state: %v", err)
	}
}

func TestScoreOf(t *testing.T) {
	// P_n = 1/2 exactly when (1-p)^n = 1/2.
	half := -math.Expm1(math.Log(0.5) / 1000)
	for _, c := range []struct{ p, n, want, tol float64 }{
		{half, 1000, 0.5, 1e-12},
		{1, 1000, 0, 0},
		{1e-12, 1e4, 1 / (1 + 0.01), 1e-9}, // n·p = 1e-8
		{1.5e-8, 1e4, 0.9, 1e-3},           // n·p = 1.5e-4
		{0, 100, 1, 0},
		{math.NaN(), 100, 0, 0},
	} {
		if got := ScoreOf(c.p, c.n); math.Abs(got-c.want) > c.tol {
			t.Errorf("ScoreOf(%v, %v) = %v, want %v", c.p, c.n, got, c.want)
		}
	}
}

func FuzzStreamUpdate(f *testing.F) {
	f.Add(int64(0), 1.0, int64(60), 2.0, int64(60), math.NaN())
	f.Add(int64(1e9), 1e300, int64(-5), -1e300, int64(1), 0.0)
	f.Fuzz(func(t *testing.T, start int64, a float64, d1 int64, b float64, d2 int64, c float64) {
		s := NewStream(Config{Warmup: 1, FastAlpha: 0.3, SlowAlpha: 0.01, SeasonAlpha: 0.1, ErrAlpha: 0.02, ShiftAlpha: 0.1, Memory: 100})
		tm := time.Unix(start%1e10, 0)
		for i := 0; i < 50; i++ {
			for _, step := range []struct {
				d int64
				v float64
			}{{d1, a}, {d2, b}, {d1 + d2, c}} {
				tm = tm.Add(time.Duration(step.d%1e6) * time.Second)
				p := s.Update(tm, step.v)
				if !(p.Score >= 0 && p.Score <= 1) {
					t.Fatalf("score %v for %v", p.Score, step.v)
				}
			}
		}
		blob, _ := s.MarshalBinary()
		if err := NewStream(Config{}).UnmarshalBinary(blob); err != nil {
			t.Fatalf("own state rejected: %v", err)
		}
	})
}

func FuzzUnmarshalBinary(f *testing.F) {
	ts, vs := daily(3000, 4)
	s := NewStream(DefaultConfig())
	run(s, ts, vs)
	good, _ := s.MarshalBinary()
	f.Add(good)
	f.Add([]byte("ODS\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Resume(data, DefaultConfig())
		if err != nil && !errors.Is(err, ErrCorruptState) {
			t.Fatalf("unexpected error type: %v", err)
		}
		for i := 0; i < 20; i++ {
			p := s.Update(t0.Add(time.Duration(i)*time.Hour*24*30), float64(i))
			if !(p.Score >= 0 && p.Score <= 1) {
				t.Fatalf("score %v after resuming", p.Score)
			}
		}
	})
}

// TestStreamDailyProfileOnCoarseSeries: a series sampled every 30 minutes
// visits every sixth 5-minute slot of the daily profile; the profile must
// still forecast, so its daily peak is the usual level there.
func TestStreamDailyProfileOnCoarseSeries(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	s := NewStream(DefaultConfig())
	var last Point
	for i := 0; i < 6*48; i++ {
		ts := t0.Add(time.Duration(i) * 30 * time.Minute)
		h := float64(ts.Hour()) + float64(ts.Minute())/60
		v := 60 + 40*math.Cos(2*math.Pi*(h-14)/24) + rng.NormFloat64()
		last = s.Update(ts, v)
		if ts.Hour() == 14 && ts.Minute() == 0 && i > 4*48 && last.Season != SeasonDaily {
			t.Fatalf("day %d 14:00: expected %v from %v, want the daily profile", i/48, last.Expected, last.Season)
		}
	}
}
