package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/opsight/opsight/shared/detect"
	"github.com/opsight/opsight/shared/tscsv"
)

func init() {
	register(command{
		name:    "detect",
		summary: "score a CSV of metrics for anomalies (--input FILE [--train FILE] [--output FILE] [--method NAME])",
		run:     runDetect,
	})
}

// labelColumns are benchmark label columns, never metrics.
var labelColumns = []string{"label", "is_anomaly"}

func runDetect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("detect", stderr)
	input := fs.String("input", "", "CSV to score: timestamp,metric... (required)")
	train := fs.String("train", "", "CSV of history to learn from first, same columns")
	output := fs.String("output", "", "where to write timestamp,anomaly_score (default: standard output)")
	method := fs.String("method", detect.MethodAuto, fmt.Sprintf("detector: one of %v", detect.Methods))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *input == "" {
		return usageErrorf("--input is required")
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %v", fs.Args())
	}
	in, err := readSeries(*input)
	if err != nil {
		return err
	}
	var tr *detect.Series
	if *train != "" {
		if tr, err = readSeries(*train); err != nil {
			return err
		}
	}
	res, err := detect.Online(*method, tr, *in)
	if err != nil {
		return err
	}
	if *output == "" {
		err = writeScores(stdout, in, res.Scores)
	} else {
		err = writeScoresFile(*output, in, res.Scores)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "opsight detect: %d rows scored, %d while learning, %d missing cells skipped\n",
		len(res.Scores), res.Learning, res.Skipped)
	return nil
}

func readSeries(path string) (*detect.Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := tscsv.Read(bufio.NewReader(f), tscsv.Options{Ignore: labelColumns})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &detect.Series{Times: t.Times, Names: t.Names, Cols: t.Columns}, nil
}

func writeScoresFile(path string, s *detect.Series, scores []float64) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return writeScores(f, s, scores)
}

func writeScores(w io.Writer, s *detect.Series, scores []float64) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"timestamp", "anomaly_score"})
	for i, t := range s.Times {
		_ = cw.Write([]string{t.Format("2006-01-02T15:04:05Z07:00"), strconv.FormatFloat(scores[i], 'g', -1, 64)})
	}
	cw.Flush()
	return cw.Error()
}
