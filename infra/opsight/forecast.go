package main

import (
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
	in := io.Reader(os.Stdin)
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	tab, err := tscsv.Read(in, tscsv.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	values, err := pickColumn(tab, *column)
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	times := tab.Times
	step := *stepFlag
	if step == 0 {
		if step, err = grid.Step(times); err != nil {
			return fmt.Errorf("%s: %w", *input, err)
		}
		if err := grid.Check(times, step); err != nil {
			return fmt.Errorf("%s: %w (pass --step %s to resample)", *input, err, step)
		}
	} else {
		var filled int
		values, filled, err = grid.Resample(times, values, step)
		if err != nil {
			return fmt.Errorf("%s: %w", *input, err)
		}
		last := times[0].Add(time.Duration(len(values)-1) * step)
		times = []time.Time{times[0], last}
		fmt.Fprintf(stderr, "opsight forecast: resampled to a %s step: %d points, %d filled by interpolation\n", step, len(values), filled)
	}
	periods, err := seasonFlag(*season, step)
	if err != nil {
		return usageErrorf("--season: %v", err)
	}
	mod, err := forecast.Fit(values, forecast.Options{Seasons: periods, Horizon: *horizon})
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	for _, n := range mod.Notes {
		fmt.Fprintf(stderr, "opsight forecast: note: %s\n", n)
	}
	p, err := mod.Forecast(*horizon, []float64{80, 95})
	if err != nil {
		return err
	}
	out := stdout
	if *output != "" {
		f, err := os.Create(*output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	if err := writeForecast(out, times[len(times)-1], step, p); err != nil {
		return err
	}
	if c, ok := out.(io.Closer); ok && *output != "" {
		return c.Close()
	}
	return ctx.Err()
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

// seasonFlag parses --season; auto means one day and one week in steps,
// when the step divides a day.
func seasonFlag(s string, step time.Duration) ([]int, error) {
	if s != "auto" {
		return parsePeriods(s)
	}
	const day = 24 * time.Hour
	if step <= 0 || day%step != 0 {
		return nil, nil
	}
	perDay := int(day / step)
	var out []int
	if perDay >= 2 {
		out = append(out, perDay)
	}
	return append(out, 7*perDay), nil
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
