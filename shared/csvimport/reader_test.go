package csvimport

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/tscsv"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// readAll returns every batch's samples, merged by series in first-seen
// order.
func readAll(in string, opt Options) ([]aiops.Samples, *Reader, error) {
	opt.Now = now
	r, err := NewReader(strings.NewReader(in), opt)
	if err != nil {
		return nil, nil, err
	}
	var out []aiops.Samples
	index := map[string]int{}
	for {
		b, err := r.Next()
		if err == io.EOF {
			return out, r, nil
		}
		if err != nil {
			return nil, r, err
		}
		for _, s := range b.Samples {
			id := seriesID(s.SeriesKey)
			i, ok := index[id]
			if !ok {
				i = len(out)
				index[id] = i
				out = append(out, aiops.Samples{SeriesKey: s.SeriesKey})
			}
			out[i].Points = append(out[i].Points, s.Points...)
		}
	}
}

func pt(ts string, v float64) aiops.Point {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		panic(err)
	}
	return aiops.Point{T: t, V: v}
}

func TestReadFormats(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		opt     Options
		format  Format
		want    []aiops.Samples
		skipped int
	}{
		{
			name: "long with a label column, any column order, gaps skipped",
			in: "service,timestamp,metric,value,route\n" +
				"checkout-api,2026-11-25T10:00:00Z,latency_p95,0.25,/pay\n" +
				"checkout-api,2026-11-25 10:01:00,latency_p95,0.5,/pay\n" +
				"checkout-api,1795600800,latency_p95,0.1,\n" + // 10:00, no route
				"checkout-api,1795600860000,error_rate,,\n" + // a gap
				"search,2026-11-25T10:00:00Z,error_rate,NaN,\n",
			format: FormatLong,
			want: []aiops.Samples{
				{SeriesKey: aiops.SeriesKey{Service: "checkout-api", Metric: "latency_p95", Labels: map[string]string{"route": "/pay"}},
					Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 0.25), pt("2026-11-25T10:01:00Z", 0.5)}},
				{SeriesKey: aiops.SeriesKey{Service: "checkout-api", Metric: "latency_p95"},
					Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 0.1)}},
			},
			skipped: 2,
		},
		{
			name:   "long detected with a BOM and spaces; time as the timestamp's name",
			in:     "\ufeffTime , Service,Metric,Value\n2026-11-25T10:00:00Z, orders-worker ,pods,3\n",
			format: FormatLong,
			want: []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "orders-worker", Metric: "pods"},
				Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 3)}}},
		},
		{
			name: "wide with service/metric columns",
			in: "timestamp,checkout-api/request_rate,search.eu/error_rate\n" +
				"2026-11-25 10:00:00,118.5,0.002\n" +
				"2026-11-25 10:01:00,,0.003\n",
			format: FormatWide,
			want: []aiops.Samples{
				{SeriesKey: aiops.SeriesKey{Service: "checkout-api", Metric: "request_rate"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 118.5)}},
				{SeriesKey: aiops.SeriesKey{Service: "search.eu", Metric: "error_rate"},
					Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 0.002), pt("2026-11-25T10:01:00Z", 0.003)}},
			},
			skipped: 1,
		},
		{
			name:   "wide with --service for bare metrics, own service for the rest",
			in:     "ts,cpu,other/cpu\n1795600800,0.5,0.25\n",
			opt:    Options{Service: "search"},
			format: FormatWide,
			want: []aiops.Samples{
				{SeriesKey: aiops.SeriesKey{Service: "search", Metric: "cpu"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 0.5)}},
				{SeriesKey: aiops.SeriesKey{Service: "other", Metric: "cpu"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 0.25)}},
			},
		},
		{
			name:   "forced wide reads a long-looking header as metrics",
			in:     "timestamp,service,metric,value\n1795600800,1,2,3\n",
			opt:    Options{Format: FormatWide, Service: "x"},
			format: FormatWide,
			want: []aiops.Samples{
				{SeriesKey: aiops.SeriesKey{Service: "x", Metric: "service"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 1)}},
				{SeriesKey: aiops.SeriesKey{Service: "x", Metric: "metric"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 2)}},
				{SeriesKey: aiops.SeriesKey{Service: "x", Metric: "value"}, Points: []aiops.Point{pt("2026-11-25T10:00:00Z", 3)}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, r, err := readAll(tt.in, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Format() != tt.format {
				t.Errorf("format %s, want %s", r.Format(), tt.format)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("samples\n got %+v\nwant %+v", got, tt.want)
			}
			if r.Skipped() != tt.skipped {
				t.Errorf("skipped %d, want %d", r.Skipped(), tt.skipped)
			}
		})
	}
}

func TestReadBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("timestamp,a/x,a/y\n")
	for i := 0; i < 25; i++ {
		b.WriteString(now.Add(time.Duration(i-30) * time.Minute).Format(time.RFC3339))
		b.WriteString(",1,2\n")
	}
	r, err := NewReader(strings.NewReader(b.String()), Options{BatchPoints: 10, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	lines := 0
	for {
		batch, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, batch.Points)
		if batch.FirstLine != lines+2 && lines == 0 || batch.LastLine-batch.FirstLine+1 != batch.Points/2 {
			t.Errorf("batch lines %d-%d for %d points", batch.FirstLine, batch.LastLine, batch.Points)
		}
		lines = batch.LastLine
	}
	if !reflect.DeepEqual(sizes, []int{10, 10, 10, 10, 10}) || r.Rows() != 25 || r.Points() != 50 || lines != 26 {
		t.Fatalf("batches %v, rows %d, points %d, last line %d", sizes, r.Rows(), r.Points(), lines)
	}
	if r.BytesRead() != int64(b.Len()) {
		t.Fatalf("read %d bytes of %d", r.BytesRead(), b.Len())
	}
}

func TestReadErrors(t *testing.T) {
	const long = "timestamp,service,metric,value,route\n"
	const ok = "2026-11-25T10:00:00Z,checkout-api,cpu,1,\n"
	tests := []struct {
		name, in string
		opt      Options
		line     int
		column   string
		want     error  // errors.Is, when set
		text     string // in the message, when set
	}{
		{name: "empty input", in: "", want: tscsv.ErrNoHeader},
		{name: "header missing", in: "2026-11-25T10:00:00Z,1\n", line: 1, want: tscsv.ErrNoHeader},
		{name: "no rows", in: long, want: tscsv.ErrEmpty},
		{name: "duplicate column", in: "timestamp,cpu,CPU\n", opt: Options{Service: "a"}, line: 1, column: "CPU", want: ErrDuplicateName},
		{name: "wide same series twice", in: "timestamp,a/cpu,cpu\n", opt: Options{Service: "a"}, line: 1, column: "cpu", want: ErrDuplicateName},
		{name: "long without timestamp", in: "when,service,metric,value\n", line: 1, want: ErrNoTimestamp},
		{name: "forced long without value", in: "timestamp,service,metric\n", opt: Options{Format: FormatLong}, line: 1, want: ErrLongColumns},
		{name: "wide without service", in: "timestamp,cpu\n1795600800,1\n", line: 1, column: "cpu", want: ErrNoService},
		{name: "wide bad column name", in: "timestamp,a/b/c\n", line: 1, column: "a/b/c", want: ErrColumnName},
		{name: "wide empty service", in: "timestamp,/cpu\n", line: 1, column: "/cpu", want: ErrColumnName},
		{name: "wide timestamp only", in: "timestamp\n", line: 1, want: tscsv.ErrNoMetric},
		{name: "not a number", in: long + ok + "2026-11-25T10:01:00Z,checkout-api,cpu,abc,\n", line: 3, column: "value", want: tscsv.ErrNotNumber},
		{name: "infinite", in: long + "2026-11-25T10:01:00Z,checkout-api,cpu,-Inf,\n", line: 2, column: "value", want: tscsv.ErrInfiniteCell},
		{name: "bad timestamp", in: long + ok + "yesterday,checkout-api,cpu,1,\n", line: 3, column: "timestamp", want: tscsv.ErrBadTime},
		{name: "field count", in: long + ok + "2026-11-25T10:01:00Z,checkout-api,cpu\n", line: 3, want: tscsv.ErrFieldCount},
		{name: "csv quoting", in: long + "2026-11-25T10:01:00Z,\"checkout,cpu,1,\n", line: 2, want: csv.ErrQuote},
		{name: "future timestamp", in: long + ok + "2026-11-25T12:30:00Z,checkout-api,cpu,1,\n", line: 3, column: "timestamp", text: "more than 10m0s in the future"},
		{name: "before 1970", in: long + ok + "1969-12-31T23:59:00Z,checkout-api,cpu,1,\n", line: 3, column: "timestamp", text: "before 1970"},
		{name: "bad service name", in: long + ok + "2026-11-25T10:01:00Z,Checkout API,cpu,1,\n", line: 3, column: "service", text: `service "Checkout API" is not a valid service name`},
		{name: "bad metric name", in: long + ok + "2026-11-25T10:01:00Z,checkout-api,cpu-usage,1,\n", line: 3, column: "metric", text: "must match"},
		{name: "bad label name", in: "timestamp,service,metric,value,bad-label\n" + "2026-11-25T10:01:00Z,checkout-api,cpu,1,x\n", line: 2, column: "bad-label", text: "label name"},
		{name: "wide bad metric", in: "timestamp,a/cpu%\n2026-11-25T10:01:00Z,1\n", line: 1, column: "a/cpu%", text: "must match"},
		{name: "wide bad service", in: "timestamp,A/cpu\n2026-11-25T10:01:00Z,1\n", line: 1, column: "A/cpu", text: "not a valid service name"},
		{name: "wide future", in: "timestamp,a/cpu\n2026-11-25T10:01:00Z,1\n2026-11-26T10:01:00Z,1\n", line: 3, column: "timestamp", text: "in the future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(tt.in, tt.opt)
			if err == nil {
				t.Fatal("no error")
			}
			var e *tscsv.Error
			if !errors.As(err, &e) {
				t.Fatalf("%T %v is not a *tscsv.Error", err, err)
			}
			if e.Line != tt.line || e.Column != tt.column {
				t.Errorf("at line %d column %q, want line %d column %q: %v", e.Line, e.Column, tt.line, tt.column, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) || strings.Contains(err.Error(), "item 0") {
				t.Errorf("err = %q, want it to say %q and no batch position", err, tt.text)
			}
			if tt.text != "" && aiops.ErrorCode(err) != aiops.EINVALID {
				t.Errorf("validation error lost its code: %v", aiops.ErrorCode(err))
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": FormatAuto, "AUTO": FormatAuto, "long": FormatLong, "Wide": FormatWide} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("tall"); err == nil {
		t.Error("ParseFormat(tall) succeeded")
	}
}

// FuzzRead feeds arbitrary bytes to the reader: it must never panic, and
// every error must be a *tscsv.Error (a position) and every batch valid.
func FuzzRead(f *testing.F) {
	f.Add("timestamp,service,metric,value,route\n2026-11-25T10:00:00Z,a,cpu,1,/x\n1795600800,b,m,NaN,\n", "")
	f.Add("timestamp,a/x,y\n2026-11-25 10:00:00,1,\n2026-11-25 10:01:00,,2e3\n", "svc")
	f.Add("\ufeffts,a/x\n1,1\n\n\"2\",\"3\"\n", "")
	f.Add("time,service,metric,value\n1795600800000,s,m,-0\n", "")
	f.Fuzz(func(t *testing.T, in, service string) {
		for _, format := range []Format{FormatAuto, FormatLong, FormatWide} {
			r, err := NewReader(strings.NewReader(in), Options{Format: format, Service: service, BatchPoints: 7, Now: now})
			for err == nil {
				var b *Batch
				b, err = r.Next()
				if err == nil {
					if verr := aiops.ValidateSamples(b.Samples, now); verr != nil {
						t.Fatalf("a returned batch is invalid: %v", verr)
					}
					if len(b.origins) != len(b.Samples) {
						t.Fatal("origins out of step with samples")
					}
				}
			}
			var e *tscsv.Error
			if err != io.EOF && !errors.As(err, &e) {
				t.Fatalf("error %T %v has no position", err, err)
			}
		}
	})
}
