package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/opsight/opsight/infra/bench/m4"
	"github.com/opsight/opsight/shared/forecast"
)

func init() {
	registerBench(benchmark{
		name:    "m4",
		summary: "forecast the 414 M4 Hourly series and score them as M4 did",
		run:     runBenchM4,
	})
}

func runBenchM4(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench m4", stderr)
	data := fs.String("data", filepath.Join("..", "shared", "bench", "m4"), "directory holding Hourly-train.csv and Hourly-test.csv")
	method := fs.String("method", "opsight", "method to score: opsight, naive2 or snaive")
	season := fs.String("season", "24,168", "seasonal periods for opsight")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parallel workers")
	folds := fs.Int("folds", 0, "validation folds for opsight (0: default)")
	perSeries := fs.Bool("series", false, "also print one line per series")
	noShift := fs.Bool("no-level-shift", false, "opsight: do not follow level shifts near the end (forecast.Options.LevelShift Off)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	periods, err := parsePeriods(*season)
	if err != nil {
		return usageErrorf("--season: %v", err)
	}
	var meth m4.Method
	switch *method {
	case "opsight":
		o := forecast.Options{Seasons: periods, Folds: *folds}
		if *noShift {
			o.LevelShift = forecast.Off
		}
		meth = m4.Opsight(o)
	case "naive2":
		meth = func(train []float64, h int) (m4.Forecast, error) {
			return m4.Forecast{Point: m4.Naive2(make([]float64, h), train, m4.Period)}, nil
		}
	case "snaive":
		meth = func(train []float64, h int) (m4.Forecast, error) {
			return m4.Forecast{Point: m4.SNaive(make([]float64, h), train, m4.Period)}, nil
		}
	default:
		return usageErrorf("--method must be opsight, naive2 or snaive, not %q", *method)
	}
	series, err := m4.Load(*data)
	if err != nil {
		return err
	}
	cpu0 := cpuTime()
	r, err := m4.Run(ctx, series, meth, *workers)
	if err != nil {
		return err
	}
	cpu := cpuTime() - cpu0
	if *perSeries {
		for _, s := range r.Series {
			fmt.Fprintf(stdout, "%s\tsMAPE %.3f\tMASE %.3f\tMSIS %.3f\tcovered %d\n", s.ID, s.SMAPE, s.MASE, s.MSIS, s.Covered)
		}
	}
	fmt.Fprintf(stdout, "M4 Hourly, %d series, horizon %d, method %s\n", len(series), m4.Horizon, *method)
	fmt.Fprintf(stdout, "sMAPE %.3f  MASE %.3f  OWA %.3f  (Naive2 sMAPE %.3f MASE %.3f)\n", r.SMAPE, r.MASE, r.OWA, r.Naive2SMAPE, r.Naive2MASE)
	if r.Intervals {
		fmt.Fprintf(stdout, "95%% interval: MSIS %.3f  coverage %.2f%%\n", r.MSIS, 100*r.Coverage)
	}
	fmt.Fprintf(stdout, "wall %.2fs on %d workers (GOMAXPROCS %d), process CPU %.2fs (%.1f ms per series)\n",
		r.Wall.Seconds(), r.Workers, runtime.GOMAXPROCS(0), cpu.Seconds(), cpu.Seconds()*1000/float64(len(series)))
	return nil
}

// cpuTime returns the user plus system CPU time of the process so far, which
// unlike wall time does not depend on what else the machine is running.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parsePeriods parses a comma-separated list of seasonal periods; "" and
// "none" give none.
func parsePeriods(s string) ([]int, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || p < 2 {
			return nil, fmt.Errorf("%q is not a period (an integer ≥ 2)", f)
		}
		out = append(out, p)
	}
	return out, nil
}
