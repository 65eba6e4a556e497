package aiops

import "time"

// ForecastPoint is one future step of a forecast with its 80% and 95%
// prediction intervals.
type ForecastPoint struct {
	T    time.Time `json:"t"`
	Yhat float64   `json:"yhat"`
	Lo80 float64   `json:"lo80"`
	Hi80 float64   `json:"hi80"`
	Lo95 float64   `json:"lo95"`
	Hi95 float64   `json:"hi95"`
}

// ForecastModel describes a series' stored model.
type ForecastModel struct {
	SeriesID    int64     `json:"series_id"`
	ObjectKey   string    `json:"object_key"`
	StepSeconds int       `json:"step_seconds"`
	LastTime    time.Time `json:"last_time"`
	FittedAt    time.Time `json:"fitted_at"`
	Points      int       `json:"points"`
	Summary     string    `json:"summary"`
	Notes       []string  `json:"notes"`
}

// Breach is a predicted capacity breach: when a series' forecast crosses a
// configured threshold. Nil times mean "not within the horizon".
type Breach struct {
	Series      Series     `json:"series"`
	Threshold   float64    `json:"threshold"`
	Direction   string     `json:"direction"` // "above" or "below"
	Earliest    *time.Time `json:"earliest"`  // the 95% interval's near bound crosses
	Expected    *time.Time `json:"expected"`  // the point forecast crosses
	Certain     *time.Time `json:"certain"`   // the far bound crosses
	GeneratedAt time.Time  `json:"generated_at"`
}
