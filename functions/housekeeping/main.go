// Command housekeeping keeps the metric store in shape on a schedule:
// rollup refresh every minute, partitions and retention every hour.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/housekeeping"
)

func main() {
	d := coldstart.MustLoad(context.Background())
	lambda.Start(housekeeping.Handler(d.DB, d.Log, housekeeping.Options{
		RetentionDays:       d.Config.MetricsRetentionDays,
		RollupRetentionDays: d.Config.RollupRetentionDays,
	}, time.Now))
}
