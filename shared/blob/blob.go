// Package blob stores objects (raw webhook payloads, logs, forecast models)
// behind one small interface with two implementations: S3 in AWS (and any
// S3-compatible server through AWS_ENDPOINT_URL_S3) and the filesystem as the
// embedded default for local runs. One URL chooses between them.
package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// Store is an object store. Keys are slash-separated relative paths such as
// "raw/alertmanager/2024/01/02/<id>.json".
type Store interface {
	// Put stores body under key, replacing any previous object.
	Put(ctx context.Context, key string, body []byte, contentType string) error
	// Get returns the object's bytes; a missing key is aiops.ENOTFOUND.
	Get(ctx context.Context, key string) ([]byte, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the keys under prefix in lexical order.
	List(ctx context.Context, prefix string) ([]string, error)
	// URL returns a URL from which the object can be fetched for ttl: a
	// presigned GET for S3, a file:// URL for the filesystem.
	URL(ctx context.Context, key string, ttl time.Duration) (string, error)
	// Ping checks that the store is reachable and writable, for health checks.
	Ping(ctx context.Context) error
}

// Open returns the store rawURL names: s3://bucket[/prefix] or
// file:///absolute/path.
func Open(ctx context.Context, rawURL string) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob URL: %w", err)
	}
	switch u.Scheme {
	case "s3":
		return OpenS3(ctx, u.Host, strings.Trim(u.Path, "/"), S3Options{PathStyle: u.Query().Get("path_style")})
	case "file":
		return OpenFS(u.Path)
	default:
		return nil, fmt.Errorf("blob URL %q: want s3://bucket/prefix or file:///path", rawURL)
	}
}

// ValidKey reports an EINVALID error for keys that could escape a prefix or
// that S3 and filesystems treat differently.
func ValidKey(key string) error {
	switch {
	case key == "", len(key) > 1024:
		return aiops.Errorf(aiops.EINVALID, "object key must be 1-1024 bytes")
	case strings.HasPrefix(key, "/"), strings.HasSuffix(key, "/"), strings.Contains(key, "//"), strings.Contains(key, "\\"), strings.ContainsRune(key, 0):
		return aiops.Errorf(aiops.EINVALID, "object key %q must be a clean relative path", key)
	case path.Clean(key) != key, key == "..", strings.HasPrefix(key, "../"):
		return aiops.Errorf(aiops.EINVALID, "object key %q must be a clean relative path", key)
	}
	return nil
}

func notFound(key string) error {
	return &aiops.Error{Code: aiops.ENOTFOUND, Message: fmt.Sprintf("no object %q", key)}
}

// errNotFound lets implementations and tests share a sentinel check.
func isNotFound(err error) bool {
	var e *aiops.Error
	return errors.As(err, &e) && e.Code == aiops.ENOTFOUND
}
