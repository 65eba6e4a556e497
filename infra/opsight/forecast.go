package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/forecast"
	"github.com/opsight/opsight/shared/forecast/grid"
	"github.com/opsight/opsight/shared/tscsv"
)

func init() {
	register(command{
		name:    "forecast",
		summary: "forecast a timestamp,value CSV with 80% and 95% intervals",
		run:     runForecast,
	})
}

func runForecast(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("forecast", stderr)
	input := fs.String("input", "", "CSV file with a header and timestamp,value rows (- for stdin)")
	output := fs.String("output", "", "write the forecast CSV here instead of stdout")
	horizon := fs.Int("horizon", 0, "number of steps to forecast (required)")
	season := fs.String("season", "auto", "seasonal periods in steps, e.g. 24,168; auto: a day and a week at the data's step; none")
	stepFlag := fs.Duration("step", 0, "resample to this step (e.g. 1h), interpolating missing points, instead of refusing irregular timestamps")
	column := fs.String("column", "", "value column to forecast when the file has several")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	case *input == "":
		return usageErrorf("--input is required")
	case *horizon < 1:
		return usageErrorf("--horizon must be a positive number of steps")
	case *stepFlag < 0:
		return usageErrorf("--step must be positive")
	}
	periods, err := parseSeasonFlag(*season)
	if err != nil {
		return usageErrorf("--season: %v", err)
	}
	in := io.Reader(os.Stdin)
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var buf bytes.Buffer
	cfg := forecastConfig{horizon: *horizon, seasons: periods, auto: periods == nil, step: *stepFlag, column: *column}
	if err := forecastCSV(&buf, stderr, in, cfg); err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if *output == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return os.WriteFile(*output, buf.Bytes(), 0o644)
}

// forecastConfig is what forecastCSV needs from the flags; auto asks for a
// day and a week at the data's step instead of seasons.
type forecastConfig struct {
	horizon int
	seasons []int
	auto    bool
	step    time.Duration
	column  string
}

// forecastCSV reads a timestamp,value table from in, forecasts it and
// writes timestamp,yhat,lo80,hi80,lo95,hi95 rows to out; notes go to
// stderr.
func forecastCSV(out, stderr io.Writer, in io.Reader, cfg forecastConfig) error {
	tab, err := tscsv.Read(in, tscsv.Options{})
	if err != nil {
		return err
	}
	values, err := pickColumn(tab, cfg.column)
	if err != nil {
		return err
	}
	times := tab.Times
	step := cfg.step
	if step == 0 {
		if step, err = grid.Step(times); err != nil {
			return err
		}
		if err := grid.Check(times, step); err != nil {
			return fmt.Errorf("%w (pass --step %s to resample)", err, step)
		}
	} else {
		var filled int
		values, filled, err = grid.Resample(times, values, step)
		if err != nil {
			return err
		}
		last := times[0].Add(time.Duration(len(values)-1) * step)
		times = []time.Time{times[0], last}
		fmt.Fprintf(stderr, "opsight forecast: resampled to a %s step: %d points, %d filled by interpolation\n", step, len(values), filled)
	}
	periods := cfg.seasons
	if cfg.auto {
		periods = dayAndWeek(step)
	}
	mod, err := forecast.Fit(values, forecast.Options{Seasons: periods, Horizon: cfg.horizon})
	if err != nil {
		return err
	}
	for _, n := range mod.Notes {
		fmt.Fprintf(stderr, "opsight forecast: note: %s\n", n)
	}
	p, err := mod.Forecast(cfg.horizon, []float64{80, 95})
	if err != nil {
		return err
	}
	return writeForecast(out, times[len(times)-1], step, p)
}

func pickColumn(tab *tscsv.Table, name string) ([]float64, error) {
	if name == "" {
		if len(tab.Names) != 1 {
			return nil, fmt.Errorf("%d value columns (%s): name one with --column", len(tab.Names), strings.Join(tab.Names, ", "))
		}
		return tab.Columns[0], nil
	}
	for i, n := range tab.Names {
		if strings.EqualFold(n, name) {
			return tab.Columns[i], nil
		}
	}
	return nil, fmt.Errorf("no column %q (have %s)", name, strings.Join(tab.Names, ", "))
}

// parseSeasonFlag parses --season: "auto" (nil, resolved by dayAndWeek
// once the step is known), "none", or a list of periods.
func parseSeasonFlag(s string) ([]int, error) {
	if s == "auto" {
		return nil, nil
	}
	p, err := parsePeriods(s)
	if err == nil && p == nil {
		p = []int{}
	}
	return p, err
}

// dayAndWeek returns one day and one week in steps, when the step divides
// a day (the periods of nearly every operations metric).
func dayAndWeek(step time.Duration) []int {
	const day = 24 * time.Hour
	if step <= 0 || day%step != 0 {
		return nil
	}
	perDay := int(day / step)
	var out []int
	if perDay >= 2 {
		out = append(out, perDay)
	}
	return append(out, 7*perDay)
}

func writeForecast(w io.Writer, last time.Time, step time.Duration, p *forecast.Prediction) error {
	i80, i95 := p.Interval(80), p.Interval(95)
	if i80 == nil || i95 == nil {
		return errors.New("forecast: prediction lacks the 80% or 95% interval")
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"timestamp", "yhat", "lo80", "hi80", "lo95", "hi95"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	for k := range p.Mean {
		ts := last.Add(time.Duration(k+1) * step).Format(time.RFC3339)
		cw.Write([]string{ts, f(p.Mean[k]), f(i80.Lower[k]), f(i80.Upper[k]), f(i95.Lower[k]), f(i95.Upper[k])})
	}
	cw.Flush()
	return cw.Error()
}
