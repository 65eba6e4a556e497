// Command forecast is the hourly forecaster: it refits stale models of live
// series, stores them in object storage, writes forecasts with intervals and
// predicts capacity breaches.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/coldstart"
	"github.com/opsight/opsight/shared/forecastrun"
)

func main() {
	ctx := context.Background()
	d := coldstart.MustLoad(ctx)
	store, err := blob.Open(ctx, d.Config.BlobURL.String())
	if err != nil {
		coldstart.Fail(err)
	}
	c := d.Config
	opt := forecastrun.Options{
		Horizon:    c.ForecastHorizonHours,
		History:    time.Duration(c.ForecastHistoryDays) * 24 * time.Hour,
		Refit:      time.Duration(c.ForecastRefitHours) * time.Hour,
		MaxSeries:  c.ForecastMaxSeries,
		Thresholds: c.CapacityThresholds,
		Log:        d.Log,
	}
	lambda.Start(func(ctx context.Context, ev events.CloudWatchEvent) (forecastrun.Result, error) {
		now := ev.Time // the scheduled time, so a retry forecasts the same hour
		if now.IsZero() {
			now = time.Now()
		}
		return forecastrun.Run(ctx, d.DB, store, now.UTC(), opt)
	})
}
