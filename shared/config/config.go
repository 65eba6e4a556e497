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
}

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
