package csvimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
	"github.com/opsight/opsight/shared/tscsv"
)

// longCSV is n minutes of two series of checkout-api, ending an hour ago,
// with bad appended as the last row when not empty.
func longCSV(n int, bad string) string {
	var b strings.Builder
	b.WriteString("timestamp,service,metric,value,route\n")
	start := now.Add(-time.Hour - time.Duration(n)*time.Minute)
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)
		fmt.Fprintf(&b, "%s,checkout-api,latency_p95,%g,/pay\n%s,checkout-api,error_rate,%g,\n", ts, 0.1+float64(i)/1000, ts, float64(i%7)/100)
	}
	b.WriteString(bad)
	return b.String()
}

func importString(t *testing.T, st Store, in string, opt ImportOptions) (Summary, error) {
	t.Helper()
	opt.Now = now
	return Import(context.Background(), st, strings.NewReader(in), int64(len(in)), opt)
}

func countPoints(t *testing.T, db *postgres.DB) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM points").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImport(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if err := db.CreateService(ctx, &aiops.Service{Name: "checkout-api"}); err != nil {
		t.Fatal(err)
	}
	in := longCSV(100, "")
	var phases []Progress
	sum, err := importString(t, db, in, ImportOptions{Options: Options{BatchPoints: 30},
		Progress: func(p Progress) { phases = append(phases, p) }})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{Format: FormatLong, Rows: 200, Points: 200, Series: 2, Services: 1, Batches: 7, CreatedSeries: 2}
	sum.Elapsed = 0
	if sum != want {
		t.Fatalf("summary %+v, want %+v", sum, want)
	}
	if n := countPoints(t, db); n != 200 {
		t.Fatalf("%d points stored, want 200", n)
	}
	series, err := db.FindSeries(ctx, postgres.SeriesFilter{Service: "checkout-api", Metric: "latency_p95", Labels: map[string]string{"route": "/pay"}})
	if err != nil || len(series) != 1 || series[0].FirstPoint == nil || !series[0].FirstPoint.Equal(now.Add(-time.Hour-100*time.Minute)) {
		t.Fatalf("series %+v, %v", series, err)
	}
	last := phases[len(phases)-1]
	if phases[0].Phase != PhaseCheck || last.Phase != PhaseWrite || last.Bytes != int64(len(in)) || last.Total != int64(len(in)) {
		t.Fatalf("progress %+v ... %+v", phases[0], last)
	}

	// The same file again overwrites: still 200 points.
	if _, err := importString(t, db, in, ImportOptions{}); err != nil || countPoints(t, db) != 200 {
		t.Fatalf("re-import: %v, %d points", err, countPoints(t, db))
	}
}

// A bad row anywhere, even after several batches' worth of good ones,
// stops the import before anything is written.
func TestImportAllOrNothing(t *testing.T) {
	db := pgtest.NewDB(t)
	if err := db.CreateService(context.Background(), &aiops.Service{Name: "checkout-api"}); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]struct {
		row    string
		column string
		text   string
	}{
		"not a number": {"2026-11-25T11:00:00Z,checkout-api,cpu,lots,\n", "value", "not a number"},
		"future":       {"2026-11-25T13:00:00Z,checkout-api,cpu,1,\n", "timestamp", "in the future"},
		"bad metric":   {"2026-11-25T11:00:00Z,checkout-api,cpu.total,1,\n", "metric", "must match"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := importString(t, db, longCSV(100, bad.row), ImportOptions{Options: Options{BatchPoints: 10}})
			var e *tscsv.Error
			if !errors.As(err, &e) || e.Line != 202 || e.Column != bad.column || !strings.Contains(err.Error(), bad.text) {
				t.Fatalf("err = %v, want line 202 column %q saying %q", err, bad.column, bad.text)
			}
			if n := countPoints(t, db); n != 0 {
				t.Fatalf("%d points written by a rejected import", n)
			}
		})
	}
}

func TestImportServices(t *testing.T) {
	db := pgtest.NewDB(t)
	in := "timestamp,search/cpu,payments-api/cpu\n2026-11-25T10:00:00Z,0.5,0.25\n"
	_, err := importString(t, db, in, ImportOptions{})
	var e *tscsv.Error
	if !errors.As(err, &e) || e.Line != 1 || e.Column != "search/cpu" || !strings.Contains(err.Error(), "--create-services") {
		t.Fatalf("unknown service: err = %v", err)
	}
	sum, err := importString(t, db, in, ImportOptions{DryRun: true, CreateServices: true})
	if err != nil || !sum.DryRun || sum.Points != 2 || countPoints(t, db) != 0 {
		t.Fatalf("dry run: %+v, %v, %d points stored", sum, err, countPoints(t, db))
	}
	sum, err = importString(t, db, in, ImportOptions{CreateServices: true})
	if err != nil || sum.CreatedServices != 2 || sum.Services != 2 || countPoints(t, db) != 2 {
		t.Fatalf("create services: %+v, %v", sum, err)
	}
}

// failingStore fails its second write, as a database outage would.
type failingStore struct {
	*postgres.DB
	writes int
}

func (s *failingStore) WriteSamples(ctx context.Context, b []aiops.Samples, opt postgres.WriteOptions) (aiops.WriteResult, error) {
	if s.writes++; s.writes == 2 {
		return aiops.WriteResult{}, aiops.Unavailable("the database", errors.New("connection reset"))
	}
	return s.DB.WriteSamples(ctx, b, opt)
}

func TestImportWriteFailureSaysWhatIsStored(t *testing.T) {
	db := pgtest.NewDB(t)
	if err := db.CreateService(context.Background(), &aiops.Service{Name: "checkout-api"}); err != nil {
		t.Fatal(err)
	}
	_, err := importString(t, &failingStore{DB: db}, longCSV(10, ""), ImportOptions{Options: Options{BatchPoints: 6}})
	if err == nil || !strings.Contains(err.Error(), "writing lines 8-13") || !strings.Contains(err.Error(), "lines 2-7 are stored") ||
		aiops.ErrorCode(err) != aiops.EUNAVAILABLE {
		t.Fatalf("err = %v", err)
	}
	if n := countPoints(t, db); n != 6 {
		t.Fatalf("%d points stored, want the first batch's 6", n)
	}
	// Running it again completes the import.
	if _, err := importString(t, db, longCSV(10, ""), ImportOptions{}); err != nil || countPoints(t, db) != 20 {
		t.Fatalf("second run: %v, %d points", err, countPoints(t, db))
	}
}

func TestOpen(t *testing.T) {
	in, err := Open("-", strings.NewReader("timestamp,a/x\n1,2\n"))
	if err != nil {
		t.Fatal(err)
	}
	spool := in.Name()
	b, _ := io.ReadAll(in)
	if in.Size != 18 || string(b) != "timestamp,a/x\n1,2\n" {
		t.Fatalf("spooled %d bytes: %q", in.Size, b)
	}
	if err := in.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spool); !os.IsNotExist(err) {
		t.Fatalf("spool %s left behind: %v", spool, err)
	}
	if _, err := Open("/nonexistent/x.csv", nil); err == nil {
		t.Fatal("opened a missing file")
	}
}
