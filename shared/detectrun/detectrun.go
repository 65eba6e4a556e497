// Package detectrun is one run of the scheduled anomaly detector over stored
// metrics: it advances each series' streaming detector (detect.Stream) with
// the points that arrived since its last run, scores each service's
// standard metrics together (detect.Ensemble), and merges the anomalous
// minutes of a service into episodes that an operator reads once: start,
// end, peak score, severity, the metrics involved and one plain sentence.
//
// A run is idempotent in effect: detector states, multivariate progress and
// episodes are saved in one transaction, so a run that fails leaves the
// next one to redo exactly its work.
package detectrun

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/detect"
	"github.com/opsight/opsight/shared/postgres"
)

// Store is what a run reads and writes.
type Store interface {
	DetectorTargets(ctx context.Context) ([]postgres.DetectorTarget, error)
	PointsAfter(ctx context.Context, seriesID int64, after time.Time, limit int) ([]aiops.Point, error)
	ServiceRows(ctx context.Context, service string, metrics []string, from, to time.Time) ([]time.Time, [][]float64, error)
	ServiceDetectorStates(ctx context.Context) (map[string]postgres.ServiceDetectorState, error)
	OpenAnomalies(ctx context.Context) (map[string]aiops.Anomaly, error)
	SaveDetection(ctx context.Context, run *postgres.DetectionRun) error
	QueryRange(ctx context.Context, q postgres.RangeQuery) ([]postgres.Bucket, string, error)
}

// Options configure a run. Zero values take the defaults.
type Options struct {
	Stream detect.Config
	// MinScore makes a minute anomalous (default detect.MediumScore: under
	// the detector's calibration, a chance of about 3% that a point this
	// extreme appears anywhere in its memory by chance). Low scores stay on
	// the points' record but do not open episodes.
	MinScore float64
	// ExtendScore keeps an episode going: the detector discounts points
	// that merely continue an anomaly it has reported, and it learns a
	// lasting change as the new normal, so once a series' point opens an
	// anomaly, the series stays anomalous while its points score at least
	// ExtendScore (default detect.LowScore) or stay at least half-way from
	// the level expected when it opened to the value that opened it. The
	// half-way rule ends an episode when the metric has recovered, not
	// when the detector has got used to it; but for at most MaxExtend
	// (default 1h) after the last point that could open one, after which a
	// lasting change (a level shift) is the new normal. Neither opens an
	// episode.
	ExtendScore float64
	MaxExtend   time.Duration
	// MergeGap joins anomalous minutes into one episode when they are at
	// most this far apart (default 5m), and closes an episode once the
	// service has been normal for longer.
	MergeGap time.Duration
	// Backlog is how far back a new series is fed (default 14 days).
	Backlog time.Duration
	// TrainWindow is the history the multivariate detector learns normal
	// behaviour from (default 3 days), refitted at most every Refit.
	TrainWindow time.Duration
	Refit       time.Duration
	Log         *slog.Logger
}

func (o *Options) defaults() {
	if o.Stream == (detect.Config{}) {
		o.Stream = detect.DefaultConfig()
	}
	if o.MinScore <= 0 {
		o.MinScore = detect.MediumScore
	}
	if o.ExtendScore <= 0 {
		o.ExtendScore = detect.LowScore
	}
	if o.MaxExtend <= 0 {
		o.MaxExtend = time.Hour
	}
	if o.MergeGap <= 0 {
		o.MergeGap = 5 * time.Minute
	}
	if o.Backlog <= 0 {
		o.Backlog = 14 * 24 * time.Hour
	}
	if o.TrainWindow <= 0 {
		o.TrainWindow = 3 * 24 * time.Hour
	}
	if o.Refit <= 0 {
		o.Refit = time.Hour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Result summarises a run.
type Result struct {
	Series          int  `json:"series"`
	Points          int  `json:"points"`
	Skipped         int  `json:"skipped_points"`
	StateResets     int  `json:"state_resets"`
	Services        int  `json:"services_scored"`
	RowsScored      int  `json:"multivariate_rows"`
	NewEpisodes     int  `json:"new_episodes"`
	UpdatedEpisodes int  `json:"updated_episodes"`
	OpenEpisodes    int  `json:"open_episodes"`
	Truncated       bool `json:"truncated,omitempty"`
}

// hit is one anomalous observation at a minute.
type hit struct {
	metric string // display name, with labels
	score  float64
	obs    detect.Observation
	uni    bool // from the streaming detector (has an expected level)
	// extends is true for a minute that is still out of the usual range
	// but not anomalous enough to open an episode.
	extends bool
}

// timeline holds a service's anomalous minutes and how far it was scored.
type timeline struct {
	minutes map[time.Time][]hit
	latest  time.Time // the newest minute any of its series was fed
	// cpu and requests are the new points of the service's unlabelled CPU
	// and request-rate series, by minute, for the efficiency detector.
	cpu, requests map[time.Time]float64
}

// Run performs one run.
func Run(ctx context.Context, db Store, opt Options) (Result, error) {
	opt.defaults()
	var res Result
	states, err := db.ServiceDetectorStates(ctx)
	if err != nil {
		return res, err
	}
	run := &postgres.DetectionRun{Services: map[string]postgres.ServiceDetectorState{}}
	lines := map[string]*timeline{}
	line := func(svc string) *timeline {
		if lines[svc] == nil {
			lines[svc] = &timeline{minutes: map[time.Time][]hit{}, cpu: map[time.Time]float64{}, requests: map[time.Time]float64{}}
		}
		return lines[svc]
	}

	targets, err := db.DetectorTargets(ctx)
	if err != nil {
		return res, err
	}
	maxPoints := int(opt.Backlog / time.Minute * 2)
	for _, t := range targets {
		if outOfTime(ctx) {
			res.Truncated = true
			break
		}
		s, err := resume(t, opt, &res)
		if err != nil {
			return res, err
		}
		from := t.FedUntil
		if from.IsZero() {
			from = t.LastPoint.Add(-opt.Backlog)
		}
		points, err := db.PointsAfter(ctx, t.ID, from, maxPoints)
		if err != nil {
			return res, err
		}
		if len(points) == 0 {
			continue
		}
		res.Series++
		tl := line(t.Service)
		name := displayName(t.Metric, t.Labels)
		anchor := t.Anchor
		var keep map[time.Time]float64 // the efficiency detector's inputs
		if len(t.Labels) == 0 {
			switch t.Metric {
			case aiops.MetricCPU:
				keep = tl.cpu
			case aiops.MetricRequestRate:
				keep = tl.requests
			}
		}
		for _, p := range points {
			if keep != nil {
				keep[p.T.Truncate(time.Minute)] = p.V
			}
			pt := s.Update(p.T, p.V)
			res.Points++
			if pt.Skipped {
				res.Skipped++
				continue
			}
			opens := pt.Score >= opt.MinScore
			if opens && !math.IsNaN(pt.Expected) {
				if anchor == nil || math.Abs(p.V-pt.Expected) > math.Abs(anchor.Observed-anchor.Expected) {
					anchor = &postgres.Anchor{Expected: pt.Expected, Observed: p.V}
				}
				anchor.At = p.T
			}
			elevated := anchor != nil && p.T.Sub(anchor.At) <= opt.MaxExtend &&
				math.Abs(p.V-anchor.Expected) >= 0.5*math.Abs(anchor.Observed-anchor.Expected)
			if !opens && !elevated && pt.Score < opt.ExtendScore {
				anchor = nil // recovered
				continue
			}
			m := p.T.Truncate(time.Minute)
			tl.minutes[m] = append(tl.minutes[m], hit{metric: name, score: pt.Score, uni: true, extends: !opens,
				obs: detect.Observation{Metric: humanName(t.Metric, t.Labels), Time: p.T, Value: p.V, Point: pt}})
		}
		if last := points[len(points)-1].T.Truncate(time.Minute); last.After(tl.latest) {
			tl.latest = last
		}
		state, err := s.MarshalBinary()
		if err != nil {
			return res, fmt.Errorf("detector state of series %d: %w", t.ID, err)
		}
		checked, err := levelCheck(ctx, db, t, name, points[len(points)-1].T, tl)
		if err != nil {
			return res, err
		}
		run.States = append(run.States, postgres.SeriesState{SeriesID: t.ID, State: state, FedUntil: points[len(points)-1].T,
			Anchor: anchor, LevelCheckedUntil: checked})
	}

	for svc := range lines {
		run.Services[svc] = states[svc]
	}
	efficiency(lines, run, opt, &res)
	if err := scoreServices(ctx, db, opt, lines, run, &res); err != nil {
		return res, err
	}
	open, err := db.OpenAnomalies(ctx)
	if err != nil {
		return res, err
	}
	for svc, tl := range lines {
		prev, hasOpen := open[svc]
		var cur *aiops.Anomaly
		if hasOpen {
			cur = &prev
		}
		for _, ep := range episodes(svc, tl, cur, opt) {
			if ep.ID == 0 {
				res.NewEpisodes++
			} else {
				res.UpdatedEpisodes++
			}
			if ep.Open {
				res.OpenEpisodes++
			}
			run.Episodes = append(run.Episodes, ep)
		}
	}
	if err := db.SaveDetection(ctx, run); err != nil {
		return res, err
	}
	return res, nil
}

// resume restores a series' detector; corrupt state is reset with a
// warning, never a failed run.
func resume(t postgres.DetectorTarget, opt Options, res *Result) (*detect.Stream, error) {
	if t.State == nil {
		return detect.NewStream(opt.Stream), nil
	}
	s, err := detect.Resume(t.State, opt.Stream)
	if err != nil {
		res.StateResets++
		opt.Log.Warn("detector state reset", "series", t.ID, "service", t.Service, "metric", t.Metric, "err", err)
	}
	return s, nil
}

func outOfTime(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < 10*time.Second
}

// models caches fitted ensembles per service between warm invocations: a
// refit costs a fraction of a second per service, and the normal behaviour
// of the last days does not change minute by minute.
var models = struct {
	sync.Mutex
	m map[string]model
}{m: map[string]model{}}

type model struct {
	fitted  time.Time // the end of its training window
	metrics []string
	e       *detect.Ensemble
}

// scoreServices scores each service's new minutes with the ensemble of its
// standard metrics, adding anomalous rows to its timeline.
func scoreServices(ctx context.Context, db Store, opt Options, lines map[string]*timeline, run *postgres.DetectionRun, res *Result) error {
	services := make([]string, 0, len(lines))
	for svc := range lines {
		services = append(services, svc)
	}
	sort.Strings(services)
	for _, svc := range services {
		if outOfTime(ctx) {
			res.Truncated = true
			return nil
		}
		tl := lines[svc]
		from := run.Services[svc].ScoredUntil
		if from.IsZero() || tl.latest.Sub(from) > opt.Backlog {
			from = tl.latest.Add(-opt.Backlog)
		}
		to := tl.latest.Add(time.Minute)
		if !to.After(from) {
			continue
		}
		// Score in chunks of at most a day, each against a model trained
		// on the window before it, so a long backlog is judged online.
		scored := false
		for start := from; start.Before(to); start = start.Add(24 * time.Hour) {
			end := minTime(start.Add(24*time.Hour), to)
			m, err := fit(ctx, db, svc, start, opt)
			if err != nil {
				return err
			}
			if m == nil {
				continue // too little history to learn from yet
			}
			times, rows, err := db.ServiceRows(ctx, svc, m.metrics, start, end)
			if err != nil {
				return err
			}
			contrib := make([]float64, len(m.metrics))
			for i, row := range rows {
				r := m.e.Score(contrib, row)
				res.RowsScored++
				if math.IsNaN(r.Score) || r.Score < opt.MinScore {
					continue
				}
				var names []string
				for _, j := range detect.Top(contrib, 3) {
					names = append(names, m.metrics[j])
				}
				if len(names) == 0 {
					continue
				}
				lead := hit{metric: names[0], score: r.Score,
					obs: detect.Observation{Metric: humanName(names[0], nil), Time: times[i], Value: row[indexOf(m.metrics, names[0])]}}
				tl.minutes[times[i]] = append(append(tl.minutes[times[i]], lead), hitsFor(names[1:], r.Score)...)
			}
			scored = true
		}
		if scored {
			res.Services++
			st := run.Services[svc]
			st.ScoredUntil = tl.latest
			run.Services[svc] = st
		}
	}
	return nil
}

// efficiency runs each service's streaming detector over CPU per request:
// a deploy that makes every request cost a third more CPU shows as a level
// shift of this ratio, while CPU alone still moves with traffic inside its
// daily range and looks ordinary. The ratio's hits are filed under cpu.
func efficiency(lines map[string]*timeline, run *postgres.DetectionRun, opt Options, res *Result) {
	for svc, tl := range lines {
		st := run.Services[svc]
		var minutes []time.Time
		for m, c := range tl.cpu {
			if r, ok := tl.requests[m]; ok && m.After(st.RatioFedUntil) && r > 0 && c >= 0 {
				minutes = append(minutes, m)
			}
		}
		if len(minutes) == 0 {
			continue
		}
		sort.Slice(minutes, func(i, j int) bool { return minutes[i].Before(minutes[j]) })
		s := detect.NewStream(opt.Stream)
		if st.Ratio != nil {
			var err error
			if s, err = detect.Resume(st.Ratio, opt.Stream); err != nil {
				res.StateResets++
				opt.Log.Warn("efficiency detector state reset", "service", svc, "err", err)
			}
		}
		for _, m := range minutes {
			v := tl.cpu[m] / tl.requests[m]
			pt := s.Update(m, v)
			if pt.Skipped || pt.Score < opt.MinScore {
				continue
			}
			tl.minutes[m] = append(tl.minutes[m], hit{metric: aiops.MetricCPU, score: pt.Score, uni: true,
				obs: detect.Observation{Metric: "CPU per request", Time: m, Value: v, Point: pt}})
		}
		if b, err := s.MarshalBinary(); err == nil {
			st.Ratio, st.RatioFedUntil = b, minutes[len(minutes)-1]
			run.Services[svc] = st
		}
	}
}

func hitsFor(names []string, score float64) []hit {
	out := make([]hit, len(names))
	for i, n := range names {
		out[i] = hit{metric: n, score: score * 0.999} // companions rank below the lead metric
	}
	return out
}

// fit returns the service's ensemble trained on the window before start,
// from the cache when it is fresh enough.
func fit(ctx context.Context, db Store, svc string, start time.Time, opt Options) (*model, error) {
	models.Lock()
	m, ok := models.m[svc]
	models.Unlock()
	if ok && !start.Before(m.fitted) && start.Sub(m.fitted) < opt.Refit {
		return &m, nil
	}
	_, rows, err := db.ServiceRows(ctx, svc, aiops.StandardMetrics, start.Add(-opt.TrainWindow), start)
	if err != nil {
		return nil, err
	}
	// Keep the metrics the service has: a column with no value at all
	// carries nothing to learn.
	var cols []int
	for j := range aiops.StandardMetrics {
		for _, r := range rows {
			if !math.IsNaN(r[j]) {
				cols = append(cols, j)
				break
			}
		}
	}
	if len(cols) < 2 || len(rows) < 6*60 {
		return nil, nil
	}
	metrics := make([]string, len(cols))
	for k, j := range cols {
		metrics[k] = aiops.StandardMetrics[j]
	}
	train := make([][]float64, len(rows))
	for i, r := range rows {
		train[i] = make([]float64, len(cols))
		for k, j := range cols {
			train[i][k] = r[j]
		}
	}
	e, err := detect.FitEnsemble(train, detect.EnsembleConfig{})
	if err != nil {
		opt.Log.Warn("multivariate model not fitted", "service", svc, "err", err)
		return nil, nil
	}
	m = model{fitted: start, metrics: metrics, e: e}
	models.Lock()
	models.m[svc] = m
	models.Unlock()
	return &m, nil
}

// episodes merges a service's anomalous minutes into episodes, continuing
// the open one when the first new minute is within MergeGap of its end.
func episodes(svc string, tl *timeline, open *aiops.Anomaly, opt Options) []aiops.Anomaly {
	mins := make([]time.Time, 0, len(tl.minutes))
	for m := range tl.minutes {
		mins = append(mins, m)
	}
	sort.Slice(mins, func(i, j int) bool { return mins[i].Before(mins[j]) })
	var out []aiops.Anomaly
	var cur *aiops.Anomaly
	var peak hit
	var seen map[string]float64
	if open != nil {
		cur = open
		peak = hit{score: open.PeakScore}
		seen = map[string]float64{}
		for i, m := range open.Metrics {
			seen[m] = open.PeakScore - float64(i)*1e-6
		}
	}
	flush := func(closeIt bool) {
		if cur == nil {
			return
		}
		if peak.obs.Metric != "" { // the peak moved in this run
			cur.PeakScore = peak.score
			cur.Severity = detect.Severity(peak.score).String()
			cur.Observed = peak.obs.Value
			cur.Expected = nil
			if peak.uni && !math.IsNaN(peak.obs.Point.Expected) {
				e := peak.obs.Point.Expected
				cur.Expected = &e
			}
			cur.PeakTime = peak.obs.Time.Truncate(time.Minute)
		}
		cur.Metrics = rank(seen)
		cur.Description = describe(peak, cur.Metrics, *cur)
		cur.Open = !closeIt
		out = append(out, *cur)
		cur = nil
	}
	for _, m := range mins {
		hs := tl.minutes[m]
		if cur != nil && m.Sub(cur.End) > opt.MergeGap {
			flush(true)
		}
		if cur == nil {
			if !slices.ContainsFunc(hs, func(h hit) bool { return !h.extends }) {
				continue // still elevated, but nothing open to extend
			}
			cur = &aiops.Anomaly{Service: svc, Start: m, End: m}
			peak = hit{}
			seen = map[string]float64{}
		}
		cur.End = m
		for _, h := range hs {
			if h.score > seen[h.metric] {
				seen[h.metric] = h.score
			}
			if h.obs.Metric != "" && h.score > peak.score {
				peak = h
			}
		}
	}
	if cur != nil {
		flush(tl.latest.Sub(cur.End) > opt.MergeGap)
	}
	return out
}

func rank(seen map[string]float64) []string {
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		if seen[out[i]] != seen[out[j]] {
			return seen[out[i]] > seen[out[j]]
		}
		return out[i] < out[j]
	})
	return out
}

// describe writes the episode's sentence from its peak, naming the other
// metrics involved.
func describe(peak hit, metrics []string, a aiops.Anomaly) string {
	var with []string
	for _, m := range metrics {
		if m != peak.metric && len(with) < 3 {
			with = append(with, humanName(baseName(m), nil))
		}
	}
	if peak.obs.Metric == "" {
		return a.Description // unchanged peak from an earlier run
	}
	if peak.uni {
		return detect.Describe(peak.obs, with...)
	}
	s := "unusual combination: " + peak.obs.Metric + " at " + num(peak.obs.Value)
	if len(with) > 0 {
		s += ", together with " + strings.Join(with, ", ")
	}
	return s
}

func num(v float64) string {
	return fmt.Sprintf("%.3g", v)
}

// humanNames are how the standard metrics read in a sentence.
var humanNames = map[string]string{
	aiops.MetricRequestRate: "request rate",
	aiops.MetricErrorRate:   "error rate",
	aiops.MetricLatencyP50:  "p50 latency",
	aiops.MetricLatencyP95:  "p95 latency",
	aiops.MetricLatencyP99:  "p99 latency",
	aiops.MetricCPU:         "CPU",
	aiops.MetricMemory:      "memory",
	aiops.MetricRestarts:    "restarts",
	aiops.MetricPods:        "running pods",
}

func humanName(metric string, labels map[string]string) string {
	n, ok := humanNames[metric]
	if !ok {
		n = metric
	}
	if len(labels) > 0 {
		n += " (" + labelString(labels) + ")"
	}
	return n
}

// displayName is the metric with its labels, as the episode lists it.
func displayName(metric string, labels map[string]string) string {
	if len(labels) == 0 {
		return metric
	}
	return metric + "{" + labelString(labels) + "}"
}

func baseName(display string) string {
	name, _, _ := strings.Cut(display, "{")
	return name
}

func labelString(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + labels[k]
	}
	return strings.Join(parts, ",")
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
