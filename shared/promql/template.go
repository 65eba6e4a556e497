package promql

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/opsight/opsight/shared/aiops"
)

// Data is what a query template sees.
type Data struct {
	Service  string // the service's registry name
	Selector string // the source's label matchers, e.g. job="checkout",namespace="prod"; may be empty
	Window   string // the range of rate() and increase(), a PromQL duration such as 5m
	Step     string // the collection step, e.g. 1m
}

// Defaults are the templates of the standard metrics, written for the most
// common conventions: the Prometheus client libraries' http_requests_total
// (with a code label) and http_request_duration_seconds histogram, cAdvisor's
// container_* series and kube-state-metrics. A service whose metrics follow
// other conventions overrides the metric in its source's queries.
//
// Every template aggregates to one unlabelled series. The cAdvisor queries
// drop the pod-level cgroup (container="") and the pause container
// (container="POD"), which would otherwise count the same usage twice.
var Defaults = map[string]string{
	// Requests per second over the window.
	aiops.MetricRequestRate: `sum(rate(http_requests_total{ {{.Selector}} }[{{.Window}}]))`,
	// Share of requests answered 5xx. "or vector(0)" keeps the ratio defined
	// (0) when no 5xx series exists yet; with no traffic at all it is NaN,
	// which the collector treats as no data.
	aiops.MetricErrorRate: `(sum(rate(http_requests_total{ {{matchers .Selector "code=~\"5..\""}} }[{{.Window}}])) or vector(0))` +
		` / sum(rate(http_requests_total{ {{.Selector}} }[{{.Window}}]))`,
	// Latency quantiles from the classic histogram, interpolated linearly
	// within the bucket (histogram_quantile).
	aiops.MetricLatencyP50: `histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{ {{.Selector}} }[{{.Window}}])))`,
	aiops.MetricLatencyP95: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{ {{.Selector}} }[{{.Window}}])))`,
	aiops.MetricLatencyP99: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{ {{.Selector}} }[{{.Window}}])))`,
	// Cores in use, summed over the service's containers.
	aiops.MetricCPU: `sum(rate(container_cpu_usage_seconds_total{ {{matchers .Selector "container!=\"\"" "container!=\"POD\""}} }[{{.Window}}]))`,
	// Working set (what the OOM killer looks at), summed over containers.
	aiops.MetricMemory: `sum(container_memory_working_set_bytes{ {{matchers .Selector "container!=\"\"" "container!=\"POD\""}} })`,
	// Container restarts within the window.
	aiops.MetricRestarts: `sum(increase(kube_pod_container_status_restarts_total{ {{.Selector}} }[{{.Window}}]))`,
	// Running pods from kube-state-metrics, else the number of healthy
	// scrape targets (outside Kubernetes, one per replica).
	aiops.MetricPods: `sum(kube_pod_status_phase{ {{matchers .Selector "phase=\"Running\""}} }) or count(up{ {{.Selector}} } == 1)`,
}

// Limits on templates from service configuration.
const (
	MaxTemplateBytes = 4096  // as aiops.PrometheusSource.Validate allows
	MaxQueryBytes    = 16384 // a rendered query
)

// Template is a parsed query template of one metric.
type Template struct {
	Metric string
	Text   string
	t      *template.Template
}

// TemplateError says what is wrong with a metric's template.
type TemplateError struct {
	Metric string
	Err    error
}

func (e *TemplateError) Error() string {
	return fmt.Sprintf("query template for %s: %v", e.Metric, e.Err)
}
func (e *TemplateError) Unwrap() error { return e.Err }

// funcs are the functions a template may call besides these builtins:
// and, or, not, eq, ne. Everything else (printf, index, call, range,
// nested templates) is refused, so rendering a template from a service's
// configuration is cheap and bounded.
var funcs = template.FuncMap{"matchers": matchers}

var allowedFuncs = map[string]bool{"matchers": true, "and": true, "or": true, "not": true, "eq": true, "ne": true}

// matchers joins label matchers with commas, skipping empty ones, so a
// template can add matchers to a selector that may be empty:
// {{matchers .Selector "code=~\"5..\""}}.
func matchers(ms ...string) string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return strings.Join(out, ",")
}

// sample is the data a template is test-rendered with when parsed.
var sample = Data{Service: "example", Selector: `job="example"`, Window: "5m", Step: "1m"}

// ParseTemplate parses text as the template of metric and renders it once
// with sample data, so a template that cannot work is refused here and not
// at every collection. Errors are *TemplateError.
func ParseTemplate(metric, text string) (*Template, error) {
	tpl, err := parseTemplate(metric, text)
	if err != nil {
		return nil, &TemplateError{Metric: metric, Err: err}
	}
	return tpl, nil
}

func parseTemplate(metric, text string) (*Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("empty")
	}
	if len(text) > MaxTemplateBytes {
		return nil, fmt.Errorf("longer than %d bytes", MaxTemplateBytes)
	}
	t, err := template.New(metric).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: "))
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("define and block are not allowed")
	}
	if err := checkNode(t.Tree.Root); err != nil {
		return nil, err
	}
	tpl := &Template{Metric: metric, Text: text, t: t}
	if _, err := tpl.render(sample); err != nil {
		return nil, err
	}
	return tpl, nil
}

// Render returns the query for d. Errors are *TemplateError.
func (t *Template) Render(d Data) (string, error) {
	q, err := t.render(d)
	if err != nil {
		return "", &TemplateError{Metric: t.Metric, Err: err}
	}
	return q, nil
}

func (t *Template) render(d Data) (string, error) {
	var b strings.Builder
	if err := t.t.Execute(&limitedWriter{b: &b, n: MaxQueryBytes}, d); err != nil {
		return "", errors.New(strings.TrimPrefix(err.Error(), "template: "))
	}
	q := strings.TrimSpace(b.String())
	if q == "" {
		return "", errors.New("renders an empty query")
	}
	if err := checkBrackets(q); err != nil {
		return "", fmt.Errorf("renders %q: %w", shorten(q), err)
	}
	return q, nil
}

// checkNode refuses everything but text, fields, variables, literals, the
// allowed functions, if and with.
func checkNode(n parse.Node) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNode(c); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode, *parse.CommentNode, *parse.FieldNode, *parse.DotNode, *parse.VariableNode,
		*parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return nil
	case *parse.ActionNode:
		return checkNode(n.Pipe)
	case *parse.IfNode:
		return checkBranch(&n.BranchNode)
	case *parse.WithNode:
		return checkBranch(&n.BranchNode)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			for _, a := range c.Args {
				if err := checkNode(a); err != nil {
					return err
				}
			}
		}
		return nil
	case *parse.IdentifierNode:
		if !allowedFuncs[n.Ident] {
			return fmt.Errorf("function %q is not allowed (only matchers, and, or, not, eq, ne)", n.Ident)
		}
		return nil
	case *parse.ChainNode:
		return checkNode(n.Node)
	case *parse.RangeNode:
		return errors.New("range is not allowed")
	case *parse.TemplateNode:
		return errors.New("template is not allowed")
	default:
		return fmt.Errorf("%s is not allowed", n)
	}
}

func checkBranch(b *parse.BranchNode) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if err := checkNode(n); err != nil {
			return err
		}
	}
	return nil
}

// checkBrackets finds unbalanced (), [] and {} outside string literals, the
// commonest typo in a hand-written query, before Prometheus does.
func checkBrackets(q string) error {
	var stack []byte
	closing := map[byte]byte{')': '(', ']': '[', '}': '{'}
	for i := 0; i < len(q); i++ {
		switch c := q[i]; c {
		case '"', '\'', '`':
			end := endOfString(q, i)
			if end < 0 {
				return fmt.Errorf("unterminated string at byte %d", i)
			}
			i = end
		case '#': // a comment runs to the end of the line
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != closing[c] {
				return fmt.Errorf("unbalanced %q at byte %d", c, i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %q", stack[len(stack)-1])
	}
	return nil
}

// endOfString returns the index of the quote closing the string literal
// that opens at q[i], or -1. Backquoted strings have no escapes.
func endOfString(q string, i int) int {
	quote := q[i]
	for j := i + 1; j < len(q); j++ {
		switch {
		case q[j] == '\\' && quote != '`':
			j++
		case q[j] == quote:
			return j
		}
	}
	return -1
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// limitedWriter fails a render that grows past n bytes.
type limitedWriter struct {
	b *strings.Builder
	n int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.n {
		return 0, fmt.Errorf("renders more than %d bytes", w.n)
	}
	return w.b.Write(p)
}

// defaults holds the parsed Defaults; a broken default is a programmer
// error, caught by the first test that imports the package.
var defaults = func() map[string]*Template {
	m := make(map[string]*Template, len(Defaults))
	for metric, text := range Defaults {
		t, err := ParseTemplate(metric, text)
		if err != nil {
			panic("promql: bad default template: " + err.Error())
		}
		m[metric] = t
	}
	return m
}()

// Templates returns the template of each standard metric for a source with
// the given overrides: the override where there is one, else the default.
// A bad override leaves its metric out and is reported in errs (as a
// *TemplateError), without falling back to the default, which would store
// numbers the service's owner said are wrong for it. An override of a
// metric that is not standard is reported too.
func Templates(overrides map[string]string) (ts []*Template, errs []error) {
	for _, m := range aiops.StandardMetrics {
		text, ok := overrides[m]
		if !ok {
			ts = append(ts, defaults[m])
			continue
		}
		t, err := ParseTemplate(m, text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ts = append(ts, t)
	}
	for _, m := range slices.Sorted(maps.Keys(overrides)) {
		if _, ok := defaults[m]; !ok {
			errs = append(errs, &TemplateError{Metric: m, Err: errors.New("not a standard metric (" + strings.Join(aiops.StandardMetrics, ", ") + ")")})
		}
	}
	return ts, errs
}
