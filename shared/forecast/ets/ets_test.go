package ets

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestForecastFromStates(t *testing.T) {
	tests := []struct {
		name string
		m    Model
		want []float64
	}{
		{"ANN", Model{Spec: Spec{Error: Additive, Trend: None, Season: None}, Level: 10}, []float64{10, 10, 10}},
		{"AAN", Model{Spec: Spec{Error: Additive, Trend: Additive, Season: None}, Level: 10, Slope: 2}, []float64{12, 14, 16}},
		// Damped: l + (φ + φ² + … + φ^h) b with φ = 0.5.
		{"AAdN", Model{Spec: Spec{Error: Additive, Trend: AdditiveDamped, Season: None}, Level: 10, Slope: 2, Phi: 0.5}, []float64{11, 11.5, 11.75}},
		{"ANA", Model{Spec: Spec{Error: Additive, Trend: None, Season: Additive, Period: 2}, Level: 10, Seasonal: []float64{1, -1}}, []float64{11, 9, 11}},
		{"MNM", Model{Spec: Spec{Error: Multiplicative, Trend: None, Season: Multiplicative, Period: 2}, Level: 10, Seasonal: []float64{1.5, 0.5}}, []float64{15, 5, 15}},
	}
	for _, tc := range tests {
		got := tc.m.Forecast(make([]float64, len(tc.want)))
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-12 {
				t.Errorf("%s: step %d = %v, want %v", tc.name, i+1, got[i], tc.want[i])
			}
		}
	}
}

func TestFitLinear(t *testing.T) {
	y := make([]float64, 60)
	for i := range y {
		y[i] = 3 + 0.5*float64(i)
	}
	m, err := Fit(y, Spec{Error: Additive, Trend: Additive, Season: None})
	if err != nil {
		t.Fatal(err)
	}
	f := m.Forecast(make([]float64, 5))
	for h, v := range f {
		if want := 3 + 0.5*float64(60+h); math.Abs(v-want) > 1e-2 {
			t.Errorf("step %d = %v, want %v", h+1, v, want)
		}
	}
}

func TestFitSeasonal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, 24*20)
	for i := range y {
		y[i] = 100 + 20*math.Sin(2*math.Pi*float64(i)/24) + r.NormFloat64()
	}
	for _, sp := range []Spec{
		{Error: Additive, Trend: None, Season: Additive, Period: 24},
		{Error: Multiplicative, Trend: AdditiveDamped, Season: Multiplicative, Period: 24},
	} {
		m, err := Fit(y, sp)
		if err != nil {
			t.Fatal(err)
		}
		f := m.Forecast(make([]float64, 24))
		for h, v := range f {
			want := 100 + 20*math.Sin(2*math.Pi*float64(len(y)+h)/24)
			if math.Abs(v-want) > 2.5 {
				t.Errorf("%s step %d = %.2f, want %.2f ± 2.5", sp, h+1, v, want)
			}
		}
		if math.Abs(math.Sqrt(m.Sigma2)-1) > 0.3 && sp.Error == Additive {
			t.Errorf("%s: sigma %.3f, want about 1", sp, math.Sqrt(m.Sigma2))
		}
	}
}

func TestAutoChoosesByAICc(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	flat := make([]float64, 200)
	trend := make([]float64, 200)
	for i := range flat {
		flat[i] = 50 + r.NormFloat64()
		trend[i] = 50 + 0.8*float64(i) + r.NormFloat64()
	}
	m, err := Auto(flat, NonSeasonal)
	if err != nil {
		t.Fatal(err)
	}
	if m.Spec.Trend != None {
		t.Errorf("flat series: chose %s, want no trend", m.Spec)
	}
	m, err = Auto(trend, NonSeasonal)
	if err != nil {
		t.Fatal(err)
	}
	if m.Spec.Trend == None {
		t.Errorf("trending series: chose %s, want a trend", m.Spec)
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name string
		y    []float64
		spec Spec
		want error
	}{
		{"short", []float64{1, 2, 3}, Spec{Error: Additive, Trend: Additive, Season: None}, ErrTooShort},
		{"short seasonal", make([]float64, 30), Spec{Error: Additive, Trend: None, Season: Additive, Period: 24}, ErrTooShort},
		{"non-positive", []float64{1, 2, 0, 4, 5, 6, 7, 8}, Spec{Error: Multiplicative, Trend: None, Season: None}, ErrNonPositive},
		{"NaN", []float64{1, 2, math.NaN(), 4, 5, 6, 7, 8}, Spec{Error: Additive, Trend: None, Season: None}, ErrNaN},
	}
	for _, tc := range tests {
		if _, err := Fit(tc.y, tc.spec); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Fit([]float64{1, 2, 3, 4, 5}, Spec{Error: "X", Trend: None, Season: None}); err == nil {
		t.Error("bad spec accepted")
	}
	if _, err := Auto([]float64{1, 2}, NonSeasonal); err == nil {
		t.Error("Auto on 2 points succeeded")
	}
}

func TestJSON(t *testing.T) {
	y := make([]float64, 100)
	for i := range y {
		y[i] = float64(i%7) + float64(i)/10
	}
	m, err := Fit(y, Spec{Error: Additive, Trend: AdditiveDamped, Season: Additive, Period: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(m)
	var back Model
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	f1, f2 := m.Forecast(make([]float64, 10)), back.Forecast(make([]float64, 10))
	for i := range f1 {
		if f1[i] != f2[i] {
			t.Fatalf("step %d: %v before, %v after JSON", i+1, f1[i], f2[i])
		}
	}
}

func ExampleAuto() {
	// Requests per minute growing steadily.
	y := make([]float64, 120)
	for i := range y {
		y[i] = 200 + 1.5*float64(i) + 3*math.Sin(float64(i))
	}
	m, err := Auto(y, NonSeasonal)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Spec.Trend != None)
	// Output: true
}
