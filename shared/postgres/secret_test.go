package postgres

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURLFromSecretJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"username":"app","password":"p@ss/word","host":"db.example.com","port":5432,"dbname":"opsight"}`,
			"postgres://app:p%40ss%2Fword@db.example.com:5432/opsight?sslmode=require"},
		{`{"username":"app","password":"x","host":"db","port":"6432"}`,
			"postgres://app:x@db:6432/postgres?sslmode=require"},
	}
	for _, tt := range tests {
		got, err := URLFromSecretJSON([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("URLFromSecretJSON(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`{}`, `[]`, `{"username":"a","host":"h","port":0}`, `{"username":"a","host":"h","port":"x"}`} {
		if _, err := URLFromSecretJSON([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzURLFromSecretJSON(f *testing.F) {
	f.Add(`{"username":"app","password":"x","host":"db","port":5432,"dbname":"d"}`)
	f.Add(`{"username":"a","host":"h","port":"99999"}`)
	f.Fuzz(func(t *testing.T, in string) {
		u, err := URLFromSecretJSON([]byte(in))
		if err == nil && u == "" {
			t.Fatal("empty URL without an error")
		}
	})
}

// URLFromSecret speaks Secrets Manager's JSON 1.1 protocol, signed with
// SigV4; the server here answers as Secrets Manager does.
func TestURLFromSecretCallsSecretsManager(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		if r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" {
			w.WriteHeader(400)
			return
		}
		if strings.Contains(string(body), "missing") {
			w.WriteHeader(400)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{"ARN":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf","Name":"db","SecretString":"{\"username\":\"app\",\"password\":\"pw\",\"host\":\"proxy.example.com\",\"port\":5432,\"dbname\":\"opsight\"}","VersionId":"v1"}`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "token")
	t.Setenv("AWS_REGION", "eu-west-1")
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf"
	u, err := URLFromSecret(context.Background(), arn)
	if err != nil {
		t.Fatal(err)
	}
	if u != "postgres://app:pw@proxy.example.com:5432/opsight?sslmode=require" {
		t.Errorf("url = %q", u)
	}
	auth := got.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/eu-west-1/secretsmanager/aws4_request") ||
		got.Header.Get("X-Amz-Security-Token") != "token" || got.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("request not signed as Secrets Manager expects: %v", got.Header)
	}
	var req map[string]string
	if json.Unmarshal(body, &req); req["SecretId"] != arn {
		t.Errorf("body = %s", body)
	}
	if _, err := URLFromSecret(context.Background(), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:missing"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("missing secret: %v", err)
	}
}
