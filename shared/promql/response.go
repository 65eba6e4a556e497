package promql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// Result types Prometheus answers with (data.resultType).
const (
	TypeVector = "vector"
	TypeMatrix = "matrix"
	TypeScalar = "scalar"
	TypeString = "string"
)

// Result is a query's answer, normalised: an instant vector is a list of
// series of one point each, a scalar is one series without labels, and a
// matrix is what it is.
type Result struct {
	Type   string
	Series []Series
	// Warnings are the server's non-fatal remarks (e.g. a partial response).
	Warnings []string
}

// Series is one labelled series of a result. Labels include __name__ when
// the query kept it.
type Series struct {
	Labels map[string]string
	Points []aiops.Point
}

// Points counts the points over all series.
func (r *Result) Points() int {
	n := 0
	for _, s := range r.Series {
		n += len(s.Points)
	}
	return n
}

// Error is an error answer of the Prometheus HTTP API (status "error"), or
// an answer that was not the API's JSON at all (Type is then "").
type Error struct {
	StatusCode int    // HTTP status
	Type       string // errorType: bad_data, execution, timeout, canceled, internal, unavailable, not_found
	Message    string
}

func (e *Error) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("prometheus: HTTP %d: %s", e.StatusCode, e.Message)
	}
	return fmt.Sprintf("prometheus: %s (HTTP %d): %s", e.Type, e.StatusCode, e.Message)
}

// Rejected reports whether the server rejected the query itself (bad
// syntax, a failed evaluation): another query to the same server may well
// work, so it says nothing about the server's health.
func (e *Error) Rejected() bool {
	return e.Type == "bad_data" || e.Type == "execution"
}

// Accepted timestamps (unix seconds) are in the years 0001-9999, so a
// garbage number never becomes a time.Time that wraps around.
const (
	minTimestamp = -62135596800
	maxTimestamp = 253402300799
)

// envelope is the API's JSON answer; see
// https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview
type envelope struct {
	Status    string   `json:"status"`
	Data      *data    `json:"data"`
	ErrorType string   `json:"errorType"`
	Error     string   `json:"error"`
	Warnings  []string `json:"warnings"`
}

type data struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

type vectorSample struct {
	Metric    map[string]string `json:"metric"`
	Value     *pair             `json:"value"`
	Histogram json.RawMessage   `json:"histogram"`
}

type matrixSeries struct {
	Metric     map[string]string `json:"metric"`
	Values     []pair            `json:"values"`
	Histograms json.RawMessage   `json:"histograms"`
}

// pair is a [unix_seconds, "value"] sample.
type pair aiops.Point

func (p *pair) UnmarshalJSON(b []byte) error {
	// encoding/json has checked b is valid JSON before calling us, so a
	// hand split is safe and spares the two decodes per point that
	// dominate parsing a long range.
	s := bytes.TrimSpace(b)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return fmt.Errorf("sample %.40s is not a [time, value] pair", b)
	}
	tsRaw, valRaw, ok := bytes.Cut(s[1:len(s)-1], []byte(","))
	if !ok {
		return fmt.Errorf("sample %.40s is not a [time, value] pair", b)
	}
	tsRaw, valRaw = bytes.TrimSpace(tsRaw), bytes.TrimSpace(valRaw)
	ts, err := strconv.ParseFloat(string(tsRaw), 64)
	if err != nil || !(ts >= minTimestamp && ts <= maxTimestamp) {
		return fmt.Errorf("sample time %.40s is not a unix timestamp", tsRaw)
	}
	var str string
	if n := len(valRaw); n >= 2 && valRaw[0] == '"' && valRaw[n-1] == '"' && bytes.IndexAny(valRaw[1:n-1], "\\\"") < 0 {
		str = string(valRaw[1 : n-1])
	} else if err := json.Unmarshal(valRaw, &str); err != nil {
		// Not one string: a number, an escape-laden string followed by
		// more elements, anything else.
		return fmt.Errorf("sample value %.40s is not a string", valRaw)
	}
	// ParseFloat accepts the spellings Prometheus writes: NaN, +Inf, -Inf.
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return fmt.Errorf("sample value %q is not a number", str)
	}
	// Prometheus timestamps have millisecond precision.
	p.T = time.UnixMilli(int64(math.Round(ts * 1000))).UTC()
	p.V = v
	return nil
}

// Parse reads an answer of /api/v1/query or /api/v1/query_range given its
// HTTP status and body. An error answer is an *Error; a malformed one is an
// *Error too (Type ""), since for the caller both mean "this server did not
// give us data".
func Parse(statusCode int, body []byte) (*Result, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Status == "" {
		msg := "the answer is not Prometheus API JSON"
		if statusCode/100 != 2 {
			msg = snippet(body)
		} else if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &Error{StatusCode: statusCode, Message: msg}
	}
	if env.Status != "success" {
		msg := env.Error
		if msg == "" {
			msg = "status " + strconv.Quote(env.Status) + " without an error message"
		}
		return nil, &Error{StatusCode: statusCode, Type: env.ErrorType, Message: msg}
	}
	if statusCode/100 != 2 {
		return nil, &Error{StatusCode: statusCode, Message: "status success on a non-2xx answer"}
	}
	if env.Data == nil {
		return nil, malformed(statusCode, "no data")
	}
	res := &Result{Type: env.Data.ResultType, Warnings: env.Warnings}
	var err error
	switch env.Data.ResultType {
	case TypeVector:
		res.Series, err = parseVector(env.Data.Result)
	case TypeMatrix:
		res.Series, err = parseMatrix(env.Data.Result)
	case TypeScalar:
		var p pair
		if err = json.Unmarshal(env.Data.Result, &p); err == nil {
			res.Series = []Series{{Labels: map[string]string{}, Points: []aiops.Point{aiops.Point(p)}}}
		}
	case TypeString:
		err = fmt.Errorf("a string result is not a metric")
	default:
		err = fmt.Errorf("unknown resultType %q", env.Data.ResultType)
	}
	if err != nil {
		return nil, malformed(statusCode, err.Error())
	}
	return res, nil
}

func parseVector(raw json.RawMessage) ([]Series, error) {
	var samples []vectorSample
	if err := json.Unmarshal(raw, &samples); err != nil {
		return nil, fmt.Errorf("vector result: %w", err)
	}
	out := make([]Series, 0, len(samples))
	for i, s := range samples {
		if s.Value == nil {
			if len(s.Histogram) > 0 {
				return nil, fmt.Errorf("vector sample %d is a native histogram; query a quantile or a rate of it instead", i)
			}
			return nil, fmt.Errorf("vector sample %d has no value", i)
		}
		out = append(out, Series{Labels: nonNil(s.Metric), Points: []aiops.Point{aiops.Point(*s.Value)}})
	}
	return out, nil
}

func parseMatrix(raw json.RawMessage) ([]Series, error) {
	var series []matrixSeries
	if err := json.Unmarshal(raw, &series); err != nil {
		return nil, fmt.Errorf("matrix result: %w", err)
	}
	out := make([]Series, 0, len(series))
	for i, s := range series {
		if len(s.Values) == 0 && len(s.Histograms) > 0 {
			return nil, fmt.Errorf("matrix series %d holds native histograms; query a quantile or a rate of it instead", i)
		}
		pts := make([]aiops.Point, len(s.Values))
		for j, p := range s.Values {
			pts[j] = aiops.Point(p)
		}
		out = append(out, Series{Labels: nonNil(s.Metric), Points: pts})
	}
	return out, nil
}

func malformed(statusCode int, msg string) *Error {
	return &Error{StatusCode: statusCode, Message: "malformed answer: " + msg}
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// snippet quotes the start of a non-API body (an HTML error page from a
// proxy, say) for the error message.
func snippet(body []byte) string {
	const n = 200
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return "empty body"
	}
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	return strconv.Quote(string(b))
}
