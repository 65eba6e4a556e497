package main

import (
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/postgres/pgtest"
)

func TestImportCommand(t *testing.T) {
	url := pgtest.NewDatabaseURL(t)
	ts := time.Now().Add(-time.Hour).UTC().Truncate(time.Minute)
	var b strings.Builder
	b.WriteString("timestamp,checkout-api/request_rate,checkout-api/error_rate\n")
	for i := 0; i < 30; i++ {
		b.WriteString(ts.Add(time.Duration(i)*time.Minute).Format(time.RFC3339) + ",100,0.01\n")
	}
	file := writeFile(t, "wide.csv", b.String())

	if _, stderr, code := runCLI(t, "import", "--database-url", url, file); code != 1 || !strings.Contains(stderr, `line 1, column "checkout-api/request_rate": no service named "checkout-api"`) {
		t.Fatalf("unknown service: exit %d: %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "import", "--database-url", url, "--create-services", "--dry-run", file)
	if code != 0 || !strings.Contains(out, "Checked (dry run, nothing written) wide-format CSV: 30 rows, 60 points in 2 series of 1 services") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	out, stderr, code = runCLI(t, "import", "--database-url", url, "--create-services", file)
	if code != 0 || !strings.Contains(out, "Imported wide-format CSV: 30 rows, 60 points") || !strings.Contains(out, "1 new services, 2 new series") {
		t.Fatalf("import: exit %d\n%s%s", code, out, stderr)
	}

	// Standard input, long format, a bad value on line 3.
	old := stdin
	t.Cleanup(func() { stdin = old })
	stdin = strings.NewReader("timestamp,service,metric,value\n" + ts.Format(time.RFC3339) + ",checkout-api,cpu,0.5\n" + ts.Format(time.RFC3339) + ",checkout-api,cpu,high\n")
	if _, stderr, code := runCLI(t, "import", "--database-url", url, "-"); code != 1 || !strings.Contains(stderr, `line 3, column "value": not a number: "high"`) {
		t.Fatalf("bad stdin: exit %d: %s", code, stderr)
	}
}

func TestImportUsage(t *testing.T) {
	if _, stderr, code := runCLI(t, "import", "--help"); code != 0 || !strings.Contains(stderr, "usage: opsight import") {
		t.Errorf("--help: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"import", "--database-url", "postgres://x"},
		{"import", "--database-url", "postgres://x", "a.csv", "b.csv"},
		{"import", "--database-url", "postgres://x", "--format", "tall", "a.csv"},
		{"import", "--database-url", "postgres://x", "--batch", "0", "a.csv"},
		{"import", "--database-url", "", "a.csv"},
	} {
		if _, stderr, code := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}
