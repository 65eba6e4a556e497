// Package nab re-implements the Numenta Anomaly Benchmark (NAB v1.1) in Go:
// it loads the corpus, runs a detector over every file, and scores the
// results with NAB's rule so Opsight's detectors can be compared with the
// published leaderboard without Python.
//
// The scoring follows NAB's sweeper.py, optimizer.py and runner.py
// (github.com/numenta/NAB, the version in use since 2019):
//
//   - each labelled anomaly has a window (labels/combined_windows.json);
//   - the first min(⌊0.15·n⌋, 750) rows of a file are a probationary period
//     that is not scored;
//   - a detection is a row whose anomaly score is at least the threshold;
//   - inside a window a row is worth σ(-(r-i+1)/w)·A_tp/σ(-1), where r is the
//     window's last row, w its width and σ(x) = 2/(1+exp(5x)) - 1, the
//     "scaled sigmoid"; only the best (earliest) detection of a window counts,
//     and a window with none costs A_fn;
//   - outside a window a detection costs σ(|i-r|/(w-1))·A_fp measured from the
//     previous window (its last row r and width w), or A_fp when no window
//     precedes it; σ is -1 for positions beyond 3;
//   - one threshold per profile is chosen for the whole corpus by trying every
//     distinct score (the sweep), keeping the best total;
//   - totals are normalised to 100·(S - S_null)/(S_perfect - S_null), where
//     S_null is the score of a detector that never fires and S_perfect is the
//     number of windows times A_tp.
package nab

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/tscsv"
)

// File is one data file of the corpus with its anomaly windows resolved to
// row indexes.
type File struct {
	// Name is the path relative to data/, e.g. "realTweets/Twitter_volume_AMZN.csv".
	Name     string
	Category string
	Times    []time.Time
	Values   []float64
	// Windows are [first, last] row indexes, inclusive, in time order.
	Windows [][2]int
}

// Profile is an application profile: the weights NAB puts on true
// positives, false positives and false negatives.
type Profile struct {
	Name     string
	TPWeight float64
	FPWeight float64
	FNWeight float64
}

// Corpus is the whole benchmark: its files and its profiles.
type Corpus struct {
	Files    []*File
	Profiles []Profile
}

// Points returns the number of rows over all files.
func (c *Corpus) Points() int {
	n := 0
	for _, f := range c.Files {
		n += len(f.Times)
	}
	return n
}

// Windows returns the number of anomaly windows over all files, the count
// NAB's normalisation uses for the perfect score.
func (c *Corpus) Windows() int {
	n := 0
	for _, f := range c.Files {
		n += len(f.Windows)
	}
	return n
}

// Load reads a NAB checkout (or the data-only copy) rooted at dir: data/,
// labels/combined_windows.json and config/profiles.json. Files are sorted by
// name so every run sees them in the same order.
func Load(dir string) (*Corpus, error) {
	windows, err := readWindows(filepath.Join(dir, "labels", "combined_windows.json"))
	if err != nil {
		return nil, err
	}
	profiles, err := readProfiles(filepath.Join(dir, "config", "profiles.json"))
	if err != nil {
		return nil, err
	}
	dataDir := filepath.Join(dir, "data")
	var names []string
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".csv") {
			return nil
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		names = append(names, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("nab: listing %s: %w", dataDir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("nab: no CSV files under %s", dataDir)
	}
	sort.Strings(names)
	c := &Corpus{Profiles: profiles}
	for _, name := range names {
		lims, ok := windows[name]
		if !ok {
			return nil, fmt.Errorf("nab: %s has no entry in combined_windows.json", name)
		}
		f, err := readFile(dataDir, name, lims)
		if err != nil {
			return nil, err
		}
		c.Files = append(c.Files, f)
	}
	return c, nil
}

func readFile(dataDir, name string, lims [][2]time.Time) (*File, error) {
	r, err := os.Open(filepath.Join(dataDir, filepath.FromSlash(name)))
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	defer r.Close()
	// NAB's files keep the clock's repeated hour at daylight-saving changes
	// (e.g. realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv), so
	// duplicates are allowed here as NAB allows them.
	t, err := tscsv.Read(r, tscsv.Options{Ignore: []string{"label", "is_anomaly"}, AllowUnsorted: true})
	if err != nil {
		return nil, fmt.Errorf("nab: %s: %w", name, err)
	}
	f := &File{Name: name, Category: path.Dir(name), Times: t.Times, Values: t.Columns[0]}
	index := make(map[int64]int, len(t.Times))
	for i, ts := range t.Times {
		if _, dup := index[ts.UnixNano()]; !dup {
			index[ts.UnixNano()] = i // NAB's list.index finds the first
		}
	}
	for _, l := range lims {
		// NAB enters a window on the row whose timestamp equals its start
		// and finds its end the same way, so both must be rows of the file.
		a, okA := index[l[0].UnixNano()]
		b, okB := index[l[1].UnixNano()]
		if !okA || !okB || b < a {
			return nil, fmt.Errorf("nab: %s: window %s..%s does not match rows of the file", name, l[0], l[1])
		}
		f.Windows = append(f.Windows, [2]int{a, b})
	}
	sort.Slice(f.Windows, func(i, j int) bool { return f.Windows[i][0] < f.Windows[j][0] })
	return f, nil
}

func readWindows(p string) (map[string][][2]time.Time, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	return parseWindows(p, b)
}

// parseWindows parses combined_windows.json: file name to a list of
// [start, end] timestamps.
func parseWindows(p string, b []byte) (map[string][][2]time.Time, error) {
	var raw map[string][][]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("nab: %s: %w", p, err)
	}
	out := make(map[string][][2]time.Time, len(raw))
	for name, ws := range raw {
		for _, w := range ws {
			if len(w) != 2 {
				return nil, fmt.Errorf("nab: %s: %s: a window needs a start and an end, have %d values", p, name, len(w))
			}
			a, err := tscsv.ParseTime(w[0])
			if err != nil {
				return nil, fmt.Errorf("nab: %s: %s: %w", p, name, err)
			}
			e, err := tscsv.ParseTime(w[1])
			if err != nil {
				return nil, fmt.Errorf("nab: %s: %s: %w", p, name, err)
			}
			out[name] = append(out[name], [2]time.Time{a, e})
		}
		if _, ok := out[name]; !ok {
			out[name] = nil
		}
	}
	return out, nil
}

func readProfiles(p string) ([]Profile, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("nab: %w", err)
	}
	return parseProfiles(p, b)
}

// parseProfiles parses profiles.json: profile name to its cost matrix.
func parseProfiles(p string, b []byte) ([]Profile, error) {
	var raw map[string]struct {
		CostMatrix struct {
			TP *float64 `json:"tpWeight"`
			FP *float64 `json:"fpWeight"`
			FN *float64 `json:"fnWeight"`
		}
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("nab: %s: %w", p, err)
	}
	var out []Profile
	for name, v := range raw {
		m := v.CostMatrix
		if m.TP == nil || m.FP == nil || m.FN == nil {
			return nil, fmt.Errorf("nab: %s: profile %q needs tpWeight, fpWeight and fnWeight", p, name)
		}
		if *m.TP < 0 || *m.FP < 0 || *m.FN < 0 {
			return nil, fmt.Errorf("nab: %s: profile %q has a negative weight", p, name)
		}
		out = append(out, Profile{Name: name, TPWeight: *m.TP, FPWeight: *m.FP, FNWeight: *m.FN})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("nab: %s: no profiles", p)
	}
	// standard first, then by name, the order NAB's reports use.
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "standard") != (out[j].Name == "standard") {
			return out[i].Name == "standard"
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}
