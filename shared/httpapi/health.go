package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/buildinfo"
)

// check is one dependency's result in /api/v1/health.
type check struct {
	Status    string  `json:"status"` // "ok" or "down"
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

type healthReport struct {
	Status  string           `json:"status"` // "ok" or "unavailable"
	Version string           `json:"version"`
	Checks  map[string]check `json:"checks"`
}

// health answers GET /api/v1/health: it checks the database and object
// storage concurrently, each within HealthTimeout, and answers 503 with a
// Retry-After when either is down.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	probes := map[string]func(context.Context) error{
		"database": s.store.Ping,
		"storage":  s.blob.Ping,
	}
	rep := healthReport{Status: "ok", Version: buildinfo.Version, Checks: map[string]check{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, probe := range probes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), s.healthT)
			defer cancel()
			start := time.Now()
			err := probe(ctx)
			c := check{Status: "ok", LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
			if err != nil {
				c.Status, c.Error = "down", aiops.ErrorMessage(err)
				s.log.WarnContext(r.Context(), "health check failed", "check", name, "err", err)
			}
			mu.Lock()
			rep.Checks[name] = c
			mu.Unlock()
		}()
	}
	wg.Wait()
	status := http.StatusOK
	for _, c := range rep.Checks {
		if c.Status != "ok" {
			rep.Status, status = "unavailable", http.StatusServiceUnavailable
			w.Header().Set("Retry-After", "5")
		}
	}
	writeJSON(w, status, rep)
	return nil
}
