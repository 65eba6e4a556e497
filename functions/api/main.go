// Command api is the dashboard API function: API Gateway HTTP API events in,
// the httpapi handler's responses out.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/lambdahttp"
)

func main() {
	ctx := context.Background()
	d := coldstart.MustLoad(ctx)
	store, err := blob.Open(ctx, d.Config.BlobURL.String())
	if err != nil {
		coldstart.Fail(err)
	}
	api := httpapi.New(httpapi.Config{
		Store:        d.DB,
		Blob:         store,
		Logger:       d.Log,
		Registerer:   d.Registry,
		Gatherer:     d.Registry,
		Stage:        d.Config.Stage,
		MaxBodyBytes: d.Config.MaxBodyBytes,

		MetricsMaxBodyBytes: d.Config.MetricsMaxBodyBytes,
		CreateServices:      d.Config.MetricsCreateServices,
		Health: httpapi.HealthThresholds{
			ErrorRate:  d.Config.HealthErrorRate,
			LatencyP95: d.Config.HealthLatencyP95,
			CPU:        d.Config.HealthCPU,
		},
	})
	lambda.Start(lambdahttp.Handler(api))
}
