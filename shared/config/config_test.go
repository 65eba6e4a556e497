package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://localhost/opsight"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != "local" || c.DBMaxConns != 4 ||
		c.DBConnectTimeout != 5*time.Second || c.MaxBodyBytes != 1<<20 {
		t.Errorf("defaults = %+v", c)
	}
	if c.BlobURL.Scheme != "file" || c.BlobURL.Path != "/tmp/opsight/blob" {
		t.Errorf("blob URL = %v", c.BlobURL)
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	_, err := Load(env(map[string]string{
		"DB_CONNECT_TIMEOUT": "soon",
		"DB_MAX_CONNS":       "0",
		"BLOB_URL":           "ftp://x",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"DB_CONNECT_TIMEOUT", "DB_MAX_CONNS", "BLOB_URL", "DATABASE_URL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestLoadAcceptsSecretInsteadOfURL(t *testing.T) {
	c, err := Load(env(map[string]string{
		"DATABASE_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
		"BLOB_URL":            "s3://bucket/prefix",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BlobURL.Host != "bucket" || c.BlobURL.Path != "/prefix" {
		t.Errorf("blob URL = %v", c.BlobURL)
	}
}

func TestVarsAreUniqueAndDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vars {
		if seen[v.Name] {
			t.Errorf("%s declared twice", v.Name)
		}
		seen[v.Name] = true
		if v.Doc == "" {
			t.Errorf("%s has no doc", v.Name)
		}
	}
}

func TestThresholdsAndBooleans(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "HEALTH_CPU": "0.5, 0.9", "METRICS_CREATE_SERVICES": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HealthCPU != (Threshold{0.5, 0.9}) || !c.MetricsCreateServices || c.HealthErrorRate != (Threshold{0.01, 0.05}) {
		t.Errorf("config = %+v", c)
	}
	for _, bad := range []string{"0.9,0.5", "1", "a,b", "-1,2"} {
		if _, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "HEALTH_CPU": bad})); err == nil || !strings.Contains(err.Error(), "HEALTH_CPU") {
			t.Errorf("HEALTH_CPU=%q accepted: %v", bad, err)
		}
	}
}

func TestCollectorSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"DATABASE_URL": "postgres://x/y"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Collector{Concurrency: 8, Step: time.Minute, RateWindow: 5 * time.Minute, RequestTimeout: 10 * time.Second,
		MaxCatchUp: 24 * time.Hour, MaxSeries: 50, BreakerThreshold: 3, BreakerCooldown: 5 * time.Minute}
	if c.Collector != want {
		t.Errorf("collector defaults = %+v", c.Collector)
	}
	_, err = Load(env(map[string]string{"DATABASE_URL": "postgres://x/y", "COLLECTOR_CONCURRENCY": "0", "COLLECTOR_STEP": "soon", "COLLECTOR_BREAKER_COOLDOWN": "-5m"}))
	for _, name := range []string{"COLLECTOR_CONCURRENCY", "COLLECTOR_STEP", "COLLECTOR_BREAKER_COOLDOWN"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}
