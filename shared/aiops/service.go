package aiops

import (
	"regexp"
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

var (
	serviceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	labelNameRE   = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,62}$`)
)

// ServiceUpdate is a partial update (PATCH). Nil fields are left alone.
// Labels follow JSON merge patch (RFC 7386): a key with a nil value is
// removed, any other key is set.
type ServiceUpdate struct {
	Type      *string
	Labels    map[string]*string
	OwnerTeam *string
	Status    *string
}

// ServiceFilter selects services in a listing. Empty fields match everything.
type ServiceFilter struct {
	Type      string
	OwnerTeam string
	Status    string
	Limit     int
	Offset    int
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
	if !serviceNameRE.MatchString(s.Name) {
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
		if !labelNameRE.MatchString(k) {
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
