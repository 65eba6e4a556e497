// Package aiops holds Opsight's domain types (services, series, alerts,
// incidents, anomalies, forecasts) and the coded error type every layer uses
// to say what went wrong in terms a user can act on.
package aiops

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in httpapi; the set is small on
// purpose so the mapping stays obvious.
const (
	EINVALID      = "invalid"      // the request is malformed or fails validation
	ENOTFOUND     = "not_found"    // the named thing does not exist
	ECONFLICT     = "conflict"     // the request clashes with existing state (duplicate name)
	ETOOLARGE     = "too_large"    // the request body exceeds the limit
	EUNAVAILABLE  = "unavailable"  // a dependency (database, storage) is down; retry later
	EINTERNAL     = "internal"     // a bug or unexpected failure; details are logged, not shown
	EMETHOD       = "method"       // the path exists but not with this method
	EUNAUTHORIZED = "unauthorized" // the caller is not who it claims (bad signature or token)
)

// Error is an error whose Message is safe to show to a user. Field names the
// offending input (a JSON field path, a CSV column) when there is one.
// RetryAfter suggests when an EUNAVAILABLE request may succeed.
type Error struct {
	Code       string
	Message    string
	Field      string
	RetryAfter time.Duration
	// Err is the underlying cause, for logs and errors.Is; never shown to users.
	Err error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return fmt.Sprintf("opsight %s: %s", e.Code, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Unavailable wraps a dependency failure so callers answer 503 with a retry
// hint, keeping the cause for the logs.
func Unavailable(what string, err error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: what + " is unavailable, retry shortly", RetryAfter: 5 * time.Second, Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err: the *Error's Message, or
// a generic text for anything else so internal details never leak.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
