package blob

import (
	"context"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

// FS stores objects as files under a root directory. Writes go to a
// temporary file that is renamed into place, so a reader never sees half an
// object and a crash never leaves one.
type FS struct {
	root string
}

// OpenFS returns a store rooted at dir, creating it when missing.
func OpenFS(dir string) (*FS, error) {
	if !filepath.IsAbs(dir) {
		return nil, errors.New("blob: filesystem root must be an absolute path")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, aiops.Unavailable("object storage", err)
	}
	return &FS{root: dir}, nil
}

func (s *FS) path(key string) (string, error) {
	if err := ValidKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.root, filepath.FromSlash(key)), nil
}

func (s *FS) Put(ctx context.Context, key string, body []byte, contentType string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return aiops.Unavailable("object storage", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return aiops.Unavailable("object storage", err)
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return aiops.Unavailable("object storage", errors.Join(werr, cerr))
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return aiops.Unavailable("object storage", err)
	}
	return nil
}

func (s *FS) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(key)
	}
	if err != nil {
		return nil, aiops.Unavailable("object storage", err)
	}
	return b, nil
}

func (s *FS) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return aiops.Unavailable("object storage", err)
	}
	return nil
}

func (s *FS) List(ctx context.Context, prefix string) ([]string, error) {
	keys := []string{}
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".put-") {
			return nil
		}
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return err
		}
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, prefix) {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, aiops.Unavailable("object storage", err)
	}
	sort.Strings(keys)
	return keys, nil
}

func (s *FS) URL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	p, err := s.path(key)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); err != nil {
		return "", notFound(key)
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}

// Ping writes and removes a probe file: a read-only or full disk is as much
// an outage as a missing directory.
func (s *FS) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(s.root, ".put-ping-*")
	if err != nil {
		return aiops.Unavailable("object storage", err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
