// Package prometheustest runs a real Prometheus server for tests, its
// storage backfilled from OpenMetrics text with promtool, so collector tests
// query the real PromQL engine over data whose values they know.
//
// It needs the prometheus and promtool binaries (Debian's prometheus
// package). Without them a test fails, saying so: a collector test that
// skips would let `make test` pass without ever talking to Prometheus.
package prometheustest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// InstallHint tells how to get the binaries.
const InstallHint = "install Debian's prometheus package: apt-get install -y prometheus"

// StartTimeout bounds the backfill and the wait for the server to be ready.
var StartTimeout = 60 * time.Second

// Server is a running Prometheus.
type Server struct {
	URL     string // http://127.0.0.1:PORT
	DataDir string

	cmd    *exec.Cmd
	exited chan struct{}
	out    *syncBuffer
	stop   sync.Once
}

// Start backfills openMetrics (OpenMetrics text; "# EOF" is added when
// missing) into a fresh storage directory with `promtool tsdb
// create-blocks-from openmetrics`, starts prometheus on it, listening on
// 127.0.0.1 and scraping nothing, and waits until it is ready. The server
// is stopped when the test ends.
func Start(tb testing.TB, openMetrics string) *Server {
	tb.Helper()
	// No scrape configs: the data is exactly what was backfilled.
	return StartWithConfig(tb, openMetrics, "global:\n  scrape_interval: 1h\n  evaluation_interval: 1h\n")
}

// StartWithConfig is Start with a prometheus.yml of the caller's, for tests
// where Prometheus scrapes or pushes (remote_write) itself. openMetrics may
// be empty.
func StartWithConfig(tb testing.TB, openMetrics, configYAML string) *Server {
	tb.Helper()
	prom, err := exec.LookPath("prometheus")
	if err != nil {
		tb.Fatalf("prometheustest: prometheus not found on PATH: %s", InstallHint)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		tb.Fatalf("prometheustest: promtool not found on PATH: %s", InstallHint)
	}
	dir := tb.TempDir()
	s := &Server{DataDir: filepath.Join(dir, "data")}
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	if strings.TrimSpace(openMetrics) != "" {
		if err := backfill(ctx, promtool, dir, s.DataDir, openMetrics); err != nil {
			tb.Fatalf("prometheustest: %v", err)
		}
	}
	config := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(config, []byte(configYAML), 0o644); err != nil {
		tb.Fatalf("prometheustest: %v", err)
	}
	// A port picked by listening and closing may be taken again before
	// prometheus binds it; try a few.
	for attempt := 1; ; attempt++ {
		err = s.start(ctx, prom, config)
		if err == nil {
			break
		}
		s.Stop()
		if attempt == 3 || !strings.Contains(s.out.String(), "address already in use") {
			tb.Fatalf("prometheustest: %v\nprometheus output:\n%s", err, s.out)
		}
	}
	tb.Cleanup(s.Stop)
	return s
}

func backfill(ctx context.Context, promtool, dir, dataDir, openMetrics string) error {
	if !strings.HasSuffix(strings.TrimSpace(openMetrics), "# EOF") {
		openMetrics = strings.TrimRight(openMetrics, "\n") + "\n# EOF\n"
	}
	file := filepath.Join(dir, "data.om")
	if err := os.WriteFile(file, []byte(openMetrics), 0o644); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, promtool, "tsdb", "create-blocks-from", "openmetrics", file, dataDir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	return nil
}

func (s *Server) start(ctx context.Context, prom, config string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	s.out = &syncBuffer{}
	s.stop = sync.Once{}
	s.exited = make(chan struct{})
	s.cmd = exec.Command(prom,
		"--config.file="+config,
		"--storage.tsdb.path="+s.DataDir,
		// Backfilled data may be old; nothing may be deleted under a test.
		"--storage.tsdb.retention.time=100y",
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(port),
		"--log.level=warn",
	)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start prometheus: %w", err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	return s.waitReady(ctx)
}

// waitReady polls /-/ready until it answers 200, the process exits or ctx
// ends.
func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := client.Get(s.URL + "/-/ready")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("prometheus exited before it was ready (%v)", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("prometheus not ready at %s after %v", s.URL, StartTimeout)
		case <-tick.C:
		}
	}
}

// Stop terminates the server (its whole process group) and waits for it.
// It is safe to call more than once; tests call it to make a target go down.
func (s *Server) Stop() {
	s.stop.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		signalGroup(s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			signalGroup(s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	})
}

// Output is what the server has logged.
func (s *Server) Output() string { return s.out.String() }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the process's output, written from its copying
// goroutines and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
