package detect

import "math"

// recordScales is the number of time scales the record statistic watches:
// the value itself and its EWMAs with the weights recordAlpha, which
// remember about 4 and 16 points. A level that no single point reaches
// but that the series holds for an hour of 5-minute points (a plateau, a
// slow climb) breaks the record of a smoothed value first.
const recordScales = 3

var recordAlpha = [recordScales]float64{1, 1.0 / 4, 1.0 / 16}

// measureRecords sets m.smooth and m.pRecord, the smallest record
// probability over the scales with a Bonferroni factor for their number.
func (s *Stream) measureRecords(v float64, m *measurement) {
	n := math.Min(float64(s.n), s.cfg.Memory)
	m.pRecord = 1
	for k := range s.rec {
		m.smooth[k] = v
		if s.n > 0 {
			m.smooth[k] = s.smooth[k] + recordAlpha[k]*(v-s.smooth[k])
		}
		m.pRecord = math.Min(m.pRecord, s.rec[k].prob(m.smooth[k], n))
	}
	m.pRecord = math.Min(1, recordScales*m.pRecord)
}

// evidence turns the statistics into the point probability. Two views
// judge the point, each a family of statistics combined with a Bonferroni
// factor for its size:
//
//   - residuals: how far v departs from the forecast (point), how it has
//     been departing over about ten and fifty points (drift, long drift)
//     and how far today's shape departs from the usual day (seasonal),
//     each against the tail of its own history, so a series' ordinary
//     noise and bursts are not news;
//   - records: how far v leaves the range the series has kept, at three
//     time scales (measureRecords), so a level never seen before is news
//     even where the recent noise is large.
//
// The point's probability is the smaller of the two, doubled for the two
// views. The seasonal statistic joins once its own history holds Warmup
// values, so its first values, judged against an almost empty histogram,
// are not news. Then the episode rule (episode) applies.
func (s *Stream) evidence(m measurement) float64 {
	res, k := math.Min(s.point.prob(m.z), math.Min(s.drift.prob(m.zs), s.longDrift.prob(m.zl))), 3.0
	if m.haveSeason && s.seasonal.n() >= float64(s.cfg.Warmup) {
		res, k = math.Min(res, s.seasonal.prob(m.zss)), 4
	}
	return s.episode(math.Min(1, 2*math.Min(k*res, m.pRecord)))
}

// episode applies the episode rule to p: a point whose evidence does not
// exceed the strongest of the last Config.Episode points continues an
// episode already reported, so its probability is raised episodePenalty
// decades and it ranks below fresh evidence. The first point of an episode
// and every escalation keep their probability, whatever threshold a caller
// uses, so an operator hears of a disturbance once, and again only if it
// grows. This is the rest period of CAD OSE (Smirnov 2016) and ARTime's
// masking after an anomaly, without needing a threshold of its own.
func (s *Stream) episode(p float64) float64 {
	lp := -math.Log10(math.Max(p, 1e-300))
	if s.peakAge < int64(s.cfg.Episode) && lp <= s.peak {
		s.peakAge++
		return math.Min(1, p*math.Pow(10, episodePenalty))
	}
	s.peak, s.peakAge = lp, 0
	return p
}
