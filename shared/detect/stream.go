package detect

import (
	"math"
	"time"
)

// Point is the verdict on one observation.
type Point struct {
	// Score is the calibrated anomaly score in [0, 1]: Score = -log10(P)/8
	// clamped to [0, 1], where P is the estimated probability of a deviation
	// at least this large under the series' own history. 0.5 means one in
	// ten thousand, 0.75 one in a million, 1 one in a hundred million or rarer.
	Score float64
	// P is the tail probability behind Score.
	P float64
	// Expected is the level the detector predicted for this time (the
	// "usual level", seasonal when the series has a daily or weekly cycle).
	Expected float64
	// Deviation is (value - Expected) in units of the series' typical
	// absolute error; its sign says above or below.
	Deviation float64
	// Seasonal is true when Expected came mostly from the daily or weekly
	// profile rather than the recent level.
	Seasonal bool
	// Skipped is true when the point was not scored; Reason says why.
	Skipped bool
	Reason  string
}

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
	// has forgotten a past point by the factor 1/e.
	Memory float64
}

// DefaultConfig returns the settings used everywhere (CLI, platform, NAB).
func DefaultConfig() Config {
	return Config{
		Warmup:      32,
		FastAlpha:   0.3,
		SlowAlpha:   1.0 / 288,
		SeasonAlpha: 0.1,
		ErrAlpha:    0.02,
		ShiftAlpha:  0.1,
		Memory:      20000,
	}
}

const (
	daySlots  = 288 // 5-minute slots of the day
	weekSlots = 168 // hours of the week
	nPred     = 4   // fast level, slow level, daily, weekly
	// dayErrReach is how many 5-minute slots either side dayErrNear looks.
	dayErrReach = 6
	// zMax caps the standardised deviation inside the range the score
	// distribution is kept over.
	zMax = 1000
	// episodeDecay is the per-point decay of the recent-score envelope
	// (half-life ≈ 35 points) and episodeDamp the factor on points that
	// stay under it.
	episodeDecay   = 0.97
	episodeMargin  = 0
	episodePenalty = 3
	// scoreDecades sets how fast Score approaches 1 as P falls:
	// Score = 1 - exp(-(-log10 P)/scoreDecades).
	scoreDecades = 6
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
	week       [weekSlots]float64
	weekW      [weekSlots]float64
	err        [nPred]float64 // EW mean absolute error per predictor
	scale      float64        // EW mean absolute residual of the forecast
	scaleLong  float64
	shift      float64 // EWMA of standardised residuals
	seasShift  float64 // EWMA of standardised residuals from the profiles
	envelope   float64 // decaying maximum of recent raw scores

	point, drift, seasonal tail
}

// NewStream returns a detector with the given settings.
func NewStream(cfg Config) *Stream { return &Stream{cfg: cfg} }

// Learned is the number of points the detector has learned from.
func (s *Stream) Learned() int64 { return s.n }

// Skipped is the number of points skipped (NaN or out of order).
func (s *Stream) Skipped() int64 { return s.skipped }

// slotWeights returns the two slots around t and their interpolation
// weights, for a profile of n slots over period.
func slotWeights(t time.Time, period time.Duration, n int, offset int64) (int, int, float64) {
	sec := (t.Unix() + offset) % int64(period/time.Second)
	if sec < 0 {
		sec += int64(period / time.Second)
	}
	pos := float64(sec)/float64(period/time.Second)*float64(n) - 0.5
	if pos < 0 {
		pos += float64(n)
	}
	i := int(pos)
	frac := pos - float64(i)
	return i % n, (i + 1) % n, frac
}

// weekOffset shifts Unix time (a Thursday) so slot 0 starts on Monday.
const weekOffset = 3 * 86400

// Update scores v at time t and then learns from it. NaN values and
// timestamps not after the previous one are skipped and counted.
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
	fc, seasonal := s.combine(&f, ok)
	r := v - fc
	floor := 0.1 * s.scaleLong
	// The usual error at this time of day: the largest learned error in the
	// slots within ±30 minutes, so a job that runs daily at a wandering
	// minute (a 03:20-03:50 backup) is not news.
	sc := math.Max(s.scale, floor)
	if t.Unix()-s.first > 86400+3600 {
		sc = math.Max(sc, s.dayErrNear(t))
	}
	zr := standardize(r, sc)
	z := zr
	zc := math.Copysign(math.Min(zr, 6), r)
	shift := (1-s.cfg.ShiftAlpha)*s.shift + s.cfg.ShiftAlpha*zc
	norm := math.Sqrt(s.cfg.ShiftAlpha / (2 - s.cfg.ShiftAlpha))
	zs := math.Abs(shift) / norm
	// The seasonal drift compares the value with the profiles alone, so a
	// day that departs from its usual shape (a missing daily peak, a flat
	// stretch) is seen even when the recent level follows it.
	seasShift, zss, haveSeason := s.seasShift, 0.0, false
	if fs, es, ok := s.seasonalForecast(&f, ok); ok {
		d := standardize(v-fs, math.Max(es, floor))
		d = math.Copysign(math.Min(d, 6), v-fs)
		seasShift = (1-s.cfg.ShiftAlpha)*s.seasShift + s.cfg.ShiftAlpha*d
		zss, haveSeason = math.Abs(seasShift)/norm, true
	}

	pt := Point{Expected: fc, Seasonal: seasonal}
	if zr > 0 {
		pt.Deviation = math.Copysign(zr, r)
	}
	if s.n < int64(s.cfg.Warmup) {
		pt.Skipped, pt.Reason, pt.P = false, ReasonLearning, 1
	} else {
		p := 2 * math.Min(s.point.prob(z), s.drift.prob(zs))
		if haveSeason {
			p = math.Min(p, 3*s.seasonal.prob(zss))
		}
		p = math.Min(p, 1)
		// Episodes: a point that is not clearly rarer (episodeMargin
		// decades) than the decaying peak of the recent points continues
		// an episode already reported; its probability is raised by the
		// same margin so it ranks below fresh evidence. The first point of
		// an episode and any escalation keep their probability.
		lp := -math.Log10(math.Max(p, 1e-300))
		if lp <= s.envelope+episodeMargin {
			p = math.Min(1, p*math.Pow(10, episodePenalty))
		}
		s.envelope = math.Max(lp, s.envelope*episodeDecay)
		// Family-wise: the chance of a point at least this extreme somewhere
		// in a history as long as the one behind the estimate.
		n := s.point.n()
		pt.P = -math.Expm1(n * math.Log1p(-p))
		pt.Score = ScoreOf(pt.P)
	}
	if pt.Reason == ReasonLearning {
		pt.Score = 0
	}

	// Learn.
	keep := 1 - 1/s.cfg.Memory
	s.point.add(z, keep)
	s.drift.add(zs, keep)
	s.shift = shift
	if haveSeason {
		s.seasonal.add(zss, keep)
		s.seasShift = seasShift
	}
	for k := range f {
		if ok[k] {
			s.err[k] += s.cfg.ErrAlpha * (math.Abs(v-f[k]) - s.err[k])
		}
	}
	ar := math.Abs(r)
	if s.n >= int64(s.cfg.Warmup) {
		ar = math.Min(ar, 5*math.Max(sc, 1e-12*math.Abs(fc)))
	}
	a := math.Max(s.cfg.ErrAlpha, 1/float64(s.n+1))
	s.scale += a * (ar - s.scale)
	// The long-run scale is unclipped so rare bursts keep it above zero
	// on series that sit still between them.
	s.scaleLong += math.Max(1/s.cfg.Memory*10, 1/float64(s.n+1)) * (math.Abs(r) - s.scaleLong)
	s.fast += s.cfg.FastAlpha * (v - s.fast)
	s.slow += math.Max(s.cfg.SlowAlpha, 1/float64(s.n+1)) * (v - s.slow)
	dev := v - s.slow
	i, j, w := slotWeights(t, 24*time.Hour, daySlots, 0)
	s.dayErr[i] += (1 - w) * s.cfg.SeasonAlpha * (math.Abs(r) - s.dayErr[i])
	s.dayErr[j] += w * s.cfg.SeasonAlpha * (math.Abs(r) - s.dayErr[j])
	s.learnSlot(s.day[:], s.dayW[:], i, j, w, dev)
	i, j, w = slotWeights(t, 7*24*time.Hour, weekSlots, weekOffset)
	s.learnSlot(s.week[:], s.weekW[:], i, j, w, dev)
	s.n++
	s.last = t.UnixNano()
	return pt
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
		if s.dayW[i] > 0 && s.dayW[j] > 0 {
			f[2], ok[2] = s.slow+(1-w)*s.day[i]+w*s.day[j], true
		}
	}
	if span > 7*86400+3600 {
		i, j, w := slotWeights(t, 7*24*time.Hour, weekSlots, weekOffset)
		if s.weekW[i] > 0 && s.weekW[j] > 0 {
			f[3], ok[3] = s.slow+(1-w)*s.week[i]+w*s.week[j], true
		}
	}
	return ok
}

// dayErrNear is the largest per-slot error within ±dayErrReach slots of t.
func (s *Stream) dayErrNear(t time.Time) float64 {
	i, _, _ := slotWeights(t, 24*time.Hour, daySlots, 0)
	m := 0.0
	for k := i - dayErrReach; k <= i+dayErrReach+1; k++ {
		m = math.Max(m, s.dayErr[(k+daySlots)%daySlots])
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

// combine averages the available forecasts weighted by the inverse square
// of their recent absolute errors (Bates & Granger 1969, with errors in
// place of variances). Seasonal is true when the profiles carry most weight.
func (s *Stream) combine(f *[nPred]float64, ok [nPred]bool) (float64, bool) {
	emin := math.Inf(1)
	for k := range f {
		if ok[k] {
			emin = math.Min(emin, s.err[k])
		}
	}
	if math.IsInf(emin, 1) {
		return s.fast, false
	}
	var sum, wsum, wseason float64
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
			w = (emin / s.err[k]) * (emin / s.err[k])
		}
		sum += w * f[k]
		wsum += w
		if k >= 2 {
			wseason += w
		}
	}
	return sum / wsum, wseason > wsum/2
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

// ScoreOf maps a tail probability to the anomaly score,
// 1 - exp(log10(p)/6): 0.32 for p = 0.1, 0.39 for 1e-3, 0.63 for 1e-6,
// 0.86 for 1e-12. It never reaches 1 for p > 0, so even extreme points stay
// ranked against each other.
func ScoreOf(p float64) float64 {
	if !(p < 1) {
		return 0
	}
	if p <= 0 {
		return 1
	}
	return 1 - math.Exp(math.Log10(p)/scoreDecades)
}
