// Package gateway is a local Amazon API Gateway HTTP API with Lambda proxy
// integrations (payload format 2.0), plus the static site CloudFront serves
// beside it. It turns each HTTP request into the
// events.APIGatewayV2HTTPRequest that API Gateway would send for the
// matching route of the SAM template, and the function's response back into
// HTTP, including API Gateway's own answers when there is no route, the
// body is too large or the function fails.
//
// Reference: "Working with AWS Lambda proxy integrations for HTTP APIs" and
// "Working with routes for HTTP APIs" in the API Gateway developer guide.
package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/opsight/opsight/infra/localrt/runtimeapi"
	"github.com/opsight/opsight/infra/samtemplate"
)

// Limits API Gateway applies to HTTP APIs.
const (
	MaxBodySize = 10 * 1024 * 1024
	// IntegrationTimeout is HTTP API's (maximum) integration timeout.
	IntegrationTimeout = 30 * time.Second
)

// InvokeFunc runs a function synchronously. A function error is a
// *runtimeapi.FunctionError.
type InvokeFunc func(ctx context.Context, function string, payload []byte) ([]byte, error)

// Config configures a Gateway.
type Config struct {
	Routes []samtemplate.Route
	Invoke InvokeFunc
	// StaticDir is served for paths outside the API (see Gateway); empty
	// serves nothing there.
	StaticDir string
	Logger    *slog.Logger
	Now       func() time.Time
	AccountID string
	// APIID appears in requestContext.apiId; default "local".
	APIID string
	// IntegrationTimeout caps every route's (TimeoutInMillis); it defaults
	// to the package constant.
	IntegrationTimeout time.Duration
}

// Gateway is an http.Handler. Requests whose path is under /api/ or
// /webhooks/, or that match a route of the template, go to the API; all
// others are static files, with index.html for unknown paths (a single-page
// application), as the CloudFront distribution in front of both does.
type Gateway struct {
	cfg    Config
	routes []*route
	dflt   *route // the $default route, if any
}

type route struct {
	samtemplate.Route
	segs []string // path segments
}

// New checks the routes (no two with the same key) and returns a Gateway.
func New(cfg Config) (*Gateway, error) {
	if cfg.Invoke == nil {
		return nil, errors.New("gateway: Config.Invoke is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.APIID == "" {
		cfg.APIID = "local"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.IntegrationTimeout <= 0 {
		cfg.IntegrationTimeout = IntegrationTimeout
	}
	g := &Gateway{cfg: cfg}
	seen := map[string]string{}
	for _, r := range cfg.Routes {
		if prev, dup := seen[r.Key()]; dup {
			return nil, fmt.Errorf("gateway: route %q is defined by both %s and %s", r.Key(), prev, r.Function+"."+r.Event)
		}
		seen[r.Key()] = r.Function + "." + r.Event
		if r.PayloadFormatVersion != "" && r.PayloadFormatVersion != "2.0" {
			return nil, fmt.Errorf("gateway: route %q (%s.%s) uses payload format %s; only 2.0 is served locally",
				r.Key(), r.Function, r.Event, r.PayloadFormatVersion)
		}
		if r.Path == samtemplate.DefaultRoute {
			g.dflt = &route{Route: r}
			continue
		}
		g.routes = append(g.routes, &route{Route: r, segs: splitPath(r.Path)})
	}
	return g, nil
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the most specific route for method and the escaped path:
// literal segments beat {param} which beats {proxy+}, compared left to
// right, and a route's own method beats ANY. allowed lists the methods of
// routes whose path matches, for a 405.
func (g *Gateway) match(method, escaped string) (best *route, params map[string]string, allowed []string) {
	segs := splitPath(escaped)
	var bestScore []int
	methods := map[string]bool{}
	for _, r := range g.routes {
		score, ps, ok := r.matchPath(segs)
		if !ok {
			continue
		}
		methods[r.Method] = true
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		score = append(score, methodScore(r.Method, method))
		if best == nil || compareScores(score, bestScore) > 0 {
			best, params, bestScore = r, ps, score
		}
	}
	if best == nil {
		for m := range methods {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
	}
	return best, params, allowed
}

func methodScore(routeMethod, method string) int {
	if routeMethod == method {
		return 1
	}
	return 0
}

// matchPath matches request segments against the route's, returning a
// specificity score per segment (2 literal, 1 parameter, 0 greedy) and the
// decoded path parameters.
func (r *route) matchPath(segs []string) ([]int, map[string]string, bool) {
	var score []int
	params := map[string]string{}
	for i, rs := range r.segs {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(rs, "{"), "+}"); ok && strings.HasPrefix(rs, "{") {
			rest := segs[min(i, len(segs)):]
			if len(rest) == 0 || (len(rest) == 1 && rest[0] == "") {
				return nil, nil, false // greedy needs at least one segment
			}
			v, err := url.PathUnescape(strings.Join(rest, "/"))
			if err != nil {
				return nil, nil, false
			}
			params[name] = v
			return append(score, 0), params, true
		}
		if i >= len(segs) {
			return nil, nil, false
		}
		if strings.HasPrefix(rs, "{") {
			v, err := url.PathUnescape(segs[i])
			if segs[i] == "" || err != nil {
				return nil, nil, false
			}
			params[rs[1:len(rs)-1]] = v
			score = append(score, 1)
			continue
		}
		if v, err := url.PathUnescape(segs[i]); err != nil || v != rs {
			return nil, nil, false
		}
		score = append(score, 2)
	}
	if len(segs) != len(r.segs) {
		return nil, nil, false
	}
	return score, params, true
}

func compareScores(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}

// isAPI reports whether the path belongs to API Gateway rather than the
// static site.
func (g *Gateway) isAPI(escaped string) bool {
	if strings.HasPrefix(escaped, "/api/") || escaped == "/api" ||
		strings.HasPrefix(escaped, "/webhooks/") || escaped == "/webhooks" {
		return true
	}
	segs := splitPath(escaped)
	for _, r := range g.routes {
		if _, _, ok := r.matchPath(segs); ok {
			return true
		}
	}
	return false
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	escaped := req.URL.EscapedPath()
	if !g.isAPI(escaped) {
		g.serveStatic(w, req)
		return
	}
	rt, params, allowed := g.match(req.Method, escaped)
	if rt == nil && g.dflt != nil {
		rt, params = g.dflt, nil
	}
	if rt == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s is not allowed on %s; allowed: %s", req.Method, req.URL.Path, strings.Join(allowed, ", ")))
			return
		}
		writeError(w, http.StatusNotFound, "not_found", fmt.Sprintf("no route for %s %s", req.Method, req.URL.Path))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, MaxBodySize))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	reqID := newRequestID()
	w.Header().Set("Apigw-Requestid", reqID)
	ev := g.event(req, body, rt, params, reqID)
	payload, err := marshal(ev)
	if err != nil {
		g.cfg.Logger.Error("gateway: encoding event", "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	timeout := g.cfg.IntegrationTimeout
	if rt.Timeout > 0 && rt.Timeout < timeout {
		timeout = rt.Timeout
	}
	ctx, cancel := context.WithTimeout(req.Context(), timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := g.cfg.Invoke(context.WithoutCancel(ctx), rt.Function, payload)
		done <- result{out, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-ctx.Done():
		// The function runs on, as in AWS; the client hears API
		// Gateway's answer to a slow integration.
		g.cfg.Logger.Warn("gateway: integration timed out", "route", rt.Key(), "after", timeout)
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	if res.err != nil {
		var fe *runtimeapi.FunctionError
		if errors.As(res.err, &fe) && fe.Type == "RequestEntityTooLargeException" {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		// HTTP APIs answer a failed invocation (an error, a timeout, a
		// crash) with 500 {"message":"Internal Server Error"}; 502 is
		// what REST APIs send.
		g.cfg.Logger.Warn("gateway: function failed", "route", rt.Key(), "function", rt.Function, "err", res.err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := g.writeResponse(w, req, res.out); err != nil {
		g.cfg.Logger.Warn("gateway: malformed function response", "route", rt.Key(), "function", rt.Function, "err", err)
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// marshal encodes like API Gateway: no HTML escaping of &, < and >.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// writeError is the project's JSON error shape for requests no route takes.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// writeMessage is API Gateway's own error shape, {"message": "..."}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// serveStatic serves StaticDir, falling back to index.html for paths that
// are not files, as the SPA's CloudFront error response does.
func (g *Gateway) serveStatic(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", req.Method+" is not allowed on static files")
		return
	}
	if g.cfg.StaticDir == "" {
		writeError(w, http.StatusNotFound, "not_found", "no static site configured for "+req.URL.Path)
		return
	}
	name := filepath.Join(g.cfg.StaticDir, filepath.FromSlash(path.Clean("/"+req.URL.Path)))
	if fi, err := os.Stat(name); err != nil || fi.IsDir() {
		name = filepath.Join(g.cfg.StaticDir, "index.html")
	}
	f, err := os.Open(name)
	if err != nil {
		writeError(w, http.StatusNotFound, "not_found", "no file for "+req.URL.Path)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		writeError(w, http.StatusNotFound, "not_found", "no file for "+req.URL.Path)
		return
	}
	http.ServeContent(w, req, fi.Name(), fi.ModTime(), f)
}

// newRequestID looks like API Gateway's (e.g. "LV7fzho-PHcEJPw=").
func newRequestID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// clientIP is the peer's address without the port.
func clientIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// serverPort is the port the request came in on, for x-forwarded-port.
func serverPort(req *http.Request) string {
	if a, ok := req.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			return p
		}
	}
	return "80"
}
