package forecast

import (
	"errors"
	"fmt"
	"log/slog"
)

// Switch is a three-way setting whose zero value lets Fit decide from the
// data.
type Switch int

const (
	Auto Switch = iota
	On
	Off
)

// Options controls Fit. The zero value is usable: no seasonality, a 48-step
// validation horizon, and automatic transform and bounds.
type Options struct {
	// Seasons are the seasonal periods in steps, e.g. 24 and 168 for hourly
	// data (daily and weekly cycles). A period needs two full cycles in the
	// history to be used; shorter ones are dropped and a note says so.
	Seasons []int
	// Horizon is the number of steps the model is validated and its
	// intervals calibrated for, at least one shortest period; default 48.
	// Forecasts may go further, with intervals extrapolated.
	Horizon int
	// NonNegative clamps forecasts and interval bounds at 0. Auto: on when
	// no observed value is negative.
	NonNegative Switch
	// Log models the logarithm of the series, which turns multiplicative
	// seasonality and growth into additive ones and keeps forecasts
	// positive. Auto: on when every observed value is positive and the log
	// scale validates better (see the package documentation).
	Log Switch
	// LevelShift: Auto and On follow an abrupt level shift near the end of
	// the history (see the package documentation); Off leaves it to the
	// models, for metrics whose sudden drops are known to revert, such as
	// business traffic on holidays.
	LevelShift Switch
	// Folds is the number of rolling origins of the validation; default 8.
	Folds int
	// Logger receives debug records about the choices Fit makes; nil
	// discards them.
	Logger *slog.Logger
}

// Errors Fit returns; test with errors.Is.
var (
	ErrTooShort   = errors.New("forecast: series too short")
	ErrBadOptions = errors.New("forecast: bad options")
	ErrBadValue   = errors.New("forecast: bad value")
)

// MinPoints is the shortest history Fit accepts.
const MinPoints = 4

// MaxHistory is the longest history Fit uses: older values are ignored (and
// a note says so). Two years of hourly data or ten weeks of 5-minute data
// are more than the methods can use (they adapt to the recent past), and the
// cap bounds a fit to about a second whatever the input.
const MaxHistory = 20_000

const (
	defaultHorizon = 48
	defaultFolds   = 8
	maxHorizon     = 100_000
)

func (o Options) withDefaults() (Options, error) {
	if o.Horizon == 0 {
		o.Horizon = defaultHorizon
	}
	if o.Horizon < 1 || o.Horizon > maxHorizon {
		return o, fmt.Errorf("%w: horizon %d outside 1..%d", ErrBadOptions, o.Horizon, maxHorizon)
	}
	if o.Folds == 0 {
		o.Folds = defaultFolds
	}
	if o.Folds < 1 || o.Folds > 50 {
		return o, fmt.Errorf("%w: folds %d outside 1..50", ErrBadOptions, o.Folds)
	}
	seen := map[int]bool{}
	for _, p := range o.Seasons {
		if p < 2 {
			return o, fmt.Errorf("%w: seasonal period %d (must be at least 2)", ErrBadOptions, p)
		}
		if seen[p] {
			return o, fmt.Errorf("%w: seasonal period %d given twice", ErrBadOptions, p)
		}
		seen[p] = true
	}
	for _, s := range []Switch{o.NonNegative, o.Log, o.LevelShift} {
		if s < Auto || s > Off {
			return o, fmt.Errorf("%w: switch value %d", ErrBadOptions, s)
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
