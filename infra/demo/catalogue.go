package demo

import (
	"github.com/opsight/opsight/shared/aiops"
)

const mib = 1 << 20

// profile is one demo service: its registry entry and the model its metrics
// follow. Traffic is requests (queries, jobs) per second; a service with
// feeds takes its traffic from other services instead of its own curve.
type profile struct {
	name, typ, team string
	labels          map[string]string
	metrics         []string // the standard metrics it reports, in display order

	// Own traffic curve: the weekday peak at the origin, the UTC hour of the
	// daily peak and its width (hours), the night floor as a share of the
	// peak, weekend traffic relative to weekdays and growth per day.
	peakRate, peakHour, peakWidth, nightFloor, weekend, growth float64
	feeds                                                      []feed
	rateNoise                                                  float64 // σ of the log-normal traffic noise

	errBase float64 // error ratio on a quiet day

	lat50    float64 // median latency with no load, seconds
	r95, r99 float64 // p95/p50 and p99/p95

	// Capacity: replicas scale on traffic (a horizontal autoscaler aiming at
	// perPod requests per second each, which is also what latency's load
	// is measured against); CPU is utilisation of the cores allowed.
	perPod           float64
	minPods, maxPods int
	coresPerPod      float64
	cpuPerReq        float64 // core-seconds per request
	cpuIdle          float64 // utilisation with no traffic
	memPerPod        float64 // bytes resident per replica at rest
	memPerReq        float64 // bytes per (request/s) per replica: buffers, caches
	gcSaw            float64 // garbage-collector sawtooth, share of memory

	// Why incidents happen here, for their descriptions.
	slowCause, errorCause, deploy string
}

// feed is traffic received from another service: perReq requests here for
// each request there.
type feed struct {
	from   string
	perReq float64
}

var (
	apiMetrics = []string{aiops.MetricRequestRate, aiops.MetricErrorRate, aiops.MetricLatencyP50, aiops.MetricLatencyP95,
		aiops.MetricLatencyP99, aiops.MetricCPU, aiops.MetricMemory, aiops.MetricRestarts, aiops.MetricPods}
	// A worker's latency is a job's duration; its median says little.
	workerMetrics = []string{aiops.MetricRequestRate, aiops.MetricErrorRate, aiops.MetricLatencyP95, aiops.MetricLatencyP99,
		aiops.MetricCPU, aiops.MetricMemory, aiops.MetricRestarts, aiops.MetricPods}
	// A database primary is one machine: no replicas to count or restart,
	// and failed statements are the clients' business.
	databaseMetrics = []string{aiops.MetricRequestRate, aiops.MetricLatencyP50, aiops.MetricLatencyP95, aiops.MetricLatencyP99,
		aiops.MetricCPU, aiops.MetricMemory}
	// Camunda reports job executions, failed jobs and job duration (p95).
	engineMetrics = []string{aiops.MetricRequestRate, aiops.MetricErrorRate, aiops.MetricLatencyP95,
		aiops.MetricCPU, aiops.MetricMemory, aiops.MetricRestarts, aiops.MetricPods}
)

// catalogue is the demo's services, in dependency order (a service's feeds
// come before it). The numbers are of the size a mid-sized web shop sees.
var catalogue = []*profile{
	{
		name: "checkout-api", typ: "api", team: "commerce",
		labels:   map[string]string{"env": "demo", "tier": "frontend", "language": "go", "region": "eu-west-1"},
		metrics:  apiMetrics,
		peakRate: 120, peakHour: 13.5, peakWidth: 3.5, nightFloor: 0.15, weekend: 0.7, growth: 0.005, rateNoise: 0.06,
		errBase: 0.003, lat50: 0.045, r95: 3.2, r99: 2,
		perPod: 40, minPods: 3, maxPods: 8, coresPerPod: 1, cpuPerReq: 0.012, cpuIdle: 0.05,
		memPerPod: 320 * mib, memPerReq: 1 * mib, gcSaw: 0.03,
		slowCause: "slow responses from payments-api", errorCause: "a bad feature flag rejecting carts", deploy: "checkout-api v2.14.0 (price rules evaluated per line item)",
	},
	{
		name: "payments-api", typ: "api", team: "payments",
		labels:   map[string]string{"env": "demo", "tier": "backend", "language": "java", "region": "eu-west-1", "pci": "true"},
		metrics:  apiMetrics,
		peakRate: 35, peakHour: 14, peakWidth: 3.5, nightFloor: 0.12, weekend: 0.75, growth: 0.004, rateNoise: 0.08,
		errBase: 0.002, lat50: 0.12, r95: 2.8, r99: 2.2,
		perPod: 15, minPods: 2, maxPods: 6, coresPerPod: 2, cpuPerReq: 0.05, cpuIdle: 0.08,
		memPerPod: 1100 * mib, memPerReq: 4 * mib, gcSaw: 0.08,
		slowCause: "the card processor's 3-D Secure endpoint answering slowly", errorCause: "an expired client certificate for the card processor", deploy: "payments-api v5.3.0 (TLS session cache disabled)",
	},
	{
		name: "search", typ: "api", team: "discovery",
		labels:   map[string]string{"env": "demo", "tier": "backend", "language": "go", "region": "eu-west-1", "index": "products"},
		metrics:  apiMetrics,
		peakRate: 220, peakHour: 19.5, peakWidth: 4, nightFloor: 0.1, weekend: 0.8, growth: 0.006, rateNoise: 0.05,
		errBase: 0.001, lat50: 0.03, r95: 4, r99: 2.5,
		perPod: 80, minPods: 3, maxPods: 10, coresPerPod: 2, cpuPerReq: 0.008, cpuIdle: 0.05,
		memPerPod: 900 * mib, memPerReq: 0.5 * mib, gcSaw: 0.02,
		slowCause: "an index merge saturating disk I/O", errorCause: "a shard left unassigned after a node restart", deploy: "search v9.1.0 (fuzzy matching on every query)",
	},
	{
		name: "orders-worker", typ: "worker", team: "commerce",
		labels:  map[string]string{"env": "demo", "queue": "orders", "language": "go", "region": "eu-west-1"},
		metrics: workerMetrics,
		feeds:   []feed{{"checkout-api", 0.06}}, rateNoise: 0.1,
		errBase: 0.004, lat50: 0.8, r95: 2.5, r99: 1.8,
		perPod: 4, minPods: 2, maxPods: 4, coresPerPod: 0.5, cpuPerReq: 0.04, cpuIdle: 0.04,
		memPerPod: 256 * mib, memPerReq: 8 * mib, gcSaw: 0.03,
		slowCause: "the warehouse API timing out", errorCause: "a schema change the order events no longer match", deploy: "orders-worker v1.8.0 (an order's lines fetched one at a time)",
	},
	{
		name: "postgres-primary", typ: "database", team: "platform",
		labels:  map[string]string{"env": "demo", "engine": "postgresql", "version": "15", "role": "primary", "region": "eu-west-1"},
		metrics: databaseMetrics,
		feeds:   []feed{{"checkout-api", 6}, {"payments-api", 4}, {"search", 0.5}, {"orders-worker", 10}}, rateNoise: 0.04,
		lat50: 0.0015, r95: 4, r99: 3,
		perPod: 1500, minPods: 1, maxPods: 1, coresPerPod: 8, cpuPerReq: 0.0025, cpuIdle: 0.06,
		memPerPod: 9.5 * 1024 * mib, memPerReq: 2 * mib, gcSaw: 0,
		slowCause: "lock contention on the orders table", deploy: "a migration that dropped an index on orders.customer_id",
	},
	{
		name: "camunda-engine", typ: "process-engine", team: "automation",
		labels:  map[string]string{"env": "demo", "engine": "camunda7", "version": "7.21", "region": "eu-west-1"},
		metrics: engineMetrics,
		feeds:   []feed{{"payments-api", 0.8}, {"orders-worker", 2}}, rateNoise: 0.07,
		errBase: 0.006, lat50: 0.25, r95: 3, r99: 2,
		perPod: 30, minPods: 2, maxPods: 3, coresPerPod: 2, cpuPerReq: 0.03, cpuIdle: 0.06,
		memPerPod: 1500 * mib, memPerReq: 6 * mib, gcSaw: 0.1,
		slowCause: "an external task worker polling too rarely", errorCause: "the fraud-check service rejecting its credentials", deploy: "process model order-fulfilment v12 (history level full)",
	},
}

// service returns the registry entry of p.
func (p *profile) service() *aiops.Service {
	labels := make(map[string]string, len(p.labels))
	for k, v := range p.labels {
		labels[k] = v
	}
	return &aiops.Service{Name: p.name, Type: p.typ, OwnerTeam: p.team, Labels: labels}
}

func (p *profile) has(metric string) bool {
	for _, m := range p.metrics {
		if m == metric {
			return true
		}
	}
	return false
}

// Services returns the registry entries of the demo's services.
func Services() []*aiops.Service {
	out := make([]*aiops.Service, len(catalogue))
	for i, p := range catalogue {
		out[i] = p.service()
	}
	return out
}
