package detect

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestEpisodeRule(t *testing.T) {
	s := NewStream(DefaultConfig())
	pen := math.Pow(10, episodePenalty)
	steps := []struct {
		p, want float64
	}{
		{1e-6, 1e-6},       // fresh evidence opens an episode
		{1e-5, 1e-5 * pen}, // weaker, within the episode: discounted
		{1e-6, 1e-6 * pen}, // as strong as the peak: still the same episode
		{1e-8, 1e-8},       // an escalation is news and becomes the peak
		{0.5, 1},           // ordinary points stay ordinary (capped at 1)
	}
	for i, c := range steps {
		if got := s.episode(c.p); math.Abs(got-c.want) > 1e-9*c.want {
			t.Errorf("step %d: episode(%g) = %g, want %g", i, c.p, got, c.want)
		}
	}
	// Episode points after the peak, the episode is over.
	for i := 0; i < DefaultConfig().Episode; i++ {
		s.episode(1e-3)
	}
	if got := s.episode(1e-7); got != 1e-7 {
		t.Errorf("after the episode: %g, want 1e-7 undiscounted", got)
	}
}

// TestRecordSeesNewLevelOnNoisySeries: a series whose noise spans 0 to
// 10, so that single steps of several units are ordinary, moves for an
// hour to 8..18, a level it never reached. Against that noise the residual
// view barely stirs; the record view calls the first point past the old
// range (later ones extend the new record by less and continue the
// episode).
func TestRecordSeesNewLevelOnNoisySeries(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := NewStream(DefaultConfig())
	var maxBefore, maxAfter float64
	for i := 0; i < 3000; i++ {
		v := 10 * rng.Float64()
		if i >= 2900 && i < 2960 {
			v += 8
		}
		p := s.Update(t0.Add(time.Duration(i)*time.Minute), v)
		switch {
		case i >= 2900 && i < 2960:
			maxAfter = math.Max(maxAfter, p.Score)
		case i > 1000 && i < 2900:
			maxBefore = math.Max(maxBefore, p.Score)
		}
	}
	if Severity(maxBefore) > None {
		t.Errorf("ordinary noise reaches %v (%v)", maxBefore, Severity(maxBefore))
	}
	if Severity(maxAfter) < Low {
		t.Errorf("an hour at a level never reached scores %v (%v), want an alert", maxAfter, Severity(maxAfter))
	}
}

// TestLongDriftSeesSlowClimb: unit noise, then a climb of 0.2 per point,
// which the recent level trails by less than half the noise. No single
// point and no ten-point drift stands out, but kept up for fifty points
// the departure does, well before the climb leaves the range of values
// (about ±4) that noise alone reached.
func TestLongDriftSeesSlowClimb(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	s := NewStream(DefaultConfig())
	alertAt := -1
	for i := 0; i < 2100; i++ {
		v := rng.NormFloat64()
		if i >= 2000 {
			v += 0.2 * float64(i-2000)
		}
		p := s.Update(t0.Add(time.Duration(i)*time.Minute), v)
		if i > 1000 && i < 2000 && Severity(p.Score) > None {
			t.Fatalf("noise point %d alerts: %v", i, p.Score)
		}
		if i >= 2000 && alertAt < 0 && Severity(p.Score) > None {
			alertAt = i - 2000
		}
	}
	if alertAt < 0 || alertAt > 15 {
		t.Errorf("the climb alerted after %d points, want within 15 (it is 3 units up by then)", alertAt)
	}
}
