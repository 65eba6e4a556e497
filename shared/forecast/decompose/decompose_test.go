package decompose

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestACF(t *testing.T) {
	got := ACF(make([]float64, 3), []float64{1, 2, 3, 4, 5})
	// Deviations −2…2, c0 = 10; lagged products sum to 4, −1 and −4.
	want := []float64{0.4, -0.1, -0.4}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("r_%d = %v, want %v", i+1, got[i], want[i])
		}
	}
	if r := ACF(make([]float64, 1), []float64{3, 3, 3}); !math.IsNaN(r[0]) {
		t.Errorf("constant series: r_1 = %v, want NaN", r[0])
	}
}

func TestSeasonalityTest(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	seasonal := make([]float64, 240)
	noise := make([]float64, 240)
	for i := range seasonal {
		seasonal[i] = 10 + 3*math.Sin(2*math.Pi*float64(i)/12) + 0.5*r.NormFloat64()
		noise[i] = r.NormFloat64()
	}
	tests := []struct {
		name string
		x    []float64
		m    int
		want bool
	}{
		{"sine", seasonal, 12, true},
		{"white noise", noise, 12, false},
		{"too short", seasonal[:30], 12, false},
	}
	for _, tc := range tests {
		if got := SeasonalityTest(tc.x, tc.m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClassical(t *testing.T) {
	// A linear trend plus a zero-mean cycle is recovered exactly by the
	// additive decomposition (the 2×m average passes lines and removes
	// the cycle), and a multiplicative cycle on a constant exactly too.
	cycle := []float64{3, -1, -4, 2}
	add := make([]float64, 40)
	mul := make([]float64, 40)
	for i := range add {
		add[i] = 5 + 0.3*float64(i) + cycle[i%4]
		mul[i] = 50 * (1 + cycle[i%4]/10)
	}
	got := Classical(make([]float64, 4), add, 4, false)
	for i := range cycle {
		if math.Abs(got[i]-cycle[i]) > 1e-9 {
			t.Errorf("additive index %d = %v, want %v", i, got[i], cycle[i])
		}
	}
	got = Classical(make([]float64, 4), mul, 4, true)
	for i := range cycle {
		if want := 1 + cycle[i]/10; math.Abs(got[i]-want) > 1e-9 {
			t.Errorf("multiplicative index %d = %v, want %v", i, got[i], want)
		}
	}
}

func TestSTL(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	const n, m = 24 * 20, 24
	x := make([]float64, n)
	season := make([]float64, n)
	trendTrue := make([]float64, n)
	for i := range x {
		trendTrue[i] = 100 + 0.05*float64(i)
		season[i] = 8 * math.Sin(2*math.Pi*float64(i)/m)
		x[i] = trendTrue[i] + season[i] + 0.3*r.NormFloat64()
	}
	for _, robust := range []bool{false, true} {
		tr, se, w := make([]float64, n), make([]float64, n), make([]float64, n)
		STL(tr, se, w, x, m, STLParams{Robust: robust})
		var es, et float64
		for i := m; i < n-m; i++ { // ends are extrapolated, judge the middle
			es = math.Max(es, math.Abs(se[i]-season[i]))
			et = math.Max(et, math.Abs(tr[i]-trendTrue[i]))
		}
		if es > 0.6 || et > 0.6 {
			t.Errorf("robust %v: max seasonal error %.3f, trend error %.3f; want ≤ 0.6 (noise sd 0.3)", robust, es, et)
		}
		for i := range x {
			if rem := x[i] - tr[i] - se[i]; math.Abs(rem) > 2 {
				t.Fatalf("robust %v: remainder %v at %d", robust, rem, i)
			}
		}
	}
}

func TestSTLRobustWeightsMarkOutliers(t *testing.T) {
	const n, m = 24 * 10, 24
	x := make([]float64, n)
	for i := range x {
		x[i] = 10 + 4*math.Sin(2*math.Pi*float64(i)/m)
	}
	x[100] += 50
	tr, se, w := make([]float64, n), make([]float64, n), make([]float64, n)
	STL(tr, se, w, x, m, STLParams{Robust: true})
	if w[100] > 0.01 || w[50] < 0.9 {
		t.Errorf("weights: outlier %v, ordinary point %v; want ≈0 and ≈1", w[100], w[50])
	}
	if math.Abs(se[100+m]-4*math.Sin(2*math.Pi*float64(100+m)/m)) > 0.5 {
		t.Errorf("the outlier leaked into the seasonal component: %v", se[100+m])
	}
}

func TestMSTL(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	const n = 24 * 7 * 5
	x := make([]float64, n)
	daily := make([]float64, n)
	weekly := make([]float64, n)
	for i := range x {
		daily[i] = 10 * math.Sin(2*math.Pi*float64(i)/24)
		weekly[i] = 6 * math.Cos(2*math.Pi*float64(i)/168)
		x[i] = 200 + daily[i] + weekly[i] + 0.5*r.NormFloat64()
	}
	d, err := DecomposeMSTL(x, []int{168, 24}, MSTLParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Periods) != 2 || d.Periods[0] != 24 {
		t.Fatalf("periods %v, want [24 168]", d.Periods)
	}
	var e24, e168 float64
	for i := 168; i < n-168; i++ {
		e24 = math.Max(e24, math.Abs(d.Seasonal[0][i]-daily[i]))
		e168 = math.Max(e168, math.Abs(d.Seasonal[1][i]-weekly[i]))
	}
	if e24 > 1.5 || e168 > 1.5 {
		t.Errorf("max errors: daily %.3f, weekly %.3f; want ≤ 1.5", e24, e168)
	}
	for i := range x {
		sum := d.Trend[i] + d.Seasonal[0][i] + d.Seasonal[1][i] + d.Remainder[i]
		if math.Abs(sum-x[i]) > 1e-9 {
			t.Fatalf("parts do not add up at %d: %v vs %v", i, sum, x[i])
		}
	}
	short, err := DecomposeMSTL(x[:300], []int{24, 168}, MSTLParams{})
	if err != nil || len(short.Periods) != 1 {
		t.Errorf("300 points: periods %v, err %v; want 168 dropped", short.Periods, err)
	}
	if _, err := DecomposeMSTL(x, []int{24, 24}, MSTLParams{}); err == nil {
		t.Error("duplicate period accepted")
	}
}

func ExampleDecomposeMSTL() {
	// Two weeks of an hourly metric with a daily cycle and quieter weekends.
	x := make([]float64, 24*14)
	for i := range x {
		x[i] = 50 + 10*math.Sin(2*math.Pi*float64(i)/24)
		if (i/24)%7 >= 5 {
			x[i] -= 15
		}
	}
	d, err := DecomposeMSTL(x, []int{24, 168}, MSTLParams{})
	if err != nil {
		panic(err)
	}
	fmt.Println("periods:", d.Periods)
	fmt.Printf("daily swing at 6h: %.0f\n", d.Seasonal[0][6])
	// Output:
	// periods: [24 168]
	// daily swing at 6h: 10
}

func BenchmarkMSTL960(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 4))
	x := make([]float64, 960)
	for i := range x {
		x[i] = 100 + 10*math.Sin(2*math.Pi*float64(i)/24) + r.NormFloat64()
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecomposeMSTL(x, []int{24, 168}, MSTLParams{}); err != nil {
			b.Fatal(err)
		}
	}
}
