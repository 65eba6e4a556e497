// Package runtimeapi implements the AWS Lambda Runtime API, version
// 2018-06-01, for one execution environment: the HTTP interface through
// which a bootstrap binary (aws-lambda-go's lambda.Start, or any custom
// runtime) asks for the next event and posts its response or error.
//
// Each Server serves exactly one runtime process, as each Lambda execution
// environment has its own endpoint in AWS_LAMBDA_RUNTIME_API. Status codes
// and error bodies follow the service: 202 for accepted responses and
// errors, 400 InvalidRequestID for an id that is not the invocation in
// flight, 403 InvalidStateTransition for a call the current state does not
// allow (a second response, /init/error after init), 413 for a response
// over the 6 MB limit. Reference: "Using the Lambda runtime API for custom
// runtimes" in the AWS Lambda developer guide, and the open-source Runtime
// Interface Emulator, whose status codes these mirror.
package runtimeapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// MaxPayloadSize is the largest response the runtime may post: Lambda's
// 6 MB synchronous limit, which the service enforces as 6 MiB + 100 bytes.
const MaxPayloadSize = 6*1024*1024 + 100

// Header names of the Runtime API.
const (
	HeaderRequestID       = "Lambda-Runtime-Aws-Request-Id"
	HeaderDeadlineMs      = "Lambda-Runtime-Deadline-Ms"
	HeaderFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	HeaderTraceID         = "Lambda-Runtime-Trace-Id"
	HeaderClientContext   = "Lambda-Runtime-Client-Context"
	HeaderCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	HeaderErrorType       = "Lambda-Runtime-Function-Error-Type"
	// HeaderErrorBody is a trailer aws-lambda-go sends (base64) when a
	// response fails while it is being written.
	HeaderErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// Invocation is one event for the runtime.
type Invocation struct {
	RequestID   string
	Payload     []byte
	Deadline    time.Time
	FunctionARN string
	TraceID     string
	// ClientContext and CognitoIdentity are JSON, sent only when set.
	ClientContext   string
	CognitoIdentity string
}

// Result is the outcome the runtime posted for an invocation.
type Result struct {
	// Payload is the response body, or the error body when Err is set.
	Payload []byte
	// Err is set when the runtime posted to /error, or its response was
	// rejected (too large, or failed mid-stream).
	Err *FunctionError
	// Delivered is when /next handed the event over; Done is when the
	// response or error arrived.
	Delivered, Done time.Time
}

// FunctionError is an error as Lambda reports it to the caller: the
// errorType and errorMessage of the JSON body {errorMessage, errorType,
// stackTrace}.
type FunctionError struct {
	Type    string
	Message string
	// Body is the JSON body as the runtime posted it (or as Lambda makes
	// it for errors the runtime did not report itself).
	Body []byte
}

func (e *FunctionError) Error() string {
	if e.Message == "" {
		return e.Type
	}
	return e.Type + ": " + e.Message
}

// NewFunctionError makes the JSON body Lambda uses for errors it raises
// itself (timeouts, crashes, oversized responses).
func NewFunctionError(typ, msg string) *FunctionError {
	body, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
	return &FunctionError{Type: typ, Message: msg, Body: body}
}

// parseFunctionError reads a posted error body. A body that is not the
// documented JSON is kept as it is, as Lambda does.
func parseFunctionError(typ string, body []byte) *FunctionError {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	_ = json.Unmarshal(body, &e) // not JSON: no message, the body kept as is
	if typ == "" {
		typ = e.ErrorType
	}
	if typ == "" {
		typ = "Unhandled"
	}
	return &FunctionError{Type: typ, Message: e.ErrorMessage, Body: body}
}

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("runtimeapi: server closed")

type call struct {
	inv       Invocation
	delivered time.Time
	answered  bool        // a response or error was posted
	done      chan Result // buffered 1; holds the result once finished
}

// Server is the Runtime API of one execution environment.
type Server struct {
	log *slog.Logger
	ln  net.Listener
	srv *http.Server

	pending chan *call // an event waiting for /next
	ready   chan struct{}
	initErr chan *FunctionError
	closed  chan struct{}

	mu        sync.Mutex
	readyOnce sync.Once
	current   *call // the invocation handed out by the last /next
	closeOnce sync.Once
}

// Listen starts a Server on a free port of 127.0.0.1.
func Listen(log *slog.Logger) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API: %w", err)
	}
	s := &Server{
		log:     log,
		ln:      ln,
		pending: make(chan *call, 1),
		ready:   make(chan struct{}),
		initErr: make(chan *FunctionError, 1),
		closed:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	const base = "/2018-06-01/runtime"
	mux.HandleFunc("GET "+base+"/invocation/next", s.next)
	mux.HandleFunc("POST "+base+"/invocation/{id}/response", s.response)
	mux.HandleFunc("POST "+base+"/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST "+base+"/init/error", s.initError)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("runtime API stopped", "err", err)
		}
	}()
	return s, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Ready is closed when the runtime first asks for an event: its init is
// over.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// InitError delivers the error the runtime posted to /init/error, if any.
func (s *Server) InitError() <-chan *FunctionError { return s.initErr }

// Invoke hands inv to the runtime's next /next and waits for its response
// or error. It returns ctx's error if ctx ends first; the caller then owns
// the runtime's fate (Lambda would kill it).
func (s *Server) Invoke(ctx context.Context, inv Invocation) (Result, error) {
	c := &call{inv: inv, done: make(chan Result, 1)}
	select {
	case s.pending <- c:
	case <-s.closed:
		return Result{}, ErrClosed
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case r := <-c.done:
		return r, nil
	case <-s.closed:
		return Result{}, ErrClosed
	case <-ctx.Done():
		// Take the event back if the runtime has not picked it up.
		select {
		case <-s.pending:
		default:
		}
		return Result{}, ctx.Err()
	}
}

// Delivered reports whether the runtime has picked up the invocation with
// this request id through /next.
func (s *Server) Delivered(requestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current != nil && s.current.inv.RequestID == requestID
}

// Answered reports whether the runtime has posted a response or error for
// the invocation with this request id. The result then reaches Invoke even
// if the runtime exits straight after, as aws-lambda-go does after a
// panic.
func (s *Server) Answered(requestID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current != nil && s.current.inv.RequestID == requestID && s.current.answered
}

// Close stops serving; blocked /next requests end with the connection.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		err = s.srv.Close()
	})
	return err
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.current != nil && !s.current.answered {
		id := s.current.inv.RequestID
		s.mu.Unlock()
		s.renderError(w, http.StatusForbidden, "InvalidStateTransition",
			fmt.Sprintf("State transition from Running to Ready failed: invocation %s has no response yet", id))
		return
	}
	s.mu.Unlock()
	s.readyOnce.Do(func() { close(s.ready) })

	var c *call
	select {
	case c = <-s.pending:
	case <-s.closed:
		return
	case <-r.Context().Done():
		return
	}
	now := time.Now()
	s.mu.Lock()
	c.delivered = now
	s.current = c
	s.mu.Unlock()

	h := w.Header()
	h.Set(HeaderRequestID, c.inv.RequestID)
	h.Set(HeaderDeadlineMs, strconv.FormatInt(c.inv.Deadline.UnixMilli(), 10))
	h.Set(HeaderFunctionARN, c.inv.FunctionARN)
	h.Set(HeaderTraceID, c.inv.TraceID)
	if c.inv.ClientContext != "" {
		h.Set(HeaderClientContext, c.inv.ClientContext)
	}
	if c.inv.CognitoIdentity != "" {
		h.Set(HeaderCognitoIdentity, c.inv.CognitoIdentity)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(c.inv.Payload)))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(c.inv.Payload); err != nil {
		s.log.Warn("runtime API: writing event", "request_id", c.inv.RequestID, "err", err)
	}
}

// claim checks that id names the invocation in flight and marks it
// answered, rendering AWS's error otherwise.
func (s *Server) claim(w http.ResponseWriter, id, transition string) *call {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.current
	if c == nil || c.answered {
		s.renderError(w, http.StatusForbidden, "InvalidStateTransition",
			fmt.Sprintf("State transition to %s failed: no invocation is awaiting a response", transition))
		return nil
	}
	if id != c.inv.RequestID {
		s.renderError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil
	}
	c.answered = true
	return c
}

func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	c := s.claim(w, r.PathValue("id"), "InvocationResponse")
	if c == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadSize+1))
	switch {
	case err != nil:
		c.finish(Result{Err: NewFunctionError("Runtime.ResponseReadError", "reading the response: "+err.Error())})
		s.renderError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	case len(body) > MaxPayloadSize:
		_, _ = io.Copy(io.Discard, r.Body)
		c.finish(Result{Err: NewFunctionError("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxPayloadSize))})
		s.renderError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxPayloadSize))
		return
	}
	// A response that failed while being written carries its error in
	// trailers (aws-lambda-go does this).
	if typ := r.Trailer.Get(HeaderErrorType); typ != "" {
		eb, err := base64.StdEncoding.DecodeString(r.Trailer.Get(HeaderErrorBody))
		if err != nil {
			eb = nil
		}
		c.finish(Result{Payload: eb, Err: parseFunctionError(typ, eb)})
	} else {
		c.finish(Result{Payload: body})
	}
	renderAccepted(w)
}

func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	c := s.claim(w, r.PathValue("id"), "InvocationErrorResponse")
	if c == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadSize))
	if err != nil {
		s.log.Warn("runtime API: reading error body", "err", err)
	}
	fe := parseFunctionError(r.Header.Get(HeaderErrorType), body)
	c.finish(Result{Payload: fe.Body, Err: fe})
	renderAccepted(w)
}

func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.ready:
		s.renderError(w, http.StatusForbidden, "InvalidStateTransition",
			"State transition from Ready to InitError failed: init is over")
		return
	default:
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxPayloadSize))
	if err != nil {
		s.log.Warn("runtime API: reading init error body", "err", err)
	}
	fe := parseFunctionError(r.Header.Get(HeaderErrorType), body)
	select {
	case s.initErr <- fe:
	default: // only the first init error counts
	}
	renderAccepted(w)
}

func (c *call) finish(r Result) {
	r.Delivered, r.Done = c.delivered, time.Now()
	c.done <- r
}

func renderAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`+"\n")
}

func (s *Server) renderError(w http.ResponseWriter, status int, typ, msg string) {
	s.log.Warn("runtime API: rejected call", "status", status, "error_type", typ, "message", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, typ})
}
