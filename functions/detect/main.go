// Command detect is the scheduled anomaly detector: every minute it feeds
// new points to each series' streaming detector, scores each service's
// metrics together, and records anomaly episodes.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/detectrun"
)

func main() {
	d := coldstart.MustLoad(context.Background())
	lambda.Start(func(ctx context.Context, _ events.CloudWatchEvent) (detectrun.Result, error) {
		return detectrun.Run(ctx, d.DB, detectrun.Options{Log: d.Log})
	})
}
