package migration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

var discard = slog.New(slog.DiscardHandler)

// cloudFormation stands in for the presigned S3 URL CloudFormation waits on,
// speaking its wire format: a PUT of the JSON response.
func cloudFormation(t *testing.T) (*httptest.Server, chan map[string]any) {
	got := make(chan map[string]any, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			t.Errorf("CloudFormation response sent with %s, want PUT", r.Method)
		}
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("response is not JSON: %s", b)
		}
		got <- body
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func event(t *testing.T, name, responseURL string) json.RawMessage {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(strings.ReplaceAll(string(b), "RESPONSE_URL", responseURL))
}

func emptyDB(t *testing.T) *postgres.DB {
	db := pgtest.NewDB(t)
	if _, err := db.Pool.Exec(context.Background(), "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDirectInvocation(t *testing.T) {
	db := emptyDB(t)
	h := Handler(db, discard)
	out, err := h(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := postgres.Migrations()
	res := out.(Result)
	if len(res.Applied) != len(ms) || res.Version != ms[len(ms)-1].Version {
		t.Fatalf("first run = %+v", res)
	}
	out, err = h(context.Background(), json.RawMessage(`{}`))
	if err != nil || len(out.(Result).Applied) != 0 {
		t.Fatalf("second run = %+v, %v", out, err)
	}
}

func TestCustomResourceCreate(t *testing.T) {
	db := emptyDB(t)
	srv, got := cloudFormation(t)
	if _, err := Handler(db, discard)(context.Background(), event(t, "cfn-create.json", srv.URL)); err != nil {
		t.Fatal(err)
	}
	resp := <-got
	data, _ := resp["Data"].(map[string]any)
	if resp["Status"] != "SUCCESS" || resp["PhysicalResourceId"] != PhysicalResourceID ||
		resp["LogicalResourceId"] != "DatabaseSchema" || data["SchemaVersion"] == nil {
		t.Fatalf("response = %v", resp)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM services").Scan(&n); err != nil {
		t.Fatalf("schema not created: %v", err)
	}
}

func TestCustomResourceDeleteKeepsData(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if _, err := db.Pool.Exec(ctx, "INSERT INTO services (name, type) VALUES ('keep', 'api')"); err != nil {
		t.Fatal(err)
	}
	srv, got := cloudFormation(t)
	if _, err := Handler(db, discard)(ctx, event(t, "cfn-delete.json", srv.URL)); err != nil {
		t.Fatal(err)
	}
	if resp := <-got; resp["Status"] != "SUCCESS" {
		t.Fatalf("response = %v", resp)
	}
	var name string
	if err := db.Pool.QueryRow(ctx, "SELECT name FROM services").Scan(&name); err != nil || name != "keep" {
		t.Fatalf("data lost on delete: %v", err)
	}
}

// A failed migration reports FAILED to CloudFormation, with the reason, so
// the stack rolls back instead of hanging for an hour.
func TestCustomResourceFailureIsReported(t *testing.T) {
	db := emptyDB(t)
	// A table in the way of the first migration makes it fail.
	if _, err := db.Pool.Exec(context.Background(), "CREATE TABLE services (x int)"); err != nil {
		t.Fatal(err)
	}
	srv, got := cloudFormation(t)
	Handler(db, discard)(context.Background(), event(t, "cfn-create.json", srv.URL))
	resp := <-got
	if resp["Status"] != "FAILED" || !strings.Contains(resp["Reason"].(string), "0001") {
		t.Fatalf("response = %v", resp)
	}
	var exists bool
	db.Pool.QueryRow(context.Background(), "SELECT to_regclass('schema_migrations') IS NOT NULL AND EXISTS (SELECT 1 FROM schema_migrations)").Scan(&exists)
	if exists {
		t.Fatal("a failed migration was recorded as applied")
	}
}
