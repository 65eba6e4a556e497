package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

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
//
// It calls Secrets Manager's GetSecretValue directly, signed with the SDK's
// SigV4 signer, instead of through the generated client: one call does not
// justify half a megabyte in every bootstrap.
func URLFromSecret(ctx context.Context, arn string) (string, error) {
	cfg := awsenv.Config()
	endpoint := awsenv.Endpoint("Secrets Manager")
	if endpoint == "" {
		endpoint = "https://secretsmanager." + cfg.Region + ".amazonaws.com"
	}
	body, _ := json.Marshal(map[string]string{"SecretId": arn})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("read database secret: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("read database secret: %w", err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", cfg.Region, time.Now()); err != nil {
		return "", fmt.Errorf("read database secret: sign: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("read database secret: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read database secret: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		json.Unmarshal(b, &e)
		return "", fmt.Errorf("read database secret %s: %s %s (HTTP %d)", arn, e.Type, e.Message, res.StatusCode)
	}
	var out struct {
		SecretString *string `json:"SecretString"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.SecretString == nil {
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
