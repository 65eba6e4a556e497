// Package tscsv reads time-series tables from CSV: a header row, a timestamp
// in the first column and one numeric column per metric. It is the one place
// the CLI commands (detect, forecast) learn what a timestamp may look like and
// how a bad cell is reported, so every command fails the same, clear way.
package tscsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Table is a parsed file. Columns[j][i] is metric Names[j] at Times[i].
// Empty cells and the literal NaN are kept as NaN: gaps are the caller's to
// handle, not a parse failure.
type Table struct {
	Times   []time.Time
	Names   []string
	Columns [][]float64
}

// Options controls Read.
type Options struct {
	// Ignore lists column names (case-insensitive) that are dropped, such as
	// the label columns of a benchmark file.
	Ignore []string
	// AllowUnsorted skips the check that timestamps strictly increase.
	AllowUnsorted bool
}

// Error is a problem at one place in the input. Line is 1-based and counts the
// header; Column is the header name of the offending cell, if any.
type Error struct {
	Line   int
	Column string
	Err    error
}

func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return e.Err.Error()
	case e.Column == "":
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	default:
		return fmt.Sprintf("line %d, column %q: %v", e.Line, e.Column, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel causes, for errors.Is.
var (
	ErrNoHeader     = errors.New("missing header row: the first row must name the columns (e.g. timestamp,value)")
	ErrEmpty        = errors.New("no rows after the header")
	ErrNotNumber    = errors.New("not a number")
	ErrBadTime      = errors.New("not a timestamp (want RFC3339, 2006-01-02 15:04:05, or Unix seconds/milliseconds)")
	ErrUnsorted     = errors.New("timestamps must increase: this row is earlier than the one before")
	ErrDuplicate    = errors.New("duplicate timestamp")
	ErrNoMetric     = errors.New("no metric column: the header needs a timestamp column and at least one value column")
	ErrFieldCount   = errors.New("wrong number of fields")
	ErrInfiniteCell = errors.New("infinite value")
)

// Read parses a whole table from r.
func Read(r io.Reader, opt Options) (*Table, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // checked here, to report it our way
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &Error{Err: ErrNoHeader}
	}
	if err != nil {
		return nil, csvError(err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a BOM from spreadsheet exports
	}
	if len(header) == 0 || isTime(header[0]) {
		return nil, &Error{Line: 1, Err: ErrNoHeader}
	}
	ignore := map[string]bool{}
	for _, n := range opt.Ignore {
		ignore[strings.ToLower(n)] = true
	}
	t := &Table{}
	var keep []int // header indexes of metric columns
	for j := 1; j < len(header); j++ {
		name := strings.TrimSpace(header[j])
		if ignore[strings.ToLower(name)] {
			continue
		}
		keep = append(keep, j)
		t.Names = append(t.Names, name)
	}
	if len(keep) == 0 {
		return nil, &Error{Line: 1, Err: ErrNoMetric}
	}
	t.Columns = make([][]float64, len(keep))
	line := 1
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, csvError(err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(rec) != len(header) {
			return nil, &Error{Line: line, Err: fmt.Errorf("%w: have %d, header has %d", ErrFieldCount, len(rec), len(header))}
		}
		ts, err := ParseTime(rec[0])
		if err != nil {
			return nil, &Error{Line: line, Column: header[0], Err: err}
		}
		if n := len(t.Times); n > 0 && !opt.AllowUnsorted {
			switch prev := t.Times[n-1]; {
			case ts.Equal(prev):
				return nil, &Error{Line: line, Column: header[0], Err: fmt.Errorf("%w %s", ErrDuplicate, rec[0])}
			case ts.Before(prev):
				return nil, &Error{Line: line, Column: header[0], Err: ErrUnsorted}
			}
		}
		t.Times = append(t.Times, ts)
		for k, j := range keep {
			v, err := ParseValue(rec[j])
			if err != nil {
				return nil, &Error{Line: line, Column: t.Names[k], Err: err}
			}
			t.Columns[k] = append(t.Columns[k], v)
		}
	}
	if len(t.Times) == 0 {
		return nil, &Error{Err: ErrEmpty}
	}
	return t, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &Error{Line: pe.Line, Err: pe.Err}
	}
	return err
}

// ParseValue parses a numeric cell. An empty cell or NaN (any case) is a
// missing value and returns NaN; infinities are rejected because no metric
// can take them.
func ParseValue(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "nan") || strings.EqualFold(s, "null") {
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && !math.IsInf(v, 0) {
			return v, nil // underflow to 0 is harmless
		}
		return 0, fmt.Errorf("%w: %q", ErrNotNumber, s)
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		if math.IsNaN(v) {
			return v, nil
		}
		return 0, fmt.Errorf("%w: %q", ErrInfiniteCell, s)
	}
	return v, nil
}

// unixMillisCutoff separates Unix seconds from milliseconds: 1e11 seconds is
// the year 5138, while 1e11 milliseconds is March 1973, so any realistic
// timestamp is unambiguous.
const unixMillisCutoff = 1e11

var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02",
}

// ParseTime parses a timestamp: RFC3339 (with or without zone; no zone means
// UTC), "2006-01-02 15:04:05", a date, or Unix seconds or milliseconds
// (fractions allowed). It returns UTC times.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, ErrBadTime
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-:T ") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f >= 1e14 {
			return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, s)
		}
		if f >= unixMillisCutoff {
			ms := math.Round(f)
			return time.UnixMilli(int64(ms)).UTC(), nil
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q", ErrBadTime, s)
}

func isTime(s string) bool {
	_, err := ParseTime(s)
	return err == nil
}
