// Package devserver starts the whole platform on this machine, as `make run`
// and the end-to-end tests need it: a PostgreSQL server (devdb), the schema
// (migrations), every function of template.yaml under the local Lambda
// runtime, the API Gateway and CloudFront stand-in on one address (dashboard
// at /, API at /api/, webhooks at /webhooks/) and the EventBridge scheduler.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/opsight/opsight/infra/devdb"
	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/samtemplate"
	"github.com/opsight/opsight/shared/buildinfo"
	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/postgres"
)

// Options configure Start. Paths are relative to Root.
type Options struct {
	Root     string // the repository; default "."
	Addr     string // default 127.0.0.1:3000; ":0" style picks a free port
	Template string // default template.yaml
	WebDir   string // default web/dist
	// DatabaseURL is used when reachable; otherwise a private cluster
	// starts under Root/.local/pg.
	DatabaseURL string
	// InstallPostgres allows apt-get install postgresql when needed.
	InstallPostgres bool
	// FastDB turns off fsync in a private cluster (tests).
	FastDB bool
	// Schedule starts the scheduler (off in tests that drive time).
	Schedule bool
	// Env overrides function environment variables for every function.
	Env    map[string]string
	Log    *slog.Logger
	Output io.Writer // function logs and REPORT lines; default os.Stderr
	// OnReport receives every invocation's report.
	OnReport func(localrt.Report)
}

// Platform is a running local platform.
type Platform struct {
	URL         string // http://127.0.0.1:3000
	DatabaseURL string
	Runtime     *localrt.Runtime

	db     *devdb.Server
	srv    *http.Server
	served chan error
}

// Start brings the platform up. Close stops everything it started.
func Start(ctx context.Context, o Options) (*Platform, error) {
	if o.Root == "" {
		o.Root = "."
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:3000"
	}
	if o.Template == "" {
		o.Template = "template.yaml"
	}
	if o.WebDir == "" {
		o.WebDir = filepath.Join("web", "dist")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, err
	}
	p := &Platform{}
	if err := p.start(ctx, root, o); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Platform) start(ctx context.Context, root string, o Options) error {
	var err error
	p.db, err = devdb.Ensure(ctx, devdb.Options{
		DatabaseURL: o.DatabaseURL, StateDir: filepath.Join(root, ".local", "pg"),
		Install: o.InstallPostgres, Fast: o.FastDB, Log: o.Log, Output: o.Output,
	})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	p.DatabaseURL = p.db.URL
	if err := migrate(ctx, p.DatabaseURL, o.Log); err != nil {
		return err
	}

	tpl, err := samtemplate.ReadFile(filepath.Join(root, o.Template))
	if err != nil {
		return err
	}
	p.Runtime, err = localrt.New(localrt.Config{
		Template:  tpl,
		Dir:       root,
		BinDir:    filepath.Join(root, ".local", "bin"),
		LDFlags:   LDFlags(),
		StaticDir: filepath.Join(root, o.WebDir),
		Env:       localrt.Overrides{localrt.AllFunctions: functionEnv(root, p.DatabaseURL, o.Env)},
		Logger:    o.Log,
		Output:    o.Output,
		OnReport:  o.OnReport,
	})
	if err != nil {
		return err
	}
	o.Log.Info("building functions")
	if err := p.Runtime.Build(ctx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another `make run` going?)", o.Addr, err)
	}
	p.URL = "http://" + ln.Addr().String()
	p.srv = &http.Server{Handler: p.Runtime.Handler(), ReadHeaderTimeout: 10 * time.Second}
	p.served = make(chan error, 1)
	go func() { p.served <- p.srv.Serve(ln) }()
	if o.Schedule {
		if err := p.Runtime.StartScheduler(); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the gateway, every function process and the private database
// cluster, if one was started. It is safe to call more than once.
func (p *Platform) Close() error {
	var errs []error
	if p.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := p.srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		cancel()
		p.srv = nil
	}
	if p.Runtime != nil {
		errs = append(errs, p.Runtime.Close())
		p.Runtime = nil
	}
	if p.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, p.db.Stop(ctx))
		cancel()
		p.db = nil
	}
	return errors.Join(errs...)
}

// LDFlags strips the local function binaries as the deployed ones are (so
// cold starts and sizes measured locally mean something) and stamps them
// with the version this binary was stamped with.
func LDFlags() string {
	const pkg = "github.com/opsight/opsight/shared/buildinfo"
	return fmt.Sprintf("-s -w -X %s.Version=%s -X %s.Commit=%s -X %s.Date=%s",
		pkg, buildinfo.Version, pkg, buildinfo.Commit, pkg, buildinfo.Date)
}

// Done is closed (with the server's error) when the gateway stops serving.
func (p *Platform) Done() <-chan error { return p.served }

func migrate(ctx context.Context, url string, log *slog.Logger) error {
	db, err := postgres.Open(ctx, url, postgres.Options{MaxConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Migrate(ctx, log)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	log.Info("database schema ready", "version", res.Current, "applied", res.Applied)
	return nil
}

// functionEnv is what local functions get on top of the template: the
// local database and object store, and any configuration variable or AWS
// SDK setting the developer exported (so BLOB_URL=s3://... with
// AWS_ENDPOINT_URL_S3 works locally too). extra wins over all.
func functionEnv(root, dbURL string, extra map[string]string) map[string]string {
	env := map[string]string{
		"STAGE":               "local",
		"DATABASE_URL":        dbURL,
		"DATABASE_SECRET_ARN": "",
		"BLOB_URL":            "file://" + filepath.Join(root, ".local", "blob"),
	}
	for _, v := range config.Vars {
		if val, ok := os.LookupEnv(v.Name); ok && v.Name != "DATABASE_URL" {
			env[v.Name] = val
		}
	}
	for _, name := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		if val, ok := os.LookupEnv(name); ok {
			env[name] = val
		}
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}
