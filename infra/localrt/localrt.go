// Package localrt runs the functions of a SAM template on this machine the
// way AWS Lambda runs them: each function's real bootstrap binary, as its
// own process, under an implementation of the Lambda Runtime API
// (runtimeapi), with Lambda's environment, timeouts, instance reuse and
// REPORT lines. On top of it sit an API Gateway (HTTP API, payload 2.0)
// for the template's routes (gateway) and an EventBridge scheduler for its
// schedules (schedule).
//
// It exists because SAM CLI, LocalStack and the official emulator cannot be
// installed here; it aims to be faithful enough that a function that works
// under it works in Lambda.
package localrt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opsight/opsight/infra/localrt/gateway"
	"github.com/opsight/opsight/infra/localrt/runtimeapi"
	"github.com/opsight/opsight/infra/samtemplate"
)

// Limits Lambda applies.
const (
	// MaxRequestPayload is Lambda's limit on a synchronous invocation's
	// event.
	MaxRequestPayload = 6 * 1024 * 1024
	// InitTimeout bounds the init phase (process start to first /next).
	InitTimeout = 10 * time.Second
)

// Config configures a Runtime. Paths are relative to the working directory.
type Config struct {
	Template *samtemplate.Template
	// Dir is the Go module root where Build runs `go build`; default ".".
	Dir string
	// SourceDir holds one main package per function, named by
	// samtemplate.FunctionDir; default "functions" (relative to Dir).
	SourceDir string
	// BinDir receives <dir>/bootstrap for each function; default
	// ".local/bin".
	BinDir string
	// LDFlags are passed to the linker by Build, e.g. "-s -w -X ..." to
	// strip and stamp the binaries as the deployed ones are.
	LDFlags string
	// Env overrides the template's environment variables.
	Env Overrides
	// StaticDir is served at / by the gateway (the dashboard); optional.
	StaticDir string
	// Logger receives the runtime's own diagnostics; default discards.
	Logger *slog.Logger
	// Output receives Lambda's log lines (START, END, REPORT and the
	// functions' output, prefixed with their names); default os.Stderr.
	Output io.Writer
	// MaxInstances bounds the concurrent instances of each function;
	// default 4. Requests beyond it wait for a free instance.
	MaxInstances int
	// Timeout, when set, replaces every function's template Timeout.
	Timeout time.Duration
	// Region and AccountID appear in ARNs and events; defaults us-east-1
	// and 123456789012.
	Region    string
	AccountID string
	// Now and After are the scheduler's clock (and Now stamps events);
	// default time.Now and time.After.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// OnReport, when set, is called with every invocation's report.
	OnReport func(Report)
}

// Runtime runs a template's functions.
type Runtime struct {
	cfg  Config
	log  *slog.Logger
	out  *lineWriter
	fns  map[string]*function // by logical ID
	gw   *gateway.Gateway
	stop context.CancelFunc
	ctx  context.Context // ends at Close

	mu     sync.Mutex
	live   map[*instance]bool
	closed bool
	wg     sync.WaitGroup // background invocations (scheduler)
}

// function is a template function and its pool of instances.
type function struct {
	def     *samtemplate.Function
	dir     string
	bin     string
	timeout time.Duration
	arn     string

	slots chan struct{} // one per busy instance
	mu    sync.Mutex
	idle  []*instance

	// env is computed at the first start, so that only functions in use
	// warn about variables they cannot have.
	envOnce sync.Once
	env     []string
}

// New prepares a Runtime. It starts nothing until the first invocation.
func New(cfg Config) (*Runtime, error) {
	if cfg.Template == nil {
		return nil, errors.New("localrt: Config.Template is required")
	}
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if cfg.SourceDir == "" {
		cfg.SourceDir = "functions"
	}
	if cfg.BinDir == "" {
		cfg.BinDir = filepath.Join(".local", "bin")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Output == nil {
		cfg.Output = os.Stderr
	}
	if cfg.MaxInstances <= 0 {
		cfg.MaxInstances = 4
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	bin, err := filepath.Abs(cfg.BinDir)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &Runtime{
		cfg: cfg, log: cfg.Logger, out: &lineWriter{w: cfg.Output},
		fns: map[string]*function{}, live: map[*instance]bool{},
		ctx: ctx, stop: stop,
	}
	for i := range cfg.Template.Functions {
		def := &cfg.Template.Functions[i]
		dir, err := def.Dir()
		if err != nil {
			stop()
			return nil, err
		}
		fn := &function{
			def:     def,
			dir:     dir,
			bin:     filepath.Join(bin, dir, "bootstrap"),
			timeout: def.Timeout,
			arn:     fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", cfg.Region, cfg.AccountID, def.Name),
			slots:   make(chan struct{}, cfg.MaxInstances),
		}
		if cfg.Timeout > 0 {
			fn.timeout = cfg.Timeout
		}
		r.fns[def.LogicalID] = fn
	}
	r.gw, err = gateway.New(gateway.Config{
		Routes:    cfg.Template.Routes(),
		Invoke:    r.invokeForGateway,
		StaticDir: cfg.StaticDir,
		Logger:    r.log,
		Now:       cfg.Now,
		AccountID: cfg.AccountID,
	})
	if err != nil {
		stop()
		return nil, err
	}
	return r, nil
}

// lambdaVars are the variables Lambda sets for every instance of fn
// (AWS_LAMBDA_RUNTIME_API and the log stream are added per instance).
func (r *Runtime) lambdaVars(fn *function) map[string]string {
	def := fn.def
	handler := def.Handler
	if handler == "" {
		handler = "bootstrap"
	}
	v := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        def.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(def.MemorySize),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + def.Name,
		"AWS_LAMBDA_LOG_FORMAT":           def.LogFormat,
		"AWS_REGION":                      r.cfg.Region,
		"AWS_DEFAULT_REGION":              r.cfg.Region,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"_HANDLER":                        handler,
		"LAMBDA_TASK_ROOT":                filepath.Dir(fn.bin),
		"LAMBDA_RUNTIME_DIR":              "/var/runtime",
		"TZ":                              ":UTC",
		"LANG":                            "en_US.UTF-8",
		"PATH":                            "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	if def.ApplicationLogLevel != "" {
		v["AWS_LAMBDA_LOG_LEVEL"] = def.ApplicationLogLevel
	}
	return v
}

// Function returns the logical ID of the function named by a logical ID or
// a directory name (api, collect-prometheus).
func (r *Runtime) Function(name string) (string, bool) {
	def, ok := r.cfg.Template.Function(name)
	if !ok {
		return "", false
	}
	return def.LogicalID, true
}

// Handler is the local API Gateway and static file server.
func (r *Runtime) Handler() http.Handler { return r.gw }

// Invoke runs one synchronous invocation of the function (logical ID or
// directory name) with payload, starting an instance if none is idle. A
// function or runtime error is returned as *runtimeapi.FunctionError, with
// the report; other errors mean the invocation never ran.
func (r *Runtime) Invoke(ctx context.Context, name string, payload []byte) ([]byte, Report, error) {
	return r.InvokeWith(ctx, name, payload, InvokeOptions{})
}

// InvokeOptions carries what a Lambda Invoke call may add to the event.
type InvokeOptions struct {
	// ClientContext is the JSON client context (the Invoke API's
	// ClientContext, decoded), sent as Lambda-Runtime-Client-Context.
	ClientContext string
	// CognitoIdentity is the JSON identity sent as
	// Lambda-Runtime-Cognito-Identity.
	CognitoIdentity string
}

// InvokeWith is Invoke with the optional parts of an invocation.
func (r *Runtime) InvokeWith(ctx context.Context, name string, payload []byte, opts InvokeOptions) ([]byte, Report, error) {
	id, ok := r.Function(name)
	if !ok {
		return nil, Report{}, fmt.Errorf("localrt: no function %q in the template", name)
	}
	fn := r.fns[id]
	if r.ctx.Err() != nil {
		return nil, Report{}, ErrClosed
	}
	if len(payload) > MaxRequestPayload {
		return nil, Report{}, runtimeapi.NewFunctionError("RequestEntityTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxRequestPayload))
	}
	if !json.Valid(payload) {
		return nil, Report{}, runtimeapi.NewFunctionError("InvalidRequestContentException", "Could not parse request body into json")
	}
	select {
	case fn.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, Report{}, ctx.Err()
	case <-r.ctx.Done():
		return nil, Report{}, ErrClosed
	}
	defer func() { <-fn.slots }()

	reqID := newRequestID()
	rep := Report{RequestID: reqID, Function: id, MemorySizeMB: fn.def.MemorySize}
	r.out.line("START RequestId: " + reqID + " Version: $LATEST")
	for attempt := 0; ; attempt++ {
		in := r.takeIdle(fn)
		if in == nil {
			var fe *runtimeapi.FunctionError
			in, fe = r.coldStart(fn, reqID, &rep)
			if fe != nil {
				r.out.line("END RequestId: " + reqID)
				r.finish(rep)
				return fe.Body, rep, fe
			}
		}
		out, fe, err := r.run(ctx, fn, in, reqID, payload, opts, &rep)
		if errors.Is(err, errStale) && attempt == 0 {
			// The idle runtime had exited before taking the event (it
			// may exit after answering, as aws-lambda-go does after a
			// panic): start a fresh one, as Lambda would.
			continue
		}
		r.out.line("END RequestId: " + reqID)
		r.finish(rep)
		switch {
		case err != nil:
			return nil, rep, err
		case fe != nil:
			return fe.Body, rep, fe
		}
		return out, rep, nil
	}
}

// errStale marks an idle instance found dead when it was given an event.
var errStale = errors.New("localrt: idle instance had exited")

// invokeForGateway is the gateway's way into Invoke.
func (r *Runtime) invokeForGateway(ctx context.Context, fn string, payload []byte) ([]byte, error) {
	out, _, err := r.Invoke(ctx, fn, payload)
	return out, err
}

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("localrt: runtime closed")

// takeIdle returns a warm instance of fn, or nil; instances whose process
// has ended meanwhile are dropped.
func (r *Runtime) takeIdle(fn *function) *instance {
	for {
		fn.mu.Lock()
		if len(fn.idle) == 0 {
			fn.mu.Unlock()
			return nil
		}
		in := fn.idle[len(fn.idle)-1]
		fn.idle = fn.idle[:len(fn.idle)-1]
		fn.mu.Unlock()
		if in.alive() {
			return in
		}
		r.discard(in)
	}
}

// coldStart starts an instance and waits for its init to end.
func (r *Runtime) coldStart(fn *function, reqID string, rep *Report) (*instance, *runtimeapi.FunctionError) {
	in, err := r.startInstance(fn)
	if err != nil {
		rep.Status, rep.ErrorType = "error", "Runtime.InvalidEntrypoint"
		return nil, runtimeapi.NewFunctionError(rep.ErrorType, "RequestId: "+reqID+" Error: "+err.Error())
	}
	if !r.track(in) {
		in.kill()
		return nil, runtimeapi.NewFunctionError("Runtime.Closed", "the local runtime is closing")
	}
	timer := time.NewTimer(InitTimeout)
	defer timer.Stop()
	var fe *runtimeapi.FunctionError
	status := "error"
	select {
	case <-in.api.Ready():
		rep.InitDuration = time.Since(in.started)
		return in, nil
	case fe = <-in.api.InitError():
		// The runtime reported its failure; Lambda ends the environment.
	case <-in.exited:
		select {
		case fe = <-in.api.InitError(): // it reported, then exited
		default:
			fe = runtimeapi.NewFunctionError("Runtime.ExitError", "RequestId: "+reqID+" Error: "+in.exitDescription())
		}
	case <-timer.C:
		status = "timeout"
		fe = runtimeapi.NewFunctionError("Sandbox.Timedout",
			fmt.Sprintf("RequestId: %s Error: init timed out after %.2f seconds", reqID, InitTimeout.Seconds()))
	case <-r.ctx.Done():
		fe = runtimeapi.NewFunctionError("Runtime.Closed", "the local runtime is closing")
	}
	rep.InitDuration = time.Since(in.started)
	rep.MaxMemoryUsedMB = in.maxMemoryMB()
	r.discard(in)
	rep.Status, rep.ErrorType = status, fe.Type
	r.out.line(fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: %s\tError Type: %s", ms(rep.InitDuration), status, fe.Type))
	return nil, fe
}

// run sends one event to a ready instance and waits for the outcome,
// enforcing the function's timeout as Lambda does: on expiry the
// invocation fails and the instance is killed, so the next starts cold.
// It returns errStale, having changed nothing, when the instance turns out
// to have exited before it took the event, and ctx's error, having killed
// the instance, when the caller gives up first (Lambda would let the
// function run on, but nobody is left locally to see its end).
func (r *Runtime) run(callerCtx context.Context, fn *function, in *instance, reqID string, payload []byte, opts InvokeOptions, rep *Report) ([]byte, *runtimeapi.FunctionError, error) {
	now := time.Now()
	inv := runtimeapi.Invocation{
		RequestID: reqID, Payload: payload, Deadline: now.Add(fn.timeout),
		FunctionARN: fn.arn, TraceID: newTraceID(now),
		ClientContext: opts.ClientContext, CognitoIdentity: opts.CognitoIdentity,
	}
	type outcome struct {
		res runtimeapi.Result
		err error
	}
	done := make(chan outcome, 1)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	go func() {
		res, err := in.api.Invoke(ctx, inv)
		done <- outcome{res, err}
	}()
	timer := time.NewTimer(fn.timeout)
	defer timer.Stop()

	var o outcome
	answered, timedOut := false, false
	select {
	case <-callerCtx.Done():
		rep.Duration = time.Since(now)
		rep.Status, rep.ErrorType = "error", "Canceled"
		rep.MaxMemoryUsedMB = in.maxMemoryMB()
		r.discard(in)
		rep.BilledDuration = billed(rep.Duration)
		return nil, nil, callerCtx.Err()
	case o = <-done:
		answered = true
	case <-in.exited:
		if in.api.Answered(reqID) { // it answered, then exited
			o, answered = <-done, true
		}
		if !answered && !in.api.Delivered(reqID) {
			r.discard(in)
			return nil, nil, errStale
		}
	case <-timer.C:
		timedOut = true
	}

	var fe *runtimeapi.FunctionError
	var out []byte
	reuse := false
	switch {
	case answered && o.err != nil:
		rep.Duration = time.Since(now)
		fe = runtimeapi.NewFunctionError("Runtime.Closed", o.err.Error())
		rep.Status = "error"
	case answered:
		rep.Duration = o.res.Done.Sub(o.res.Delivered)
		out, fe = o.res.Payload, o.res.Err
		// A runtime whose response was refused exits (aws-lambda-go
		// does); Lambda resets that environment.
		reuse = in.alive() && (fe == nil || fe.Type != "Function.ResponseSizeTooLarge")
	case timedOut:
		rep.Duration = time.Since(now)
		msg := fmt.Sprintf("Task timed out after %.2f seconds", fn.timeout.Seconds())
		r.out.line(fmt.Sprintf("%s %s %s", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), reqID, msg))
		fe = runtimeapi.NewFunctionError("Sandbox.Timedout", "RequestId: "+reqID+" Error: "+msg)
		rep.Status, rep.ErrorType = "timeout", fe.Type
	default: // exited while running the event
		rep.Duration = time.Since(now)
		in.flush()
		fe = runtimeapi.NewFunctionError("Runtime.ExitError", "RequestId: "+reqID+" Error: "+in.exitDescription())
		rep.Status, rep.ErrorType = "error", fe.Type
	}
	rep.MaxMemoryUsedMB = in.maxMemoryMB()
	if rep.MaxMemoryUsedMB > fn.def.MemorySize && rep.Status == "" {
		// Lambda kills an environment that outgrows its memory; here the
		// peak is only known afterwards, but the caller learns the same.
		fe = runtimeapi.NewFunctionError("Runtime.OutOfMemory",
			"RequestId: "+reqID+" Error: Runtime exited with error: signal: killed")
		out, reuse = nil, false
		rep.Status, rep.ErrorType = "error", fe.Type
	}
	if reuse {
		fn.mu.Lock()
		fn.idle = append(fn.idle, in)
		fn.mu.Unlock()
	} else {
		r.discard(in)
	}
	rep.BilledDuration = billed(rep.Duration)
	if strings.HasPrefix(fn.def.Runtime, "provided") {
		rep.BilledDuration = billed(rep.Duration + rep.InitDuration)
	}
	return out, fe, nil
}

func (r *Runtime) finish(rep Report) {
	if rep.BilledDuration == 0 && rep.Duration == 0 && rep.InitDuration > 0 {
		rep.BilledDuration = billed(rep.InitDuration)
	}
	r.out.line(rep.String())
	if r.cfg.OnReport != nil {
		r.cfg.OnReport(rep)
	}
}

// track records a live instance; false once the runtime is closed.
func (r *Runtime) track(in *instance) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.live[in] = true
	return true
}

// discard kills an instance that must not be reused.
func (r *Runtime) discard(in *instance) {
	in.kill()
	r.mu.Lock()
	delete(r.live, in)
	r.mu.Unlock()
}

// Reclaim stops the idle instances of the function (all functions when
// name is ""), as Lambda reclaims idle execution environments, so that the
// next invocation starts cold.
func (r *Runtime) Reclaim(name string) {
	for id, fn := range r.fns {
		if name != "" && id != name && fn.dir != name {
			continue
		}
		fn.mu.Lock()
		idle := fn.idle
		fn.idle = nil
		fn.mu.Unlock()
		for _, in := range idle {
			r.discard(in)
		}
	}
}

// Instances returns how many instances of the function are running.
func (r *Runtime) Instances(name string) int {
	id, _ := r.Function(name)
	n := 0
	r.mu.Lock()
	defer r.mu.Unlock()
	for in := range r.live {
		if in.fn.def.LogicalID == id && in.alive() {
			n++
		}
	}
	return n
}

// Close stops the scheduler and kills every process the runtime started
// (each one's whole process group), waiting until they are gone.
func (r *Runtime) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	live := make([]*instance, 0, len(r.live))
	for in := range r.live {
		live = append(live, in)
	}
	r.mu.Unlock()
	r.stop()
	for _, in := range live {
		in.kill()
	}
	r.wg.Wait()
	return nil
}
