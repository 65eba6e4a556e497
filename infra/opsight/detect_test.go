package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func series(n int, start time.Time, metrics int, spikeAt int) string {
	var b strings.Builder
	b.WriteString("timestamp")
	for j := 0; j < metrics; j++ {
		fmt.Fprintf(&b, ",m%d", j)
	}
	b.WriteString(",label\n")
	for i := 0; i < n; i++ {
		b.WriteString(start.Add(time.Duration(i) * time.Minute).Format("2006-01-02 15:04:05"))
		for j := 0; j < metrics; j++ {
			v := 10 + float64((i*7+j*3)%5)
			if i == spikeAt {
				v = 80
			}
			fmt.Fprintf(&b, ",%g", v)
		}
		b.WriteString(",0\n")
	}
	return b.String()
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestDetectCommand(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, metrics := range []int{1, 3} {
		in := writeFile(t, "in.csv", series(600, t0, metrics, 550))
		out := filepath.Join(t.TempDir(), "out.csv")
		if _, stderr, code := runCLI(t, "detect", "--input", in, "--output", out); code != 0 {
			t.Fatalf("%d metrics: exit %d: %s", metrics, code, stderr)
		}
		f, _ := os.Open(out)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(recs) != 601 || recs[0][0] != "timestamp" || recs[0][1] != "anomaly_score" {
			t.Fatalf("%d metrics: output %d rows, header %v, err %v", metrics, len(recs), recs[0], err)
		}
		best, at := -1.0, 0
		for i, r := range recs[1:] {
			s, err := strconv.ParseFloat(r[1], 64)
			if err != nil || s < 0 || s > 1 {
				t.Fatalf("row %d: score %q", i, r[1])
			}
			if s > best {
				best, at = s, i
			}
		}
		if at != 550 {
			t.Errorf("%d metrics: highest score at row %d, want the spike at 550", metrics, at)
		}
	}
}

func TestDetectTrainAndMethods(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	train := writeFile(t, "train.csv", series(300, t0, 2, -1))
	in := writeFile(t, "in.csv", series(50, t0.Add(300*time.Minute), 2, 20))
	for _, m := range []string{"ensemble", "ecod", "iforest", "stream"} {
		stdout, stderr, code := runCLI(t, "detect", "--input", in, "--train", train, "--method", m)
		if code != 0 || strings.Count(stdout, "\n") != 51 {
			t.Errorf("%s: exit %d, %d lines: %s", m, code, strings.Count(stdout, "\n"), stderr)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"no header", "2024-01-01 00:00:00,1\n", "missing header"},
		{"not a number", "timestamp,cpu\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,abc\n", `line 3, column "cpu": not a number`},
		{"unsorted", "timestamp,cpu\n2024-01-01 00:01:00,1\n2024-01-01 00:00:00,2\n", "line 3"},
		{"duplicate", "timestamp,cpu\n2024-01-01 00:01:00,1\n2024-01-01 00:01:00,2\n", "duplicate timestamp"},
	} {
		_, stderr, code := runCLI(t, "detect", "--input", writeFile(t, "bad.csv", c.body))
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q, want it to mention %q", c.name, code, stderr, c.want)
		}
	}
	if _, _, code := runCLI(t, "detect"); code != 2 {
		t.Errorf("no --input: exit %d, want 2", code)
	}
	in := writeFile(t, "ok.csv", "timestamp,cpu\n1700000000,1\n")
	if _, stderr, code := runCLI(t, "detect", "--input", in, "--method", "magic"); code != 1 || !strings.Contains(stderr, "unknown method") {
		t.Errorf("bad method: exit %d, %q", code, stderr)
	}
}
