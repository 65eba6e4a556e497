package promql_test

import (
	"fmt"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/promql"
)

// A service overrides one standard metric; the rest keep their defaults.
func ExampleTemplates() {
	ts, errs := promql.Templates(map[string]string{
		aiops.MetricRequestRate: `sum(rate(http_requests_total{ {{.Selector}}, handler!="/healthz" }[{{.Window}}]))`,
	})
	fmt.Println(len(ts), "templates,", len(errs), "errors")
	d := promql.Data{Service: "checkout", Selector: `job="checkout"`, Window: "5m", Step: "1m"}
	for _, t := range ts[:2] {
		q, _ := t.Render(d)
		fmt.Printf("%s: %s\n", t.Metric, q)
	}
	// Output:
	// 9 templates, 0 errors
	// request_rate: sum(rate(http_requests_total{ job="checkout", handler!="/healthz" }[5m]))
	// error_rate: (sum(rate(http_requests_total{ job="checkout",code=~"5.." }[5m])) or vector(0)) / sum(rate(http_requests_total{ job="checkout" }[5m]))
}
