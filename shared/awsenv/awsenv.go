// Package awsenv builds the AWS SDK configuration from the environment alone,
// the way Lambda provides it (AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) plus the standard endpoint
// overrides (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL).
//
// It replaces the SDK's config.LoadDefaultConfig on purpose: that loader
// links the SSO, STS, IMDS and shared-file machinery (about 2 MB of every
// bootstrap, and file reads at cold start) that a Lambda function never uses.
// Outside Lambda, export the same variables (or use a tool such as
// `aws configure export-credentials --format env`).
package awsenv

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Config returns an aws.Config for the current environment. The region
// defaults to us-east-1 when unset, as a local S3-compatible server needs
// one but ignores its value.
func Config() aws.Config {
	region := firstEnv("AWS_REGION", "AWS_DEFAULT_REGION")
	if region == "" {
		region = "us-east-1"
	}
	return aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(aws.CredentialsProviderFunc(envCredentials)),
	}
}

// Endpoint returns the endpoint override for a service, following the SDKs'
// rules: AWS_ENDPOINT_URL_<SERVICE ID> (upper case, spaces as underscores),
// then AWS_ENDPOINT_URL; none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
// true. The service ID is the SDK's, e.g. "S3", "Secrets Manager".
func Endpoint(serviceID string) string {
	if strings.EqualFold(os.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		return ""
	}
	key := "AWS_ENDPOINT_URL_" + strings.ToUpper(strings.ReplaceAll(serviceID, " ", "_"))
	return firstEnv(key, "AWS_ENDPOINT_URL")
}

var errNoCredentials = errors.New("no AWS credentials in the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them from the function's role)")

func envCredentials(ctx context.Context) (aws.Credentials, error) {
	id := firstEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret := firstEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	if id == "" || secret == "" {
		return aws.Credentials{}, errNoCredentials
	}
	return aws.Credentials{
		AccessKeyID:     id,
		SecretAccessKey: secret,
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
		Source:          "EnvironmentVariables",
	}, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}
