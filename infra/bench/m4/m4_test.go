package m4

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/testfiles"
)

// TestPublishedBenchmarks proves the scorer and the baselines at once: the
// official reference forecasts and this package's own Naive2 and sNaive must
// both reproduce the published M4 Hourly scores (3 decimals).
func TestPublishedBenchmarks(t *testing.T) {
	dir := testfiles.Shared(t, "bench", "m4")
	series, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 414 {
		t.Fatalf("loaded %d series, want 414", len(series))
	}
	tests := []struct {
		name        string
		ref         string
		own         func(dst, x []float64, m int) []float64
		smape, mase float64
	}{
		{"Naive2", "Hourly-Naive2.csv", Naive2, 18.383, 2.395},
		{"sNaive", "Hourly-sNaive.csv", SNaive, 13.912, 1.193},
	}
	for _, tc := range tests {
		ref, err := ReadForecasts(filepath.Join(dir, "reference-forecasts", tc.ref))
		if err != nil {
			t.Fatal(err)
		}
		refFc := make([]Forecast, len(series))
		ownFc := make([]Forecast, len(series))
		for i, s := range series {
			r, ok := ref[s.ID]
			if !ok {
				t.Fatalf("%s: no reference forecast for %s", tc.name, s.ID)
			}
			refFc[i] = Forecast{Point: r}
			ownFc[i] = Forecast{Point: tc.own(make([]float64, Horizon), s.Train, Period)}
			for h := range r {
				if d := math.Abs(r[h] - ownFc[i].Point[h]); d > 1e-5*math.Abs(r[h]) {
					t.Errorf("%s %s step %d: own %v, reference %v", tc.name, s.ID, h+1, ownFc[i].Point[h], r[h])
					break
				}
			}
		}
		for _, got := range []struct {
			src string
			r   *Report
		}{{"reference", Evaluate(series, refFc)}, {"own", Evaluate(series, ownFc)}} {
			if math.Abs(got.r.SMAPE-tc.smape) > 0.0005 || math.Abs(got.r.MASE-tc.mase) > 0.0005 {
				t.Errorf("%s from %s forecasts: sMAPE %.4f MASE %.4f, published %.3f %.3f",
					tc.name, got.src, got.r.SMAPE, got.r.MASE, tc.smape, tc.mase)
			}
		}
	}
}

func TestRunSNaive(t *testing.T) {
	dir := testfiles.Shared(t, "bench", "m4")
	series, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// An interval of ±0 makes MSIS computable by hand: width 0 plus the
	// 2/α-weighted miss, i.e. 40·MASE.
	method := func(train []float64, h int) (Forecast, error) {
		p := SNaive(make([]float64, h), train, Period)
		return Forecast{Point: p, Lo95: p, Hi95: p}, nil
	}
	r, err := Run(context.Background(), series, method, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.OWA-0.627) > 0.0006 {
		t.Errorf("sNaive OWA = %.4f, published 0.627", r.OWA)
	}
	if math.Abs(r.MSIS-40*r.MASE) > 1e-9*r.MSIS {
		t.Errorf("MSIS of a zero-width interval = %v, want 40·MASE = %v", r.MSIS, 40*r.MASE)
	}
}

func TestScoresByHand(t *testing.T) {
	y := []float64{10, 20}
	f := []float64{10, 10}
	if got, want := SMAPE(y, f), 100*10.0/30; math.Abs(got-want) > 1e-12 {
		t.Errorf("SMAPE = %v, want %v", got, want)
	}
	x := []float64{1, 2, 4, 8}
	if got, want := Scale(x, 2), (3.0+6)/2; got != want {
		t.Errorf("Scale = %v, want %v", got, want)
	}
	if got, want := MASE(y, f, 5), 1.0; got != want {
		t.Errorf("MASE = %v, want %v", got, want)
	}
	lo, hi := []float64{9, 12}, []float64{11, 14}
	// widths 2 and 2; second point misses by 6: 2/0.05·6 = 240.
	if got, want := MSIS(y, lo, hi, 0.05, 2), (2+2+240.0)/2/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("MSIS = %v, want %v", got, want)
	}
	if got := Covered(y, lo, hi); got != 1 {
		t.Errorf("Covered = %d, want 1", got)
	}
	if got := OWA(9, 1, 18, 2); got != 0.5 {
		t.Errorf("OWA = %v, want 0.5", got)
	}
}

func TestReadRowsErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"no rows", "\"V1\",\"V2\"\n", "no series"},
		{"not a number", "\"V1\",\"V2\"\n\"H1\",\"x\"\n", `line 2, series H1, field 2: not a number: "x"`},
		{"duplicate", "V1,V2\nH1,1\nH1,2\n", "appears twice"},
		{"gap", "V1,V2,V3,V4\nH1,1,,3\n", "gap at field 3"},
		{"no values", "V1,V2\nH1,\n", "has no values"},
		{"no id", "V1,V2\n,1\n", "empty series id"},
	}
	for _, tc := range tests {
		_, err := readRows(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	rows, err := readRows(strings.NewReader("V1,V2,V3\nH1,1,2\nH2,3,\n"))
	if err != nil || len(rows) != 2 || len(rows[1].values) != 1 || rows[0].values[1] != 2 {
		t.Errorf("padded rows = %+v, %v", rows, err)
	}
}

func FuzzReadRows(f *testing.F) {
	f.Add("\"V1\",\"V2\",\"V3\"\n\"H1\",\"1\",\"2\"\n\"H2\",\"3\",\"\"\n")
	f.Add("id,F1\nH1,1e3\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := readRows(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rows {
			if r.id == "" || len(r.values) == 0 {
				t.Fatalf("accepted row %+v", r)
			}
		}
	})
}
