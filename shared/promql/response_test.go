package promql

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	ts := time.Date(2015, 7, 1, 20, 10, 51, 781e6, time.UTC)
	for _, tc := range []struct {
		name   string
		status int
		body   string
		typ    string
		series int
		first  float64 // value of the first point of the first series
		labels map[string]string
	}{
		{"vector", 200, `{"status":"success","data":{"resultType":"vector","result":[
			{"metric":{"__name__":"up","job":"prometheus"},"value":[1435781451.781,"1"]},
			{"metric":{"job":"node"},"value":[1435781451.781,"0"]}]}}`, TypeVector, 2, 1, map[string]string{"__name__": "up", "job": "prometheus"}},
		{"empty vector", 200, `{"status":"success","data":{"resultType":"vector","result":[]}}`, TypeVector, 0, 0, nil},
		{"matrix", 200, `{"status":"success","data":{"resultType":"matrix","result":[
			{"metric":{"job":"a"},"values":[[1435781451.781,"1.5"],[1435781466.781,"2"]]}]}}`, TypeMatrix, 1, 1.5, map[string]string{"job": "a"}},
		{"scalar", 200, `{"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"42"]}}`, TypeScalar, 1, 42, map[string]string{}},
		{"NaN value", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1435781451.781,"NaN"]}]}}`, TypeVector, 1, math.NaN(), map[string]string{}},
		{"+Inf value", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1435781451.781,"+Inf"]}]}}`, TypeVector, 1, math.Inf(1), map[string]string{}},
		{"-Inf value", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1435781451.781,"-Inf"]}]}}`, TypeVector, 1, math.Inf(-1), map[string]string{}},
		{"warnings kept", 200, `{"status":"success","warnings":["partial"],"data":{"resultType":"vector","result":[]}}`, TypeVector, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(tc.status, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if res.Type != tc.typ || len(res.Series) != tc.series {
				t.Fatalf("got %s with %d series, want %s with %d", res.Type, len(res.Series), tc.typ, tc.series)
			}
			if tc.series == 0 {
				return
			}
			p := res.Series[0].Points[0]
			if !p.T.Equal(ts) {
				t.Errorf("time = %v, want %v", p.T, ts)
			}
			if !(p.V == tc.first || math.IsNaN(p.V) && math.IsNaN(tc.first)) {
				t.Errorf("value = %v, want %v", p.V, tc.first)
			}
			if len(res.Series[0].Labels) != len(tc.labels) {
				t.Errorf("labels = %v, want %v", res.Series[0].Labels, tc.labels)
			}
			for k, v := range tc.labels {
				if res.Series[0].Labels[k] != v {
					t.Errorf("labels = %v, want %v", res.Series[0].Labels, tc.labels)
				}
			}
		})
	}
}

func TestParseMatrixPoints(t *testing.T) {
	res, err := Parse(200, []byte(`{"status":"success","data":{"resultType":"matrix","result":[
		{"metric":{},"values":[[1700000000,"1"],[1700000060,"2"],[1700000120.5,"3"]]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Points(); n != 3 {
		t.Fatalf("points = %d, want 3", n)
	}
	want := time.Unix(1700000120, 5e8).UTC()
	if got := res.Series[0].Points[2]; !got.T.Equal(want) || got.V != 3 {
		t.Errorf("third point = %+v, want %v 3", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		status   int
		body     string
		typ      string
		rejected bool
	}{
		{"bad_data", 400, `{"status":"error","errorType":"bad_data","error":"parse error at char 5: unexpected"}`, "bad_data", true},
		{"execution", 422, `{"status":"error","errorType":"execution","error":"query processing would load too many samples"}`, "execution", true},
		{"timeout", 503, `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`, "timeout", false},
		{"unavailable", 503, `{"status":"error","errorType":"unavailable","error":"shutting down"}`, "unavailable", false},
		{"internal", 500, `{"status":"error","errorType":"internal","error":"boom"}`, "internal", false},
		{"html from a proxy", 502, `<html><body>Bad Gateway</body></html>`, "", false},
		{"not json on 200", 200, `hello`, "", false},
		{"empty body", 200, ``, "", false},
		{"json without status", 200, `{"data":{}}`, "", false},
		{"success on 500", 500, `{"status":"success","data":{"resultType":"vector","result":[]}}`, "", false},
		{"no data", 200, `{"status":"success"}`, "", false},
		{"string result", 200, `{"status":"success","data":{"resultType":"string","result":[1,"x"]}}`, "", false},
		{"unknown type", 200, `{"status":"success","data":{"resultType":"table","result":[]}}`, "", false},
		{"value not string", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}`, "", false},
		{"value not number", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}`, "", false},
		{"time not number", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":["1","2"]}]}}`, "", false},
		{"time out of range", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e300,"2"]}]}}`, "", false},
		{"pair too short", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}`, "", false},
		{"null pair", 200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[null]}]}}`, "", false},
		{"null scalar", 200, `{"status":"success","data":{"resultType":"scalar","result":null}}`, "", false},
		{"vector sample without value", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}`, "", false},
		{"native histogram", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{"count":"1"}]}]}}`, "", false},
		{"label value not string", 200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":1},"value":[1,"2"]}]}}`, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(tc.status, []byte(tc.body))
			if err == nil {
				t.Fatalf("no error; result %+v", res)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			if e.Type != tc.typ || e.StatusCode != tc.status || e.Rejected() != tc.rejected || Unavailable(err) == tc.rejected {
				t.Errorf("error = %+v (rejected %v), want type %q status %d rejected %v", e, e.Rejected(), tc.typ, tc.status, tc.rejected)
			}
			if e.Error() == "" || e.Message == "" {
				t.Errorf("error without a message: %+v", e)
			}
		})
	}
}

// FuzzParse feeds arbitrary bodies to the parser: it must never panic, and
// whatever it accepts must be a well-formed result.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1435781451.781,"1"]}]}}`,
		`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"NaN"],[2,"+Inf"]]}]}}`,
		`{"status":"success","data":{"resultType":"scalar","result":[1,"-Inf"]}}`,
		`{"status":"error","errorType":"bad_data","error":"x"}`,
		`<html>`, ``, `null`, `{"status":"success","data":null}`,
	} {
		f.Add(200, []byte(s))
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		res, err := Parse(status, body)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Error() == "" {
				t.Fatalf("error %T %v is not a described *Error", err, err)
			}
			return
		}
		if res.Type != TypeVector && res.Type != TypeMatrix && res.Type != TypeScalar {
			t.Fatalf("accepted result type %q", res.Type)
		}
		for _, s := range res.Series {
			if s.Labels == nil {
				t.Fatal("nil labels")
			}
			for _, p := range s.Points {
				if y := p.T.Year(); y < 1 || y > 9999 {
					t.Fatalf("implausible time %v", p.T)
				}
			}
		}
	})
}
