package localrt

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/opsight/opsight/infra/localrt/runtimeapi"
)

// instance is one execution environment: a bootstrap process and the
// Runtime API it talks to. It serves one invocation at a time.
type instance struct {
	fn      *function
	api     *runtimeapi.Server
	cmd     *exec.Cmd
	started time.Time
	// exited is closed when the process has been reaped; exitErr is
	// valid after that.
	exited  chan struct{}
	exitErr error
	// drained is closed when the process's output has been read to the
	// end (every writer, children included, closed it).
	drained chan struct{}
}

// startInstance starts fn's bootstrap under a fresh Runtime API.
func (r *Runtime) startInstance(fn *function) (*instance, error) {
	api, err := runtimeapi.Listen(r.log)
	if err != nil {
		return nil, err
	}
	fn.envOnce.Do(func() { fn.env = functionEnv(fn.def, r.cfg.Env, r.lambdaVars(fn), r.log) })
	cmd := exec.Command(fn.bin)
	cmd.Dir = filepath.Dir(fn.bin) // LAMBDA_TASK_ROOT, /var/task in AWS
	cmd.Env = append(append([]string(nil), fn.env...),
		"AWS_LAMBDA_RUNTIME_API="+api.Addr(),
		"AWS_LAMBDA_LOG_STREAM_NAME="+logStreamName(r.cfg.Now()),
	)
	// A process group of its own so Close kills everything the function
	// started; and killed with us if the runtime itself dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Our own pipe rather than StdoutPipe: the process's exit is then
	// seen at once (cmd.Wait does not wait for the pipe), and its last
	// lines, a panic's stack trace say, are still read to the end.
	pr, pw, err := os.Pipe()
	if err != nil {
		api.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	in := &instance{fn: fn, api: api, cmd: cmd, exited: make(chan struct{}), drained: make(chan struct{})}
	in.started = time.Now()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		api.Close()
		return nil, fmt.Errorf("%s: starting %s: %w (run Build first)", fn.def.LogicalID, fn.bin, err)
	}
	go func() {
		in.forward(pr, r.out)
		pr.Close()
		close(in.drained)
	}()
	go func() {
		in.exitErr = cmd.Wait()
		close(in.exited)
	}()
	return in, nil
}

// forward copies the function's output line by line to the runtime log,
// prefixed with the function's name.
func (in *instance) forward(rd io.Reader, out *lineWriter) {
	br := bufio.NewReaderSize(rd, 64<<10)
	prefix := "[" + in.fn.def.LogicalID + "] "
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			out.line(prefix + strings.TrimRight(line, "\r\n"))
		}
		if err != nil {
			return
		}
	}
}

// kill ends the process group and waits for the process to be reaped.
func (in *instance) kill() {
	if in.cmd.Process != nil {
		_ = syscall.Kill(-in.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-in.exited
	in.api.Close()
	in.flush()
}

// flush waits a moment for the output of a process that has exited, so its
// last lines come before the END and REPORT lines.
func (in *instance) flush() {
	select {
	case <-in.drained:
	case <-time.After(200 * time.Millisecond):
	}
}

// alive reports whether the process is still running.
func (in *instance) alive() bool {
	select {
	case <-in.exited:
		return false
	default:
		return true
	}
}

// exitDescription says how the process ended, as Lambda's
// "Runtime exited with error: exit status 2".
func (in *instance) exitDescription() string {
	var ee *exec.ExitError
	if errors.As(in.exitErr, &ee) {
		return "Runtime exited with error: " + ee.ProcessState.String()
	}
	if in.exitErr != nil {
		return "Runtime exited with error: " + in.exitErr.Error()
	}
	return "Runtime exited without providing a reason"
}

// maxMemoryMB is the process's peak resident set (VmHWM), which is what
// Lambda reports as Max Memory Used. 0 when it cannot be read.
func (in *instance) maxMemoryMB() int {
	if in.cmd.Process == nil {
		return 0
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(in.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				return 0
			}
			return (kb + 1023) / 1024
		}
	}
	return 0
}

// logStreamName is Lambda's format: 2026/01/02/[$LATEST]<32 hex>.
func logStreamName(now time.Time) string {
	return now.UTC().Format("2006/01/02") + "/[$LATEST]" + randomHex(16)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newRequestID returns a random (version 4) UUID, as Lambda's request ids.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray trace header like Lambda passes in
// Lambda-Runtime-Trace-Id.
func newTraceID(now time.Time) string {
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", now.Unix(), randomHex(12), randomHex(8))
}

// lineWriter serialises whole lines from many goroutines onto one writer.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = io.WriteString(l.w, s+"\n")
}
