// Package csvimport reads metric exports in CSV, streaming, into batches
// of samples ready for the metric store, and imports whole files.
//
// Two layouts are understood:
//
//   - long: one point per row. The header names the columns timestamp (or
//     time, ts), service, metric and value, in any order; every other column
//     is a label (an empty cell means the row's series lacks that label):
//
//     timestamp,service,metric,value,route
//     2026-11-25T10:00:00Z,checkout-api,latency_p95,0.231,/pay
//
//   - wide: a timestamp column first, then one column per series, named
//     service/metric, or just metric when every such column belongs to the
//     service given in Options.Service. A slash, not a dot, joins them:
//     service names may contain dots, and neither name may contain a slash,
//     so the split is never ambiguous. Series with labels need the long
//     layout.
//
//     timestamp,checkout-api/request_rate,checkout-api/error_rate
//     2026-11-25 10:00:00,118.5,0.002
//
// Auto-detection picks long when the header has service, metric and value
// columns, and wide otherwise. Timestamps are whatever tscsv.ParseTime reads
// (RFC 3339, "2006-01-02 15:04:05", Unix seconds or milliseconds). An empty
// or NaN value is a gap: the point is skipped and counted, as spreadsheet
// and Grafana exports leave gaps that way. Rows need not be sorted, and a
// repeated (series, timestamp) keeps its last value, as the store does.
// Every error names the CSV line and column (*tscsv.Error).
package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/tscsv"
)

// Format is a CSV layout.
type Format string

// The layouts, and auto-detection.
const (
	FormatAuto Format = "auto"
	FormatLong Format = "long"
	FormatWide Format = "wide"
)

// ParseFormat reads a --format value.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case FormatAuto, FormatLong, FormatWide:
		return f, nil
	case "":
		return FormatAuto, nil
	}
	return "", fmt.Errorf("format %q: want auto, long or wide", s)
}

// DefaultBatchPoints is the batch size when Options.BatchPoints is zero:
// large enough that per-transaction overhead vanishes, small enough that a
// batch is a few megabytes.
const DefaultBatchPoints = 50000

// Options control a Reader.
type Options struct {
	Format Format // default FormatAuto
	// Service is the service of wide-format columns named by metric alone.
	Service string
	// BatchPoints is roughly how many points a batch holds (rows are never
	// split, so a wide row may take a batch past it).
	BatchPoints int
	// Now is the clock that "more than 10 minutes in the future" is checked
	// against; default time.Now at NewReader.
	Now time.Time
}

// Sentinel causes of header errors, for errors.Is.
var (
	ErrNoTimestamp   = errors.New(`no timestamp column: name one "timestamp"`)
	ErrLongColumns   = errors.New("the long format needs timestamp, service, metric and value columns")
	ErrNoService     = errors.New("no service for this column: name it service/metric, or give the service (--service)")
	ErrColumnName    = errors.New("a wide column must be named metric or service/metric")
	ErrDuplicateName = errors.New("the header names this column twice")
)

// Batch is the samples of consecutive rows, validated.
type Batch struct {
	Samples []aiops.Samples
	Points  int
	// FirstLine and LastLine are the CSV lines the batch was read from.
	FirstLine, LastLine int

	origins []origin
}

// origin is where a batch item came from, to name the line and column of a
// validation error.
type origin struct {
	line                   int // of the row that started the item (1, the header, for wide columns)
	serviceCol, metricCol  string
	lines                  []int32 // of each point
	timestampCol, valueCol string
}

// Reader reads a CSV export batch by batch; it never holds more than one
// batch of the file in memory.
type Reader struct {
	opt    Options
	format Format
	cr     *csv.Reader
	count  *countingReader
	header []string
	line   int
	eof    bool

	// long
	ts, service, metric, value int
	labelCols                  []int

	// wide: the series of each column (index 0, the timestamp, unused)
	cols []aiops.SeriesKey

	rows, points, skipped int
}

// NewReader reads the header of r and returns a Reader for its rows.
func NewReader(r io.Reader, opt Options) (*Reader, error) {
	if opt.BatchPoints <= 0 {
		opt.BatchPoints = DefaultBatchPoints
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.Format == "" {
		opt.Format = FormatAuto
	}
	cnt := &countingReader{r: r}
	cr := csv.NewReader(cnt)
	cr.FieldsPerRecord = -1 // checked here, to report it our way
	cr.ReuseRecord = true
	rd := &Reader{opt: opt, cr: cr, count: cnt}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &tscsv.Error{Err: tscsv.ErrNoHeader}
	}
	if err != nil {
		return nil, csvError(err)
	}
	rd.line = 1
	rd.header = make([]string, len(header))
	for i, h := range header {
		rd.header[i] = strings.TrimSpace(h)
	}
	rd.header[0] = strings.TrimPrefix(rd.header[0], "\ufeff") // a BOM from spreadsheet exports
	if _, err := tscsv.ParseTime(rd.header[0]); err == nil {
		return nil, &tscsv.Error{Line: 1, Err: tscsv.ErrNoHeader}
	}
	seen := map[string]bool{}
	for _, h := range rd.header {
		if seen[strings.ToLower(h)] {
			return nil, &tscsv.Error{Line: 1, Column: h, Err: ErrDuplicateName}
		}
		seen[strings.ToLower(h)] = true
	}
	rd.format = opt.Format
	if rd.format == FormatAuto {
		rd.format = FormatWide
		if seen["service"] && seen["metric"] && seen["value"] {
			rd.format = FormatLong
		}
	}
	if rd.format == FormatLong {
		err = rd.longHeader()
	} else {
		err = rd.wideHeader()
	}
	if err != nil {
		return nil, err
	}
	return rd, nil
}

func (r *Reader) longHeader() error {
	r.ts, r.service, r.metric, r.value = -1, -1, -1, -1
	for i, h := range r.header {
		switch strings.ToLower(h) {
		case "timestamp", "time", "ts":
			if r.ts < 0 {
				r.ts = i
				continue
			}
		case "service":
			r.service = i
			continue
		case "metric":
			r.metric = i
			continue
		case "value":
			r.value = i
			continue
		}
		r.labelCols = append(r.labelCols, i)
	}
	if r.ts < 0 {
		return &tscsv.Error{Line: 1, Err: ErrNoTimestamp}
	}
	if r.service < 0 || r.metric < 0 || r.value < 0 {
		return &tscsv.Error{Line: 1, Err: fmt.Errorf("%w; the header is %s", ErrLongColumns, strings.Join(r.header, ","))}
	}
	return nil
}

func (r *Reader) wideHeader() error {
	if len(r.header) < 2 {
		return &tscsv.Error{Line: 1, Err: tscsv.ErrNoMetric}
	}
	r.cols = make([]aiops.SeriesKey, len(r.header))
	for j := 1; j < len(r.header); j++ {
		h := r.header[j]
		svc, metric, ok := strings.Cut(h, "/")
		if !ok {
			svc, metric = r.opt.Service, h
		}
		switch {
		case metric == "" || strings.Contains(metric, "/") || (ok && svc == ""):
			return &tscsv.Error{Line: 1, Column: h, Err: ErrColumnName}
		case svc == "":
			return &tscsv.Error{Line: 1, Column: h, Err: ErrNoService}
		}
		r.cols[j] = aiops.SeriesKey{Service: svc, Metric: metric}
		for i := 1; i < j; i++ {
			if r.cols[i].Service == svc && r.cols[i].Metric == metric {
				return &tscsv.Error{Line: 1, Column: h, Err: fmt.Errorf("%w (as %q)", ErrDuplicateName, r.header[i])}
			}
		}
	}
	return nil
}

// Format is the layout read (never FormatAuto).
func (r *Reader) Format() Format { return r.format }

// BytesRead is how much of the input the reader has consumed.
func (r *Reader) BytesRead() int64 { return r.count.n }

// Rows, Points and Skipped count the data rows read, the points they held
// and the empty or NaN values skipped, so far.
func (r *Reader) Rows() int    { return r.rows }
func (r *Reader) Points() int  { return r.points }
func (r *Reader) Skipped() int { return r.skipped }

// Next returns the next batch, validated with aiops.ValidateSamples, or
// io.EOF after the last. Every error is a *tscsv.Error naming the line and
// column at fault.
func (r *Reader) Next() (*Batch, error) {
	if r.eof {
		return nil, io.EOF
	}
	b := &Batch{}
	index := map[string]int{} // series key -> item of b
	var key strings.Builder
	for b.Points < r.opt.BatchPoints {
		rec, err := r.cr.Read()
		if err == io.EOF {
			r.eof = true
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		r.line, _ = r.cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" && len(r.header) > 1 {
			continue // a blank line
		}
		if len(rec) != len(r.header) {
			return nil, &tscsv.Error{Line: r.line, Err: fmt.Errorf("%w: have %d, header has %d", tscsv.ErrFieldCount, len(rec), len(r.header))}
		}
		if b.FirstLine == 0 {
			b.FirstLine = r.line
		}
		b.LastLine = r.line
		r.rows++
		if r.format == FormatLong {
			err = r.longRow(b, rec, index, &key)
		} else {
			err = r.wideRow(b, rec)
		}
		if err != nil {
			return nil, err
		}
	}
	if b.Points == 0 && r.eof {
		if r.rows == 0 && r.skipped == 0 {
			return nil, &tscsv.Error{Err: tscsv.ErrEmpty}
		}
		return nil, io.EOF
	}
	r.points += b.Points
	b.dropEmpty()
	if err := aiops.ValidateSamples(b.Samples, r.opt.Now); err != nil {
		return nil, b.locate(err)
	}
	return b, nil
}

func (r *Reader) parseTime(rec []string, col int) (time.Time, error) {
	t, err := tscsv.ParseTime(rec[col])
	if err != nil {
		return t, &tscsv.Error{Line: r.line, Column: r.header[col], Err: err}
	}
	return t, nil
}

// parseValue reads a value cell; ok is false for a gap (empty, NaN).
func (r *Reader) parseValue(rec []string, col int) (v float64, ok bool, err error) {
	v, err = tscsv.ParseValue(rec[col])
	if err != nil {
		return 0, false, &tscsv.Error{Line: r.line, Column: r.header[col], Err: err}
	}
	if math.IsNaN(v) {
		r.skipped++
		return 0, false, nil
	}
	return v, true, nil
}

func (r *Reader) longRow(b *Batch, rec []string, index map[string]int, key *strings.Builder) error {
	t, err := r.parseTime(rec, r.ts)
	if err != nil {
		return err
	}
	v, ok, err := r.parseValue(rec, r.value)
	if err != nil || !ok {
		return err
	}
	svc, metric := strings.TrimSpace(rec[r.service]), strings.TrimSpace(rec[r.metric])
	key.Reset()
	key.WriteString(svc)
	key.WriteByte(0)
	key.WriteString(metric)
	for _, c := range r.labelCols {
		key.WriteByte(0)
		key.WriteString(strings.TrimSpace(rec[c]))
	}
	i, seen := index[key.String()]
	if !seen {
		var labels map[string]string
		for _, c := range r.labelCols {
			if lv := strings.TrimSpace(rec[c]); lv != "" {
				if labels == nil {
					labels = map[string]string{}
				}
				labels[r.header[c]] = lv
			}
		}
		i = len(b.Samples)
		index[key.String()] = i
		b.Samples = append(b.Samples, aiops.Samples{SeriesKey: aiops.SeriesKey{Service: svc, Metric: metric, Labels: labels}})
		b.origins = append(b.origins, origin{line: r.line, serviceCol: r.header[r.service], metricCol: r.header[r.metric],
			timestampCol: r.header[r.ts], valueCol: r.header[r.value]})
	}
	b.Samples[i].Points = append(b.Samples[i].Points, aiops.Point{T: t, V: v})
	b.origins[i].lines = append(b.origins[i].lines, int32(r.line))
	b.Points++
	return nil
}

func (r *Reader) wideRow(b *Batch, rec []string) error {
	t, err := r.parseTime(rec, 0)
	if err != nil {
		return err
	}
	if b.Samples == nil {
		b.Samples = make([]aiops.Samples, len(r.cols)-1)
		b.origins = make([]origin, len(r.cols)-1)
		for j := 1; j < len(r.cols); j++ {
			b.Samples[j-1].SeriesKey = r.cols[j]
			b.origins[j-1] = origin{line: 1, serviceCol: r.header[j], metricCol: r.header[j], timestampCol: r.header[0], valueCol: r.header[j]}
		}
	}
	for j := 1; j < len(rec); j++ {
		v, ok, err := r.parseValue(rec, j)
		if err != nil {
			return err
		}
		if ok {
			b.Samples[j-1].Points = append(b.Samples[j-1].Points, aiops.Point{T: t, V: v})
			b.origins[j-1].lines = append(b.origins[j-1].lines, int32(r.line))
			b.Points++
		}
	}
	return nil
}

// dropEmpty removes the items without points (wide columns that were all
// gaps in this batch), which the store would reject.
func (b *Batch) dropEmpty() {
	out, orig := b.Samples[:0], b.origins[:0]
	for i, s := range b.Samples {
		if len(s.Points) > 0 {
			out = append(out, s)
			orig = append(orig, b.origins[i])
		}
	}
	b.Samples, b.origins = out, orig
}

// fieldRE reads the item and field of a validation error: [3].service,
// [3].labels.route, [3].points[17].
var fieldRE = regexp.MustCompile(`^\[(\d+)\]\.([a-z]+)(?:\[(\d+)\]|\.(.+))?$`)

// itemPrefixRE is the batch position a validation message starts with,
// meaningless in a CSV file: "item 3 point 17: ".
var itemPrefixRE = regexp.MustCompile(`^item \d+( point \d+)?: `)

// locate turns a validation error about batch item and point into one
// about the CSV line and column they came from.
func (b *Batch) locate(err error) error {
	var ae *aiops.Error
	m := []string(nil)
	if errors.As(err, &ae) {
		m = fieldRE.FindStringSubmatch(ae.Field)
	}
	if m == nil {
		return err
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(b.origins) {
		return err
	}
	o := b.origins[i]
	e := &tscsv.Error{Line: o.line, Err: &validationError{msg: itemPrefixRE.ReplaceAllString(ae.Message, ""), cause: ae}}
	switch m[2] {
	case "service":
		e.Column = o.serviceCol
	case "metric":
		e.Column = o.metricCol
	case "labels":
		e.Column = m[4] // the label's column (long format)
	case "points":
		if m[3] == "" {
			break
		}
		j, _ := strconv.Atoi(m[3])
		if j < len(o.lines) {
			e.Line = int(o.lines[j])
		}
		e.Column = o.timestampCol
		if v := b.Samples[i].Points[j].V; math.IsNaN(v) || math.IsInf(v, 0) {
			e.Column = o.valueCol
		}
	}
	return e
}

// validationError is aiops's message without its batch position, keeping
// the coded error for errors.As.
type validationError struct {
	msg   string
	cause error
}

func (e *validationError) Error() string { return e.msg }
func (e *validationError) Unwrap() error { return e.cause }

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &tscsv.Error{Line: pe.Line, Err: pe.Err}
	}
	return err
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
