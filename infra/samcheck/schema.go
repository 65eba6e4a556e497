package samcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"gopkg.in/yaml.v3"
)

// schema validates Globals and every AWS::Serverless::* resource against
// AWS's SAM JSON schema (draft-04), after turning short-form intrinsics into
// their JSON form, as `sam validate --lint` does.
func (c *checker) schema(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return fmt.Errorf("SAM schema: %w", err)
	}
	comp := jsonschema.NewCompiler()
	// The SAM schema's patterns use ECMAScript look-ahead, which Go's RE2
	// engine lacks.
	comp.UseRegexpEngine(ecmaRegexp)
	if err := comp.AddResource("sam.schema.json", raw); err != nil {
		return err
	}
	sch, err := comp.Compile("sam.schema.json")
	if err != nil {
		return fmt.Errorf("SAM schema: %w", err)
	}
	doc := map[string]any{}
	if g := mapping(c.root, "Globals"); g != nil {
		doc["Globals"] = toJSON(g)
	}
	resources := map[string]any{}
	lines := map[string]int{}
	if res := mapping(c.root, "Resources"); res != nil {
		for i := 0; i+1 < len(res.Content); i += 2 {
			if t := mapping(res.Content[i+1], "Type"); t != nil && strings.HasPrefix(t.Value, "AWS::Serverless::") {
				resources[res.Content[i].Value] = toJSON(res.Content[i+1])
				lines[res.Content[i].Value] = res.Content[i].Line
			}
		}
	}
	doc["Resources"] = resources
	// Round-trip through encoding/json so numbers have the types the
	// validator expects.
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	err = sch.Validate(inst)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		for _, leaf := range leaves(ve) {
			loc := leaf.InstanceLocation
			line := 0
			if len(loc) >= 2 && loc[0] == "Resources" {
				line = lines[loc[1]]
			}
			c.problems = append(c.problems, Problem{Line: line, Message: fmt.Sprintf("SAM schema: /%s: %s", strings.Join(loc, "/"), leaf.ErrorKind.LocalizedString(english))})
		}
		return nil
	}
	return err
}

var english = message.NewPrinter(language.English)

type ecmaRE regexp2.Regexp

func (re *ecmaRE) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRE) String() string { return (*regexp2.Regexp)(re).String() }

func ecmaRegexp(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRE)(re), nil
}

// leaves returns the most specific causes of a validation error. Each
// resource is matched against every resource type's schema (an anyOf), so
// the branches for other types are dropped: a Function is reported against
// the Function schema, not told it is not a Connector.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	causes := ve.Causes
	if _, ok := ve.ErrorKind.(*kind.AnyOf); ok {
		var sameType []*jsonschema.ValidationError
		for _, c := range causes {
			if !typeMismatch(c) {
				sameType = append(sameType, c)
			}
		}
		if len(sameType) > 0 {
			causes = sameType
		}
	}
	var out []*jsonschema.ValidationError
	for _, c := range causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// typeMismatch reports whether a branch failed on the resource's Type.
func typeMismatch(ve *jsonschema.ValidationError) bool {
	if loc := ve.InstanceLocation; len(loc) > 0 && loc[len(loc)-1] == "Type" {
		return true
	}
	for _, c := range ve.Causes {
		if typeMismatch(c) {
			return true
		}
	}
	return false
}

// intrinsics maps short-form tags to their JSON keys.
var intrinsics = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!Sub": "Fn::Sub", "!GetAtt": "Fn::GetAtt", "!If": "Fn::If", "!Not": "Fn::Not",
	"!Equals": "Fn::Equals", "!And": "Fn::And", "!Or": "Fn::Or", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap",
	"!Base64": "Fn::Base64", "!Cidr": "Fn::Cidr", "!GetAZs": "Fn::GetAZs",
	"!ImportValue": "Fn::ImportValue", "!Transform": "Fn::Transform",
}

// toJSON converts a YAML node to JSON-shaped Go values.
func toJSON(n *yaml.Node) any {
	if key, ok := intrinsics[n.Tag]; ok {
		var v any
		switch {
		case n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
			a, b, _ := strings.Cut(n.Value, ".")
			v = []any{a, b}
		case n.Kind == yaml.ScalarNode:
			v = n.Value
		default:
			m := *n
			m.Tag = ""
			v = toJSON(&m)
		}
		return map[string]any{key: v}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return toJSON(n.Content[0])
	case yaml.AliasNode:
		return toJSON(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = toJSON(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = toJSON(c)
		}
		return s
	}
	switch n.ShortTag() {
	case "!!int":
		if v, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return v
		}
	case "!!float":
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return v
		}
	case "!!bool":
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE"
	case "!!null":
		return nil
	}
	return n.Value
}
