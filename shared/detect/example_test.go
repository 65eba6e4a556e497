package detect_test

import (
	"fmt"
	"math"
	"time"

	"github.com/opsight/opsight/shared/detect"
)

func ExampleStream() {
	s := detect.NewStream(detect.DefaultConfig())
	t0 := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	var last detect.Point
	for i := 0; i < 600; i++ {
		v := 10 + math.Sin(float64(i)) // a steady metric with small wiggles
		if i == 599 {
			v = 25 // then a jump
		}
		last = s.Update(t0.Add(time.Duration(i)*time.Minute), v)
	}
	fmt.Println(detect.Severity(last.Score), last.Deviation > 0)
	// Output: critical true
}

func ExampleResume() {
	s := detect.NewStream(detect.DefaultConfig())
	s.Update(time.Unix(0, 0), 1)
	blob, _ := s.MarshalBinary() // store these bytes between runs

	s, err := detect.Resume(blob, detect.DefaultConfig())
	fmt.Println(s.Learned(), err)

	_, err = detect.Resume([]byte("garbage"), detect.DefaultConfig())
	fmt.Println(err) // log it: the series starts afresh
	// Output:
	// 1 <nil>
	// detect: corrupt detector state: not detector state (bad magic)
}

func ExampleSeverity() {
	for _, s := range []float64{0.3, 0.6, 0.8, 0.9, 0.97} {
		fmt.Println(s, detect.Severity(s))
	}
	// Output:
	// 0.3 none
	// 0.6 low
	// 0.8 medium
	// 0.9 high
	// 0.97 critical
}

func ExampleDescribe() {
	o := detect.Observation{
		Metric: "p95 latency",
		Time:   time.Date(2024, 3, 5, 14, 2, 0, 0, time.UTC),
		Value:  340,
		Point:  detect.Point{Expected: 100, Season: detect.SeasonWeekly},
	}
	fmt.Println(detect.Describe(o, "the error rate"))
	// Output: p95 latency is 3.4x its usual Tuesday 14:00 level, together with the error rate
}

func ExampleEnsemble() {
	// Training rows: request rate, error rate and latency, latency following
	// the rate.
	var rows [][]float64
	for i := 0; i < 1000; i++ {
		rate := 100 + float64(i%50)
		rows = append(rows, []float64{rate, 0.01 + 0.001*float64(i%7), 50 + 0.2*rate + float64(i%5)})
	}
	e, err := detect.FitEnsemble(rows, detect.EnsembleConfig{})
	if err != nil {
		panic(err)
	}
	names := []string{"request rate", "error rate", "latency"}
	contrib := make([]float64, 3)
	normal := e.Score(nil, []float64{120, 0.012, 76})
	incident := e.Score(contrib, []float64{120, 0.2, 160})
	fmt.Println(incident.Score > normal.Score)
	for _, j := range detect.Top(contrib, 2) {
		fmt.Println(names[j])
	}
	// Unordered output:
	// true
	// error rate
	// latency
}
