package grid

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

func times(offsets ...time.Duration) []time.Time {
	out := make([]time.Time, len(offsets))
	for i, o := range offsets {
		out[i] = t0.Add(o)
	}
	return out
}

const h = time.Hour

func TestStep(t *testing.T) {
	s, err := Step(times(0, h, 2*h, 4*h, 5*h))
	if err != nil || s != h {
		t.Errorf("Step = %v, %v; want 1h", s, err)
	}
	if _, err := Step(times(0)); !errors.Is(err, ErrTooFew) {
		t.Errorf("one timestamp: err = %v", err)
	}
	if _, err := Step(times(0, h, h)); !errors.Is(err, ErrUnordered) {
		t.Errorf("repeated timestamp: err = %v", err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		ts   []time.Time
		want error
		msg  string
	}{
		{"regular", times(0, h, 2*h, 3*h), nil, ""},
		{"missing", times(0, h, 4*h, 5*h), ErrMissing, "data row 3 (2024-03-01T04:00:00Z): missing timestamps: 2 points are missing before it at step 1h0m0s"},
		{"off grid", times(0, h, 2*h+30*time.Minute, 3*h+30*time.Minute), ErrOffGrid, "data row 3"},
		{"unordered", times(0, h, h/2), ErrUnordered, "data row 3"},
	}
	for _, tc := range tests {
		err := Check(tc.ts, h)
		if !errors.Is(err, tc.want) || (err != nil && !strings.Contains(err.Error(), tc.msg)) {
			t.Errorf("%s: err = %v, want %v containing %q", tc.name, err, tc.want, tc.msg)
		}
	}
	if err := Check(times(0, h), 0); !errors.Is(err, ErrBadStep) {
		t.Errorf("zero step: err = %v", err)
	}
}

func TestResample(t *testing.T) {
	ts := times(0, h, 3*h, 3*h+40*time.Minute, 5*h)
	v := []float64{0, 10, 30, math.NaN(), 50}
	got, filled, err := Resample(ts, v, h)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 10, 20, 30, 40, 50}
	if len(got) != len(want) || filled != 2 {
		t.Fatalf("got %v (%d filled), want %v (2 filled)", got, filled, want)
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-9 {
			t.Errorf("point %d = %v, want %v", i, got[i], want[i])
		}
	}
	// Half-hour data to one hour: every other point, none filled.
	got, filled, err = Resample(times(0, h/2, h, 3*h/2, 2*h), []float64{1, 2, 3, 4, 5}, h)
	if err != nil || filled != 0 || len(got) != 3 || got[2] != 5 {
		t.Errorf("downsampling: %v, %d, %v", got, filled, err)
	}
	// A trailing gap has no right neighbour: NaN, for the model to fill.
	got, _, _ = Resample(times(0, h, 2*h), []float64{1, 2, math.NaN()}, h)
	if !math.IsNaN(got[2]) {
		t.Errorf("trailing gap = %v, want NaN", got[2])
	}
	if _, _, err := Resample(times(0, h), []float64{1, 2}, -h); !errors.Is(err, ErrBadStep) {
		t.Errorf("negative step: err = %v", err)
	}
	if _, _, err := Resample(times(0, 200*24*h), []float64{1, 2}, time.Millisecond); err == nil {
		t.Error("absurd resample accepted")
	}
}

func FuzzResample(f *testing.F) {
	f.Add([]byte{0, 1, 3, 4, 9}, int64(1))
	f.Fuzz(func(t *testing.T, gaps []byte, step int64) {
		if len(gaps) > 200 {
			return
		}
		ts := make([]time.Time, len(gaps))
		vs := make([]float64, len(gaps))
		cur := t0
		for i, g := range gaps {
			cur = cur.Add(time.Duration(g) * time.Minute)
			ts[i] = cur
			vs[i] = float64(g)
			if g%7 == 0 {
				vs[i] = math.NaN()
			}
		}
		st := time.Duration(step%120) * time.Minute
		out, filled, err := Resample(ts, vs, st)
		if err != nil {
			return
		}
		if filled > len(out) || len(out) == 0 {
			t.Fatalf("%d filled of %d", filled, len(out))
		}
		if s, err := Step(ts); err == nil {
			_ = Check(ts, s)
		}
	})
}
