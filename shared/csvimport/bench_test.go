package csvimport

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

// writeLongFile writes rows rows of the long format to a file in dir: 50
// series of 5 services with a route label, one point each per minute.
func writeLongFile(tb testing.TB, dir string, rows int) (string, int64) {
	tb.Helper()
	path := filepath.Join(dir, "long.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "timestamp,service,metric,value,route")
	start := now.Add(-time.Duration(rows/50+60) * time.Minute)
	for i := 0; i < rows; i++ {
		ts := start.Add(time.Duration(i/50) * time.Minute).Format(time.RFC3339)
		s := i % 50
		fmt.Fprintf(w, "%s,svc-%d,%s,%g,/r%d\n", ts, s%5, aiops.StandardMetrics[s%len(aiops.StandardMetrics)], float64(i%1000)/7, s/10)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	fi, _ := f.Stat()
	f.Close()
	return path, fi.Size()
}

// BenchmarkReadLong reads a two-million-row file (about 100 MB) batch by
// batch, parsing and validating it, and reports the peak heap: streaming
// keeps it at a few batches however large the file.
func BenchmarkReadLong(b *testing.B) {
	const rows = 2_000_000
	path, size := writeLongFile(b, b.TempDir(), rows)
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	b.SetBytes(size)
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		r, err := NewReader(f, Options{Now: now})
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; ; n++ {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if n%8 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		f.Close()
		if r.Rows() != rows {
			b.Fatalf("read %d rows, want %d", r.Rows(), rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkImport imports a million-row long file into a fresh database:
// both passes and the writes, as `opsight import` does.
func BenchmarkImport(b *testing.B) {
	const rows = 1_000_000
	path, size := writeLongFile(b, b.TempDir(), rows)
	b.SetBytes(size)
	for b.Loop() {
		b.StopTimer()
		db := pgtest.NewDB(b)
		in, err := Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Import(context.Background(), db, in, in.Size, ImportOptions{Options: Options{Now: now}, CreateServices: true})
		if err != nil {
			b.Fatal(err)
		}
		in.Close()
		b.ReportMetric(sum.PointsPerSecond(), "points/s")
	}
}
