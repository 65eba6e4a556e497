package localrt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/opsight/opsight/infra/localrt/runtimeapi"
)

type described struct {
	Event        json.RawMessage   `json:"event"`
	RequestID    string            `json:"requestId"`
	FunctionArn  string            `json:"functionArn"`
	DeadlineMs   int64             `json:"deadlineMs"`
	TraceID      string            `json:"traceId"`
	FunctionName string            `json:"functionName"`
	Version      string            `json:"version"`
	MemoryMB     int               `json:"memoryMB"`
	LogGroup     string            `json:"logGroup"`
	LogStream    string            `json:"logStream"`
	Env          map[string]string `json:"env"`
	Pid          int               `json:"pid"`
	ClientCustom map[string]string `json:"clientCustom"`
	IdentityID   string            `json:"identityId"`
	Cwd          string            `json:"cwd"`
}

func invokeEcho(t *testing.T, rt *Runtime, fn string) (described, Report) {
	t.Helper()
	out, rep, err := rt.Invoke(context.Background(), fn, []byte(`{"action":"echo"}`))
	if err != nil {
		t.Fatalf("invoke %s: %v", fn, err)
	}
	var d described
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("response %s: %v", out, err)
	}
	return d, rep
}

func TestInvokeEventAndContext(t *testing.T) {
	t.Setenv("LOCALRT_TEST_HOST_ONLY", "leak")
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	start := time.Now()
	d, rep := invokeEcho(t, rt, "EchoFunction")

	if string(d.Event) != `{"action":"echo"}` {
		t.Errorf("event = %s", d.Event)
	}
	if d.RequestID != rep.RequestID || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(d.RequestID) {
		t.Errorf("request id %q (report %q)", d.RequestID, rep.RequestID)
	}
	if d.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:EchoFunction" {
		t.Errorf("arn = %q", d.FunctionArn)
	}
	// The deadline is the 3 s timeout from the moment the event was sent.
	if dl := time.UnixMilli(d.DeadlineMs); dl.Before(start.Add(3*time.Second-50*time.Millisecond)) || dl.After(time.Now().Add(3*time.Second)) {
		t.Errorf("deadline %v is not 3 s after the invocation at %v", dl, start)
	}
	if !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(d.TraceID) {
		t.Errorf("trace id %q", d.TraceID)
	}
	if d.FunctionName != "EchoFunction" || d.Version != "$LATEST" || d.MemoryMB != 128 || d.LogGroup != "/aws/lambda/EchoFunction" {
		t.Errorf("lambdacontext: %+v", d)
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(d.LogStream) {
		t.Errorf("log stream %q", d.LogStream)
	}
	wantEnv := map[string]string{
		"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "_HANDLER": "bootstrap",
		"TZ": ":UTC", "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"STAGE": "test", "ONLY_ECHO": "yes", "OVERRIDDEN": "override", "LAMBDA_TASK_ROOT": d.Cwd,
	}
	for k, v := range wantEnv {
		if d.Env[k] != v {
			t.Errorf("env %s = %q, want %q", k, d.Env[k], v)
		}
	}
	if !strings.HasPrefix(d.Env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", d.Env["AWS_LAMBDA_RUNTIME_API"])
	}
	for _, k := range []string{"TABLE_ARN", "LOCALRT_TEST_HOST_ONLY", "HOME"} {
		if v, ok := d.Env[k]; ok {
			t.Errorf("env %s = %q should be unset (unresolvable intrinsic, or the host's)", k, v)
		}
	}

	if !rep.Cold() || rep.InitDuration <= 0 || rep.Duration <= 0 || rep.MaxMemoryUsedMB <= 0 || rep.MemorySizeMB != 128 || rep.Status != "" {
		t.Errorf("cold report = %+v", rep)
	}
	// provided.al2023 bills init too, rounded up to the millisecond.
	if want := time.Duration(math.Ceil(float64(rep.Duration+rep.InitDuration)/1e6)) * time.Millisecond; rep.BilledDuration != want {
		t.Errorf("billed %v, want %v", rep.BilledDuration, want)
	}

	d2, rep2 := invokeEcho(t, rt, "echo") // by directory name; warm
	if d2.Pid != d.Pid || rep2.Cold() {
		t.Errorf("second invocation: pid %d (first %d), report %+v; want the warm instance", d2.Pid, d.Pid, rep2)
	}
	if d2.RequestID == d.RequestID || d2.LogStream != d.LogStream {
		t.Errorf("request ids %s %s must differ, log streams %s %s must not", d.RequestID, d2.RequestID, d.LogStream, d2.LogStream)
	}
}

func TestClientContextAndIdentity(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	out, _, err := rt.InvokeWith(context.Background(), "EchoFunction", []byte(`{"action":"echo"}`), InvokeOptions{
		ClientContext:   `{"client":{"app_title":"ops"},"custom":{"tenant":"acme"},"env":{}}`,
		CognitoIdentity: `{"cognitoIdentityId":"eu-west-1:1234","cognitoIdentityPoolId":"eu-west-1:pool"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	var d described
	json.Unmarshal(out, &d)
	if d.ClientCustom["tenant"] != "acme" || d.IdentityID != "eu-west-1:1234" {
		t.Errorf("lambdacontext saw client context %v, identity %q", d.ClientCustom, d.IdentityID)
	}
}

func TestFunctionErrorKeepsInstance(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	d, _ := invokeEcho(t, rt, "EchoFunction")
	body, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"error","message":"boom"}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "errorString" || fe.Message != "boom" {
		t.Fatalf("err = %v", err)
	}
	var eb map[string]any
	if json.Unmarshal(body, &eb) != nil || eb["errorMessage"] != "boom" || eb["errorType"] != "errorString" {
		t.Errorf("error body %s", body)
	}
	if rep.Status != "" || rep.ErrorType != "" {
		t.Errorf("a handled function error is a completed invocation, report %+v", rep)
	}
	if d2, _ := invokeEcho(t, rt, "EchoFunction"); d2.Pid != d.Pid {
		t.Errorf("instance replaced after a function error")
	}
}

func TestPanicReported(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	_, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"panic","message":"kaput"}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || !strings.Contains(string(fe.Body), "kaput") {
		t.Fatalf("err = %v", err)
	}
	// aws-lambda-go exits after reporting a panic; the next call starts cold.
	waitFor(t, func() bool { return rt.Instances("EchoFunction") == 0 })
	if _, rep := invokeEcho(t, rt, "EchoFunction"); !rep.Cold() {
		t.Errorf("after the panic the next invocation should be cold: %+v", rep)
	}
}

func TestTimeoutKillsAndReplaces(t *testing.T) {
	rt, out := newRuntime(t, "testdata/template.yaml", nil)
	first, _, err := rt.Invoke(context.Background(), "ShortFunction", []byte(`{"action":"sleep","ms":10}`))
	if err != nil {
		t.Fatal(err)
	}
	var p1 struct{ Pid int }
	json.Unmarshal(first, &p1)

	start := time.Now()
	body, rep, err := rt.Invoke(context.Background(), "ShortFunction", []byte(`{"action":"sleep","ms":5000}`))
	elapsed := time.Since(start)
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Sandbox.Timedout" || !strings.HasSuffix(fe.Message, "Task timed out after 1.00 seconds") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(string(body), `"errorType":"Sandbox.Timedout"`) {
		t.Errorf("error body %s", body)
	}
	if elapsed < time.Second || elapsed > 3*time.Second {
		t.Errorf("timeout took %v, want about 1 s", elapsed)
	}
	if rep.Status != "timeout" || rep.Duration < time.Second || rep.MemorySizeMB != 256 {
		t.Errorf("report %+v", rep)
	}
	if alive(p1.Pid) {
		t.Errorf("timed-out instance %d still running", p1.Pid)
	}
	if !strings.Contains(out.String(), rep.RequestID+" Task timed out after 1.00 seconds") {
		t.Errorf("no timeout line in the log:\n%s", out)
	}
	next, rep2, err := rt.Invoke(context.Background(), "ShortFunction", []byte(`{"action":"sleep","ms":1}`))
	var p2 struct{ Pid int }
	json.Unmarshal(next, &p2)
	if err != nil || !rep2.Cold() || p2.Pid == p1.Pid {
		t.Errorf("after a timeout: err %v, report %+v, pid %d (old %d); want a new cold instance", err, rep2, p2.Pid, p1.Pid)
	}
}

func TestTimeoutOverride(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.Timeout = 200 * time.Millisecond })
	_, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"sleep","ms":2000}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || !strings.HasSuffix(fe.Message, "Task timed out after 0.20 seconds") {
		t.Fatalf("err = %v", err)
	}
}

func TestCrashIsExitError(t *testing.T) {
	rt, out := newRuntime(t, "testdata/template.yaml", nil)
	_, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"crash"}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Message, "Runtime exited with error: exit status 2") {
		t.Fatalf("err = %v", err)
	}
	if rep.Status != "error" || rep.ErrorType != "Runtime.ExitError" {
		t.Errorf("report %+v", rep)
	}
	if !strings.Contains(out.String(), "[EchoFunction] about to crash") {
		t.Errorf("the crashing function's last output is missing:\n%s", out)
	}
}

func TestInitErrorReported(t *testing.T) {
	rt, out := newRuntime(t, "testdata/template.yaml", nil)
	_, rep, err := rt.Invoke(context.Background(), "InitFailFunction", []byte(`{}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ConfigError" || fe.Message != "config: DATABASE_URL is not set" {
		t.Fatalf("err = %v", err)
	}
	if rep.Status != "error" || rep.ErrorType != "Runtime.ConfigError" || rep.InitDuration <= 0 {
		t.Errorf("report %+v", rep)
	}
	if len(out.lines("INIT_REPORT Init Duration: ")) != 1 {
		t.Errorf("want one INIT_REPORT line:\n%s", out)
	}
	waitFor(t, func() bool { return rt.Instances("InitFailFunction") == 0 })
}

func TestExitDuringInit(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	_, rep, err := rt.Invoke(context.Background(), "ExitAtInitFunction", []byte(`{}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.ExitError" || !strings.Contains(fe.Message, "exit status 3") {
		t.Fatalf("err = %v", err)
	}
	if rep.Status != "error" {
		t.Errorf("report %+v", rep)
	}
}

func TestMissingBinary(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.BinDir = t.TempDir() })
	_, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.InvalidEntrypoint" || !strings.Contains(fe.Message, "run Build first") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnknownFunctionAndLargeEvent(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	if _, _, err := rt.Invoke(context.Background(), "NopeFunction", nil); err == nil || !strings.Contains(err.Error(), `no function "NopeFunction"`) {
		t.Errorf("unknown function: %v", err)
	}
	if _, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{not json`)); err == nil || !strings.Contains(err.Error(), "InvalidRequestContentException") {
		t.Errorf("non-JSON event: %v", err)
	}
	big := append(append([]byte(`"`), make([]byte, MaxRequestPayload)...), '"')
	var fe *runtimeapi.FunctionError
	if _, _, err := rt.Invoke(context.Background(), "EchoFunction", big); !errors.As(err, &fe) || fe.Type != "RequestEntityTooLargeException" {
		t.Errorf("oversized event: %v", err)
	}
}

func TestResponseTooLarge(t *testing.T) {
	// Moving 6 MB takes a while under the race detector on a busy machine.
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.Timeout = time.Minute })
	_, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"big","bytes":7000000}`))
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Function.ResponseSizeTooLarge" {
		t.Fatalf("err = %v", err)
	}
	// Just under the limit passes (the JSON string adds two quotes).
	out, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"big","bytes":6291554}`))
	if err != nil || len(out) != runtimeapi.MaxPayloadSize {
		t.Fatalf("at the limit: %v, %d bytes", err, len(out))
	}
}

func TestMaxMemoryUsed(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	_, small := invokeEcho(t, rt, "EchoFunction")
	_, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"alloc","mb":64}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.MaxMemoryUsedMB < small.MaxMemoryUsedMB+60 {
		t.Errorf("max memory %d MB after touching 64 MB (was %d MB)", rep.MaxMemoryUsedMB, small.MaxMemoryUsedMB)
	}
}

// sleepAtOnce runs n invocations that sleep ms at the same time and
// returns the pid that served each and whether it started cold.
func sleepAtOnce(t *testing.T, rt *Runtime, n, ms int) (pids []int, cold []bool) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(fmt.Sprintf(`{"action":"sleep","ms":%d}`, ms)))
			if err != nil {
				t.Error(err)
				return
			}
			var p struct{ Pid int }
			json.Unmarshal(out, &p)
			mu.Lock()
			pids, cold = append(pids, p.Pid), append(cold, rep.Cold())
			mu.Unlock()
			if n := rt.Instances("EchoFunction"); n > rt.cfg.MaxInstances {
				t.Errorf("%d instances running, limit %d", n, rt.cfg.MaxInstances)
			}
		}()
	}
	wg.Wait()
	return pids, cold
}

func TestOutOfMemory(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.Timeout = time.Minute })
	_, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"alloc","mb":160}`)) // 128 MB function
	var fe *runtimeapi.FunctionError
	if !errors.As(err, &fe) || fe.Type != "Runtime.OutOfMemory" {
		t.Fatalf("err = %v", err)
	}
	if rep.Status != "error" || rep.MaxMemoryUsedMB <= 128 || rt.Instances("EchoFunction") != 0 {
		t.Errorf("report %+v, %d instances", rep, rt.Instances("EchoFunction"))
	}
}

func TestConcurrencySpawnsInstances(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.MaxInstances = 2 })
	pids, cold := sleepAtOnce(t, rt, 4, 300)
	perPid := map[int]int{}
	colds := 0
	for i, p := range pids {
		perPid[p]++
		if cold[i] {
			colds++
		}
	}
	if len(perPid) != 2 || colds != 2 {
		t.Errorf("4 concurrent invocations with limit 2: pids %v, %d cold; want 2 instances each used twice", perPid, colds)
	}
}

func TestLogLines(t *testing.T) {
	var reports []Report
	var mu sync.Mutex
	rt, out := newRuntime(t, "testdata/template.yaml", func(c *Config) {
		c.OnReport = func(r Report) { mu.Lock(); reports = append(reports, r); mu.Unlock() }
	})
	_, rep, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"log"}`))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(out.String(), "[EchoFunction] hello stderr") })
	if !strings.Contains(out.String(), "[EchoFunction] hello stdout\n") {
		t.Errorf("function output not forwarded:\n%s", out)
	}
	if got := out.lines("START RequestId: " + rep.RequestID + " Version: $LATEST"); len(got) != 1 {
		t.Errorf("START line missing:\n%s", out)
	}
	if got := out.lines("END RequestId: " + rep.RequestID); len(got) != 1 {
		t.Errorf("END line missing:\n%s", out)
	}
	lines := out.lines("REPORT ")
	if len(lines) != 1 {
		t.Fatalf("want 1 REPORT line:\n%s", out)
	}
	parsed, err := ParseReport(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	want := rep
	want.Function = ""
	// The line keeps two decimals of a millisecond.
	if d := parsed.Duration - want.Duration; d < -10*time.Microsecond || d > 10*time.Microsecond {
		t.Errorf("duration %v vs %v", parsed.Duration, want.Duration)
	}
	if d := parsed.InitDuration - want.InitDuration; d < -10*time.Microsecond || d > 10*time.Microsecond {
		t.Errorf("init duration %v vs %v", parsed.InitDuration, want.InitDuration)
	}
	parsed.Duration, parsed.InitDuration, want.Duration, want.InitDuration = 0, 0, 0, 0
	if parsed != want {
		t.Errorf("parsed %+v\nwant   %+v", parsed, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 || reports[0].RequestID != rep.RequestID || reports[0].Function != "EchoFunction" {
		t.Errorf("OnReport got %+v", reports)
	}
}

func TestCloseLeavesNothingRunning(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", func(c *Config) { c.MaxInstances = 3 })
	pids, _ := sleepAtOnce(t, rt, 3, 200)
	out, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"spawn"}`))
	var spawned struct{ Pid int }
	if err != nil || json.Unmarshal(out, &spawned) != nil || !alive(spawned.Pid) {
		t.Fatalf("spawn: %s %v", out, err)
	}
	child := spawned.Pid
	// One more, still running when Close comes.
	busy := make(chan error, 1)
	go func() {
		_, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{"action":"sleep","ms":2500}`))
		busy <- err
	}()
	time.Sleep(100 * time.Millisecond)
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-busy:
		if err == nil {
			t.Error("an invocation cut short by Close reported success")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("invocation in flight did not end at Close")
	}
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d survived Close", pid)
		}
	}
	// The group's other members die as the signal reaches them.
	waitFor(t, func() bool { return !alive(child) })
	if _, _, err := rt.Invoke(context.Background(), "EchoFunction", []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
}

// alive reports whether pid runs; a zombie (killed, not yet reaped by
// whoever inherited it) does not.
func alive(pid int) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5 s")
}

func TestCallerGivesUp(t *testing.T) {
	rt, _ := newRuntime(t, "testdata/template.yaml", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, rep, err := rt.Invoke(ctx, "EchoFunction", []byte(`{"action":"sleep","ms":2500}`))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	if rep.Status != "error" || rt.Instances("EchoFunction") != 0 {
		t.Errorf("report %+v, %d instances left", rep, rt.Instances("EchoFunction"))
	}
}
