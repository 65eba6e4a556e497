package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/blob"
	"github.com/opsight/opsight/shared/httpapi"
	"github.com/opsight/opsight/shared/postgres"
	"github.com/opsight/opsight/shared/postgres/pgtest"
)

const (
	benchSeries = 50
	benchPoints = 2000 // per series: 100,000 points per batch
)

var benchBase = time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)

// batchOf is a JSON batch of series [lo, hi), benchPoints minutes each,
// starting round*benchPoints minutes after benchBase.
func batchOf(round, lo, hi int) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	start := benchBase.Add(time.Duration(round*benchPoints) * time.Minute)
	for s := lo; s < hi; s++ {
		if s > lo {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"service":"svc-%02d","metric":"latency_p95","points":[`, s)
		for p := range benchPoints {
			if p > 0 {
				buf.WriteByte(',')
			}
			fmt.Fprintf(&buf, "[%d,%g]", start.Add(time.Duration(p)*time.Minute).Unix(), float64(p%97)/10)
		}
		buf.WriteString("]}")
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// BenchmarkIngest measures the batch API (JSON over HTTP, validation, COPY
// into staging, one merge, rollup marks) against a plain `\copy` of the
// same rows into the points table through psql, on the same database; and
// the API with two clients at once (agents push concurrently). Every
// iteration writes new timestamps, so all do inserts, not overwrites.
// Run with -v to see the ratio api / psql.
func BenchmarkIngest(b *testing.B) {
	url := pgtest.NewDatabaseURL(b)
	store, _ := blob.OpenFS(b.TempDir())
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer(httpapi.New(httpapi.Config{Store: db, Blob: store, MetricsMaxBodyBytes: 64 << 20,
		Now: func() time.Time { return time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC) }}))
	defer srv.Close()
	for i := range benchSeries {
		body := fmt.Sprintf(`{"name":"svc-%02d"}`, i)
		res, err := http.Post(srv.URL+"/api/v1/services", "application/json", bytes.NewBufferString(body))
		if err != nil || res.StatusCode != 201 {
			b.Fatal(res, err)
		}
	}
	points := float64(benchSeries * benchPoints)
	// The benchmark functions run several times with growing b.N; rounds
	// count across runs so every batch holds new timestamps.
	round := 0
	post(b, srv.URL, batchOf(round, 0, benchSeries)) // creates the series and partitions
	round++
	var apiRate, copyRate float64
	b.Run("api", func(b *testing.B) {
		bodies := make([][]byte, b.N)
		for i := range bodies {
			bodies[i] = batchOf(round+i, 0, benchSeries)
		}
		round += b.N
		b.ResetTimer()
		for i := range b.N {
			post(b, srv.URL, bodies[i])
		}
		apiRate = points * float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(apiRate, "points/s")
	})
	b.Run("api-2-clients", func(b *testing.B) {
		// Each client pushes half the series, as two agents would.
		bodies := make([][2][]byte, b.N)
		for i := range bodies {
			bodies[i] = [2][]byte{batchOf(round+i, 0, benchSeries/2), batchOf(round+i, benchSeries/2, benchSeries)}
		}
		round += b.N
		b.ResetTimer()
		var wg sync.WaitGroup
		for c := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range b.N {
					post(b, srv.URL, bodies[i][c])
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(points*float64(b.N)/b.Elapsed().Seconds(), "points/s")
	})
	b.Run("psql-copy", func(b *testing.B) {
		psql, err := exec.LookPath("psql")
		if err != nil {
			b.Fatal("psql is required for the comparison: ", err)
		}
		var ids []int64
		rows, err := db.Pool.Query(context.Background(), "SELECT id FROM series ORDER BY id")
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			ids = append(ids, id)
		}
		dir := b.TempDir()
		files := make([]string, b.N)
		for i := range b.N {
			start := benchBase.Add(time.Duration((round+i)*benchPoints) * time.Minute)
			var buf bytes.Buffer
			for _, id := range ids {
				for p := range benchPoints {
					buf.WriteString(strconv.FormatInt(id, 10))
					buf.WriteByte(',')
					buf.WriteString(start.Add(time.Duration(p) * time.Minute).Format(time.RFC3339))
					buf.WriteByte(',')
					buf.WriteString(strconv.FormatFloat(float64(p%97)/10, 'g', -1, 64))
					buf.WriteByte('\n')
				}
			}
			files[i] = filepath.Join(dir, fmt.Sprintf("r%d.csv", i))
			os.WriteFile(files[i], buf.Bytes(), 0o644)
			// The partitions the copy needs exist, as they do for the API.
			if err := db.EnsurePartitionsAhead(context.Background(), start, 2+benchPoints/1440); err != nil {
				b.Fatal(err)
			}
		}
		round += b.N
		b.ResetTimer()
		for i := range b.N {
			out, err := exec.Command(psql, url, "-v", "ON_ERROR_STOP=1", "-c", `\copy points (series_id, ts, value) FROM '`+files[i]+`' WITH (FORMAT csv)`).CombinedOutput()
			if err != nil {
				b.Fatalf("psql: %v\n%s", err, out)
			}
		}
		copyRate = points * float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(copyRate, "points/s")
	})
	if copyRate > 0 && apiRate > 0 {
		b.Logf("batch API %.0f points/s, psql COPY %.0f points/s, ratio %.2f", apiRate, copyRate, apiRate/copyRate)
	}
}

func post(b *testing.B, url string, body []byte) {
	res, err := http.Post(url+"/api/v1/metrics", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Error(err)
		return
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Errorf("push: %d", res.StatusCode)
	}
}
