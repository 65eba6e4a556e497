package aiops

import (
	"net/url"
	"sort"
	"strings"
	"time"
)

// Service is one entry of the service registry: something that emits
// metrics, alerts or failures and that incidents and anomalies are filed
// against.
type Service struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Labels    map[string]string `json:"labels"`
	OwnerTeam string            `json:"owner_team"`
	Status    string            `json:"status"`
	// Prometheus, when set, is where the collector pulls the service's
	// standard metrics from; nil for services that push.
	Prometheus *PrometheusSource `json:"prometheus,omitempty"`
	// LastSeen is when data last arrived for the service (nil: never).
	LastSeen  *time.Time `json:"last_seen"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Service types. The set is closed so dashboards and default metric queries
// can rely on it; "other" covers the rest.
var ServiceTypes = []string{"api", "web", "worker", "database", "queue", "cache", "pipeline", "process-engine", "batch", "other"}

// Service statuses: the registry's lifecycle, not health (health is computed
// from metrics).
var ServiceStatuses = []string{"active", "maintenance", "retired"}

const (
	maxLabels        = 64
	maxLabelValueLen = 256
	maxTeamLen       = 128
)

// PrometheusSource says where and how to query a service's metrics.
type PrometheusSource struct {
	// URL is the Prometheus server's base URL (http or https).
	URL string `json:"url"`
	// Selector holds the label matchers that pick the service's series,
	// e.g. job="checkout",namespace="prod".
	Selector string `json:"selector"`
	// Queries overrides the default PromQL template of a standard metric.
	Queries map[string]string `json:"queries,omitempty"`
}

// Validate checks the source's shape; PromQL itself is checked by the
// collector, which knows the templates.
func (p *PrometheusSource) Validate(field string) error {
	u, err := url.Parse(p.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Code: EINVALID, Field: field + ".url", Message: "prometheus.url must be an http(s) URL of the Prometheus server"}
	}
	if len(p.Selector) > 1024 {
		return &Error{Code: EINVALID, Field: field + ".selector", Message: "prometheus.selector is longer than 1024 characters"}
	}
	for m, q := range p.Queries {
		if !isStandardMetric(m) {
			return &Error{Code: EINVALID, Field: field + ".queries." + m, Message: "prometheus.queries may only override the standard metrics: " + strings.Join(StandardMetrics, ", ")}
		}
		if strings.TrimSpace(q) == "" || len(q) > 4096 {
			return &Error{Code: EINVALID, Field: field + ".queries." + m, Message: "a query override must be 1-4096 characters"}
		}
	}
	return nil
}

func isStandardMetric(m string) bool {
	for _, s := range StandardMetrics {
		if s == m {
			return true
		}
	}
	return false
}

// ServiceUpdate is a partial update (PATCH). Nil fields are left alone.
// Labels follow JSON merge patch (RFC 7386): a key with a nil value is
// removed, any other key is set. Prometheus replaces the source; with
// ClearPrometheus the source is removed.
type ServiceUpdate struct {
	Type            *string
	Labels          map[string]*string
	OwnerTeam       *string
	Status          *string
	Prometheus      *PrometheusSource
	ClearPrometheus bool
}

// ServiceFilter selects services in a listing. Empty fields match everything.
type ServiceFilter struct {
	Type      string
	OwnerTeam string
	Status    string
	// HasPrometheus keeps only services with a Prometheus source.
	HasPrometheus bool
	Limit         int
	Offset        int
}

// ApplyDefaults fills the fields a client may omit when registering.
func (s *Service) ApplyDefaults() {
	if s.Type == "" {
		s.Type = "api"
	}
	if s.Status == "" {
		s.Status = "active"
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
}

// Validate reports the first invalid field as an EINVALID *Error naming it.
func (s *Service) Validate() error {
	if !ValidServiceName(s.Name) {
		return &Error{Code: EINVALID, Field: "name", Message: "name must be 1-63 characters of lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"}
	}
	if err := validateEnum("type", s.Type, ServiceTypes); err != nil {
		return err
	}
	if err := validateEnum("status", s.Status, ServiceStatuses); err != nil {
		return err
	}
	if len(s.OwnerTeam) > maxTeamLen {
		return &Error{Code: EINVALID, Field: "owner_team", Message: "owner_team is longer than 128 characters"}
	}
	if s.Prometheus != nil {
		if err := s.Prometheus.Validate("prometheus"); err != nil {
			return err
		}
	}
	return ValidateLabels("labels", s.Labels)
}

// Apply merges u into s and validates the result.
func (s *Service) Apply(u ServiceUpdate) error {
	if u.Type != nil {
		s.Type = *u.Type
	}
	if u.OwnerTeam != nil {
		s.OwnerTeam = *u.OwnerTeam
	}
	if u.Status != nil {
		s.Status = *u.Status
	}
	if u.Prometheus != nil {
		s.Prometheus = u.Prometheus
	}
	if u.ClearPrometheus {
		s.Prometheus = nil
	}
	if len(u.Labels) > 0 && s.Labels == nil {
		s.Labels = map[string]string{}
	}
	for k, v := range u.Labels {
		if v == nil {
			delete(s.Labels, k)
		} else {
			s.Labels[k] = *v
		}
	}
	return s.Validate()
}

// ValidateLabels checks label names (Prometheus syntax), value lengths and
// count; field is the JSON path reported in errors.
func ValidateLabels(field string, labels map[string]string) error {
	if len(labels) > maxLabels {
		return &Error{Code: EINVALID, Field: field, Message: field + " has more than 64 entries"}
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report the same label every time
	for _, k := range keys {
		if !ValidLabelName(k) {
			return &Error{Code: EINVALID, Field: field + "." + k, Message: "label name " + quote(k) + " must match [a-zA-Z_][a-zA-Z0-9_]*"}
		}
		if len(labels[k]) > maxLabelValueLen {
			return &Error{Code: EINVALID, Field: field + "." + k, Message: "label " + k + " is longer than 256 characters"}
		}
	}
	return nil
}

func validateEnum(field, v string, allowed []string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return &Error{Code: EINVALID, Field: field, Message: field + " must be one of " + strings.Join(allowed, ", ") + "; got " + quote(v)}
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}
