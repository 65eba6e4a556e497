// Package s3test runs a real S3 server for tests: versitygw, pinned in the
// tools module (infra/tools/go.mod), serving a temporary directory. Tests
// that need S3 fail when it cannot be built or started; there is no fake.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/opsight/opsight/shared/testfiles"
)

// Server is a running S3 endpoint.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
}

var (
	once    sync.Once
	server  *Server
	initErr error
)

// Start returns the package's server, starting it on first use. The process
// dies with the test binary (Pdeathsig), so a failed test leaves nothing
// running.
func Start(tb testing.TB) *Server {
	tb.Helper()
	once.Do(func() { server, initErr = start() })
	if initErr != nil {
		tb.Fatalf("s3test: the S3 server (versitygw) is required: %v", initErr)
	}
	return server
}

// Binary returns the path of the versitygw binary: $VERSITYGW, or
// .local/bin/versitygw in the repository, built from the tools module when
// missing.
func Binary() (string, error) {
	if p := os.Getenv("VERSITYGW"); p != "" {
		return p, nil
	}
	root := testfiles.RepoRoot()
	if root == "" {
		return "", fmt.Errorf("repository root not found")
	}
	bin := filepath.Join(root, ".local", "bin", "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/versity/versitygw/cmd/versitygw")
	cmd.Dir = filepath.Join(root, "infra", "tools")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build versitygw: %v\n%s", err, out)
	}
	return bin, nil
}

func start() (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "opsight-s3-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		Endpoint:  fmt.Sprintf("http://127.0.0.1:%d", port),
		AccessKey: "opsight-test",
		SecretKey: "opsight-test-secret",
		Region:    "us-east-1",
	}
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", s.Region, "--port", fmt.Sprintf("127.0.0.1:%d", port), "posix", dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	logf, _ := os.Create(filepath.Join(dir, "..", filepath.Base(dir)+".log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("versitygw did not answer on %s within 15s (log: %s)", s.Endpoint, logf.Name())
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Client returns an SDK client for the server.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		UsePathStyle: true,
	})
}

// NewBucket creates a bucket with a unique name for the test.
func (s *Server) NewBucket(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "opsight-test-" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		tb.Fatalf("s3test: create bucket: %v", err)
	}
	return name
}

// SetEnv points the AWS SDK's standard environment at the server for the
// test, as a deployment would with AWS_ENDPOINT_URL_S3.
func (s *Server) SetEnv(tb testing.TB) {
	tb.Setenv("AWS_ENDPOINT_URL_S3", s.Endpoint)
	tb.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	tb.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	tb.Setenv("AWS_REGION", s.Region)
	tb.Setenv("AWS_CONFIG_FILE", os.DevNull)
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
}
