package forecast

import (
	"fmt"

	"github.com/opsight/opsight/shared/forecast/decompose"
	"github.com/opsight/opsight/shared/forecast/ets"
	"github.com/opsight/opsight/shared/forecast/theta"
)

// Component kinds: the candidate methods Fit validates and combines.
const (
	// KindSNaive repeats the last cycle of one period.
	KindSNaive = "snaive"
	// KindMSTLETS forecasts the MSTL-adjusted series with the non-seasonal
	// ETS model of least AICc and adds back each seasonal component's last
	// cycle (the MSTL forecaster of Bandara et al. 2021).
	KindMSTLETS = "mstl_ets"
	// KindMSTLTheta is the same with the Theta method on the adjusted series.
	KindMSTLTheta = "mstl_theta"
	// KindSeasonalETS fits a seasonal ETS model (Holt–Winters family) with
	// the shortest period to the series with the longer seasonal components
	// removed, which are added back as in KindMSTLETS.
	KindSeasonalETS = "seasonal_ets"
	// KindETS is a non-seasonal ETS model on the series itself, the
	// fallback for series without usable seasonality.
	KindETS = "ets"
	// KindNaive repeats the last value, the fallback for very short series.
	KindNaive = "naive"
)

// Component is one fitted method of a Model, on the working scale (after the
// log transform when the Model uses it). It holds only what forecasting
// needs.
type Component struct {
	Kind   string  `json:"kind"`
	Weight float64 `json:"weight"`
	// Periods and Seasonal are the seasonal components added to the
	// method's own forecast: Seasonal[j][i] is component j at forecast
	// step i+1 modulo Periods[j].
	Periods  []int        `json:"periods,omitempty"`
	Seasonal [][]float64  `json:"seasonal,omitempty"`
	ETS      *ets.Model   `json:"ets,omitempty"`
	Theta    *theta.Model `json:"theta,omitempty"`
	// Last is the cycle KindSNaive repeats, or the single value KindNaive
	// carries forward.
	Last []float64 `json:"last,omitempty"`
}

// forecast stores the component's point forecasts for steps 1..len(dst).
func (c *Component) forecast(dst []float64) error {
	switch c.Kind {
	case KindSNaive, KindNaive:
		if len(c.Last) == 0 {
			return fmt.Errorf("forecast: %s component without values", c.Kind)
		}
		for i := range dst {
			dst[i] = c.Last[i%len(c.Last)]
		}
	case KindMSTLETS, KindSeasonalETS, KindETS:
		if c.ETS == nil {
			return fmt.Errorf("forecast: %s component without an ETS model", c.Kind)
		}
		if c.ETS.Spec.Season != ets.None && len(c.ETS.Seasonal) != c.ETS.Spec.Period {
			return fmt.Errorf("forecast: ETS model has %d seasonal states for period %d", len(c.ETS.Seasonal), c.ETS.Spec.Period)
		}
		c.ETS.Forecast(dst)
	case KindMSTLTheta:
		if c.Theta == nil || c.Theta.SES == nil {
			return fmt.Errorf("forecast: %s component without a Theta model", c.Kind)
		}
		c.Theta.Forecast(dst)
	default:
		return fmt.Errorf("forecast: unknown component kind %q", c.Kind)
	}
	if len(c.Seasonal) != len(c.Periods) {
		return fmt.Errorf("forecast: %s component has %d seasonal cycles for %d periods", c.Kind, len(c.Seasonal), len(c.Periods))
	}
	for j, s := range c.Seasonal {
		if len(s) != c.Periods[j] || len(s) == 0 {
			return fmt.Errorf("forecast: seasonal cycle of length %d for period %d", len(s), c.Periods[j])
		}
		for i := range dst {
			dst[i] += s[i%len(s)]
		}
	}
	return nil
}

// method fits one candidate to z, the working-scale history, given its MSTL
// decomposition (nil when the series has no usable period).
type method struct {
	kind   string
	period int // KindSNaive only
	fit    func(z []float64, dec *decompose.MSTL, period int) (*Component, error)
}

// lastCycles returns the last cycle of every seasonal component of dec,
// rotated so that index 0 is the step after the data, for the periods
// selected by keep.
func lastCycles(dec *decompose.MSTL, keep func(j int) bool) ([]int, [][]float64) {
	var ps []int
	var ss [][]float64
	for j, p := range dec.Periods {
		if !keep(j) {
			continue
		}
		s := dec.Seasonal[j]
		n := len(s)
		c := make([]float64, p)
		for i := range p {
			// step i+1 after the data is at time n+i, one period after n+i−p.
			c[i] = s[n+i-p*(1+i/p)]
		}
		ps = append(ps, p)
		ss = append(ss, c)
	}
	return ps, ss
}

func fitSNaive(z []float64, _ *decompose.MSTL, p int) (*Component, error) {
	if len(z) < p {
		return nil, fmt.Errorf("forecast: %d points are less than one period of %d", len(z), p)
	}
	return &Component{Kind: KindSNaive, Last: append([]float64(nil), z[len(z)-p:]...)}, nil
}

func fitNaive(z []float64, _ *decompose.MSTL, _ int) (*Component, error) {
	return &Component{Kind: KindNaive, Last: []float64{z[len(z)-1]}}, nil
}

func adjusted(z []float64, dec *decompose.MSTL, skip int) []float64 {
	a := append([]float64(nil), z...)
	for j, s := range dec.Seasonal {
		if j == skip {
			continue
		}
		for i := range a {
			a[i] -= s[i]
		}
	}
	return a
}

func fitMSTLETS(z []float64, dec *decompose.MSTL, _ int) (*Component, error) {
	m, err := ets.Auto(adjusted(z, dec, -1), ets.NonSeasonal)
	if err != nil {
		return nil, err
	}
	ps, ss := lastCycles(dec, func(int) bool { return true })
	return &Component{Kind: KindMSTLETS, ETS: m, Periods: ps, Seasonal: ss}, nil
}

func fitMSTLTheta(z []float64, dec *decompose.MSTL, _ int) (*Component, error) {
	m, err := theta.Fit(adjusted(z, dec, -1))
	if err != nil {
		return nil, err
	}
	ps, ss := lastCycles(dec, func(int) bool { return true })
	return &Component{Kind: KindMSTLTheta, Theta: m, Periods: ps, Seasonal: ss}, nil
}

// seasonalSpecs are the Holt–Winters members tried by KindSeasonalETS.
func seasonalSpecs(m int) []ets.Spec {
	return []ets.Spec{
		{Error: ets.Additive, Trend: ets.None, Season: ets.Additive, Period: m},
		{Error: ets.Additive, Trend: ets.AdditiveDamped, Season: ets.Additive, Period: m},
	}
}

func fitSeasonalETS(z []float64, dec *decompose.MSTL, _ int) (*Component, error) {
	// Keep the shortest period in the data for ETS; remove the others.
	a := adjusted(z, dec, 0)
	m, err := ets.Auto(a, seasonalSpecs(dec.Periods[0]))
	if err != nil {
		return nil, err
	}
	ps, ss := lastCycles(dec, func(j int) bool { return j > 0 })
	return &Component{Kind: KindSeasonalETS, ETS: m, Periods: ps, Seasonal: ss}, nil
}

func fitETS(z []float64, _ *decompose.MSTL, _ int) (*Component, error) {
	m, err := ets.Auto(z, ets.NonSeasonal)
	if err != nil {
		return nil, err
	}
	return &Component{Kind: KindETS, ETS: m}, nil
}
