package collect

import (
	"time"

	"github.com/opsight/opsight/shared/collect/breaker"
)

// Summary is what a run did: the collect-prometheus function's answer and
// the line it logs.
type Summary struct {
	Time               time.Time `json:"time"` // the collected minute
	Targets            int       `json:"targets"`
	OK                 int       `json:"ok"`
	Failed             int       `json:"failed"`
	SkippedOpenCircuit int       `json:"skipped_open_circuit"`
	Canceled           int       `json:"canceled"`  // not reached before the invocation's deadline
	Points             int       `json:"points"`    // stored
	Empty              int       `json:"empty"`     // metrics whose query returned no data
	CaughtUp           int       `json:"caught_up"` // targets whose missed minutes were filled
	// Failures lists every target that failed, was skipped or ran out of time.
	Failures []Failure `json:"failures,omitempty"`
	// QueryErrors lists the metrics that could not be collected from a
	// target that otherwise answered (bad template, rejected query).
	QueryErrors []QueryError `json:"query_errors,omitempty"`
}

// Failure is one target's failure.
type Failure struct {
	Service string         `json:"service"`
	Outcome string         `json:"outcome"` // failed, skipped_open_circuit or canceled
	Error   string         `json:"error"`
	Circuit breaker.Status `json:"circuit"` // after this run
}

// QueryError is one metric of one target that could not be collected.
type QueryError struct {
	Service string `json:"service"`
	Metric  string `json:"metric"`
	Kind    string `json:"kind"` // template, query (rejected by Prometheus) or answer (not storable)
	Error   string `json:"error"`
}

func (c *Collector) summarize(at time.Time, results []targetResult) *Summary {
	s := &Summary{Time: at, Targets: len(results)}
	for _, r := range results {
		switch r.outcome {
		case outcomeOK:
			s.OK++
		case outcomeFailed:
			s.Failed++
		case outcomeSkipped:
			s.SkippedOpenCircuit++
		case outcomeCanceled:
			s.Canceled++
		}
		if r.err != nil {
			s.Failures = append(s.Failures, Failure{Service: r.service, Outcome: r.outcome, Error: r.err.Error(), Circuit: r.state.Breaker.Status(at, c.cfg.Breaker)})
		}
		if r.outcome == outcomeOK && r.caughtUp {
			s.CaughtUp++
		}
		s.Points += r.points
		s.Empty += r.empty
		s.QueryErrors = append(s.QueryErrors, r.queryErrors...)
	}
	return s
}
