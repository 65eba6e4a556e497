package collect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// BenchmarkRun100Targets is one scheduled run over 100 targets (900
// instant queries) against an in-process Prometheus API on loopback: the
// collector's own cost per run, without a real server's query time.
func BenchmarkRun100Targets(b *testing.B) {
	t := &testing.T{}
	prom := newFakeProm(t, minuteValue)
	defer prom.Close()
	var services []*aiops.Service
	for i := range 100 {
		services = append(services, service(fmt.Sprintf("svc-%03d", i), prom.URL, nil))
	}
	store := newMemStore(services...)
	c := New(Config{}, store, discard, nil)
	at := t0
	b.ReportAllocs()
	for b.Loop() {
		sum, err := c.Run(context.Background(), at)
		if err != nil || sum.OK != 100 {
			b.Fatalf("%+v, %v", sum, err)
		}
		at = at.Add(time.Minute)
	}
}
