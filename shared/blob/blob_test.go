package blob_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/blob/s3test"
)

// testStore is the contract every Store implementation must meet.
func testStore(t *testing.T, s blob.Store) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	body := []byte(`{"alert":"disk full"}`)
	if err := s.Put(ctx, "raw/grafana/a.json", body, "application/json"); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "raw/grafana/b.json", []byte("x"), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "models/m.json", []byte("{}"), "application/json"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "raw/grafana/a.json")
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("get = %q, %v", got, err)
	}
	if err := s.Put(ctx, "raw/grafana/a.json", []byte("v2"), ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "raw/grafana/a.json"); string(got) != "v2" {
		t.Fatalf("overwrite: got %q", got)
	}
	keys, err := s.List(ctx, "raw/")
	if err != nil || strings.Join(keys, ",") != "raw/grafana/a.json,raw/grafana/b.json" {
		t.Fatalf("list = %v, %v", keys, err)
	}
	if _, err := s.Get(ctx, "raw/missing.json"); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("missing get: %v", err)
	}
	for _, bad := range []string{"", "/abs", "a/../../etc/passwd", "a//b", "dir/"} {
		if err := s.Put(ctx, bad, nil, ""); aiops.ErrorCode(err) != aiops.EINVALID {
			t.Errorf("key %q: err = %v, want invalid", bad, err)
		}
	}
	if err := s.Delete(ctx, "raw/grafana/b.json"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "raw/grafana/b.json"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	if _, err := s.Get(ctx, "raw/grafana/b.json"); aiops.ErrorCode(err) != aiops.ENOTFOUND {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestFS(t *testing.T) {
	s, err := blob.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)
	u, err := s.URL(context.Background(), "models/m.json", time.Minute)
	if err != nil || !strings.HasPrefix(u, "file:///") {
		t.Fatalf("url = %q, %v", u, err)
	}
}

func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.SetEnv(t)
	bucket := srv.NewBucket(t)
	s, err := blob.Open(context.Background(), "s3://"+bucket+"/opsight")
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, s)

	// The prefix is applied on the server side too.
	raw, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("opsight/models/m.json")})
	if err != nil {
		t.Fatalf("object not under the prefix: %v", err)
	}
	raw.Body.Close()

	// A presigned URL works without credentials, and only for its object.
	u, err := s.URL(context.Background(), "models/m.json", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "{}" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
	}
	tampered := strings.Replace(u, "models/m.json", "raw/grafana/a.json", 1)
	if resp, err := http.Get(tampered); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("tampered presigned URL: %v %v", resp.StatusCode, err)
	}
}

func TestS3MissingBucketIsUnavailable(t *testing.T) {
	srv := s3test.Start(t)
	srv.SetEnv(t)
	s, err := blob.Open(context.Background(), "s3://no-such-bucket-opsight")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(context.Background()); aiops.ErrorCode(err) != aiops.EUNAVAILABLE {
		t.Fatalf("ping: %v, want unavailable", err)
	}
}

func TestS3ServerDownIsUnavailable(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	s, err := blob.Open(context.Background(), "s3://bucket")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Put(ctx, "k", []byte("v"), ""); aiops.ErrorCode(err) != aiops.EUNAVAILABLE {
		t.Fatalf("put: %v, want unavailable", err)
	}
}

func FuzzValidKey(f *testing.F) {
	for _, k := range []string{"a", "raw/x.json", "../x", "a/./b", "a\\b", "/x", "x/"} {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if blob.ValidKey(key) != nil {
			return
		}
		// An accepted key must stay inside the store's root.
		if strings.HasPrefix(key, "/") || strings.HasPrefix(key, "../") || key == ".." || strings.Contains(key, "/../") || strings.HasSuffix(key, "/..") {
			t.Fatalf("key %q escapes the root", key)
		}
	})
}
