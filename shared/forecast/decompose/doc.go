// Package decompose splits a series into trend, seasonal and remainder parts.
//
// It holds the three decompositions the forecasters need: classical
// decomposition by moving averages (what the M4 benchmarks Naive2 and Theta
// deseasonalise with), STL (Cleveland et al. 1990), the robust LOESS-based
// decomposition, and MSTL (Bandara, Hyndman and Bergmeir 2021), which applies
// STL repeatedly to remove several seasonal periods such as 24 and 168 for
// hourly data. It also holds the autocorrelation-based seasonality test M4
// uses to decide whether a series is seasonal at all.
//
// Functions follow gonum conventions: destinations come first, slices are
// []float64, lengths that do not match are programmer errors and panic, and
// degenerate input yields NaN rather than an error.
package decompose
