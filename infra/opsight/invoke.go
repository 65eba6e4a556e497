package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsight/opsight/infra/localrt"
	"github.com/opsight/opsight/infra/localrt/runtimeapi"
	"github.com/opsight/opsight/infra/samtemplate"
)

func init() {
	register(command{
		name:    "invoke",
		summary: "build a function and run it once under the local Lambda runtime (opsight invoke FN EVENT.json|-)",
		run:     runInvoke,
	})
}

// envFlags collects repeated --env KEY=VALUE.
type envFlags map[string]string

func (e envFlags) String() string { return fmt.Sprint(map[string]string(e)) }

func (e envFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	e[k] = v
	return nil
}

func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("invoke", stderr)
	template := fs.String("template", "template.yaml", "the SAM template; functions build from functions/<dir> beside it")
	envFile := fs.String("env-file", "", `JSON environment overrides: {"FnLogicalId": {"K": "v"}, "Parameters": {...}} or a flat {"K": "v"}`)
	env := envFlags{}
	fs.Var(env, "env", "KEY=VALUE environment override for the function (repeatable; wins over --env-file)")
	timeout := fs.Duration("timeout", 0, "replace the function's Timeout (e.g. 30s)")
	noBuild := fs.Bool("no-build", false, "run the binary already in .local/bin")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: opsight invoke [flags] FN EVENT.json|-\n\nFN is a logical ID (ApiFunction) or a directory under functions/ (api).\nThe response goes to stdout; START/END/REPORT lines and the function's logs to stderr.\n\nflags:")
		fs.PrintDefaults()
	}
	// Flags may come before or after the two arguments.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 2 {
		return usageErrorf("want FN and EVENT.json (or - for stdin), got %d arguments", len(pos))
	}
	payload, err := readEvent(pos[1])
	if err != nil {
		return err
	}

	tpl, err := samtemplate.ReadFile(*template)
	if err != nil {
		return err
	}
	fn, ok := tpl.Function(pos[0])
	if !ok {
		var names []string
		for _, f := range tpl.Functions {
			names = append(names, f.LogicalID)
		}
		return usageErrorf("no function %q in %s; have %s", pos[0], *template, strings.Join(names, ", "))
	}
	overrides := localrt.Overrides{}
	if *envFile != "" {
		data, err := os.ReadFile(*envFile)
		if err != nil {
			return err
		}
		if overrides, err = localrt.ParseEnvFile(data); err != nil {
			return fmt.Errorf("%s: %w", *envFile, err)
		}
	}
	if len(env) > 0 {
		mine := map[string]string{}
		for k, v := range overrides[fn.LogicalID] {
			mine[k] = v
		}
		for k, v := range env {
			mine[k] = v
		}
		overrides[fn.LogicalID] = mine
	}

	root := filepath.Dir(*template)
	rt, err := localrt.New(localrt.Config{
		Template:     tpl,
		Dir:          root,
		BinDir:       filepath.Join(root, ".local", "bin"),
		Env:          overrides,
		Logger:       slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Output:       stderr,
		MaxInstances: 1,
		Timeout:      *timeout,
	})
	if err != nil {
		return err
	}
	defer rt.Close()
	if !*noBuild {
		if err := rt.Build(ctx, fn.LogicalID); err != nil {
			return err
		}
	}
	out, _, err := rt.Invoke(ctx, fn.LogicalID, payload)
	var fe *runtimeapi.FunctionError
	if errors.As(err, &fe) {
		fmt.Fprintf(stdout, "%s\n", fe.Body)
		return fmt.Errorf("function error: %s", fe.Type)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", out)
	return nil
}

// readEvent reads the event file, or stdin for "-", and checks it is JSON.
func readEvent(name string) ([]byte, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(os.Stdin)
		name = "stdin"
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, usageErrorf("%s: the event is not valid JSON", name)
	}
	return data, nil
}
