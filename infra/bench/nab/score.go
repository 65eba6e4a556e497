package nab

import (
	"fmt"
	"math"
	"sort"
)

// FileScore is one row of NAB's per-file table.
type FileScore struct {
	File string
	ThresholdScore
	// Rows is the file's row count (NAB's older tables report this as
	// Total_Count; its newer ones the scored rows, ThresholdScore.Total).
	Rows int
}

// ProfileResult is the outcome of one profile over the corpus.
type ProfileResult struct {
	Profile Profile
	// Threshold is the corpus-wide threshold the sweep chose.
	Threshold float64
	// Raw is the summed score of all files at Threshold.
	Raw float64
	// Null and Perfect are the raw scores of a detector that never fires
	// and of one that fires on the first row of every window.
	Null, Perfect float64
	// Normalized is 100·(Raw-Null)/(Perfect-Null), NAB's published number.
	Normalized float64
	Files      []FileScore
	Categories []CategoryScore
}

// CategoryScore is the corpus-wide threshold's result on one data category,
// normalised with that category's own null and perfect scores. NAB itself
// publishes only corpus totals; this split shows where a detector wins or
// loses. Normalized is NaN for a category without windows, whose score is
// the false-positive cost alone.
type CategoryScore struct {
	Category   string
	Files      int
	Windows    int
	Raw        float64
	Normalized float64
}

// Normalize is NAB's final score: 100·(raw-null)/(perfect-null).
func Normalize(raw, null, perfect float64) float64 {
	return 100 * (raw - null) / (perfect - null)
}

// Score evaluates a detector's per-row anomaly scores (scores[i] belongs to
// c.Files[i]) under every profile of the corpus.
func Score(c *Corpus, scores [][]float64) ([]ProfileResult, error) {
	if len(scores) != len(c.Files) {
		return nil, fmt.Errorf("nab: have scores for %d files, corpus has %d", len(scores), len(c.Files))
	}
	for i, f := range c.Files {
		if len(scores[i]) != len(f.Times) {
			return nil, fmt.Errorf("nab: %s: have %d scores for %d rows", f.Name, len(scores[i]), len(f.Times))
		}
		for j, s := range scores[i] {
			if math.IsNaN(s) {
				return nil, fmt.Errorf("nab: %s: row %d: anomaly score is NaN", f.Name, j)
			}
		}
	}
	out := make([]ProfileResult, 0, len(c.Profiles))
	for _, p := range c.Profiles {
		out = append(out, scoreProfile(c, scores, p))
	}
	return out, nil
}

func scoreProfile(c *Corpus, scores [][]float64, p Profile) ProfileResult {
	res := ProfileResult{Profile: p}
	res.Threshold = Optimize(c, scores, p)
	res.Null = nullScore(c, p)
	res.Perfect = float64(c.Windows()) * p.TPWeight
	cats := map[string]*CategoryScore{}
	for i, f := range c.Files {
		fs := ScoreFile(f, scores[i], p, res.Threshold)
		res.Files = append(res.Files, fs)
		res.Raw += fs.Score
		cs := cats[f.Category]
		if cs == nil {
			cs = &CategoryScore{Category: f.Category}
			cats[f.Category] = cs
		}
		cs.Files++
		cs.Windows += len(f.Windows)
		cs.Raw += fs.Score
	}
	res.Normalized = Normalize(res.Raw, res.Null, res.Perfect)
	for _, cs := range cats {
		cs.Normalized = math.NaN()
		if cs.Windows > 0 {
			cs.Normalized = Normalize(cs.Raw, -float64(cs.Windows)*p.FNWeight, float64(cs.Windows)*p.TPWeight)
		}
		res.Categories = append(res.Categories, *cs)
	}
	sort.Slice(res.Categories, func(i, j int) bool { return res.Categories[i].Category < res.Categories[j].Category })
	return res
}

// ScoreFile scores one file at threshold t under profile p, as NAB's
// scoreDataSet.
func ScoreFile(f *File, scores []float64, p Profile, t float64) FileScore {
	rs := rows(f, scores, p, 0, nil)
	return FileScore{File: f.Name, ThresholdScore: atThreshold(rs, len(f.Windows), p, t), Rows: len(f.Times)}
}

// Optimize returns the corpus-wide threshold that maximises the summed
// score under p, trying every distinct anomaly score (NAB's optimizer.py
// since 2019). Among equal best scores it keeps the highest threshold, as
// NAB's stable sort does.
func Optimize(c *Corpus, scores [][]float64, p Profile) float64 {
	rs := make([]row, 0, c.Points())
	var nw int32
	for i, f := range c.Files {
		rs = rows(f, scores[i], p, nw, rs)
		nw += int32(len(f.Windows))
	}
	best := ThresholdScore{Score: math.Inf(-1)}
	for _, s := range sweep(rs, int(nw), p) {
		if s.Score > best.Score {
			best = s
		}
	}
	return best.Threshold
}

// nullScore is the corpus score of NAB's null detector (a constant 0.5)
// after threshold optimisation: for every profile it is best never to fire
// (TestNullDetectorTablesExact checks this against NAB's tables), so the
// score is -A_fn per window that has scored rows, with no sweep needed.
func nullScore(c *Corpus, p Profile) float64 {
	var total float64
	for _, f := range c.Files {
		prob := ProbationLength(len(f.Times))
		var file float64
		for _, w := range f.Windows {
			if w[1] >= prob {
				file -= p.FNWeight
			}
		}
		total += file
	}
	return total
}
