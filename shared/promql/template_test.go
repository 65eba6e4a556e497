package promql

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/aiops"
)

func TestDefaultsRender(t *testing.T) {
	d := Data{Service: "checkout", Selector: `job="checkout",namespace="prod"`, Window: "5m", Step: "1m"}
	want := map[string]string{
		aiops.MetricRequestRate: `sum(rate(http_requests_total{ job="checkout",namespace="prod" }[5m]))`,
		aiops.MetricErrorRate:   `(sum(rate(http_requests_total{ job="checkout",namespace="prod",code=~"5.." }[5m])) or vector(0)) / sum(rate(http_requests_total{ job="checkout",namespace="prod" }[5m]))`,
		aiops.MetricLatencyP95:  `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{ job="checkout",namespace="prod" }[5m])))`,
		aiops.MetricMemory:      `sum(container_memory_working_set_bytes{ job="checkout",namespace="prod",container!="",container!="POD" })`,
		aiops.MetricPods:        `sum(kube_pod_status_phase{ job="checkout",namespace="prod",phase="Running" }) or count(up{ job="checkout",namespace="prod" } == 1)`,
	}
	ts, errs := Templates(nil)
	if len(errs) != 0 || len(ts) != len(aiops.StandardMetrics) {
		t.Fatalf("Templates(nil) = %d templates, errors %v", len(ts), errs)
	}
	for i, tpl := range ts {
		if tpl.Metric != aiops.StandardMetrics[i] {
			t.Errorf("template %d is for %s, want %s (display order)", i, tpl.Metric, aiops.StandardMetrics[i])
		}
		q, err := tpl.Render(d)
		if err != nil {
			t.Errorf("%s: %v", tpl.Metric, err)
			continue
		}
		if w, ok := want[tpl.Metric]; ok && q != w {
			t.Errorf("%s:\n got %s\nwant %s", tpl.Metric, q, w)
		}
		// An empty selector must still give valid matchers: no "{ ,".
		q, err = tpl.Render(Data{Window: "5m", Step: "1m"})
		if err != nil || strings.Contains(q, "{ ,") {
			t.Errorf("%s with an empty selector: %q, %v", tpl.Metric, q, err)
		}
	}
}

func TestTemplatesOverrides(t *testing.T) {
	ts, errs := Templates(map[string]string{
		aiops.MetricRequestRate: `sum(rate(requests_total{ {{.Selector}}, service="{{.Service}}" }[{{.Step}}]))`,
		aiops.MetricLatencyP99:  `histogram_quantile(0.99, sum by (le) (rate(x{ {{.Nope}} }[5m])))`,
		aiops.MetricCPU:         `sum(rate(cpu{ {{.Selector}} }[5m])`,
		"latency_p90":           `x`,
	})
	if len(ts) != len(aiops.StandardMetrics)-2 {
		t.Errorf("%d templates, want every standard metric but the two bad overrides", len(ts))
	}
	for _, tpl := range ts {
		if tpl.Metric == aiops.MetricRequestRate {
			q, _ := tpl.Render(Data{Service: "cart", Selector: `job="cart"`, Window: "5m", Step: "1m"})
			if q != `sum(rate(requests_total{ job="cart", service="cart" }[1m]))` {
				t.Errorf("override rendered %q", q)
			}
		}
		if tpl.Metric == aiops.MetricLatencyP99 || tpl.Metric == aiops.MetricCPU {
			t.Errorf("bad override of %s fell back to a template", tpl.Metric)
		}
	}
	var metrics []string
	for _, err := range errs {
		var te *TemplateError
		if !errors.As(err, &te) {
			t.Fatalf("error %T is not *TemplateError", err)
		}
		metrics = append(metrics, te.Metric)
		if !strings.Contains(err.Error(), te.Metric) {
			t.Errorf("error %q does not name the metric", err)
		}
	}
	if strings.Join(metrics, " ") != "latency_p99 cpu latency_p90" {
		t.Errorf("errors for %v, want latency_p99 cpu latency_p90", metrics)
	}
}

func TestParseTemplateRefuses(t *testing.T) {
	for _, tc := range []struct{ text, why string }{
		{"", "empty"},
		{"   ", "empty"},
		{strings.Repeat("x", MaxTemplateBytes+1), "longer than"},
		{"sum(x{ {{.Selector}} }", "unclosed"},
		{"sum(x{ {{.Selector}} }))", "unbalanced"},
		{`x{a="}`, "unterminated string"},
		{"{{.Missing}}", "Missing"},
		{"{{.Selector", "unclosed action"},
		{`{{printf "%999999999d" 1}}`, `function "printf" is not allowed`},
		{`{{index .Selector 0}}`, `function "index" is not allowed`},
		{`{{range $i, $c := .Selector}}x{{end}}`, "range is not allowed"},
		{`{{define "a"}}x{{end}}up`, "define and block"},
		{`{{block "a" .}}x{{end}}`, "define and block"},
		{`{{if .Selector}}{{else}}{{end}}`, "empty query"},
	} {
		_, err := ParseTemplate("cpu", tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ParseTemplate(%.40q) = %v, want an error containing %q", tc.text, err, tc.why)
		}
	}
}

func TestRenderLimit(t *testing.T) {
	tpl, err := ParseTemplate("cpu", "up{ "+strings.Repeat("{{.Selector}}", 20)+" }")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tpl.Render(Data{Selector: strings.Repeat("x", 1024)})
	if err == nil || !strings.Contains(err.Error(), "more than 16384 bytes") {
		t.Errorf("20 KB query: err = %v", err)
	}
}

func TestParseTemplateAccepts(t *testing.T) {
	for _, text := range []string{
		`up`,
		`sum(up{ {{.Selector}} }) # comment with ( unbalanced`,
		`count(x{ {{matchers .Selector "a=\"{\""}} })`,
		"x{a=`]`}",
		`{{if eq .Service "example"}}up{{else}}down{{end}}`,
		`{{with .Selector}}up{ {{.}} }{{else}}up{{end}}`,
		`{{$s := .Selector}}up{ {{$s}} }`,
		`{{/* a comment */}}up`,
	} {
		if _, err := ParseTemplate("pods", text); err != nil {
			t.Errorf("ParseTemplate(%q): %v", text, err)
		}
	}
}

// FuzzParseTemplate feeds arbitrary override text: parsing and rendering
// must not panic, and an accepted template must render within the limits.
func FuzzParseTemplate(f *testing.F) {
	for _, text := range Defaults {
		f.Add(text, `job="x"`)
	}
	f.Add(`{{if .Selector}}{{.Selector}}{{end}}`, "")
	f.Add(`{{range .Selector}}{{end}}`, "a")
	f.Add(`{{matchers .Selector "a" "b" .Window}}`, `"`)
	f.Fuzz(func(t *testing.T, text, selector string) {
		tpl, err := ParseTemplate("cpu", text)
		if err != nil {
			var te *TemplateError
			if !errors.As(err, &te) || te.Metric != "cpu" {
				t.Fatalf("error %T %v is not a *TemplateError for cpu", err, err)
			}
			return
		}
		q, err := tpl.Render(Data{Service: "s", Selector: selector, Window: "5m", Step: "1m"})
		if err == nil && (q == "" || len(q) > MaxQueryBytes) {
			t.Fatalf("rendered %d bytes", len(q))
		}
	})
}
