// Package samcheck finds the mistakes in template.yaml that `sam deploy`
// would find late or not at all: a function whose code or build target is
// missing, a route no handler serves (or a handler route the template
// forgot), an invalid schedule, a configuration variable the template does
// not set, a reference to a resource or parameter that does not exist, and,
// given AWS's SAM JSON schema, any SAM property that is misspelt or misused.
//
// `opsight validate` runs it, and so does a test on every `make test`.
package samcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/opsight/opsight/infra/localrt/schedule"
	"github.com/opsight/opsight/infra/samtemplate"
	"github.com/opsight/opsight/shared/config"
)

// Problem is one finding, with the template line when known.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("template.yaml:%d: %s", p.Line, p.Message)
	}
	return "template.yaml: " + p.Message
}

// Options configure Check.
type Options struct {
	// Root is the repository: template.yaml, Makefile and functions/ live there.
	Root string
	// Routes maps a function directory (api, webhook) to the route keys its
	// handler serves ("GET /api/v1/health"). Every function with HttpApi
	// events needs an entry.
	Routes map[string][]string
	// SchemaPath is AWS's SAM JSON schema; empty skips schema validation.
	SchemaPath string
}

// Check reads Root/template.yaml and returns every problem found.
func Check(o Options) ([]Problem, error) {
	path := filepath.Join(o.Root, "template.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []Problem{{Message: "not valid YAML: " + err.Error()}}, nil
	}
	tpl, err := samtemplate.Parse(data)
	if err != nil {
		return []Problem{{Message: err.Error()}}, nil
	}
	c := &checker{opt: o, root: doc.Content[0], tpl: tpl}
	c.references()
	c.functions()
	c.routes()
	c.schedules()
	c.environment()
	if o.SchemaPath != "" {
		if err := c.schema(o.SchemaPath); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].Line < c.problems[j].Line })
	return c.problems, nil
}

type checker struct {
	opt      Options
	root     *yaml.Node
	tpl      *samtemplate.Template
	problems []Problem
}

func (c *checker) add(n *yaml.Node, format string, a ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	c.problems = append(c.problems, Problem{Line: line, Message: fmt.Sprintf(format, a...)})
}

// mapping returns the value node of key in a mapping node, or nil.
func mapping(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// resources returns the logical IDs and nodes of every resource.
func (c *checker) resources() map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	res := mapping(c.root, "Resources")
	if res == nil {
		return out
	}
	for i := 0; i+1 < len(res.Content); i += 2 {
		out[res.Content[i].Value] = res.Content[i+1]
	}
	return out
}

var subVarRE = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// references checks every Ref, GetAtt and Sub variable, in short and long
// form, names a parameter, a resource, a pseudo parameter or a resource SAM
// generates. This is what catches a policy naming an undeclared bucket.
func (c *checker) references() {
	known := map[string]bool{}
	if params := mapping(c.root, "Parameters"); params != nil {
		for i := 0; i < len(params.Content); i += 2 {
			known[params.Content[i].Value] = true
		}
	}
	for id, n := range c.resources() {
		known[id] = true
		props := mapping(n, "Properties")
		switch mapping(n, "Type").Value {
		case "AWS::Serverless::Function":
			known[id+"Role"] = true
			if mapping(props, "AutoPublishAlias") != nil {
				known[id+".Alias"], known[id+".Version"] = true, true
			}
		case "AWS::Serverless::HttpApi":
			known[id+".ApiEndpoint"] = true
		}
	}
	known["ServerlessHttpApi"] = true // SAM's implicit API when events name no ApiId
	check := func(n *yaml.Node, name, form string) {
		base := name
		if !known[name] {
			base, _, _ = strings.Cut(name, ".")
		}
		if strings.HasPrefix(name, "AWS::") || known[name] || known[base] {
			return
		}
		c.add(n, "%s names %q, which is neither a parameter nor a resource of this template", form, name)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch n.Tag {
		case "!Ref":
			check(n, n.Value, "!Ref")
		case "!GetAtt":
			name := n.Value
			if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
				name = n.Content[0].Value
			}
			base, _, _ := strings.Cut(name, ".")
			check(n, base, "!GetAtt")
		case "!Sub":
			s := n
			if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
				s = n.Content[0]
			}
			local := map[string]bool{}
			if n.Kind == yaml.SequenceNode && len(n.Content) > 1 {
				for i := 0; i < len(n.Content[1].Content); i += 2 {
					local[n.Content[1].Content[i].Value] = true
				}
			}
			for _, m := range subVarRE.FindAllStringSubmatch(s.Value, -1) {
				v := m[1]
				if local[v] {
					continue
				}
				if b, _, ok := strings.Cut(v, "."); ok && !known[v] {
					v = b
				}
				check(n, v, "!Sub")
			}
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				switch n.Content[i].Value {
				case "Ref":
					check(n.Content[i+1], n.Content[i+1].Value, "Ref")
				case "Fn::GetAtt":
					if v := n.Content[i+1]; v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
						check(v, v.Content[0].Value, "Fn::GetAtt")
					}
				}
			}
		}
		for _, ch := range n.Content {
			walk(ch)
		}
	}
	walk(c.root)
}

// functions checks that each function's code and build target exist.
func (c *checker) functions() {
	res := c.resources()
	makefiles := map[string]string{}
	for _, f := range c.tpl.Functions {
		node := res[f.LogicalID]
		dir, err := f.Dir()
		if err != nil {
			c.add(node, "%v", err)
			continue
		}
		main := filepath.Join(c.opt.Root, "functions", dir, "main.go")
		if b, err := os.ReadFile(main); err != nil || !regexp.MustCompile(`(?m)^package main\b`).Match(b) {
			c.add(node, "%s: no main package at functions/%s (the logical ID maps to that directory)", f.LogicalID, dir)
		}
		codeDir := filepath.Join(c.opt.Root, f.CodeURI)
		if fi, err := os.Stat(codeDir); err != nil || !fi.IsDir() {
			c.add(node, "%s: CodeUri %q is not a directory", f.LogicalID, f.CodeURI)
			continue
		}
		meta := mapping(node, "Metadata")
		if bm := mapping(meta, "BuildMethod"); bm == nil || bm.Value != "makefile" {
			c.add(node, "%s: Metadata.BuildMethod must be makefile (Go functions build through the Makefile's build-%s target)", f.LogicalID, f.LogicalID)
			continue
		}
		mk, ok := makefiles[codeDir]
		if !ok {
			b, err := os.ReadFile(filepath.Join(codeDir, "Makefile"))
			if err != nil {
				c.add(node, "%s: no Makefile in CodeUri %q", f.LogicalID, f.CodeURI)
				continue
			}
			mk = string(b)
			makefiles[codeDir] = mk
		}
		target := regexp.MustCompile(`(?m)^build-` + regexp.QuoteMeta(f.LogicalID) + `\s*:(.*)$`).FindStringSubmatch(mk)
		if target == nil {
			c.add(node, "%s: the Makefile has no build-%s target, so `sam build` cannot build it", f.LogicalID, f.LogicalID)
		} else if !strings.Contains(target[1], ","+dir+")") && !strings.Contains(target[1], "./functions/"+dir) {
			c.add(node, "%s: the Makefile's build-%s target does not build functions/%s", f.LogicalID, f.LogicalID, dir)
		}
		if f.Runtime != "provided.al2023" || f.Handler != "bootstrap" || !slices.Equal(f.Architectures, []string{"arm64"}) {
			c.add(node, "%s: want Runtime provided.al2023, Handler bootstrap, Architectures [arm64]; have %s, %s, %v", f.LogicalID, f.Runtime, f.Handler, f.Architectures)
		}
	}
}

// routes compares each function's HttpApi events with its handler's routes.
func (c *checker) routes() {
	res := c.resources()
	for _, f := range c.tpl.Functions {
		if len(f.Routes) == 0 {
			continue
		}
		dir, _ := f.Dir()
		served, ok := c.opt.Routes[dir]
		if !ok {
			c.add(res[f.LogicalID], "%s has HttpApi events but no handler routes are known for functions/%s", f.LogicalID, dir)
			continue
		}
		inTemplate := map[string]bool{}
		for _, r := range f.Routes {
			inTemplate[r.Key()] = true
			if !slices.Contains(served, r.Key()) {
				c.add(c.eventNode(f.LogicalID, r.Event), "route %q (%s.%s) has no handler: functions/%s does not serve it", r.Key(), f.LogicalID, r.Event, dir)
			}
		}
		for _, key := range served {
			if !inTemplate[key] {
				c.add(res[f.LogicalID], "functions/%s serves %q but %s has no HttpApi event for it, so it is unreachable in AWS", dir, key, f.LogicalID)
			}
		}
	}
}

func (c *checker) eventNode(fn, event string) *yaml.Node {
	return mapping(mapping(mapping(c.resources()[fn], "Properties"), "Events"), event)
}

func (c *checker) schedules() {
	for _, s := range c.tpl.Schedules() {
		if _, err := schedule.Parse(s.Expression); err != nil {
			c.add(c.eventNode(s.Function, s.Event), "%s.%s: invalid schedule %q: %v", s.Function, s.Event, s.Expression, err)
		}
	}
}

// environment checks that every variable config reads is set for every
// function, so a deployed function never starts on a default meant for
// local runs.
func (c *checker) environment() {
	res := c.resources()
	for _, f := range c.tpl.Functions {
		for _, v := range config.Vars {
			if _, ok := f.Environment[v.Name]; v.InTemplate && !ok {
				c.add(res[f.LogicalID], "%s: environment variable %s (read by shared/config) is not set in Globals or the function", f.LogicalID, v.Name)
			}
		}
	}
}
