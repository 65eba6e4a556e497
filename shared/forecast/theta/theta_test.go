package theta

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestLinearSeries(t *testing.T) {
	// For a straight line the θ=2 line is the series itself, SES follows it
	// with α near 1, and the forecast is the last value plus half the slope
	// per step (Hyndman and Billah 2003).
	y := make([]float64, 50)
	for i := range y {
		y[i] = 10 + 2*float64(i)
	}
	m, err := Fit(y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.Slope-2) > 1e-9 || math.Abs(m.Intercept-10) > 1e-9 {
		t.Errorf("line %v + %v t, want 10 + 2t", m.Intercept, m.Slope)
	}
	f := m.Forecast(make([]float64, 4))
	for h, v := range f {
		want := y[49] + float64(h+1)
		if math.Abs(v-want) > 0.05 {
			t.Errorf("step %d = %v, want %v", h+1, v, want)
		}
	}
}

func TestTooShort(t *testing.T) {
	if _, err := Fit([]float64{1, 2, 3}); !errors.Is(err, ErrTooShort) {
		t.Errorf("err = %v, want ErrTooShort", err)
	}
}

func ExampleFit() {
	y := []float64{12, 14, 13, 15, 17, 16, 18, 20, 19, 21}
	m, err := Fit(y)
	if err != nil {
		panic(err)
	}
	f := m.Forecast(make([]float64, 3))
	fmt.Printf("%.1f %.1f %.1f\n", f[0], f[1], f[2])
	// Output: 21.0 21.4 21.9
}
