// Package config turns the process environment into a typed, validated
// Config. Functions call Load once at cold start and fail their init when it
// errors, so a misconfigured deployment fails loudly at the first invocation
// instead of half-working.
//
// Vars is the single list of variables: the README's configuration table and
// the template test (every variable read here must be set in template.yaml)
// are both checked against it.
package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Var documents one environment variable.
type Var struct {
	Name    string
	Default string
	Doc     string
	// InTemplate is true when template.yaml must set the variable for the
	// deployed functions (false for variables Lambda itself provides or that
	// only make sense locally).
	InTemplate bool
}

// Vars lists every variable Load reads.
var Vars = []Var{
	{"STAGE", "local", "Deployment stage name; shown by /api/v1/version and used in resource names.", true},
	{"DATABASE_URL", "", "PostgreSQL connection URL (postgres://user:pass@host:5432/db?sslmode=...). Locally `make run` sets it; in AWS use DATABASE_SECRET_ARN instead.", false},
	{"DATABASE_SECRET_ARN", "", "ARN of a Secrets Manager secret in the RDS JSON format (host, port, username, password, dbname), read once at cold start when DATABASE_URL is empty.", true},
	{"DB_MAX_CONNS", "4", "Maximum connections in each function's pool (keep it small in Lambda: one invocation runs at a time).", true},
	{"DB_CONNECT_TIMEOUT", "5s", "Timeout for establishing a database connection.", true},
	{"BLOB_URL", "file:///tmp/opsight/blob", "Object storage for raw payloads, logs and models: s3://bucket/prefix or file:///absolute/path. S3 honours AWS_ENDPOINT_URL_S3 (LocalStack, MinIO, versitygw).", true},
	{"MAX_BODY_BYTES", "1048576", "Largest accepted API request body, in bytes (larger ones get 413).", true},
	{"METRICS_MAX_BODY_BYTES", "5242880", "Largest accepted metrics push (JSON batch or remote_write), in bytes; Lambda's 6 MB invocation limit bounds it in AWS.", true},
	{"METRICS_CREATE_SERVICES", "false", "Register unknown services named in a metrics push instead of answering 404.", true},
	{"METRICS_RETENTION_DAYS", "30", "Days of raw points kept; whole day partitions older than this are dropped.", true},
	{"ROLLUP_RETENTION_DAYS", "400", "Days of hourly rollups kept; 5-minute rollups are kept a quarter as long, never less than raw points (rollups outlive raw points for long-range charts).", true},
	{"COLLECTOR_CONCURRENCY", "8", "Targets (services with a Prometheus source) the collector queries at once.", true},
	{"COLLECTOR_STEP", "1m", "Spacing of collected points; keep it equal to the collector's schedule rate.", true},
	{"COLLECTOR_RATE_WINDOW", "5m", "Range of rate() and increase() in the PromQL templates ({{.Window}}); at least four scrape intervals.", true},
	{"COLLECTOR_REQUEST_TIMEOUT", "10s", "Timeout of each request to a Prometheus server.", true},
	{"COLLECTOR_MAX_CATCH_UP", "24h", "How far back the collector fills missed minutes after an outage.", true},
	{"COLLECTOR_MAX_SERIES", "50", "A metric query returning more series than this is refused (aggregate it).", true},
	{"COLLECTOR_BREAKER_THRESHOLD", "3", "Consecutive failures that open a Prometheus target's circuit.", true},
	{"COLLECTOR_BREAKER_COOLDOWN", "5m", "How long an open circuit skips its target before one trial request.", true},
	{"HEALTH_ERROR_RATE", "0.01,0.05", "Error-rate thresholds of the health score, warn,critical (fractions of requests).", true},
	{"HEALTH_LATENCY_P95", "0.5,2", "p95 latency thresholds of the health score, warn,critical (seconds).", true},
	{"FORECAST_HORIZON_HOURS", "48", "How far ahead the hourly forecast job forecasts each series, in hours.", true},
	{"FORECAST_HISTORY_DAYS", "42", "Days of hourly history each forecast model is fitted on.", true},
	{"FORECAST_REFIT_HOURS", "6", "A series' model is refitted when it is older than this many hours.", true},
	{"FORECAST_MAX_SERIES", "500", "Most series the forecast job refits in one run (oldest models first).", true},
	{"CAPACITY_THRESHOLDS", "cpu>0.85,memory_utilization>0.9,disk_usage>0.9", "Capacity thresholds the forecasts are checked against: metric>value or metric<value, comma-separated.", true},
	{"HEALTH_CPU", "0.7,0.95", "CPU utilisation thresholds of the health score, warn,critical (fraction of the limit).", true},
}

// Config is the validated configuration shared by every function.
type Config struct {
	Stage             string
	DatabaseURL       string
	DatabaseSecretARN string
	DBMaxConns        int32
	DBConnectTimeout  time.Duration
	BlobURL           *url.URL
	MaxBodyBytes      int64

	MetricsMaxBodyBytes   int64
	MetricsCreateServices bool
	MetricsRetentionDays  int
	RollupRetentionDays   int
	// Health thresholds: Warn is where a part starts losing points,
	// Critical where it has none left.
	HealthErrorRate  Threshold
	HealthLatencyP95 Threshold
	HealthCPU        Threshold

	Collector Collector

	ForecastHorizonHours int
	ForecastHistoryDays  int
	ForecastRefitHours   int
	ForecastMaxSeries    int
	CapacityThresholds   []CapacityThreshold
}

// Collector configures the Prometheus pull collector.
type Collector struct {
	Concurrency      int
	Step             time.Duration
	RateWindow       time.Duration
	RequestTimeout   time.Duration
	MaxCatchUp       time.Duration
	MaxSeries        int
	BreakerThreshold int
	BreakerCooldown  time.Duration
}

// CapacityThreshold is a level a metric must not cross: Above is true for
// "metric>value" (CPU above 85%), false for "metric<value" (free memory
// below 1 GB).
type CapacityThreshold struct {
	Metric string
	Above  bool
	Value  float64
}

// Threshold is a warn,critical pair with Warn < Critical.
type Threshold struct{ Warn, Critical float64 }

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests). It reports every invalid variable at once, not only the first.
func Load(getenv func(string) string) (*Config, error) {
	r := reader{getenv: getenv}
	c := &Config{
		Stage:             r.str("STAGE"),
		DatabaseURL:       r.str("DATABASE_URL"),
		DatabaseSecretARN: r.str("DATABASE_SECRET_ARN"),
		DBMaxConns:        int32(r.intRange("DB_MAX_CONNS", 1, 1000)),
		DBConnectTimeout:  r.duration("DB_CONNECT_TIMEOUT"),
		MaxBodyBytes:      int64(r.intRange("MAX_BODY_BYTES", 1024, 1<<30)),

		MetricsMaxBodyBytes:   int64(r.intRange("METRICS_MAX_BODY_BYTES", 1024, 1<<30)),
		MetricsCreateServices: r.boolean("METRICS_CREATE_SERVICES"),
		MetricsRetentionDays:  r.intRange("METRICS_RETENTION_DAYS", 1, 36500),
		RollupRetentionDays:   r.intRange("ROLLUP_RETENTION_DAYS", 1, 36500),
		HealthErrorRate:       r.threshold("HEALTH_ERROR_RATE"),
		HealthLatencyP95:      r.threshold("HEALTH_LATENCY_P95"),
		HealthCPU:             r.threshold("HEALTH_CPU"),

		Collector: Collector{
			Concurrency:      r.intRange("COLLECTOR_CONCURRENCY", 1, 256),
			Step:             r.durationRange("COLLECTOR_STEP", time.Second, time.Hour),
			RateWindow:       r.durationRange("COLLECTOR_RATE_WINDOW", time.Second, 24*time.Hour),
			RequestTimeout:   r.durationRange("COLLECTOR_REQUEST_TIMEOUT", 100*time.Millisecond, 5*time.Minute),
			MaxCatchUp:       r.durationRange("COLLECTOR_MAX_CATCH_UP", time.Minute, 31*24*time.Hour),
			MaxSeries:        r.intRange("COLLECTOR_MAX_SERIES", 1, 10000),
			BreakerThreshold: r.intRange("COLLECTOR_BREAKER_THRESHOLD", 1, 1000),
			BreakerCooldown:  r.durationRange("COLLECTOR_BREAKER_COOLDOWN", time.Second, 24*time.Hour),
		},

		ForecastHorizonHours: r.intRange("FORECAST_HORIZON_HOURS", 1, 24*90),
		ForecastHistoryDays:  r.intRange("FORECAST_HISTORY_DAYS", 2, 3650),
		ForecastRefitHours:   r.intRange("FORECAST_REFIT_HOURS", 1, 24*30),
		ForecastMaxSeries:    r.intRange("FORECAST_MAX_SERIES", 1, 100000),
		CapacityThresholds:   r.capacity("CAPACITY_THRESHOLDS"),
	}
	c.BlobURL = r.blobURL("BLOB_URL")
	if c.DatabaseURL == "" && c.DatabaseSecretARN == "" {
		r.fail("DATABASE_URL", "set DATABASE_URL or DATABASE_SECRET_ARN")
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			r.fail("DATABASE_URL", "want a postgres:// URL")
		}
	}
	if c.DatabaseSecretARN != "" && !strings.HasPrefix(c.DatabaseSecretARN, "arn:") {
		r.fail("DATABASE_SECRET_ARN", "want a Secrets Manager ARN (arn:aws:secretsmanager:...)")
	}
	if err := errors.Join(r.errs...); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name, why string) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", name, why))
}

func (r *reader) str(name string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	panic("config: variable not declared in Vars: " + name)
}

func (r *reader) intRange(name string, lo, hi int) int {
	s := r.str(name)
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("want an integer from %d to %d, got %q", lo, hi, s))
		return lo
	}
	return n
}

func (r *reader) boolean(name string) bool {
	s := r.str(name)
	b, err := strconv.ParseBool(s)
	if err != nil {
		r.fail(name, fmt.Sprintf("want true or false, got %q", s))
	}
	return b
}

func (r *reader) threshold(name string) Threshold {
	s := r.str(name)
	w, c, ok := strings.Cut(s, ",")
	warn, err1 := strconv.ParseFloat(strings.TrimSpace(w), 64)
	crit, err2 := strconv.ParseFloat(strings.TrimSpace(c), 64)
	if !ok || err1 != nil || err2 != nil || !(warn >= 0 && warn < crit) {
		r.fail(name, fmt.Sprintf("want warn,critical with 0 <= warn < critical, got %q", s))
		return Threshold{0, 1}
	}
	return Threshold{warn, crit}
}

func (r *reader) capacity(name string) []CapacityThreshold {
	s := r.str(name)
	var out []CapacityThreshold
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.IndexAny(part, "<>")
		if i <= 0 {
			r.fail(name, fmt.Sprintf("want metric>value or metric<value, got %q", part))
			return nil
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(part[i+1:]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			r.fail(name, fmt.Sprintf("%q: the threshold is not a number", part))
			return nil
		}
		out = append(out, CapacityThreshold{Metric: strings.TrimSpace(part[:i]), Above: part[i] == '>', Value: v})
	}
	return out
}

func (r *reader) durationRange(name string, lo, hi time.Duration) time.Duration {
	s := r.str(name)
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		r.fail(name, fmt.Sprintf("want a duration from %v to %v, got %q", lo, hi, s))
		return lo
	}
	return d
}

func (r *reader) duration(name string) time.Duration {
	s := r.str(name)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Sprintf("want a positive duration like 5s, got %q", s))
		return time.Second
	}
	return d
}

func (r *reader) blobURL(name string) *url.URL {
	s := r.str(name)
	u, err := url.Parse(s)
	switch {
	case err != nil:
		r.fail(name, fmt.Sprintf("not a URL: %q", s))
		return nil
	case u.Scheme == "s3" && u.Host != "":
		return u
	case u.Scheme == "file" && strings.HasPrefix(u.Path, "/"):
		return u
	default:
		r.fail(name, fmt.Sprintf("want s3://bucket/prefix or file:///absolute/path, got %q", s))
		return nil
	}
}
