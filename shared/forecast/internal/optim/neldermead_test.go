package optim

import (
	"math"
	"testing"
)

func TestNelderMead(t *testing.T) {
	tests := []struct {
		name string
		f    func(x []float64) float64
		x0   []float64
		want []float64
		tol  float64
	}{
		{"quadratic", func(x []float64) float64 { return (x[0]-1)*(x[0]-1) + 4*(x[1]+2)*(x[1]+2) }, []float64{0, 0}, []float64{1, -2}, 1e-3},
		{"rosenbrock", func(x []float64) float64 {
			a, b := 1-x[0], x[1]-x[0]*x[0]
			return a*a + 100*b*b
		}, []float64{-1.2, 1}, []float64{1, 1}, 1e-2},
		{"bounded", func(x []float64) float64 {
			if x[0] < 0.5 {
				return math.Inf(1)
			}
			return x[0] * x[0]
		}, []float64{2}, []float64{0.5}, 1e-3},
	}
	for _, tc := range tests {
		step := make([]float64, len(tc.x0))
		for i := range step {
			step[i] = 0.1
		}
		x, _ := NelderMead(tc.f, tc.x0, step, Settings{MaxEval: 5000, Tol: 1e-12})
		for i := range x {
			if math.Abs(x[i]-tc.want[i]) > tc.tol {
				t.Errorf("%s: x = %v, want %v ± %v", tc.name, x, tc.want, tc.tol)
				break
			}
		}
	}
}
