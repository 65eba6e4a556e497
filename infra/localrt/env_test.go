package localrt

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/opsight/opsight/infra/samtemplate"
)

func TestParseEnvFile(t *testing.T) {
	tests := []struct {
		name, in string
		want     Overrides
		err      string
	}{
		{"flat", `{"DATABASE_URL":"postgres://x","DEBUG":true,"N":5}`,
			Overrides{AllFunctions: {"DATABASE_URL": "postgres://x", "DEBUG": "true", "N": "5"}}, ""},
		{"per function", `{"ApiFunction":{"A":"1"},"Parameters":{"B":"2"}}`,
			Overrides{"ApiFunction": {"A": "1"}, AllFunctions: {"B": "2"}}, ""},
		{"empty", `{}`, Overrides{AllFunctions: {}}, ""},
		{"mixed", `{"ApiFunction":{"A":"1"},"B":"2"}`, nil, "mix of per-function objects and plain values"},
		{"not an object", `["a"]`, nil, "want a JSON object"},
		{"null", `null`, nil, "got null"},
		{"bad json", `{"a":`, nil, "want a JSON object"},
		{"list value", `{"A":[1]}`, nil, `A: want a string, number or boolean, got [1]`},
		{"null value", `{"ApiFunction":{"A":null}}`, nil, `ApiFunction.A: want a string, number or boolean, got null`},
		{"bad name", `{"A=B":"1"}`, nil, "is not a variable name"},
		{"nul", `{"A":"x\u0000y"}`, nil, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvFile([]byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestFunctionEnvPrecedence(t *testing.T) {
	fn := &samtemplate.Function{LogicalID: "CollectPrometheusFunction", Environment: map[string]samtemplate.Value{
		"A":       {Literal: "template"},
		"B":       {Literal: "template"},
		"C":       {Literal: "template"},
		"SECRET":  {Intrinsic: "!GetAtt Db.Arn"},
		"GIVEN":   {Intrinsic: "!Ref Thing"},
		"TZ":      {Literal: "Europe/Berlin"},
		"LITERAL": {Literal: ""},
	}}
	o := Overrides{
		AllFunctions:                {"B": "all", "C": "all", "GIVEN": "resolved"},
		"collect-prometheus":        {"C": "by-dir"},
		"CollectPrometheusFunction": {"D": "by-id"},
		"OtherFunction":             {"A": "other"},
	}
	got := functionEnv(fn, o, map[string]string{"TZ": ":UTC"}, slog.New(slog.DiscardHandler))
	want := []string{"A=template", "B=all", "C=by-dir", "D=by-id", "GIVEN=resolved", "LITERAL=", "TZ=:UTC"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("env\n got %v\nwant %v", got, want)
	}
}

func FuzzParseEnvFile(f *testing.F) {
	f.Add([]byte(`{"A":"1"}`))
	f.Add([]byte(`{"Fn":{"A":1.5e3,"B":false}}`))
	f.Add([]byte(`{"Fn":{"A":"1"},"B":"2"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseEnvFile(data)
		if err != nil {
			return
		}
		for fn, vars := range o {
			for k, v := range vars {
				if k == "" || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
					t.Fatalf("%s: accepted %q=%q", fn, k, v)
				}
			}
		}
	})
}
