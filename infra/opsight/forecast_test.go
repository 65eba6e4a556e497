package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/tscsv"
)

// hourlyCSV writes n hourly rows of a daily cycle; skip drops a row.
func hourlyCSV(t *testing.T, n, skip int, bad string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("timestamp,value\n")
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		if i == skip {
			continue
		}
		v := strconv.FormatFloat(40+10*math.Sin(2*math.Pi*float64(i)/24)+float64(i%5)*0.1, 'f', 3, 64)
		if i == n-3 && bad != "" {
			v = bad
		}
		fmt.Fprintf(&b, "%s,%s\n", t0.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), v)
	}
	p := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestForecastCommand(t *testing.T) {
	in := hourlyCSV(t, 24*30, -1, "")
	out := filepath.Join(t.TempDir(), "out.csv")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"forecast", "--input", in, "--horizon", "12", "--season", "24,168", "--output", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "timestamp,yhat,lo80,hi80,lo95,hi95" || len(rows) != 13 {
		t.Fatalf("header %q, %d rows; want the documented header and 12 rows", got, len(rows)-1)
	}
	if rows[1][0] != "2024-01-31T00:00:00Z" || rows[12][0] != "2024-01-31T11:00:00Z" {
		t.Errorf("timestamps %s … %s, want the 12 hours after the last input", rows[1][0], rows[12][0])
	}
	for _, r := range rows[1:] {
		var v [5]float64
		for j := range v {
			v[j], err = strconv.ParseFloat(r[j+1], 64)
			if err != nil {
				t.Fatal(err)
			}
		}
		yhat, lo80, hi80, lo95, hi95 := v[0], v[1], v[2], v[3], v[4]
		if !(lo95 <= lo80 && lo80 <= yhat && yhat <= hi80 && hi80 <= hi95) {
			t.Errorf("row %v: bounds not nested", r)
		}
	}
}

func TestForecastCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"missing point", []string{"--input", hourlyCSV(t, 100, 50, ""), "--horizon", "5"}, 1,
			"data row 51 (2024-01-03T03:00:00Z): missing timestamps: 1 point is missing before it at step 1h0m0s (pass --step 1h0m0s to resample)"},
		{"non-numeric", []string{"--input", hourlyCSV(t, 100, -1, "n/a"), "--horizon", "5"}, 1, `line 99, column "value": not a number: "n/a"`},
		{"no horizon", []string{"--input", "x.csv"}, 2, "--horizon must be a positive number"},
		{"bad season", []string{"--input", "x.csv", "--horizon", "3", "--season", "24,x"}, 2, `--season: "x" is not a period`},
		{"no file", []string{"--input", filepath.Join(t.TempDir(), "nope.csv"), "--horizon", "3"}, 1, "no such file"},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"forecast"}, tc.args...), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tc.name, code, stderr.String(), tc.code, tc.want)
		}
	}
}

func TestForecastCommandResampleAndShort(t *testing.T) {
	var stdout, stderr bytes.Buffer
	in := hourlyCSV(t, 100, 50, "")
	if code := run(context.Background(), []string{"forecast", "--input", in, "--horizon", "5", "--step", "1h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "100 points, 1 filled by interpolation") {
		t.Errorf("stderr %q: want the resampling reported", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	in = hourlyCSV(t, 20, -1, "")
	if code := run(context.Background(), []string{"forecast", "--input", in, "--horizon", "48"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "fell back to") || strings.Count(stdout.String(), "\n") != 49 {
		t.Errorf("short series: stderr %q, %d lines; want a fallback note and 48 rows", stderr.String(), strings.Count(stdout.String(), "\n")-1)
	}
}

func FuzzForecastCSV(f *testing.F) {
	f.Add("timestamp,value\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n2024-01-01 02:00,3\n2024-01-01 03:00,2\n2024-01-01 04:00,1\n", int64(0))
	f.Add("t,v\n1,1\n2,\n3,3\n4,4\n5,NaN\n7,1\n", int64(1))
	f.Fuzz(func(t *testing.T, in string, step int64) {
		steps := []time.Duration{0, time.Minute, time.Hour, 24 * time.Hour, 41 * time.Second}
		cfg := forecastConfig{horizon: 3, auto: true, step: steps[uint64(step)%uint64(len(steps))]}
		// Decades at an hourly step make a long but valid series whose fit
		// takes seconds (bounded by forecast.MaxHistory); that is for the
		// benchmarks, not for the fuzzer's per-input time limit.
		if tab, err := tscsv.Read(strings.NewReader(in), tscsv.Options{}); err == nil && cfg.step > 0 {
			if span := tab.Times[len(tab.Times)-1].Sub(tab.Times[0]); span/cfg.step > 5000 {
				return
			}
		}
		var out, errs bytes.Buffer
		if err := forecastCSV(&out, &errs, strings.NewReader(in), cfg); err != nil {
			return
		}
		if got := strings.Count(out.String(), "\n"); got != 4 {
			t.Fatalf("%d lines of output, want header and 3 rows", got)
		}
	})
}
