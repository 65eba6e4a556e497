// Package coldstart builds what every function needs once per execution
// environment: validated configuration, the Lambda logger, the database pool
// and a metrics registry. The object store is opened by the functions that
// use it (OpenBlob), so the others do not link the S3 client. Functions call Load in main before
// lambda.Start, so a bad configuration fails the init phase, where Lambda
// reports it, instead of every invocation.
package coldstart

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/opsight/opsight/shared/config"
	"github.com/opsight/opsight/shared/postgres"
)

// Deps are the shared dependencies of a function.
type Deps struct {
	Config   *config.Config
	Log      *slog.Logger
	DB       *postgres.DB
	Registry *prometheus.Registry
}

// Load reads the environment and opens the database pool (lazily: no
// connection is made until the first query).
func Load(ctx context.Context) (*Deps, error) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return nil, err
	}
	// JSON or text, and the level, come from the function's LoggingConfig
	// (AWS_LAMBDA_LOG_FORMAT, AWS_LAMBDA_LOG_LEVEL); every record carries the
	// invocation's requestId.
	log := lambdacontext.NewLogger()
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		if dbURL, err = postgres.URLFromSecret(ctx, cfg.DatabaseSecretARN); err != nil {
			return nil, err
		}
	}
	db, err := postgres.Open(ctx, dbURL, postgres.Options{MaxConns: cfg.DBMaxConns, ConnectTimeout: cfg.DBConnectTimeout})
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Deps{Config: cfg, Log: log, DB: db, Registry: reg}, nil
}

// MustLoad is Load for main: on error it logs and exits non-zero, which
// Lambda reports as an init error (Runtime.ExitError) with the message in
// the function's logs.
func MustLoad(ctx context.Context) *Deps {
	d, err := Load(ctx)
	if err != nil {
		Fail(err)
	}
	return d
}

// Fail reports a cold-start error and exits non-zero.
func Fail(err error) {
	slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("cold start failed", "err", err)
	os.Exit(1)
}
