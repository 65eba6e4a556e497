package nab

import (
	"context"
	"testing"

	"github.com/opsight/opsight/shared/detect"
	"github.com/opsight/opsight/shared/testfiles"
)

// BenchmarkFullRun loads the corpus, runs the streaming detector over all
// 58 files on two workers and scores the three profiles: the whole of
// `opsight bench nab`.
func BenchmarkFullRun(b *testing.B) {
	dir := testfiles.Shared(b, "bench", "nab")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		scores, _, err := Run(context.Background(), c, StreamDetector(detect.DefaultConfig()), 2)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Score(c, scores)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(res[0].Normalized, "standard")
	}
}
