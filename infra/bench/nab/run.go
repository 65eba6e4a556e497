package nab

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// DetectFunc scores one file online: dst[i] must depend only on rows ≤ i.
// It is called concurrently for different files and must keep no state
// between calls.
type DetectFunc func(times []time.Time, values []float64, dst []float64)

// Run applies detect to every file with the given number of workers and
// returns the scores (one slice per file, in corpus order) and the wall time
// of the detection alone.
func Run(ctx context.Context, c *Corpus, detect DetectFunc, workers int) ([][]float64, time.Duration, error) {
	if workers < 1 {
		workers = 1
	}
	scores := make([][]float64, len(c.Files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f := c.Files[i]
				dst := make([]float64, len(f.Times))
				detect(f.Times, f.Values, dst)
				scores[i] = dst
			}
		}()
	}
	var err error
feed:
	for i := range c.Files {
		select {
		case jobs <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return scores, time.Since(start), err
}

// WriteResults writes NAB-format results for detector name under dir:
// <name>/<category>/<name>_<file>.csv with timestamp,value,anomaly_score,label
// (label is 1 inside an anomaly window), <name>/<name>_<profile>_scores.csv
// with NAB's per-file table, and final_results.json with the normalised
// scores.
func WriteResults(dir, name string, c *Corpus, scores [][]float64, results []ProfileResult) error {
	for i, f := range c.Files {
		p := filepath.Join(dir, name, filepath.FromSlash(path.Dir(f.Name)), name+"_"+path.Base(f.Name))
		if err := writeRows(p, f, scores[i]); err != nil {
			return err
		}
	}
	final := map[string]map[string]float64{name: {}}
	for _, r := range results {
		final[name][r.Profile.Name] = r.Normalized
		p := filepath.Join(dir, name, name+"_"+r.Profile.Name+"_scores.csv")
		if err := writeTable(p, name, r); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(final, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "final_results.json"), append(b, '\n'), 0o644)
}

func writeRows(p string, f *File, scores []float64) (err error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	w := csv.NewWriter(out)
	_ = w.Write([]string{"timestamp", "value", "anomaly_score", "label"})
	win := 0
	for i, t := range f.Times {
		for win < len(f.Windows) && f.Windows[win][1] < i {
			win++
		}
		label := "0"
		if win < len(f.Windows) && f.Windows[win][0] <= i {
			label = "1"
		}
		_ = w.Write([]string{t.Format("2006-01-02 15:04:05"), fmtFloat(f.Values[i]), fmtFloat(scores[i]), label})
	}
	w.Flush()
	return w.Error()
}

func writeTable(p, name string, r ProfileResult) (err error) {
	out, err := os.Create(p)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	w := csv.NewWriter(out)
	_ = w.Write([]string{"Detector", "Profile", "File", "Threshold", "Score", "TP", "TN", "FP", "FN", "Total_Count"})
	var tot FileScore
	for _, f := range r.Files {
		_ = w.Write([]string{name, r.Profile.Name, f.File, fmtFloat(r.Threshold), fmtFloat(f.Score),
			strconv.Itoa(f.TP), strconv.Itoa(f.TN), strconv.Itoa(f.FP), strconv.Itoa(f.FN), strconv.Itoa(f.Total())})
		tot.Score += f.Score
		tot.TP += f.TP
		tot.TN += f.TN
		tot.FP += f.FP
		tot.FN += f.FN
	}
	_ = w.Write([]string{"Totals", "", "", "", fmtFloat(tot.Score),
		strconv.Itoa(tot.TP), strconv.Itoa(tot.TN), strconv.Itoa(tot.FP), strconv.Itoa(tot.FN), strconv.Itoa(tot.Total())})
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("nab: writing %s: %w", p, err)
	}
	return nil
}

func fmtFloat(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
