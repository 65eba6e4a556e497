// Package m4 scores forecasters on the M4 competition's Hourly series the way
// the competition did, so that Opsight's forecasting can be compared with the
// published results (Makridakis, Spiliotis and Assimakopoulos, "The M4
// Competition: 100,000 time series and 61 forecasting methods", IJF 36(1),
// 2020, 54–74).
//
// It reads the data set in its original layout (see SOURCE.md in the shared
// bench directory), implements the Naive2 and seasonal naive benchmarks,
// computes sMAPE, MASE, OWA, MSIS and interval coverage, and runs a
// forecaster over all series with a worker pool.
package m4

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Hourly-subset constants fixed by the competition.
const (
	Period  = 24 // seasonal period m, also used to scale MASE and MSIS
	Horizon = 48
)

// Series is one M4 series: the in-sample part and the hold-out.
type Series struct {
	ID    string
	Train []float64
	Test  []float64
}

// Load reads Hourly-train.csv and Hourly-test.csv from dir and pairs them by
// id, in file order.
func Load(dir string) ([]Series, error) {
	train, err := readFile(filepath.Join(dir, "Hourly-train.csv"))
	if err != nil {
		return nil, err
	}
	test, err := readFile(filepath.Join(dir, "Hourly-test.csv"))
	if err != nil {
		return nil, err
	}
	byID := make(map[string][]float64, len(test))
	for _, r := range test {
		byID[r.id] = r.values
	}
	out := make([]Series, 0, len(train))
	for _, r := range train {
		t, ok := byID[r.id]
		if !ok {
			return nil, fmt.Errorf("m4: series %s is in the training file but not in the test file", r.id)
		}
		out = append(out, Series{ID: r.id, Train: r.values, Test: t})
	}
	return out, nil
}

// ReadForecasts reads a reference forecast file (header id,F1..Fh; one row
// per series) into a map from id to forecast.
func ReadForecasts(path string) (map[string][]float64, error) {
	rows, err := readFile(path)
	if err != nil {
		return nil, err
	}
	m := make(map[string][]float64, len(rows))
	for _, r := range rows {
		m[r.id] = r.values
	}
	return m, nil
}

type row struct {
	id     string
	values []float64
}

func readFile(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := readRows(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// readRows parses the M4 layout: a header, then an id and numbers per row,
// padded with empty fields to the longest series.
func readRows(r io.Reader) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	if _, err := cr.Read(); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file: want a header row")
		}
		return nil, err
	}
	var out []row
	seen := map[string]bool{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		id := strings.TrimSpace(rec[0])
		if id == "" {
			return nil, fmt.Errorf("line %d: empty series id", line)
		}
		if seen[id] {
			return nil, fmt.Errorf("line %d: series %s appears twice", line, id)
		}
		seen[id] = true
		vals := make([]float64, 0, len(rec)-1)
		for j, cell := range rec[1:] {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				for _, rest := range rec[j+1:] {
					if strings.TrimSpace(rest) != "" {
						return nil, fmt.Errorf("line %d, series %s: gap at field %d before more values", line, id, j+2)
					}
				}
				break
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d, series %s, field %d: not a number: %q", line, id, j+2, cell)
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("line %d: series %s has no values", line, id)
		}
		out = append(out, row{id: id, values: vals})
	}
	if len(out) == 0 {
		return nil, errors.New("no series after the header")
	}
	return out, nil
}
