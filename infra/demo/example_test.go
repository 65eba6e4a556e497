package demo_test

import (
	"fmt"
	"time"

	"github.com/opsight/opsight/infra/demo"
)

// The incidents of a backfill are known before a single point is written:
// they are a function of the seed and the origin.
func ExampleGenerator_Incidents() {
	origin := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	g := demo.NewGenerator(1, origin, 14)
	for _, in := range g.Incidents(origin, origin.Add(14*24*time.Hour)) {
		fmt.Printf("%-5s %s %-16s %-13s %v\n", in.ID, in.Start.Format("Mon 02 15:04"), in.Service, in.Kind, in.Metrics)
	}
	// Output:
	// e0-0  Tue 10 12:00 camunda-engine   level_shift   [cpu]
	// e0-1  Wed 11 01:02 payments-api     memory_leak   [memory restarts]
	// e0-2  Thu 12 16:45 search           latency_spike [latency_p95 latency_p50 latency_p99]
	// e0-3  Fri 13 13:49 checkout-api     error_burst   [error_rate latency_p95 latency_p50 latency_p99]
	// e0-4  Sat 14 09:13 orders-worker    latency_spike [latency_p95 latency_p99]
	// e0-5  Sun 15 07:08 checkout-api     memory_leak   [memory restarts]
	// e0-6  Mon 16 12:48 postgres-primary level_shift   [cpu]
	// e0-7  Tue 17 18:41 camunda-engine   error_burst   [error_rate latency_p95]
	// e0-8  Wed 18 13:20 orders-worker    level_shift   [cpu]
	// e0-9  Thu 19 11:07 search           error_burst   [error_rate latency_p95 latency_p50 latency_p99]
	// e0-10 Fri 20 17:46 payments-api     latency_spike [latency_p95 latency_p50 latency_p99]
	// e0-11 Sat 21 08:00 search           memory_leak   [memory restarts]
	// e0-12 Sun 22 20:08 postgres-primary latency_spike [latency_p95 latency_p50 latency_p99]
}
