package samcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/testfiles"
)

func repoRoot(t *testing.T) string {
	root := testfiles.RepoRoot()
	if root == "" {
		t.Fatal("repository root not found")
	}
	return root
}

func TestProjectTemplate(t *testing.T) {
	problems, err := Check(Options{Root: repoRoot(t), Routes: ProjectRoutes()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// AWS's own SAM schema accepts the template's Globals and serverless
// resources.
func TestProjectTemplateAgainstSAMSchema(t *testing.T) {
	schema := testfiles.Shared(t, "fixtures", "sam", "sam.schema.json")
	problems, err := Check(Options{Root: repoRoot(t), Routes: ProjectRoutes(), SchemaPath: schema})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// brokenCopy writes the project's template with edits applied, next to a
// copy of the Makefile and function sources, and returns the directory.
func brokenCopy(t *testing.T, edits ...[2]string) string {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, e := range edits {
		if !strings.Contains(s, e[0]) {
			t.Fatalf("edit target %q not in template.yaml", e[0])
		}
		s = strings.Replace(s, e[0], e[1], 1)
	}
	must(t, os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(s), 0o644))
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "Makefile"), mk, 0o644))
	fns, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	for _, f := range fns {
		rel, _ := filepath.Rel(root, f)
		must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755))
		b, _ := os.ReadFile(f)
		must(t, os.WriteFile(filepath.Join(dir, rel), b, 0o644))
	}
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestFindsMistakes(t *testing.T) {
	tests := []struct {
		name string
		edit [2]string
		want string
	}{
		{"code uri", [2]string{"CodeUri: .\n      Timeout: 10", "CodeUri: nowhere/\n      Timeout: 10"}, `CodeUri "nowhere/" is not a directory`},
		{"route without handler", [2]string{"Path: /api/v1/version", "Path: /api/v1/versions"}, `route "GET /api/v1/versions" (ApiFunction.Version) has no handler`},
		{"handler route missing", [2]string{"Path: /api/v1/version", "Path: /api/v1/versions"}, `serves "GET /api/v1/version" but ApiFunction has no HttpApi event`},
		{"undeclared policy resource", [2]string{"Resource: !GetAtt DataBucket.Arn", "Resource: !GetAtt LogsBucket.Arn"}, `"LogsBucket", which is neither a parameter nor a resource`},
		{"undeclared sub variable", [2]string{`"arn:${AWS::Partition}:s3:::${DataBucket}/opsight/*"`, `"arn:${AWS::Partition}:s3:::${DateBucket}/opsight/*"`}, `"DateBucket"`},
		{"missing env", [2]string{"        DB_CONNECT_TIMEOUT: 5s\n", ""}, "DB_CONNECT_TIMEOUT (read by shared/config) is not set"},
		{"build method", [2]string{"BuildMethod: makefile", "BuildMethod: go1.x"}, "Metadata.BuildMethod must be makefile"},
		{"unknown function dir", [2]string{"  MigrateFunction:\n", "  MigrateDbFunction:\n"}, "no main package at functions/migrate-db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems, err := Check(Options{Root: brokenCopy(t, tt.edit), Routes: ProjectRoutes()})
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range problems {
				all = append(all, p.String())
				if strings.Contains(p.String(), tt.want) {
					if p.Line == 0 {
						t.Errorf("problem has no line: %s", p)
					}
					return
				}
			}
			t.Fatalf("want a problem containing %q, got:\n%s", tt.want, strings.Join(all, "\n"))
		})
	}
}

func TestFindsInvalidSchedule(t *testing.T) {
	dir := brokenCopy(t, [2]string{"      AutoPublishAlias: live\n", "      AutoPublishAlias: live\n      Events:\n        Nightly:\n          Type: Schedule\n          Properties: {Schedule: \"cron(0 25 * * ? *)\"}\n"})
	problems, err := Check(Options{Root: dir, Routes: ProjectRoutes()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.Contains(p.Message, "invalid schedule") {
			return
		}
	}
	t.Fatalf("invalid cron accepted: %v", problems)
}

func TestSchemaFindsMisspeltProperty(t *testing.T) {
	schema := testfiles.Shared(t, "fixtures", "sam", "sam.schema.json")
	dir := brokenCopy(t, [2]string{"      Timeout: 300\n", "      Timeout: 300\n      MemorySise: 512\n"})
	problems, err := Check(Options{Root: dir, Routes: ProjectRoutes(), SchemaPath: schema})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.Contains(p.Message, "SAM schema") && strings.Contains(p.Message, "MigrateFunction") {
			return
		}
	}
	t.Fatalf("misspelt property accepted: %v", problems)
}
