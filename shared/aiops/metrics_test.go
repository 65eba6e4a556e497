package aiops

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPointJSON(t *testing.T) {
	var got []Point
	in := `[[1700000000, 1.5], [1700000000.25, -2], [1700000000500, 3e2], ["2023-11-14T22:13:20Z", 0]]`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	base := time.Unix(1700000000, 0).UTC()
	want := []Point{{T: base, V: 1.5}, {T: base.Add(250 * time.Millisecond), V: -2}, {T: base.Add(500 * time.Millisecond), V: 300}, {T: base, V: 0}}
	for i := range want {
		if !got[i].T.Equal(want[i].T) || got[i].V != want[i].V || got[i].bad != "" {
			t.Errorf("point %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	b, _ := json.Marshal(Point{T: base.Add(250 * time.Millisecond), V: 1.5})
	if string(b) != "[1700000000.25,1.5]" {
		t.Errorf("marshal = %s", b)
	}
}

func TestValidateSamplesNamesTheItem(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ok := func() []Samples {
		return []Samples{
			{SeriesKey: SeriesKey{Service: "a", Metric: "cpu"}, Points: []Point{{T: now, V: 1}}},
			{SeriesKey: SeriesKey{Service: "b", Metric: "latency_p95", Labels: map[string]string{"route": "/x"}}, Points: []Point{{T: now, V: 1}, {T: now.Add(-time.Minute), V: 2}}},
		}
	}
	if err := ValidateSamples(ok(), now); err != nil {
		t.Fatal(err)
	}
	decode := func(s string) Point {
		var p Point
		json.Unmarshal([]byte(s), &p)
		return p
	}
	tests := []struct {
		name  string
		edit  func(b []Samples)
		field string
		msg   string
	}{
		{"service", func(b []Samples) { b[1].Service = "B!" }, "[1].service", "service"},
		{"metric", func(b []Samples) { b[0].Metric = "9cpu" }, "[0].metric", "metric"},
		{"label", func(b []Samples) { b[1].Labels = map[string]string{"a-b": "x"} }, "[1].labels.a-b", "label"},
		{"empty", func(b []Samples) { b[0].Points = nil }, "[0].points", "empty"},
		{"future", func(b []Samples) { b[1].Points[1].T = now.Add(11 * time.Minute) }, "[1].points[1]", "future"},
		{"before 1970", func(b []Samples) { b[0].Points[0].T = time.Unix(-5, 0) }, "[0].points[0]", "1970"},
		{"NaN", func(b []Samples) { b[1].Points[0].V = math.NaN() }, "[1].points[0]", "finite"},
		{"null value", func(b []Samples) { b[1].Points[1] = decode(`[1700000000, null]`) }, "[1].points[1]", "null"},
		{"string value", func(b []Samples) { b[1].Points[1] = decode(`[1700000000, "NaN"]`) }, "[1].points[1]", "string"},
		{"bad time", func(b []Samples) { b[0].Points[0] = decode(`["yesterday", 1]`) }, "[0].points[0]", "RFC 3339"},
		{"shape", func(b []Samples) { b[0].Points[0] = decode(`[1, 2, 3]`) }, "[0].points[0]", "[timestamp, value]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ok()
			tt.edit(b)
			var e *Error
			if err := ValidateSamples(b, now); !errors.As(err, &e) || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("err = %v (field %q), want field %q mentioning %q", err, e.Field, tt.field, tt.msg)
			}
		})
	}
}

func FuzzPointJSON(f *testing.F) {
	for _, s := range []string{`[1,2]`, `[1700000000000, 1e308]`, `["2024-01-01T00:00:00Z", -0]`, `[1, null]`, `[,]`, `[1e400, 1]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p Point
		if err := p.UnmarshalJSON([]byte(s)); err != nil {
			t.Fatal("UnmarshalJSON must not fail; it records the problem instead")
		}
		err := ValidateSamples([]Samples{{SeriesKey: SeriesKey{Service: "a", Metric: "m"}, Points: []Point{p}}}, time.Now())
		if err == nil && (math.IsNaN(p.V) || math.IsInf(p.V, 0) || p.T.Unix() < 0) {
			t.Fatalf("accepted %q as %+v", s, p)
		}
	})
}
