package main

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// benchmark is one `opsight bench NAME` harness (nab, m4, ...).
type benchmark struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var benchmarks = map[string]benchmark{}

// registerBench adds a benchmark harness; called from init in its file.
func registerBench(b benchmark) {
	if _, dup := benchmarks[b.name]; dup {
		panic("opsight: benchmark registered twice: " + b.name)
	}
	benchmarks[b.name] = b
}

func init() {
	register(command{
		name:    "bench",
		summary: "run a benchmark harness (opsight bench NAME [flags])",
		run:     runBench,
	})
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	names := make([]string, 0, len(benchmarks))
	for n := range benchmarks {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 {
		return usageErrorf("name a benchmark: %v", names)
	}
	b, ok := benchmarks[args[0]]
	if !ok {
		return usageErrorf("unknown benchmark %q; have %v", args[0], names)
	}
	if err := b.run(ctx, args[1:], stdout, stderr); err != nil {
		return fmt.Errorf("%s: %w", b.name, err)
	}
	return nil
}
