package forecast_test

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/opsight/opsight/shared/forecast"
)

// Disk usage of a volume, hourly for five weeks: steady growth from 60% with
// a daily backup bump. When does it reach 90%?
func Example() {
	y := make([]float64, 24*35)
	for t := range y {
		y[t] = 60 + 0.02*float64(t) + 0.5*math.Sin(2*math.Pi*float64(t)/24)
	}
	m, err := forecast.Fit(y, forecast.Options{Seasons: []int{24, 168}, Horizon: 48})
	if err != nil {
		panic(err)
	}
	// The model is stored as JSON and forecasts without the data.
	b, _ := json.Marshal(m)
	var stored forecast.Model
	if err := json.Unmarshal(b, &stored); err != nil {
		panic(err)
	}
	p, err := stored.Forecast(24*30, []float64{80, 95})
	if err != nil {
		panic(err)
	}
	c, err := p.Crossing(90, forecast.Above, 95)
	if err != nil {
		panic(err)
	}
	fmt.Printf("90%% in about %d days\n", c.Mean/24)
	// Output: 90% in about 27 days
}
