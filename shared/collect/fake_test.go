package collect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

// fakeProm is a Prometheus query API whose answers come from value: a
// query's value at a time, or ok false for no data. It counts requests.
type fakeProm struct {
	*httptest.Server
	value func(query string, t time.Time) (v float64, ok bool)
	// reject, when it returns a message, answers 400 bad_data.
	reject func(query string) string

	mu      sync.Mutex
	instant int
	ranges  int
	points  int // points answered by query_range
}

func newFakeProm(t *testing.T, value func(string, time.Time) (float64, bool)) *fakeProm {
	f := &fakeProm{value: value, reject: func(string) string { return "" }}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeProm) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	q := r.PostForm.Get("query")
	if msg := f.reject(q); msg != "" {
		w.WriteHeader(400)
		json.NewEncoder(w).Encode(map[string]string{"status": "error", "errorType": "bad_data", "error": msg})
		return
	}
	sec := func(k string) time.Time {
		v, _ := strconv.ParseFloat(r.PostForm.Get(k), 64)
		return time.UnixMilli(int64(v * 1000)).UTC()
	}
	type sample struct {
		Metric map[string]string `json:"metric"`
		Value  []any             `json:"value,omitempty"`
		Values [][]any           `json:"values,omitempty"`
	}
	pair := func(t time.Time, v float64) []any {
		return []any{float64(t.UnixMilli()) / 1000, strconv.FormatFloat(v, 'f', -1, 64)}
	}
	var data map[string]any
	switch r.URL.Path {
	case "/api/v1/query":
		f.count(&f.instant, 0)
		at := sec("time")
		result := []sample{}
		if v, ok := f.value(q, at); ok {
			result = append(result, sample{Metric: map[string]string{}, Value: pair(at, v)})
		}
		data = map[string]any{"resultType": "vector", "result": result}
	case "/api/v1/query_range":
		start, end := sec("start"), sec("end")
		step, _ := strconv.ParseFloat(r.PostForm.Get("step"), 64)
		s := sample{Metric: map[string]string{}, Values: [][]any{}}
		for t := start; !t.After(end); t = t.Add(time.Duration(step * float64(time.Second))) {
			if v, ok := f.value(q, t); ok {
				s.Values = append(s.Values, pair(t, v))
			}
		}
		if n := len(s.Values); n > 11000 {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries (%d)"}`, n)
			return
		}
		f.count(&f.ranges, len(s.Values))
		result := []sample{}
		if len(s.Values) > 0 {
			result = append(result, s)
		}
		data = map[string]any{"resultType": "matrix", "result": result}
	default:
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": data})
}

func (f *fakeProm) count(n *int, points int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*n++
	f.points += points
}

func (f *fakeProm) counts() (instant, ranges, points int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.instant, f.ranges, f.points
}

// memStore is the collector's store in memory.
type memStore struct {
	mu       sync.Mutex
	services []*aiops.Service
	states   map[string]postgres.CollectorState
	points   map[string]map[time.Time]float64 // "service/metric" -> points
	writeErr error
}

func newMemStore(services ...*aiops.Service) *memStore {
	return &memStore{services: services, states: map[string]postgres.CollectorState{}, points: map[string]map[time.Time]float64{}}
}

func (m *memStore) Services(ctx context.Context, f aiops.ServiceFilter) ([]*aiops.Service, int, error) {
	var out []*aiops.Service
	for _, s := range m.services {
		if !f.HasPrometheus || s.Prometheus != nil {
			out = append(out, s)
		}
	}
	total := len(out)
	out = out[min(f.Offset, len(out)):]
	return out[:min(f.Limit, len(out))], total, nil
}

func (m *memStore) WriteSamples(ctx context.Context, batch []aiops.Samples, opt postgres.WriteOptions) (aiops.WriteResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.writeErr != nil {
		return aiops.WriteResult{}, m.writeErr
	}
	if err := aiops.ValidateSamples(batch, time.Now()); err != nil {
		return aiops.WriteResult{}, err
	}
	var res aiops.WriteResult
	for _, s := range batch {
		k := s.Service + "/" + s.Metric
		if m.points[k] == nil {
			m.points[k] = map[time.Time]float64{}
		}
		for _, p := range s.Points {
			m.points[k][p.T] = p.V
			res.Points++
		}
	}
	return res, nil
}

func (m *memStore) CollectorStates(ctx context.Context) (map[string]postgres.CollectorState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]postgres.CollectorState{}
	for k, v := range m.states {
		out[k] = v
	}
	return out, nil
}

func (m *memStore) SaveCollectorState(ctx context.Context, st postgres.CollectorState) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.states[st.Service]; ok && old.LastCollected.After(st.LastCollected) {
		st.LastCollected = old.LastCollected
	}
	m.states[st.Service] = st
	return nil
}

func (m *memStore) series(service, metric string) map[time.Time]float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.points[service+"/"+metric]
}

var errDatabaseDown = errors.New("database down")

func stateAt(service, url string, last time.Time) postgres.CollectorState {
	return postgres.CollectorState{Service: service, SourceURL: url, LastCollected: last}
}
