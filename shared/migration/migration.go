// Package migration is the migrate function's event handling. The function is
// invoked two ways: directly (a deploy pipeline, `opsight invoke migrate`),
// answering with what it applied, and as a CloudFormation custom resource,
// answering CloudFormation through the presigned ResponseURL so a stack
// update waits for the schema and fails when it cannot be migrated.
package migration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/opsight/opsight/shared/postgres"
)

// PhysicalResourceID names the schema resource in CloudFormation. It never
// changes, so updates are never mistaken for replacements (which would make
// CloudFormation send a Delete for the "old" schema).
const PhysicalResourceID = "opsight-database-schema"

// Result is the answer to a direct invocation.
type Result struct {
	Applied []int `json:"applied"`
	Version int   `json:"version"`
}

// Migrator applies migrations; *postgres.DB is one.
type Migrator interface {
	Migrate(ctx context.Context, log *slog.Logger) (postgres.MigrateResult, error)
}

// Handler returns the function's handler.
func Handler(db Migrator, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	custom := cfn.LambdaWrap(func(ctx context.Context, ev cfn.Event) (string, map[string]any, error) {
		if ev.RequestType == cfn.RequestDelete {
			// Deleting the stack must not drop the data: the database
			// outlives the functions (and RDS has its own deletion policy).
			log.InfoContext(ctx, "custom resource delete: schema left in place")
			return PhysicalResourceID, nil, nil
		}
		res, err := db.Migrate(ctx, log)
		if err != nil {
			return PhysicalResourceID, nil, err
		}
		return PhysicalResourceID, map[string]any{"SchemaVersion": res.Current}, nil
	})
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			RequestType string `json:"RequestType"`
			ResponseURL string `json:"ResponseURL"`
		}
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &probe); err != nil {
				return nil, fmt.Errorf("migrate: event is not valid JSON: %w", err)
			}
		}
		if probe.RequestType != "" && probe.ResponseURL != "" {
			var ev cfn.Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("migrate: malformed CloudFormation event: %w", err)
			}
			reason, err := custom(ctx, ev)
			if err != nil {
				return nil, err
			}
			return map[string]string{"cloudformation": reason}, nil
		}
		res, err := db.Migrate(ctx, log)
		if err != nil {
			return nil, err
		}
		if res.Applied == nil {
			res.Applied = []int{}
		}
		return Result{Applied: res.Applied, Version: res.Current}, nil
	}
}
