package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/opsight/opsight/shared/awsenv"
)

// rdsSecret is the JSON layout RDS and Secrets Manager use for database
// credentials (what `ManageMasterUserPassword` and the rotation templates write).
type rdsSecret struct {
	Username string          `json:"username"`
	Password string          `json:"password"`
	Host     string          `json:"host"`
	Port     json.RawMessage `json:"port"` // a number or a string, depending on who wrote it
	DBName   string          `json:"dbname"`
}

// URLFromSecret reads a Secrets Manager secret and returns a connection URL.
// It runs once per cold start; the credentials never pass through the
// template or the function's environment.
func URLFromSecret(ctx context.Context, arn string) (string, error) {
	client := secretsmanager.NewFromConfig(awsenv.Config(), func(o *secretsmanager.Options) {
		if ep := awsenv.Endpoint("Secrets Manager"); ep != "" {
			o.BaseEndpoint = &ep
		}
	})
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return "", fmt.Errorf("read database secret: %w", err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("database secret %s has no SecretString", arn)
	}
	return URLFromSecretJSON([]byte(*out.SecretString))
}

// URLFromSecretJSON builds a connection URL from an RDS-format secret.
// TLS is required: the secret describes a server reached over the network.
func URLFromSecretJSON(b []byte) (string, error) {
	var s rdsSecret
	if err := json.Unmarshal(b, &s); err != nil {
		return "", fmt.Errorf("database secret is not RDS-format JSON: %w", err)
	}
	if s.Host == "" || s.Username == "" {
		return "", fmt.Errorf("database secret lacks host or username")
	}
	port := 5432
	if len(s.Port) > 0 {
		p, err := strconv.Atoi(strings.Trim(string(s.Port), `"`))
		if err != nil || p <= 0 || p > 65535 {
			return "", fmt.Errorf("database secret has an invalid port %s", s.Port)
		}
		port = p
	}
	db := s.DBName
	if db == "" {
		db = "postgres"
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.Username, s.Password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(port)),
		Path:     "/" + db,
		RawQuery: "sslmode=require",
	}
	return u.String(), nil
}
