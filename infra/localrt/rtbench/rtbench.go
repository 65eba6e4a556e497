// Package rtbench measures the local runtime the way the project reports
// it: the cold-start init duration of a function (process start to its
// first /next, as Lambda's Init Duration) and the latency of requests
// through the gateway. Both the go test benchmarks and `opsight bench`
// harnesses use it, so the figures mean the same wherever they come from.
package rtbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/localrt/runtimeapi"
)

// Summary describes a sample of durations.
type Summary struct {
	N                       int
	Min, P50, P90, P99, Max time.Duration
	Mean                    time.Duration
}

// Summarize computes nearest-rank percentiles: the p-th percentile is the
// smallest value with at least p% of the sample at or below it. The zero
// Summary describes an empty sample.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	rank := func(p float64) time.Duration {
		k := int(math.Ceil(p/100*float64(len(s)))) - 1
		return s[max(k, 0)]
	}
	return Summary{
		N: len(s), Min: s[0], Max: s[len(s)-1],
		P50: rank(50), P90: rank(90), P99: rank(99),
		Mean: sum / time.Duration(len(s)),
	}
}

func (s Summary) String() string {
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	return fmt.Sprintf("n=%d min=%.2fms p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms mean=%.2fms",
		s.N, ms(s.Min), ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max), ms(s.Mean))
}

// ColdStarts invokes the function n times, each time on a fresh instance,
// and returns the init durations. A function error does not spoil a
// sample (init is over before the event is handled); an init failure does.
func ColdStarts(ctx context.Context, rt *localrt.Runtime, fn string, payload []byte, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := 0; i < n; i++ {
		rt.Reclaim(fn)
		_, rep, err := rt.Invoke(ctx, fn, payload)
		var fe *runtimeapi.FunctionError
		if err != nil && !errors.As(err, &fe) {
			return out, err
		}
		if rep.Status != "" || !rep.Cold() {
			return out, fmt.Errorf("%s: cold start %d: status %q, error %v", fn, i, rep.Status, err)
		}
		out = append(out, rep.InitDuration)
	}
	return out, nil
}

// Latency sends warmup and then n requests one after another to url and
// returns the n round-trip times, measured by the client from sending the
// request to reading the whole body. A status outside 2xx is an error.
func Latency(ctx context.Context, client *http.Client, method, url string, warmup, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := 0; i < warmup+n; i++ {
		req, err := http.NewRequestWithContext(ctx, method, url, nil)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return out, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(start)
		if err != nil {
			return out, err
		}
		if resp.StatusCode/100 != 2 {
			return out, fmt.Errorf("%s %s: status %d", method, url, resp.StatusCode)
		}
		if i >= warmup {
			out = append(out, d)
		}
	}
	return out, nil
}
