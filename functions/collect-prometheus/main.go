// Command collect-prometheus is the Prometheus pull collector: scheduled
// every minute, it stores the standard metrics of every service that has a
// Prometheus source (see package collect).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/collect"
)

func main() {
	d := coldstart.MustLoad(context.Background())
	c := collect.New(collect.FromConfig(d.Config.Collector), d.DB, d.Log, d.Registry)
	lambda.Start(c.HandleScheduled)
}
