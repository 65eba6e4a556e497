package promql

import (
	"fmt"
	"strings"
	"testing"
)

// A day of minutes of one series: the largest answer a default catch-up
// reads per metric.
func BenchmarkParseDayMatrix(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[`)
	for i := range 1441 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `[%d,"%g"]`, 1700000000+60*i, 10.5+float64(i%17)/7)
	}
	sb.WriteString(`]}]}}`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := Parse(200, body)
		if err != nil || res.Points() != 1441 {
			b.Fatal(res, err)
		}
	}
}

func BenchmarkRenderDefault(b *testing.B) {
	d := Data{Service: "checkout", Selector: `job="checkout",namespace="prod"`, Window: "5m", Step: "1m"}
	t := defaults["error_rate"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.Render(d); err != nil {
			b.Fatal(err)
		}
	}
}
