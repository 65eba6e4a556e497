package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestDemoCommand(t *testing.T) {
	url := pgtest.NewDatabaseURL(t)
	out, stderr, code := runCLI(t, "demo", "--database-url", url, "--days", "2", "--no-stream")
	if code != 0 || !strings.Contains(out, "Backfilled ") || !strings.Contains(out, "Injected ") {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, stderr)
	}
	// A second run finds the data and leaves it alone.
	if out, stderr, code := runCLI(t, "demo", "--database-url", url, "--no-stream"); code != 0 || !strings.Contains(out, "continuing it") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runCLI(t, "demo", "--database-url", url, "--list")
	if code != 0 || !strings.Contains(out, "latency_spike") || !strings.Contains(out, "DESCRIPTION") {
		t.Fatalf("list: exit %d\n%s%s", code, out, stderr)
	}
	out, _, code = runCLI(t, "demo", "--database-url", url, "--list", "--json")
	var list []postgres.DemoIncident
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil || len(list) == 0 || list[0].Service == "" {
		t.Fatalf("list --json: exit %d, %v: %s", code, err, out)
	}
}

func TestDemoUsage(t *testing.T) {
	if _, stderr, code := runCLI(t, "demo", "--help"); code != 0 || !strings.Contains(stderr, "usage: opsight demo") {
		t.Errorf("--help: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"demo", "--database-url", "postgres://x", "--days", "1"},
		{"demo", "--database-url", "postgres://x", "--list", "--stream"},
		{"demo", "--database-url", "postgres://x", "--json"},
		{"demo", "--database-url", "postgres://x", "extra"},
		{"demo", "--database-url", ""},
	} {
		if _, stderr, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}
