// Package promql talks to Prometheus: a small client of its HTTP query API
// (/api/v1/query and /api/v1/query_range) and the PromQL templates of
// Opsight's standard service metrics.
//
// The client is our own rather than client_golang's api/prometheus/v1: the
// collector needs exactly two calls, answers normalised to aiops points, and
// one question answered about every failure — did the server reject this
// query, or is the server unwell? (Error.Rejected, Unavailable). That is a
// few dozen lines here and a translation layer over prometheus/common/model
// there.
package promql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxPointsPerSeries is Prometheus' limit on the points one query_range
// series may have (start, end and step must respect it).
const MaxPointsPerSeries = 11000

// DefaultMaxBodyBytes bounds an answer's size unless Client.MaxBodyBytes
// says otherwise: far above a day of minutes for a few series, far below
// what would hurt a 256 MB function.
const DefaultMaxBodyBytes = 32 << 20

// Client queries one Prometheus server. It is safe for concurrent use.
type Client struct {
	base string // scheme://host[:port][/path], without a trailing slash
	http *http.Client
	// MaxBodyBytes caps the size of an answer; larger ones are an error.
	MaxBodyBytes int64
}

// NewClient returns a client of the server at baseURL (e.g.
// http://prometheus:9090, or a path prefix behind a proxy). hc nil means
// http.DefaultClient; timeouts come from the contexts of the calls.
func NewClient(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("prometheus URL %q: want http(s)://host[:port][/path]", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("prometheus URL %q: must not have a query or fragment", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), http: hc, MaxBodyBytes: DefaultMaxBodyBytes}, nil
}

// Query evaluates query at the instant t (/api/v1/query).
func (c *Client) Query(ctx context.Context, query string, t time.Time) (*Result, error) {
	form := url.Values{"query": {query}, "time": {formatTime(t)}}
	return c.do(ctx, "/api/v1/query", form)
}

// QueryRange evaluates query at every step from start to end inclusive
// (/api/v1/query_range). The caller keeps (end-start)/step below
// MaxPointsPerSeries; the server rejects larger ranges.
func (c *Client) QueryRange(ctx context.Context, query string, start, end time.Time, step time.Duration) (*Result, error) {
	if step <= 0 {
		panic("promql: QueryRange with a non-positive step")
	}
	form := url.Values{
		"query": {query},
		"start": {formatTime(start)},
		"end":   {formatTime(end)},
		"step":  {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)},
	}
	return c.do(ctx, "/api/v1/query_range", form)
}

// do POSTs the form: long queries never hit URL length limits, and
// Prometheus treats POST and GET alike on these endpoints.
func (c *Client) do(ctx context.Context, path string, form url.Values) (*Result, error) {
	// The server stops evaluating at our deadline too, instead of working on
	// for an answer nobody reads.
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl); left > 0 {
			form.Set("timeout", strconv.FormatFloat(left.Seconds(), 'f', 3, 64))
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: %w", c.base, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error repeats the method and URL; the base URL says enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("prometheus %s: %w", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("prometheus %s: read answer: %w", c.base, err)
	}
	if int64(len(body)) > c.MaxBodyBytes {
		return nil, &Error{StatusCode: resp.StatusCode, Message: fmt.Sprintf("answer larger than %d bytes", c.MaxBodyBytes)}
	}
	return Parse(resp.StatusCode, body)
}

// Unavailable reports whether err says the server could not answer —
// unreachable, timed out, overloaded, not a Prometheus API — as opposed to
// rejecting one query. Only these failures count against a target's circuit
// breaker.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return !e.Rejected()
	}
	return true
}

// formatTime writes t as unix seconds with millisecond precision, the
// resolution of Prometheus timestamps.
func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}
