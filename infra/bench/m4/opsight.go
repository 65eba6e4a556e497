package m4

import (
	"github.com/opsight/opsight/shared/forecast"
)

// Opsight returns the Method that forecasts with shared/forecast: Fit with
// opts (its Horizon set to h) on the training part only, then Forecast with
// the 95% interval.
func Opsight(opts forecast.Options) Method {
	return func(train []float64, h int) (Forecast, error) {
		o := opts
		o.Horizon = h
		mod, err := forecast.Fit(train, o)
		if err != nil {
			return Forecast{}, err
		}
		p, err := mod.Forecast(h, []float64{95})
		if err != nil {
			return Forecast{}, err
		}
		iv := p.Interval(95)
		return Forecast{Point: p.Mean, Lo95: iv.Lower, Hi95: iv.Upper}, nil
	}
}
