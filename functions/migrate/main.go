// Command migrate applies the database migrations. It answers both a direct
// invocation (`opsight invoke migrate`, a deploy pipeline) and a
// CloudFormation custom resource, so `sam deploy` migrates before traffic
// arrives.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/migration"
)

func main() {
	d := coldstart.MustLoad(context.Background())
	lambda.Start(migration.Handler(d.DB, d.Log))
}
