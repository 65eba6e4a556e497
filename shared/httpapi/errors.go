package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/opsight/opsight/shared/aiops"
)

// statusOf is the one error-to-status mapping of the API.
func statusOf(code string) int {
	switch code {
	case aiops.EINVALID:
		return http.StatusBadRequest
	case aiops.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case aiops.ENOTFOUND:
		return http.StatusNotFound
	case aiops.EMETHOD:
		return http.StatusMethodNotAllowed
	case aiops.ECONFLICT:
		return http.StatusConflict
	case aiops.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case aiops.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// writeError answers with err's status and user-safe message. Internal
// errors are logged with their cause and answered with a generic message.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := aiops.ErrorCode(err)
	var body errorBody
	body.Error.Code = code
	body.Error.Message = aiops.ErrorMessage(err)
	var e *aiops.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
		}
	}
	status := statusOf(code)
	if status >= 500 {
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeJSON reads one JSON value from the body into dst, rejecting unknown
// fields, trailing data and bodies over limit with errors that name the
// problem and, where there is one, the field.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return aiops.Errorf(aiops.EINVALID, "Content-Type must be application/json, got %q", ct)
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err, limit)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return jsonError(err, limit)
		}
		return aiops.Errorf(aiops.EINVALID, "request body must hold a single JSON value")
	}
	return nil
}

func jsonError(err error, limit int64) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return aiops.Errorf(aiops.ETOOLARGE, "request body is larger than %d bytes", limit)
	case errors.Is(err, io.EOF):
		return aiops.Errorf(aiops.EINVALID, "request body is empty; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return aiops.Errorf(aiops.EINVALID, "request body is truncated JSON")
	case errors.As(err, &syn):
		return aiops.Errorf(aiops.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return aiops.Errorf(aiops.EINVALID, "request body must be %s, not %s", jsonKind(typ.Type.String()), typ.Value)
		}
		return &aiops.Error{Code: aiops.EINVALID, Field: field, Message: fmt.Sprintf("field %q must be %s, not %s", field, jsonKind(typ.Type.String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &aiops.Error{Code: aiops.EINVALID, Field: name, Message: fmt.Sprintf("unknown field %q", name)}
	default:
		return aiops.Errorf(aiops.EINVALID, "invalid JSON: %v", err)
	}
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(goType string) string {
	switch {
	case goType == "string", goType == "*string":
		return "a string"
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "struct"):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "bool":
		return "a boolean"
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	default:
		return "a " + goType
	}
}

func errorsAs(err error, target **aiops.Error) bool { return errors.As(err, target) }
