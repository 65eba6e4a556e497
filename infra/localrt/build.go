package localrt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// Build compiles the named functions (logical IDs or directory names; all
// of them when none is named) for this machine, in parallel:
//
//	CGO_ENABLED=0 go build -tags lambda.norpc -trimpath [-ldflags LDFlags] -o BinDir/<dir>/bootstrap ./SourceDir/<dir>
//
// Lambda runs arm64 builds; those do not run here, so local binaries are
// built for the host, from the same source.
func (r *Runtime) Build(ctx context.Context, names ...string) error {
	fns, err := r.selectFunctions(names)
	if err != nil {
		return err
	}
	sem := make(chan struct{}, runtime.NumCPU())
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = r.build(ctx, fn)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *Runtime) build(ctx context.Context, fn *function) error {
	if err := os.MkdirAll(filepath.Dir(fn.bin), 0o755); err != nil {
		return err
	}
	pkg := "./" + filepath.ToSlash(filepath.Join(r.cfg.SourceDir, fn.dir))
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath"}
	if r.cfg.LDFlags != "" {
		args = append(args, "-ldflags", r.cfg.LDFlags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, "-o", fn.bin, pkg)...)
	cmd.Dir = r.cfg.Dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("building %s (%s): %w\n%s", fn.def.LogicalID, pkg, err, out)
	}
	return nil
}

// selectFunctions resolves names to functions, in logical ID order.
func (r *Runtime) selectFunctions(names []string) ([]*function, error) {
	var fns []*function
	if len(names) == 0 {
		for _, fn := range r.fns {
			fns = append(fns, fn)
		}
	}
	for _, n := range names {
		id, ok := r.Function(n)
		if !ok {
			return nil, fmt.Errorf("localrt: no function %q in the template", n)
		}
		fns = append(fns, r.fns[id])
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].def.LogicalID < fns[j].def.LogicalID })
	return fns, nil
}
