package awsenv

import (
	"context"
	"testing"
)

func TestEndpointPrecedence(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "http://all")
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://s3")
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://sm")
	if got := Endpoint("S3"); got != "http://s3" {
		t.Errorf("S3 = %q", got)
	}
	if got := Endpoint("Secrets Manager"); got != "http://sm" {
		t.Errorf("Secrets Manager = %q", got)
	}
	if got := Endpoint("SQS"); got != "http://all" {
		t.Errorf("SQS = %q", got)
	}
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
	if got := Endpoint("S3"); got != "" {
		t.Errorf("ignored endpoints: %q", got)
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "eu-west-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "TOKEN")
	cfg := Config()
	if cfg.Region != "eu-west-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	c, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AKID" || c.SessionToken != "TOKEN" {
		t.Errorf("credentials = %+v, %v", c, err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	if _, err := Config().Credentials.Retrieve(context.Background()); err == nil {
		t.Error("missing credentials accepted")
	}
}
