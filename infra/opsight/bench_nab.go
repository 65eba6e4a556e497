package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"time"

	"github.com/opsight/opsight/infra/bench/nab"
	"github.com/opsight/opsight/shared/detect"
)

func init() {
	registerBench(benchmark{
		name:    "nab",
		summary: "run the streaming detector over the NAB corpus and score it with NAB's rules",
		run:     runBenchNAB,
	})
}

func runBenchNAB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench nab", stderr)
	data := fs.String("data", filepath.Join("..", "shared", "bench", "nab"), "NAB corpus: data/, labels/, config/")
	out := fs.String("out", "", "write NAB-format results (per-file CSVs, score tables, final_results.json) under this directory")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "files detected in parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	c, err := nab.Load(*data)
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	scores, detected, err := nab.Run(ctx, c, nab.StreamDetector(detect.DefaultConfig()), *workers)
	if err != nil {
		return err
	}
	scoreStart := time.Now()
	results, err := nab.Score(c, scores)
	if err != nil {
		return err
	}
	scored := time.Since(scoreStart)
	const name = "opsight"
	if *out != "" {
		if err := nab.WriteResults(*out, name, c, scores, results); err != nil {
			return err
		}
	}
	total := time.Since(start)
	fmt.Fprintf(stdout, "NAB v1.1: %d files, %d points, %d windows\n\n", len(c.Files), c.Points(), c.Windows())
	fmt.Fprintf(stdout, "%-20s %10s %10s %10s\n", "profile", "score", "threshold", "raw")
	for _, r := range results {
		fmt.Fprintf(stdout, "%-20s %10.2f %10.4f %10.2f\n", r.Profile.Name, r.Normalized, r.Threshold, r.Raw)
	}
	fmt.Fprintf(stdout, "\nper category (normalised with each category's own null and perfect scores):\n")
	fmt.Fprintf(stdout, "%-24s %6s %8s", "category", "files", "windows")
	for _, r := range results {
		fmt.Fprintf(stdout, " %20s", r.Profile.Name)
	}
	fmt.Fprintln(stdout)
	for k, cat := range results[0].Categories {
		fmt.Fprintf(stdout, "%-24s %6d %8d", cat.Category, cat.Files, cat.Windows)
		for _, r := range results {
			cs := r.Categories[k]
			if math.IsNaN(cs.Normalized) {
				fmt.Fprintf(stdout, " %20s", fmt.Sprintf("raw %.2f", cs.Raw))
			} else {
				fmt.Fprintf(stdout, " %20.2f", cs.Normalized)
			}
		}
		fmt.Fprintln(stdout)
	}
	pts := float64(c.Points())
	fmt.Fprintf(stdout, "\nload %v, detect %v (%d workers, %.0f points/s), score %v, total %v\n",
		loaded.Round(time.Millisecond), detected.Round(time.Millisecond), *workers, pts/detected.Seconds(),
		scored.Round(time.Millisecond), total.Round(time.Millisecond))
	if *out != "" {
		fmt.Fprintf(stdout, "results written under %s\n", *out)
	}
	return nil
}
