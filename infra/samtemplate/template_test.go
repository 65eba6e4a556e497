package samtemplate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadFile(t *testing.T) {
	tpl, err := ReadFile("testdata/template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range tpl.Functions {
		ids = append(ids, f.LogicalID)
	}
	if want := []string{"ApiFunction", "CollectPrometheusFunction", "WebhookFunction"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("functions = %v, want %v", ids, want)
	}

	api, _ := tpl.Function("ApiFunction")
	if api.BuildMethod != "makefile" {
		t.Errorf("BuildMethod %q", api.BuildMethod)
	}
	if api.Name != "ApiFunction" || api.Runtime != "provided.al2023" || api.Handler != "bootstrap" || api.CodeURI != "." {
		t.Errorf("api basics = %+v", api)
	}
	if api.Timeout != 10*time.Second || api.MemorySize != 256 || api.LogFormat != "JSON" {
		t.Errorf("api globals: timeout %v memory %d log %s", api.Timeout, api.MemorySize, api.LogFormat)
	}
	if !reflect.DeepEqual(api.Architectures, []string{"arm64"}) {
		t.Errorf("api architectures = %v", api.Architectures)
	}
	wantEnv := map[string]Value{
		"STAGE":     {Literal: "dev"}, // !Ref to a parameter with a Default
		"LOG_LEVEL": {Literal: "debug"},
		"DB_SECRET": {Intrinsic: "!Ref DbSecretArn"},
		"BUCKET":    {Intrinsic: "!Sub ${AWS::StackName}-models"},
		"DB_HOST":   {Intrinsic: "!GetAtt Database.Endpoint.Address"},
		"FEATURE":   {Intrinsic: "!If [IsProd, on, off]"},
		"PAGE_SIZE": {Literal: "50"},
		"JOINED":    {Intrinsic: "!Join [, [a, !Ref Stage]]"},
	}
	if !reflect.DeepEqual(api.Environment, wantEnv) {
		t.Errorf("api env:\n got %v\nwant %v", api.Environment, wantEnv)
	}
	wantRoutes := []Route{
		{Function: "ApiFunction", Event: "Health", Method: "GET", Path: "/api/v1/health", PayloadFormatVersion: "2.0", Timeout: 5 * time.Second},
		{Function: "ApiFunction", Event: "Service", Method: "GET", Path: "/api/v1/services/{name}", PayloadFormatVersion: "2.0"},
		{Function: "ApiFunction", Event: "Proxy", Method: "ANY", Path: "/api/{proxy+}", PayloadFormatVersion: "2.0"},
	}
	if !reflect.DeepEqual(api.Routes, wantRoutes) {
		t.Errorf("api routes:\n got %+v\nwant %+v", api.Routes, wantRoutes)
	}

	col, ok := tpl.Function("collect-prometheus") // by directory name
	if !ok {
		t.Fatal("collect-prometheus not found by directory")
	}
	if col.Name != "CollectPrometheusFunction" {
		t.Errorf("a !Sub FunctionName must fall back to the logical ID, got %q", col.Name)
	}
	if col.Timeout != time.Minute || col.MemorySize != 512 || col.LogFormat != "Text" || col.ApplicationLogLevel != "DEBUG" {
		t.Errorf("collect overrides: %+v", col)
	}
	wantSched := []Schedule{
		{Function: "CollectPrometheusFunction", Event: "Every5", Type: "Schedule", Expression: "cron(0/5 * * * ? *)", Enabled: true, Input: `{"source":"prometheus"}`},
		{Function: "CollectPrometheusFunction", Event: "Hourly", Type: "Schedule", Expression: "rate(1 hour)", Enabled: false},
		{Function: "CollectPrometheusFunction", Event: "Nightly", Type: "ScheduleV2", Expression: "cron(0 2 * * ? *)", Enabled: true, Timezone: "Europe/Berlin"},
	}
	if !reflect.DeepEqual(tpl.Schedules(), wantSched) {
		t.Errorf("schedules:\n got %+v\nwant %+v", tpl.Schedules(), wantSched)
	}

	wh, _ := tpl.Function("WebhookFunction")
	if wh.Name != "opsight-webhook" || !reflect.DeepEqual(wh.Architectures, []string{"x86_64"}) {
		t.Errorf("webhook: %+v", wh)
	}
	if len(wh.Routes) != 1 || wh.Routes[0].Key() != "$default" {
		t.Errorf("an HttpApi event without properties is the $default route, got %+v", wh.Routes)
	}
	if got := len(tpl.Routes()); got != 4 {
		t.Errorf("Routes() has %d, want 4", got)
	}
	if _, ok := tpl.Function("Database"); ok {
		t.Error("a non-function resource was read as a function")
	}
}

func TestParseDefaults(t *testing.T) {
	tpl, err := Parse([]byte("Resources:\n  XFunction:\n    Type: AWS::Serverless::Function\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := tpl.Functions[0]
	if f.Timeout != DefaultTimeout || f.MemorySize != DefaultMemorySize || f.LogFormat != DefaultLogFormat || len(f.Environment) != 0 {
		t.Errorf("defaults: %+v", f)
	}
}

func TestParseErrors(t *testing.T) {
	fn := func(props string) string {
		return "Resources:\n  ApiFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n" + props
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"not yaml", "a: [", "yaml:"},
		{"empty", "", "empty template"},
		{"top level list", "- a", "want a mapping at the top level"},
		{"no resources", "Globals: {}", "Resources: missing"},
		{"timeout word", fn("      Timeout: soon\n"), `line 5: Resources.ApiFunction.Properties.Timeout: want an integer, got "soon"`},
		{"timeout range", fn("      Timeout: 901\n"), "901 is outside 1..900"},
		{"timeout unresolvable", fn("      Timeout: !Ref Nope\n"), "cannot resolve !Ref Nope locally"},
		{"memory", fn("      MemorySize: 64\n"), "MemorySize: 64 is outside 128..10240"},
		{"arch", fn("      Architectures: [sparc]\n"), "want arm64 or x86_64"},
		{"log format", fn("      LoggingConfig: {LogFormat: XML}\n"), "LogFormat: want JSON or Text"},
		{"env list", fn("      Environment: {Variables: [a]}\n"), "Variables: want a mapping"},
		{"env nested", fn("      Environment: {Variables: {A: {b: c}}}\n"), "Variables.A: want a string"},
		{"method", fn("      Events: {E: {Type: HttpApi, Properties: {Path: /x, Method: FETCH}}}\n"), "Method: want one of"},
		{"relative path", fn("      Events: {E: {Type: HttpApi, Properties: {Path: x}}}\n"), "must start with /"},
		{"greedy in middle", fn("      Events: {E: {Type: HttpApi, Properties: {Path: '/a/{p+}/b'}}}\n"), "must be the last segment"},
		{"half param", fn("      Events: {E: {Type: HttpApi, Properties: {Path: '/a/{p'}}}\n"), "must be {name} as a whole"},
		{"dup param", fn("      Events: {E: {Type: HttpApi, Properties: {Path: '/{a}/{a}'}}}\n"), "appears twice"},
		{"empty segment", fn("      Events: {E: {Type: HttpApi, Properties: {Path: '/a//b'}}}\n"), "empty segment"},
		{"schedule missing", fn("      Events: {E: {Type: Schedule, Properties: {Enabled: true}}}\n"), "Events.E.Properties.Schedule: missing"},
		{"schedule v2 key", fn("      Events: {E: {Type: ScheduleV2, Properties: {Schedule: rate(1 day)}}}\n"), "ScheduleExpression: missing"},
		{"enabled", fn("      Events: {E: {Type: Schedule, Properties: {Schedule: rate(1 day), Enabled: maybe}}}\n"), "Enabled: want true or false"},
		{"state", fn("      Events: {E: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(1 day), State: ON}}}\n"), "want ENABLED or DISABLED"},
		{"tz", fn("      Events: {E: {Type: ScheduleV2, Properties: {ScheduleExpression: rate(1 day), ScheduleExpressionTimezone: Mars/Base}}}\n"), `unknown time zone "Mars/Base"`},
		{"payload format", fn("      Events: {E: {Type: HttpApi, Properties: {Path: /x, PayloadFormatVersion: '3.0'}}}\n"), "want 1.0 or 2.0"},
		{"integration timeout", fn("      Events: {E: {Type: HttpApi, Properties: {Path: /x, TimeoutInMillis: 31000}}}\n"), "31000 is outside 50..30000"},
		{"event no type", fn("      Events: {E: {Properties: {}}}\n"), "Events.E.Type: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadFileNamesFile(t *testing.T) {
	_, err := ReadFile("testdata/does-not-exist.yaml")
	if err == nil {
		t.Fatal("want an error for a missing file")
	}
}

func TestFunctionDir(t *testing.T) {
	tests := []struct{ id, want, err string }{
		{"ApiFunction", "api", ""},
		{"MigrateFunction", "migrate", ""},
		{"CollectPrometheusFunction", "collect-prometheus", ""},
		{"HTTPProbeFunction", "http-probe", ""},
		{"S3SyncFunction", "s3-sync", ""},
		{"JiraSyncV2Function", "jira-sync-v2", ""},
		{"Function", "", "must be <Name>Function"},
		{"ApiHandler", "", "must be <Name>Function"},
		{"Api_Function", "", "only letters and digits"},
	}
	for _, tt := range tests {
		got, err := FunctionDir(tt.id)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("FunctionDir(%q) err = %v, want %q", tt.id, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FunctionDir(%q) = %q, %v; want %q", tt.id, got, err, tt.want)
		}
	}
}

func ExampleFunctionDir() {
	dir, _ := FunctionDir("CollectPrometheusFunction")
	fmt.Println(dir)
	// Output: collect-prometheus
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("Resources:\n  AFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 3\n"))
	f.Add([]byte("Globals:\n  Function:\n    Environment:\n      Variables: {A: !Sub x}\nResources: {XFunction: {Type: AWS::Serverless::Function, Properties: {Events: {E: {Type: HttpApi, Properties: {Path: '/{a+}'}}}}}}\n"))
	f.Add([]byte("Resources: {XFunction: {Type: AWS::Serverless::Function, Properties: {Events: {S: {Type: ScheduleV2, Properties: {ScheduleExpression: !Ref P, State: DISABLED}}}}}}"))
	f.Add([]byte("Parameters: {P: {Default: 5}}\nResources: {XFunction: {Type: AWS::Serverless::Function, Properties: {Timeout: !Ref P}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := Parse(data)
		if err != nil {
			return
		}
		for _, fn := range tpl.Functions {
			if fn.Timeout <= 0 || fn.MemorySize < 128 {
				t.Fatalf("accepted function with timeout %v memory %d", fn.Timeout, fn.MemorySize)
			}
			for _, r := range fn.Routes {
				if !httpMethods[r.Method] || checkRoutePath(r.Path) != nil {
					t.Fatalf("accepted bad route %+v", r)
				}
			}
		}
	})
}
