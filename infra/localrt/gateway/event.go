package gateway

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// httpEvent is the payload format 2.0 request as API Gateway sends it. It
// has the fields of events.APIGatewayV2HTTPRequest, but leaves out what
// API Gateway leaves out (authentication without mTLS, authorizer without
// one), which that type cannot.
type httpEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        requestContext    `json:"requestContext"`
	Body                  string            `json:"body,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type requestContext struct {
	AccountID    string      `json:"accountId"`
	APIID        string      `json:"apiId"`
	DomainName   string      `json:"domainName"`
	DomainPrefix string      `json:"domainPrefix"`
	HTTP         httpContext `json:"http"`
	RequestID    string      `json:"requestId"`
	RouteKey     string      `json:"routeKey"`
	Stage        string      `json:"stage"`
	Time         string      `json:"time"`
	TimeEpoch    int64       `json:"timeEpoch"`
}

type httpContext struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// event builds what API Gateway sends the route's function for req.
func (g *Gateway) event(req *http.Request, body []byte, rt *route, params map[string]string, reqID string) httpEvent {
	now := g.cfg.Now()
	ip := clientIP(req.RemoteAddr)
	headers := map[string]string{}
	var cookies []string
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lk] = strings.Join(vs, ",")
	}
	headers["host"] = req.Host
	if len(body) > 0 || req.ContentLength == 0 && req.Header.Get("Content-Length") != "" {
		headers["content-length"] = fmt.Sprint(len(body))
	}
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + ip
	} else {
		headers["x-forwarded-for"] = ip
	}
	headers["x-forwarded-port"] = serverPort(req)
	headers["x-forwarded-proto"] = "http"
	if req.TLS != nil {
		headers["x-forwarded-proto"] = "https"
	}
	if headers["x-amzn-trace-id"] == "" {
		headers["x-amzn-trace-id"] = fmt.Sprintf("Root=1-%08x-%s", now.Unix(), randomHex(12))
	}

	host := req.Host
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	prefix, _, _ := strings.Cut(host, ".")
	ev := httpEvent{
		Version:               "2.0",
		RouteKey:              rt.Key(),
		RawPath:               req.URL.EscapedPath(),
		RawQueryString:        req.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: queryParameters(req.URL.RawQuery),
		PathParameters:        params,
		RequestContext: requestContext{
			AccountID:    g.cfg.AccountID,
			APIID:        g.cfg.APIID,
			DomainName:   host,
			DomainPrefix: prefix,
			HTTP: httpContext{
				Method:    req.Method,
				Path:      req.URL.EscapedPath(),
				Protocol:  req.Proto,
				SourceIP:  ip,
				UserAgent: req.UserAgent(),
			},
			RequestID: reqID,
			RouteKey:  rt.Key(),
			Stage:     "$default",
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
		},
	}
	if len(ev.PathParameters) == 0 {
		ev.PathParameters = nil
	}
	if len(body) > 0 {
		if isText(req.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// queryParameters decodes a raw query as API Gateway does: repeated names
// comma-joined, nil when there is no query.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(raw, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, v = queryUnescape(k), queryUnescape(v)
		if old, ok := out[k]; ok {
			out[k] = old + "," + v
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// isText reports whether API Gateway passes a body of this content type as
// text; everything else (form posts and missing types included, as captured
// events show) arrives base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript":
		return true
	}
	return false
}

// response is the format 2.0 structured response.
type response struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

// writeResponse turns a function's output into the HTTP response. Output
// that is JSON but not an object with statusCode is, as API Gateway infers
// for format 2.0, a 200 application/json body.
func (g *Gateway) writeResponse(w http.ResponseWriter, req *http.Request, out []byte) error {
	trimmed := bytes.TrimSpace(out)
	if !json.Valid(trimmed) {
		return fmt.Errorf("the function's response is not JSON: %.80q", out)
	}
	var probe map[string]json.RawMessage
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &probe) != nil || probe["statusCode"] == nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(out)
		return nil
	}
	var resp response
	if err := json.Unmarshal(trimmed, &resp); err != nil {
		return fmt.Errorf("the function's response does not fit the 2.0 format: %v", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return fmt.Errorf("statusCode %d is not an HTTP status", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return fmt.Errorf("isBase64Encoded, but the body is not base64: %v", err)
		}
	}
	if len(resp.MultiValueHeaders) > 0 {
		g.cfg.Logger.Warn("gateway: payload format 2.0 has no multiValueHeaders; API Gateway ignores them (join values with commas in headers)",
			"path", req.URL.Path)
	}
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
