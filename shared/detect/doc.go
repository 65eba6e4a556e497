// Package detect finds anomalies in operations metrics, in the style of
// gonum: small state structs, pure functions, documented formulas, no I/O.
//
// # Univariate, streaming
//
// Stream scores one series point by point using only the points before and
// at it, and its state (about 17 KB) round-trips through MarshalBinary, so
// the scheduled detect Lambda runs, every minute and for each series:
//
//	s, err := detect.Resume(stateBytes, detect.DefaultConfig())
//	if err != nil {
//		logger.Warn("detector state reset", "series", id, "err", err) // corrupt state: start afresh
//	}
//	for _, p := range newPoints {
//		pt := s.Update(p.Time, p.Value) // pt.Score, pt.Expected, pt.Deviation, pt.Skipped, pt.Reason
//		...
//	}
//	stateBytes, _ = s.MarshalBinary()
//
// Each point is compared with a forecast that combines the recent level,
// a slow baseline and daily (5-minute slots) and weekly (hourly slots)
// profiles, weighted by their recent accuracy, so daily and weekly cycles,
// trends and level shifts are expected rather than alarming. Two views
// measure the surprise. The residual view has four statistics: the
// standardised residual, its EWMAs over about ten and fifty points (a
// shift before any single point is extreme; a slow climb the recent level
// trails) and the EWMA of the residual from the profiles alone (a day
// whose shape departs from the usual one), each judged against the tail of
// its own history (tail: a forgetting histogram with a generalised Pareto
// tail), so a series' usual bursts are not news. The record view asks how
// far the value, and its EWMAs over about 4 and 16 points, leave the range
// the series has kept over the detector's memory (record), so a level
// never seen before is news even on a noisy series. Each view is
// Bonferroni-corrected, the point's evidence is the stronger view's, a
// point that does not beat the strongest of the last Config.Episode points
// continues an episode and is discounted, and ScoreOf turns the evidence
// into a score in [0, 1] that means the same on every series.
//
// Missing values (NaN) and out-of-order timestamps are skipped and counted;
// a constant series scores 0 until its value changes; the first
// Config.Warmup points score 0 with Reason "learning".
//
// # Multivariate
//
// Ensemble scores rows of a service's metrics (request rate, error rate,
// latency p50/p95/p99, CPU, memory, restarts) together: ECOD (package
// ecod, Li et al. TKDE 2022) and Isolation Forest (package iforest, Liu,
// Ting & Zhou ICDM 2008) fitted on recent history, calibrated against their
// training scores and combined. Score also returns per-metric contributions;
// Top picks the metrics to name.
//
// # Severity and explanation
//
// Severity maps a score to none, low, medium, high or critical with
// documented thresholds, and Describe writes the sentence an operator reads:
// "p95 latency is 3.4x its usual Tuesday 14:00 level, together with the
// error rate".
package detect
