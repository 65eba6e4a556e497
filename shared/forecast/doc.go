// Package forecast fits automatic statistical forecasting models to metric
// series and forecasts them with calibrated prediction intervals.
//
// # What Fit does
//
// Fit takes a series observed at a regular step (NaN for a missing value)
// and the seasonal periods to consider, in steps (24 and 168 for hourly
// data). It
//
//   - models ln y when every value is positive and the log scale forecasts
//     the last two validation origins better (request rates, traffic: swings
//     grow with the level), else the series itself (filling disks: linear
//     growth, which the log would turn exponential); clamps forecasts and
//     bounds at 0 when no value is negative (Options.Log and
//     Options.NonNegative override both);
//   - fills gaps and replaces gross spikes (runs of up to three points more
//     than twelve robust standard deviations off a robust MSTL fit) by the
//     fit, keeping longer excursions, which are behaviour, not glitches;
//   - detects an abrupt level shift in the last 168 steps (at most a third
//     of the history) that is flat on both sides, stands out from the
//     history's day-to-day wandering and is seen against every seasonal lag,
//     and moves the history before it to the new level, so every model
//     starts where the series is now; while the shift is younger than the
//     shortest period the intervals also cover a return to the old level
//     (Options.LevelShift Off leaves shifts to the models);
//   - validates candidate methods on rolling origins of the history (8 by
//     default, half a horizon apart, each refitted on the data before its
//     origin): MSTL decomposition with the seasonally adjusted series
//     forecast by the ETS model of least AICc (N, A or Ad trend) or by the
//     Theta method, a Holt–Winters ETS model for the shortest period on the
//     series without the longer seasonal components, and seasonal naive for
//     each period; without usable periods, ETS and naive;
//   - averages the (at most three) methods whose validation mean absolute
//     error is within 25% of the best, and refits them on the whole history;
//   - calibrates intervals from out-of-sample errors in the validation
//     folds, each fold's from the combination chosen on the other folds so
//     that the choice is out of sample too (see Calibration): a power law
//     in the step gives
//     the error scale, so intervals widen with the horizon, and the
//     empirical quantiles of the scaled errors, widened for the small number
//     of folds, give the bounds at any level;
//   - falls back, when the history is too short to validate the horizon, to
//     dropping the longest periods and finally to a single ETS or naive
//     model whose intervals grow like a random walk's, and says so in
//     Model.Notes.
//
// # Use from the platform
//
// A scheduled job fits each series on its recent history and stores the
// model; later runs forecast from the stored model without the data:
//
//	m, err := forecast.Fit(values, forecast.Options{Seasons: []int{24, 168}, Horizon: 48})
//	b, err := json.Marshal(m)           // versioned JSON (Model.Version), a few KB
//	...
//	var m forecast.Model
//	err = json.Unmarshal(b, &m)         // fails on another Version: refit then
//	p, err := m.Forecast(48, []float64{80, 95})
//	c, err := p.Crossing(90, forecast.Above, 95)  // capacity ETA in steps
//
// Forecast steps start right after the last fitted value; the caller maps
// step k to time last + k·step. Crossing reports the first step at which the
// point forecast breaches a threshold and the first steps at which the
// interval's near and far bounds do, i.e. the earliest plausible and the
// nearly certain breach.
//
// Fitting one 960-point hourly series with both periods takes a few tens of
// milliseconds on one core; see BenchmarkFit960 and `opsight bench m4`.
package forecast
