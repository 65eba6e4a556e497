// Package httpapi is the dashboard API as an http.Handler. Handlers return
// errors and one function (writeError) turns them into statuses and JSON
// bodies, so every endpoint fails the same way and internal error text never
// reaches a client. It runs behind API Gateway through lambdahttp, and under
// any HTTP server in tests.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/buildinfo"
	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/postgres"
)

// Store is what the API needs from the database.
type Store interface {
	Ping(ctx context.Context) error
	CreateService(ctx context.Context, s *aiops.Service) error
	Service(ctx context.Context, name string) (*aiops.Service, error)
	Services(ctx context.Context, f aiops.ServiceFilter) ([]*aiops.Service, int, error)
	UpdateService(ctx context.Context, name string, u aiops.ServiceUpdate) (*aiops.Service, error)
	DeleteService(ctx context.Context, name string) error

	WriteSamples(ctx context.Context, batch []aiops.Samples, opt postgres.WriteOptions) (aiops.WriteResult, error)
	FindSeries(ctx context.Context, f postgres.SeriesFilter) ([]aiops.Series, error)
	SeriesByID(ctx context.Context, id int64) (aiops.Series, error)
	QueryRange(ctx context.Context, q postgres.RangeQuery) ([]postgres.Bucket, string, error)
	ServiceMetricAverages(ctx context.Context, service string, metrics []string, from, to time.Time) (map[string]float64, error)

	Anomalies(ctx context.Context, f aiops.AnomalyFilter) ([]aiops.Anomaly, error)
	Forecast(ctx context.Context, seriesID int64) (*aiops.ForecastModel, []aiops.ForecastPoint, error)
	Breaches(ctx context.Context, seriesID int64) ([]aiops.Breach, error)
	statsStore
}

// HealthThresholds are the warn,critical pairs of the health score.
type HealthThresholds struct {
	ErrorRate, LatencyP95, CPU config.Threshold
}

// Config wires a Server.
type Config struct {
	Store      Store
	Blob       blob.Store
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Gatherer is exposed at /api/v1/metrics/prometheus; nil serves an
	// empty exposition.
	Gatherer     prometheus.Gatherer
	Stage        string
	MaxBodyBytes int64
	// MetricsMaxBodyBytes bounds metric pushes (default 5 MiB).
	MetricsMaxBodyBytes int64
	// CreateServices registers unknown services named in a push.
	CreateServices bool
	Health         HealthThresholds
	// HealthTimeout bounds each dependency check of /api/v1/health.
	HealthTimeout time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Server serves the API.
type Server struct {
	store     Store
	blob      blob.Store
	log       *slog.Logger
	stage     string
	maxBody   int64
	healthT   time.Duration
	mux       *http.ServeMux
	routekeys []string // "GET /api/v1/health", for Routes
	now       func() time.Time

	metricsMaxBody   int64
	createServices   bool
	healthThresholds HealthThresholds
	gatherer         prometheus.Gatherer
	platform         *prometheus.Registry

	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	ingest       *prometheus.CounterVec
	ingestPoints *prometheus.CounterVec
}

// handlerFunc is an endpoint: it writes a response and returns nil, or
// returns an error for writeError to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// New returns a Server with every route registered.
func New(c Config) *Server {
	s := &Server{
		store:   c.Store,
		blob:    c.Blob,
		log:     c.Logger,
		stage:   c.Stage,
		maxBody: c.MaxBodyBytes,
		healthT: c.HealthTimeout,
		mux:     http.NewServeMux(),
		now:     c.Now,

		metricsMaxBody:   c.MetricsMaxBodyBytes,
		createServices:   c.CreateServices,
		healthThresholds: c.Health,
		gatherer:         c.Gatherer,
		ingest: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opsight_ingest_batches_total",
			Help: "Metric pushes by source (json, remote_write) and result (stored, rejected, failed).",
		}, []string{"source", "result"}),
		ingestPoints: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opsight_ingest_points_total",
			Help: "Points stored from pushes, by source.",
		}, []string{"source"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "opsight_api_requests_total",
			Help: "API requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "opsight_api_request_duration_seconds",
			Help:    "API request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = 1 << 20
	}
	if s.healthT <= 0 {
		s.healthT = 3 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metricsMaxBody <= 0 {
		s.metricsMaxBody = 5 << 20
	}
	if s.healthThresholds == (HealthThresholds{}) {
		s.healthThresholds = HealthThresholds{
			ErrorRate: config.Threshold{Warn: 0.01, Critical: 0.05}, LatencyP95: config.Threshold{Warn: 0.5, Critical: 2}, CPU: config.Threshold{Warn: 0.7, Critical: 0.95},
		}
	}
	if s.gatherer == nil {
		s.gatherer = prometheus.NewRegistry()
	}
	s.platform = prometheus.NewRegistry()
	if s.store != nil {
		s.platform.MustRegister(newPlatformStats(s.store, s.log))
	}
	if c.Registerer != nil {
		c.Registerer.MustRegister(s.requests, s.duration, s.ingest, s.ingestPoints)
	}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.handle("/api/v1/health", map[string]handlerFunc{"GET": s.health})
	s.handle("/api/v1/version", map[string]handlerFunc{"GET": s.version})
	s.handle("/api/v1/services", map[string]handlerFunc{"GET": s.listServices, "POST": s.createService})
	s.handle("/api/v1/services/{name}", map[string]handlerFunc{"GET": s.getService, "PATCH": s.updateService, "DELETE": s.deleteService})
	s.handle("/api/v1/services/{name}/health", map[string]handlerFunc{"GET": s.serviceHealth})
	s.handle("/api/v1/metrics", map[string]handlerFunc{"POST": s.pushMetrics})
	s.handle("/api/v1/write", map[string]handlerFunc{"POST": s.remoteWrite})
	s.handle("/api/v1/series", map[string]handlerFunc{"GET": s.listSeries})
	s.handle("/api/v1/query", map[string]handlerFunc{"GET": s.query})
	s.handle("/api/v1/metrics/prometheus", map[string]handlerFunc{"GET": s.exposition})
	s.handle("/api/v1/anomalies", map[string]handlerFunc{"GET": s.listAnomalies})
	s.handle("/api/v1/forecast", map[string]handlerFunc{"POST": s.forecastNow})
	s.handle("/api/v1/forecasts", map[string]handlerFunc{"GET": s.forecasts})
	s.mux.Handle("/", s.endpoint(func(w http.ResponseWriter, r *http.Request) error {
		return aiops.Errorf(aiops.ENOTFOUND, "no route for %s %s", r.Method, r.URL.Path)
	}))
}

// handle registers an endpoint's methods on one path. A request with another
// method gets 405 with an Allow header; HEAD is served wherever GET is.
func (s *Server) handle(pattern string, methods map[string]handlerFunc) {
	if get, ok := methods["GET"]; ok {
		methods["HEAD"] = get
	}
	allowed := make([]string, 0, len(methods))
	for m := range methods {
		allowed = append(allowed, m)
		if m != "HEAD" {
			s.routekeys = append(s.routekeys, m+" "+pattern)
		}
	}
	sort.Strings(allowed)
	allow := strings.Join(allowed, ", ")
	s.mux.Handle(pattern, s.endpoint(func(w http.ResponseWriter, r *http.Request) error {
		h, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", allow)
			return aiops.Errorf(aiops.EMETHOD, "method %s is not allowed on %s; allowed: %s", r.Method, pattern, allow)
		}
		return h(w, r)
	}))
}

// endpoint adapts a handlerFunc: it maps its error, recovers panics (a bug
// answers 500 instead of killing the Lambda instance) and records metrics.
func (s *Server) endpoint(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				writeError(sw, r, s.log, fmt.Errorf("panic: %v", p))
			}
			route := r.Pattern
			if route == "/" {
				route = "unmatched"
			}
			s.requests.WithLabelValues(route, fmt.Sprint(sw.status)).Inc()
			s.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
			s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path,
				"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		if err := h(sw, r); err != nil {
			writeError(sw, r, s.log, err)
		}
	})
}

// Routes lists the endpoints as API Gateway route keys ("GET /api/v1/health"),
// sorted. The template check compares them with template.yaml's HttpApi
// events: a route the template lacks is unreachable in AWS, and a template
// route the handler lacks answers 404.
func (s *Server) Routes() []string {
	r := append([]string(nil), s.routekeys...)
	sort.Strings(r)
	return r
}

// ServeHTTP implements http.Handler. Paths that are not clean (a/../b,
// double slashes) get the JSON 404 rather than ServeMux's HTML redirect:
// API clients follow links, not redirects to guessed paths.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || p[0] != '/' || path.Clean(p) != p {
		s.endpoint(func(w http.ResponseWriter, r *http.Request) error {
			return aiops.Errorf(aiops.ENOTFOUND, "no route for %s %q", r.Method, r.URL.Path)
		}).ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// version answers GET /api/v1/version.
func (s *Server) version(w http.ResponseWriter, r *http.Request) error {
	info := buildinfo.Get()
	writeJSON(w, http.StatusOK, struct {
		buildinfo.Info
		Stage string `json:"stage"`
	}{info, s.stage})
	return nil
}
