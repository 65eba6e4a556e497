package detect

import (
	"math"
	"time"
)

// Point is the verdict on one observation.
type Point struct {
	// Score is the calibrated anomaly score in [0, 1] (see ScoreOf): 0.5
	// when the point is as rare as the rarest point one expects once in the
	// detector's memory, 0.9 when ten thousand times rarer than that.
	Score float64
	// P is the estimated probability, under the series' own history, of
	// evidence at least this strong at a single point.
	P float64
	// Expected is the level the detector predicted for this time (the
	// "usual level", seasonal when the series has a daily or weekly cycle).
	Expected float64
	// Deviation is (value - Expected) in units of the usual absolute error
	// at this time; its sign says above or below.
	Deviation float64
	// Season says which profile Expected came mostly from: none (the
	// recent level), the daily or the weekly profile.
	Season Season
	// Skipped is true when the point was not learned from (NaN, out of
	// order); Reason says why. A point in the warm-up is learned from but
	// scored 0, with Reason set and Skipped false.
	Skipped bool
	Reason  string
}

// Season names the profile behind an expected value.
type Season uint8

// Seasons.
const (
	SeasonNone Season = iota
	SeasonDaily
	SeasonWeekly
)

// Ratio is value/Expected, NaN when Expected is 0.
func (p Point) Ratio(value float64) float64 {
	if p.Expected == 0 {
		return math.NaN()
	}
	return value / p.Expected
}

// Skip reasons.
const (
	ReasonMissing    = "missing value (NaN)"
	ReasonOutOfOrder = "timestamp not after the previous point"
	ReasonLearning   = "learning: too few points yet to judge"
)

// Config holds the detector's global settings. The zero value is not
// useful; start from DefaultConfig. Every setting is per point or per
// seasonal period, never per series, so one Config serves all metrics.
type Config struct {
	// Warmup is the number of points scored 0 while the detector learns.
	Warmup int
	// FastAlpha and SlowAlpha are the EWMA weights of the recent level
	// (a few points) and the baseline level (about a day of 5-minute data).
	FastAlpha, SlowAlpha float64
	// SeasonAlpha is the weight of one visit in a seasonal slot's mean:
	// 0.1 remembers about ten days (daily profile) or weeks (weekly).
	SeasonAlpha float64
	// ErrAlpha is the EWMA weight of each predictor's absolute error.
	ErrAlpha float64
	// ShiftAlpha is the EWMA weight of the running mean of standardised
	// residuals that detects level shifts.
	ShiftAlpha float64
	// Memory is the number of points after which the score distribution
	// has forgotten a past point by the factor 1/e; the record range spans
	// the last Memory points.
	Memory float64
	// Episode is the number of points after a peak of evidence during
	// which only stronger evidence counts as news (the episode rule).
	Episode int
}

// DefaultConfig returns the settings used everywhere (CLI, platform, NAB),
// each chosen for a reason rather than fitted to a benchmark:
//
//   - Warmup 200: the exponential tail fit needs its 0.5% quantile
//     (tailMass/10) to have been observed at least once, which takes 200
//     points (the Pareto shape joins when the history supports it);
//   - FastAlpha 0.3: the recent level remembers about three points, enough
//     to smooth single-point noise and to follow a new level within minutes;
//   - SlowAlpha 1/288: the baseline under the profiles remembers a day of
//     5-minute points, slower than the daily cycle it must not follow;
//   - SeasonAlpha 0.1: a profile slot remembers about ten periods, so one
//     unusual day moves it by a tenth;
//   - ErrAlpha 0.02: accuracy and scale over about fifty points;
//   - ShiftAlpha 0.1: a shift accumulates over about ten points, the usual
//     window for "sustained" in alerting;
//   - Memory 20000: two weeks of minutely points (ten weeks of 5-minute
//     ones) of score history;
//   - Episode 50 = 1/ErrAlpha: the time the usual error takes to take in a
//     new regime, so a disturbance and its aftermath, judged against an
//     error that has not caught up with it yet, make one episode.
func DefaultConfig() Config {
	return Config{
		Warmup:      200,
		FastAlpha:   0.3,
		SlowAlpha:   1.0 / 288,
		SeasonAlpha: 0.1,
		ErrAlpha:    0.02,
		ShiftAlpha:  0.1,
		Memory:      20000,
		Episode:     50,
	}
}

const (
	daySlots  = 288 // 5-minute slots of the day
	weekSlots = 168 // hours of the week
	nPred     = 4   // fast level, slow level, daily, weekly
	// matureDays is how many days of history the seasonal statistic waits
	// for.
	matureDays = 3
	// dayErrReach is how many 5-minute slots either side nearMax looks.
	dayErrReach = 6
	// zMax caps the standardised deviation inside the range the score
	// distribution is kept over.
	zMax = 1000
	// episodePenalty is how many decades a point that merely continues an
	// episode has its probability raised by.
	episodePenalty = 3
)

// Stream is the streaming univariate detector: each Update scores a point
// against a forecast built only from earlier points, then learns from it.
// Its state is a few kilobytes and round-trips through MarshalBinary.
type Stream struct {
	cfg Config

	n       int64 // points learned
	skipped int64
	first   int64 // unix seconds of the first point
	last    int64 // unix nanoseconds of the last point

	fast, slow float64
	day        [daySlots]float64
	dayW       [daySlots]float64
	dayErr     [daySlots]float64 // EW mean absolute residual per daily slot
	seasErr    [daySlots]float64 // the same for the seasonal forecast alone
	week       [weekSlots]float64
	weekW      [weekSlots]float64
	err        [nPred]float64 // EW mean absolute error per predictor
	scale      float64        // EW mean absolute residual of the forecast
	scaleLong  float64
	shift      float64 // EWMA of standardised residuals
	longShift  float64 // the same over the error scale's memory
	seasShift  float64 // EWMA of standardised residuals from the profiles
	peak       float64 // -log10 P of the episode's strongest point
	peakAge    int64   // points since then

	point, drift, longDrift, seasonal tail

	smooth [recordScales]float64 // the values the records watch
	rec    [recordScales]record
}

// NewStream returns a detector with the given settings.
func NewStream(cfg Config) *Stream { return &Stream{cfg: cfg} }

// Learned is the number of points the detector has learned from.
func (s *Stream) Learned() int64 { return s.n }

// Skipped is the number of points skipped (NaN or out of order).
func (s *Stream) Skipped() int64 { return s.skipped }

// slotWeights returns the slots i and j = i+1 around t and the weight w of
// j, for a profile of n slots over period where slot k stands for the time
// k·period/n: a point exactly on a slot's time belongs to that slot alone,
// so data sampled on the slot grid keeps sharp daily steps sharp.
func slotWeights(t time.Time, period time.Duration, n int, offset int64) (int, int, float64) {
	sec := (t.Unix() + offset) % int64(period/time.Second)
	if sec < 0 {
		sec += int64(period / time.Second)
	}
	pos := float64(sec) / float64(period/time.Second) * float64(n)
	i := int(pos)
	frac := pos - float64(i)
	return i % n, (i + 1) % n, frac
}

// weekOffset shifts Unix time (a Thursday) so slot 0 starts on Monday.
const weekOffset = 3 * 86400

// Update scores v at time t and then learns from it. NaN values and
// timestamps not after the previous one are skipped and counted; they
// never change the state.
func (s *Stream) Update(t time.Time, v float64) Point {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.skipped++
		return Point{Skipped: true, Reason: ReasonMissing, Expected: s.expectedOnly(t)}
	}
	if s.n > 0 && t.UnixNano() <= s.last {
		s.skipped++
		return Point{Skipped: true, Reason: ReasonOutOfOrder}
	}
	if s.n == 0 {
		s.first = t.Unix()
		s.fast, s.slow = v, v
	}
	var f [nPred]float64
	ok := s.predict(t, &f)
	fc, season := s.combine(&f, ok)
	e := s.measure(t, v, fc, &f, ok)

	pt := Point{Expected: fc, Season: season, Deviation: e.dev}
	if s.n < int64(s.cfg.Warmup) {
		pt.Reason, pt.P = ReasonLearning, 1
	} else {
		pt.P = s.evidence(e)
		pt.Score = ScoreOf(pt.P, s.point.n())
	}
	s.learn(t, v, fc, &f, ok, e)
	return pt
}

// measurement holds what one point shows before it is learned from.
type measurement struct {
	scale      float64 // usual absolute error at this time
	dev        float64 // signed standardised residual
	z          float64 // |dev|, the point statistic
	shift, zs  float64 // new drift EWMA and its standardised size
	longShift  float64 // new long drift EWMA
	zl         float64 // its standardised size
	seasShift  float64 // new seasonal-drift EWMA
	zss        float64 // its standardised size
	haveSeason bool
	smooth     [recordScales]float64 // v and its EWMAs
	pRecord    float64               // the record statistic's probability
}

// measure computes the statistics for v:
//
//   - point: z = |v - f|/s, the residual from the combined forecast f in
//     units of the usual error s (the larger of the recent mean absolute
//     error, a tenth of the long-run one, and the time-of-day error);
//   - drift: the EWMA of the standardised residual (clipped at ±6) divided
//     by its standard deviation under independent unit noise,
//     sqrt(α/(2-α)) (Roberts 1959), which sees a shift before any single
//     point is extreme;
//   - long drift: the same EWMA with the weight ErrAlpha, so over the
//     memory of the error scale itself, which sees a departure too small
//     for ten points but kept up for fifty (a slow climb the recent level
//     trails, a plateau just above the usual); a smaller EWMA weight
//     detects smaller sustained shifts (Lucas & Saccucci 1990), and beyond
//     the error scale's memory the scale has absorbed the departure;
//   - seasonal drift: the same EWMA of the residual from the daily or
//     weekly profile alone, which sees a day that departs from its usual
//     shape (a missing peak, a flat stretch) even while the recent level
//     follows it;
//   - records: how far v and its EWMAs leave the range they have kept so
//     far (see record and measureRecords).
func (s *Stream) measure(t time.Time, v, fc float64, f *[nPred]float64, ok [nPred]bool) measurement {
	var m measurement
	r := v - fc
	floor := 0.1 * s.scaleLong
	m.scale = math.Max(s.scale, floor)
	if t.Unix()-s.first > 86400+3600 {
		// The largest learned error within ±30 minutes of this time of day,
		// so a job that runs daily at a wandering minute (a backup between
		// 03:20 and 03:50) is not news.
		m.scale = math.Max(m.scale, nearMax(s.dayErr[:], t))
	}
	m.z = standardize(r, m.scale)
	m.dev = math.Copysign(m.z, r)
	a := s.cfg.ShiftAlpha
	norm := math.Sqrt(a / (2 - a))
	m.shift = (1-a)*s.shift + a*math.Copysign(math.Min(m.z, 6), r)
	m.zs = math.Abs(m.shift) / norm
	al := s.cfg.ErrAlpha
	m.longShift = (1-al)*s.longShift + al*math.Copysign(math.Min(m.z, 6), r)
	m.zl = math.Abs(m.longShift) / math.Sqrt(al/(2-al))
	m.seasShift = s.seasShift
	if fs, es, have := s.seasonalForecast(f, ok); have && s.mature(t) {
		// In units of the profile's usual error at this time of day, so the
		// daily steps it cannot place to the minute are not news either.
		d := standardize(v-fs, math.Max(math.Max(es, floor), nearMax(s.seasErr[:], t)))
		m.seasShift = (1-a)*s.seasShift + a*math.Copysign(math.Min(d, 6), v-fs)
		m.zss, m.haveSeason = math.Abs(m.seasShift)/norm, true
	}
	s.measureRecords(v, &m)
	return m
}

// learn updates the state with v once it has been scored.
func (s *Stream) learn(t time.Time, v, fc float64, f *[nPred]float64, ok [nPred]bool, m measurement) {
	keep := 1 - 1/s.cfg.Memory
	if float64(s.n)*s.cfg.ErrAlpha >= 1 {
		// Residuals standardised by a scale that has not yet averaged
		// 1/ErrAlpha points are the detector's own start-up error, not the
		// series': kept in the histograms, they would fatten the tails for
		// a whole memory and hide real departures.
		s.point.add(m.z, keep)
		s.drift.add(m.zs, keep)
		s.longDrift.add(m.zl, keep)
	}
	s.shift = m.shift
	s.longShift = m.longShift
	if m.haveSeason {
		s.seasonal.add(m.zss, keep)
		s.seasShift = m.seasShift
	}
	for k := range f {
		if ok[k] {
			s.err[k] += s.cfg.ErrAlpha * (math.Abs(v-f[k]) - s.err[k])
		}
	}
	ar := math.Abs(v - fc)
	if s.n >= int64(s.cfg.Warmup) {
		// Huber-style clipping keeps one outlier from inflating the scale.
		ar = math.Min(ar, 5*math.Max(m.scale, 1e-12*math.Abs(fc)))
	}
	start := 1 / float64(s.n+1) // average the first points, then forget
	s.scale += math.Max(s.cfg.ErrAlpha, start) * (ar - s.scale)
	// The long-run scale is unclipped, so rare bursts keep it above zero on
	// series that sit still between them.
	s.scaleLong += math.Max(10/s.cfg.Memory, start) * (math.Abs(v-fc) - s.scaleLong)
	for k := range s.rec {
		s.rec[k].learn(m.smooth[k], s.cfg.Memory/recordBlocks)
		s.smooth[k] = m.smooth[k]
	}
	s.fast += s.cfg.FastAlpha * (v - s.fast)
	s.slow += math.Max(s.cfg.SlowAlpha, start) * (v - s.slow)
	i, j, w := slotWeights(t, 24*time.Hour, daySlots, 0)
	s.dayErr[i] += (1 - w) * s.cfg.SeasonAlpha * (math.Abs(v-fc) - s.dayErr[i])
	s.dayErr[j] += w * s.cfg.SeasonAlpha * (math.Abs(v-fc) - s.dayErr[j])
	if fs, _, have := s.seasonalForecast(f, ok); have {
		s.seasErr[i] += (1 - w) * s.cfg.SeasonAlpha * (math.Abs(v-fs) - s.seasErr[i])
		s.seasErr[j] += w * s.cfg.SeasonAlpha * (math.Abs(v-fs) - s.seasErr[j])
	}
	dev := v - s.slow
	s.learnSlot(s.day[:], s.dayW[:], i, j, w, dev)
	i, j, w = slotWeights(t, 7*24*time.Hour, weekSlots, weekOffset)
	s.learnSlot(s.week[:], s.weekW[:], i, j, w, dev)
	s.n++
	s.last = t.UnixNano()
}

func (s *Stream) learnSlot(m, mw []float64, i, j int, w, dev float64) {
	for _, sw := range [2]struct {
		k int
		w float64
	}{{i, 1 - w}, {j, w}} {
		if sw.w <= 0 {
			continue
		}
		// The first visits average; later ones forget at SeasonAlpha.
		a := sw.w * math.Max(s.cfg.SeasonAlpha, 1/(mw[sw.k]+1))
		m[sw.k] += a * (dev - m[sw.k])
		mw[sw.k] += sw.w
	}
}

// predict fills the predictors' forecasts for t and reports which exist.
func (s *Stream) predict(t time.Time, f *[nPred]float64) [nPred]bool {
	var ok [nPred]bool
	f[0], ok[0] = s.fast, s.n > 0
	f[1], ok[1] = s.slow, s.n > 0
	span := t.Unix() - s.first
	if span > 86400+3600 {
		i, j, w := slotWeights(t, 24*time.Hour, daySlots, 0)
		if learned(s.dayW[:], i, j, w) {
			f[2], ok[2] = s.slow+(1-w)*s.day[i]+w*s.day[j], true
		}
	}
	if span > 7*86400+3600 {
		i, j, w := slotWeights(t, 7*24*time.Hour, weekSlots, weekOffset)
		if learned(s.weekW[:], i, j, w) {
			f[3], ok[3] = s.slow+(1-w)*s.week[i]+w*s.week[j], true
		}
	}
	return ok
}

// learned reports whether the slots a forecast interpolates between, i with
// weight 1-w and j with weight w, have both been learned where their weight
// is not zero: a series sampled every 30 minutes visits only every sixth
// 5-minute slot, always with the full weight, and its profile is complete.
func learned(weights []float64, i, j int, w float64) bool {
	return (weights[i] > 0 || w == 1) && (weights[j] > 0 || w == 0)
}

// mature reports whether the profiles have seen matureDays days, so the
// seasonal statistic's history is not filled with a young profile's
// mistakes.
func (s *Stream) mature(t time.Time) bool { return t.Unix()-s.first >= matureDays*86400 }

// nearMax is the largest value of a daily slot profile within
// ±dayErrReach slots of t.
func nearMax(prof []float64, t time.Time) float64 {
	i, _, _ := slotWeights(t, 24*time.Hour, daySlots, 0)
	m := 0.0
	for k := i - dayErrReach; k <= i+dayErrReach+1; k++ {
		m = math.Max(m, prof[(k+daySlots)%daySlots])
	}
	return m
}

// seasonalForecast is the better of the daily and weekly forecasts (by
// recent absolute error) and that error.
func (s *Stream) seasonalForecast(f *[nPred]float64, ok [nPred]bool) (float64, float64, bool) {
	switch {
	case ok[2] && ok[3] && s.err[3] < s.err[2]:
		return f[3], s.err[3], true
	case ok[2]:
		return f[2], s.err[2], true
	case ok[3]:
		return f[3], s.err[3], true
	}
	return 0, 0, false
}

// combine averages the available forecasts weighted by the inverse of
// their recent absolute errors (a forecast combination in the spirit of
// Bates & Granger 1969, with mean absolute errors for robustness). It also
// says which profile, if any, carries most of the weight.
func (s *Stream) combine(f *[nPred]float64, ok [nPred]bool) (float64, Season) {
	emin := math.Inf(1)
	for k := range f {
		if ok[k] {
			emin = math.Min(emin, s.err[k])
		}
	}
	if math.IsInf(emin, 1) {
		return s.fast, SeasonNone
	}
	var sum, wsum float64
	for k := range f {
		if !ok[k] {
			continue
		}
		// Weights relative to the best predictor stay finite; with a
		// perfect predictor (error 0) only the perfect ones count.
		var w float64
		switch {
		case s.err[k] == emin:
			w = 1
		case emin > 0:
			w = emin / s.err[k]
		}
		sum += w * f[k]
		wsum += w
	}
	// The expected value is "the usual level at this time" when a profile
	// forecasts about as well as the best predictor (within 25%).
	season := SeasonNone
	switch {
	case ok[3] && s.err[3] <= 1.25*emin && s.err[3] <= s.err[2]:
		season = SeasonWeekly
	case ok[2] && s.err[2] <= 1.25*emin:
		season = SeasonDaily
	}
	return sum / wsum, season
}

// expectedOnly returns the forecast for t without scoring anything.
func (s *Stream) expectedOnly(t time.Time) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	var f [nPred]float64
	fc, _ := s.combine(&f, s.predict(t, &f))
	return fc
}

// standardize returns |e|/scale, capped at zMax; a non-zero error on a zero
// scale (a change after a perfectly flat history) is zMax.
func standardize(e, scale float64) float64 {
	switch {
	case e == 0:
		return 0
	case scale > 0:
		return math.Min(math.Abs(e)/scale, zMax)
	default:
		return zMax
	}
}

// ScoreOf maps a point probability p, judged after n points, to a score:
//
//	P_n   = 1 - (1-p)^n                     family-wise probability
//	Score = 1 / (1 + (P_n/(1-P_n))^(1/4))
//
// P_n is the chance that a point at least this extreme appears somewhere
// in a history of n points (Šidák's correction for the number of points
// looked at), so the number of alarms per series grows like log n rather
// than n; the score is a decreasing function of its odds. Score is 0 for
// p = 1, 0.5 when P_n = 1/2, and approaches 1 as P_n → 0 (for small P_n,
// P_n ≈ n·p and Score ≈ 1/(1+(n·p)^(1/4)): 0.9 at n·p ≈ 1.5e-4, 0.99 at
// 1e-8), the fourth root keeping extreme points apart instead of
// saturating.
func ScoreOf(p, n float64) float64 {
	if !(p >= 0) || !(n > 0) {
		return 0
	}
	l := n * math.Log1p(-math.Min(p, 1)) // log((1-p)^n)
	pn := -math.Expm1(l)
	odds := pn / math.Exp(l)
	return 1 / (1 + math.Sqrt(math.Sqrt(odds)))
}
