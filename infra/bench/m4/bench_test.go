package m4

import (
	"context"
	"runtime"
	"testing"

	"github.com/opsight/opsight/shared/forecast"
	"github.com/opsight/opsight/shared/testfiles"
)

var hourly = forecast.Options{Seasons: []int{24, 168}}

// BenchmarkM4Hourly is the accuracy and speed target: all 414
// series fitted and forecast on a GOMAXPROCS worker pool. It reports the M4
// scores as custom metrics; ns/op is the wall time of one full run.
func BenchmarkM4Hourly(b *testing.B) {
	series, err := Load(testfiles.Shared(b, "bench", "m4"))
	if err != nil {
		b.Fatal(err)
	}
	var r *Report
	for b.Loop() {
		r, err = Run(context.Background(), series, Opsight(hourly), runtime.GOMAXPROCS(0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(r.SMAPE, "sMAPE")
	b.ReportMetric(r.MASE, "MASE")
	b.ReportMetric(r.OWA, "OWA")
	b.ReportMetric(r.MSIS, "MSIS")
	b.ReportMetric(100*r.Coverage, "cover95%")
}

// BenchmarkM4Series is the per-series cost (fit and forecast with
// intervals) on the M4 series of 960 hourly points, one at a time.
func BenchmarkM4Series(b *testing.B) {
	series, err := Load(testfiles.Shared(b, "bench", "m4"))
	if err != nil {
		b.Fatal(err)
	}
	var long []Series
	for _, s := range series {
		if len(s.Train) == 960 {
			long = append(long, s)
		}
	}
	method := Opsight(hourly)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := method(long[i%len(long)].Train, Horizon); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
