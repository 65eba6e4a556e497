package tscsv

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestReadFormats(t *testing.T) {
	in := "timestamp,cpu,label,latency\n" +
		"2024-01-01 00:00:00,1.5,0,10\n" +
		"2024-01-01T00:05:00Z,,1,NaN\n" +
		"1704067800,3,0,12\n" +
		"1704068100000,4e0,0,13\n"
	tab, err := Read(strings.NewReader(in), Options{Ignore: []string{"LABEL"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(tab.Names, ","), "cpu,latency"; got != want {
		t.Fatalf("names = %s, want %s", got, want)
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, ts := range tab.Times {
		if want := base.Add(time.Duration(i) * 5 * time.Minute); !ts.Equal(want) {
			t.Errorf("time %d = %v, want %v", i, ts, want)
		}
	}
	if !math.IsNaN(tab.Columns[0][1]) || !math.IsNaN(tab.Columns[1][1]) {
		t.Errorf("empty and NaN cells must be NaN, got %v %v", tab.Columns[0][1], tab.Columns[1][1])
	}
	if tab.Columns[0][3] != 4 || tab.Columns[1][2] != 12 {
		t.Errorf("values = %v", tab.Columns)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
		line     int
		column   string
	}{
		{"empty file", "", ErrNoHeader, 0, ""},
		{"no header", "2024-01-01 00:00:00,1\n", ErrNoHeader, 1, ""},
		{"unix header", "1704068400,1\n", ErrNoHeader, 1, ""},
		{"no rows", "timestamp,value\n", ErrEmpty, 0, ""},
		{"only label", "timestamp,label\n1,0\n", ErrNoMetric, 1, ""},
		{"not number", "timestamp,value\n1704068400,1\n1704068460,abc\n", ErrNotNumber, 3, "value"},
		{"bad time", "timestamp,value\nyesterday,1\n", ErrBadTime, 2, "timestamp"},
		{"duplicate", "timestamp,value\n1704068400,1\n1704068400,2\n", ErrDuplicate, 3, "timestamp"},
		{"unsorted", "timestamp,value\n1704068400,1\n1704068300,2\n", ErrUnsorted, 3, "timestamp"},
		{"field count", "timestamp,a,b\n1704068400,1\n", ErrFieldCount, 2, ""},
		{"infinite", "timestamp,value\n1704068400,+Inf\n", ErrInfiniteCell, 2, "value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in), Options{Ignore: []string{"label"}})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T is not *Error", err)
			}
			if e.Line != tt.line || e.Column != tt.column {
				t.Errorf("at line %d column %q, want line %d column %q (%v)", e.Line, e.Column, tt.line, tt.column, err)
			}
		})
	}
}

func TestParseTimeUnits(t *testing.T) {
	sec, err := ParseTime("1700000000")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := ParseTime("1700000000000")
	if err != nil {
		t.Fatal(err)
	}
	if !sec.Equal(ms) {
		t.Errorf("seconds %v != milliseconds %v", sec, ms)
	}
	frac, err := ParseTime("1700000000.25")
	if err != nil || frac.Sub(sec) != 250*time.Millisecond {
		t.Errorf("fractional seconds: %v %v", frac, err)
	}
	zoned, err := ParseTime("2024-01-01T02:00:00+02:00")
	if err != nil || !zoned.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || zoned.Location() != time.UTC {
		t.Errorf("zoned = %v, %v", zoned, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,\n")
	f.Add("t,a,b,label\n1,2,3,4\n5,6,7,8\n")
	f.Add("\ufefftimestamp,value\n1700000000000,1e308\n")
	f.Add("timestamp,value\n\"2024-01-01\",\"1\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := Read(strings.NewReader(in), Options{Ignore: []string{"label"}})
		if err != nil {
			if tab != nil {
				t.Fatal("table returned with an error")
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		for j, col := range tab.Columns {
			if len(col) != len(tab.Times) {
				t.Fatalf("column %d has %d values for %d times", j, len(col), len(tab.Times))
			}
			for _, v := range col {
				if math.IsInf(v, 0) {
					t.Fatal("infinite value accepted")
				}
			}
		}
		for i := 1; i < len(tab.Times); i++ {
			if !tab.Times[i].After(tab.Times[i-1]) {
				t.Fatalf("times not increasing at %d", i)
			}
		}
	})
}
