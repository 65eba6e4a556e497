package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/opsight/opsight/infra/samcheck"
)

func init() {
	register(command{
		name:    "validate",
		summary: "check template.yaml against the code, the Makefile, the config and (with --schema) AWS's SAM schema",
		run:     runValidate,
	})
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", stderr)
	schema := fs.String("schema", "", "AWS SAM JSON schema (sam.schema.json from aws/serverless-application-model)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	problems, err := samcheck.Check(samcheck.Options{Root: root, Routes: samcheck.ProjectRoutes(), SchemaPath: *schema})
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d problem(s) in template.yaml", len(problems))
	}
	fmt.Fprintln(stdout, "template.yaml: ok")
	return nil
}
