// Package samtemplate reads the parts of an AWS SAM template (template.yaml)
// that running the functions needs: each AWS::Serverless::Function with its
// Globals merged in, its environment, its HttpApi routes and its schedules.
//
// It reads YAML with gopkg.in/yaml.v3 node by node rather than through a
// CloudFormation library, because current SAM templates use properties those
// libraries do not know and short-form intrinsic tags (!Ref, !Sub, !GetAtt,
// !If, ...) that a plain decode rejects. An intrinsic whose value only exists
// in a deployed stack is kept as an unresolved Value, so callers can decide
// (override it, or leave it unset with a warning).
package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Defaults that AWS applies when neither the function nor Globals sets them.
const (
	DefaultTimeout    = 3 * time.Second
	DefaultMemorySize = 128 // MB
	DefaultLogFormat  = "Text"
)

// Template is the typed view of a SAM template.
type Template struct {
	// Functions are sorted by logical ID.
	Functions []Function
}

// Function is one AWS::Serverless::Function with Globals.Function applied.
type Function struct {
	LogicalID string
	// Name is the FunctionName property when it is a literal, else the
	// logical ID (as sam local names functions).
	Name          string
	Runtime       string
	Handler       string
	CodeURI       string
	Architectures []string
	Timeout       time.Duration
	MemorySize    int // MB
	// LogFormat is "Text" or "JSON" (LoggingConfig.LogFormat).
	LogFormat string
	// ApplicationLogLevel and SystemLogLevel come from LoggingConfig; empty
	// when unset.
	ApplicationLogLevel string
	SystemLogLevel      string
	// Environment is Globals' Environment.Variables overlaid with the
	// function's own.
	Environment map[string]Value
	Routes      []Route
	Schedules   []Schedule
	// BuildMethod is Metadata.BuildMethod ("makefile" in this project).
	BuildMethod string
}

// Dir is the function's directory under functions/, by the project's naming
// convention (see FunctionDir).
func (f *Function) Dir() (string, error) { return FunctionDir(f.LogicalID) }

// Value is a template value that is either a literal or an intrinsic
// function that cannot be evaluated outside a deployed stack.
type Value struct {
	// Literal is the value when Intrinsic is empty. Numbers and booleans
	// are kept as written.
	Literal string
	// Intrinsic describes an unresolved intrinsic, e.g. "!GetAtt Db.Endpoint".
	Intrinsic string
}

// Resolved reports whether v is a literal.
func (v Value) Resolved() bool { return v.Intrinsic == "" }

func (v Value) String() string {
	if v.Resolved() {
		return v.Literal
	}
	return v.Intrinsic
}

// Route is an HttpApi event of a function.
type Route struct {
	Function string // logical ID
	Event    string // the event's name under Events
	// Method is upper case: GET, POST, ..., or ANY.
	Method string
	// Path is "/api/v1/services/{name}" style, or "$default".
	Path string
	// PayloadFormatVersion is "2.0" (SAM's default for HttpApi) or "1.0".
	PayloadFormatVersion string
	// Timeout is the integration timeout (TimeoutInMillis); 0 means API
	// Gateway's default, 30 s.
	Timeout time.Duration
}

// Key is the API Gateway route key: "GET /path", or "$default".
func (r Route) Key() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// DefaultRoute is the path of HTTP API's catch-all route.
const DefaultRoute = "$default"

// Schedule is a Schedule or ScheduleV2 event of a function.
type Schedule struct {
	Function string // logical ID
	Event    string // the event's name under Events
	Type     string // "Schedule" (EventBridge rule) or "ScheduleV2" (EventBridge Scheduler)
	// Expression is "rate(...)" or "cron(...)" as written; it is not
	// checked here (see infra/localrt/schedule.Parse).
	Expression string
	Enabled    bool
	// Input is the JSON sent instead of the default event, or "".
	Input string
	// Timezone is ScheduleV2's ScheduleExpressionTimezone, or "".
	Timezone string
}

// ReadFile reads and parses a template file.
func ReadFile(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Function returns the function with the given logical ID, or, failing
// that, the one whose directory (FunctionDir) is name.
func (t *Template) Function(name string) (*Function, bool) {
	for i := range t.Functions {
		if t.Functions[i].LogicalID == name {
			return &t.Functions[i], true
		}
	}
	for i := range t.Functions {
		if d, err := t.Functions[i].Dir(); err == nil && d == name {
			return &t.Functions[i], true
		}
	}
	return nil, false
}

// Routes returns every function's routes, in function then template order.
func (t *Template) Routes() []Route {
	var rs []Route
	for _, f := range t.Functions {
		rs = append(rs, f.Routes...)
	}
	return rs
}

// Schedules returns every function's schedules, in function then template
// order.
func (t *Template) Schedules() []Schedule {
	var ss []Schedule
	for _, f := range t.Functions {
		ss = append(ss, f.Schedules...)
	}
	return ss
}

// FunctionDir maps a function's logical ID to its directory under
// functions/: the name without the "Function" suffix in kebab case
// (ApiFunction -> api, CollectPrometheusFunction -> collect-prometheus,
// HTTPProbeFunction -> http-probe, S3SyncFunction -> s3-sync).
func FunctionDir(logicalID string) (string, error) {
	name, ok := strings.CutSuffix(logicalID, "Function")
	if !ok || name == "" {
		return "", fmt.Errorf("function logical ID %q must be <Name>Function", logicalID)
	}
	var b strings.Builder
	for i, r := range name {
		if !isAlnum(r) {
			return "", fmt.Errorf("function logical ID %q: only letters and digits are allowed", logicalID)
		}
		if i > 0 && isUpper(r) {
			prev := rune(name[i-1])
			nextLower := i+1 < len(name) && isLower(rune(name[i+1]))
			if !isUpper(prev) || nextLower {
				b.WriteByte('-')
			}
		}
		b.WriteString(strings.ToLower(string(r)))
	}
	return b.String(), nil
}

func isUpper(r rune) bool { return r >= 'A' && r <= 'Z' }
func isLower(r rune) bool { return r >= 'a' && r <= 'z' }
func isAlnum(r rune) bool { return isUpper(r) || isLower(r) || (r >= '0' && r <= '9') }

// Parse reads a SAM template. Errors name the line and the property path.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, errors.New("empty template")
	}
	p := parser{root: doc.Content[0]}
	return p.parse()
}

type parser struct {
	root   *yaml.Node
	params map[string]string // parameter defaults, for !Ref
}

func (p *parser) parse() (*Template, error) {
	if p.root.Kind != yaml.MappingNode {
		return nil, errAt(p.root, "template", "want a mapping at the top level")
	}
	p.params = map[string]string{}
	if params := lookup(p.root, "Parameters"); params != nil {
		if err := p.readParameters(params); err != nil {
			return nil, err
		}
	}
	var globals *yaml.Node
	if g := lookup(p.root, "Globals"); g != nil {
		globals = lookup(g, "Function")
		if globals != nil && globals.Kind != yaml.MappingNode {
			return nil, errAt(globals, "Globals.Function", "want a mapping")
		}
	}
	res := lookup(p.root, "Resources")
	if res == nil {
		return nil, errAt(p.root, "Resources", "missing")
	}
	if res.Kind != yaml.MappingNode {
		return nil, errAt(res, "Resources", "want a mapping")
	}
	t := &Template{}
	for i := 0; i+1 < len(res.Content); i += 2 {
		id, body := res.Content[i].Value, res.Content[i+1]
		if body.Kind != yaml.MappingNode {
			return nil, errAt(body, "Resources."+id, "want a mapping")
		}
		typ := lookup(body, "Type")
		if typ == nil || typ.Value != "AWS::Serverless::Function" {
			continue
		}
		f, err := p.readFunction(id, body, globals)
		if err != nil {
			return nil, err
		}
		t.Functions = append(t.Functions, f)
	}
	sort.Slice(t.Functions, func(i, j int) bool { return t.Functions[i].LogicalID < t.Functions[j].LogicalID })
	return t, nil
}

func (p *parser) readParameters(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n, "Parameters", "want a mapping")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		if body.Kind != yaml.MappingNode {
			return errAt(body, "Parameters."+name, "want a mapping")
		}
		if d := lookup(body, "Default"); d != nil && d.Kind == yaml.ScalarNode && !isIntrinsicTag(d.Tag) {
			p.params[name] = d.Value
		}
	}
	return nil
}

func (p *parser) readFunction(id string, body, globals *yaml.Node) (Function, error) {
	path := "Resources." + id + ".Properties"
	props := lookup(body, "Properties")
	if props != nil && props.Kind != yaml.MappingNode {
		return Function{}, errAt(props, path, "want a mapping")
	}
	// prop finds a property on the function, else in Globals.
	prop := func(name string) (*yaml.Node, string) {
		if n := lookup(props, name); n != nil {
			return n, path + "." + name
		}
		if n := lookup(globals, name); n != nil {
			return n, "Globals.Function." + name
		}
		return nil, ""
	}
	f := Function{
		LogicalID:  id,
		Name:       id,
		Timeout:    DefaultTimeout,
		MemorySize: DefaultMemorySize,
		LogFormat:  DefaultLogFormat,
	}
	if n := lookup(lookup(body, "Metadata"), "BuildMethod"); n != nil {
		f.BuildMethod = p.value(n).Literal
	}
	if n := lookup(props, "FunctionName"); n != nil {
		if v := p.value(n); v.Resolved() && v.Literal != "" {
			f.Name = v.Literal
		}
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"Runtime", &f.Runtime}, {"Handler", &f.Handler}, {"CodeUri", &f.CodeURI}} {
		n, at := prop(s.name)
		if n == nil {
			continue
		}
		v := p.value(n)
		if n.Kind != yaml.ScalarNode || !v.Resolved() {
			// CodeUri may be a mapping (S3 location); nothing to run locally from it.
			if s.name == "CodeUri" {
				continue
			}
			return Function{}, errAt(n, at, "want a literal string")
		}
		*s.dst = v.Literal
	}
	if n, at := prop("Architectures"); n != nil {
		if n.Kind != yaml.SequenceNode {
			return Function{}, errAt(n, at, "want a list such as [arm64]")
		}
		for _, a := range n.Content {
			if a.Kind != yaml.ScalarNode || (a.Value != "arm64" && a.Value != "x86_64") {
				return Function{}, errAt(a, at, "want arm64 or x86_64")
			}
			f.Architectures = append(f.Architectures, a.Value)
		}
	}
	if n, at := prop("Timeout"); n != nil {
		secs, err := p.integer(n, at, 1, 900)
		if err != nil {
			return Function{}, err
		}
		f.Timeout = time.Duration(secs) * time.Second
	}
	if n, at := prop("MemorySize"); n != nil {
		mb, err := p.integer(n, at, 128, 10240)
		if err != nil {
			return Function{}, err
		}
		f.MemorySize = mb
	}
	if err := p.readLogging(&f, lookup(globals, "LoggingConfig"), "Globals.Function.LoggingConfig"); err != nil {
		return Function{}, err
	}
	if err := p.readLogging(&f, lookup(props, "LoggingConfig"), path+".LoggingConfig"); err != nil {
		return Function{}, err
	}
	f.Environment = map[string]Value{}
	if err := p.readEnvironment(f.Environment, lookup(globals, "Environment"), "Globals.Function.Environment"); err != nil {
		return Function{}, err
	}
	if err := p.readEnvironment(f.Environment, lookup(props, "Environment"), path+".Environment"); err != nil {
		return Function{}, err
	}
	if ev := lookup(props, "Events"); ev != nil {
		if err := p.readEvents(&f, ev, path+".Events"); err != nil {
			return Function{}, err
		}
	}
	return f, nil
}

func (p *parser) readLogging(f *Function, n *yaml.Node, at string) error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(n, at, "want a mapping")
	}
	if v := lookup(n, "LogFormat"); v != nil {
		if v.Kind != yaml.ScalarNode || (v.Value != "JSON" && v.Value != "Text") {
			return errAt(v, at+".LogFormat", "want JSON or Text")
		}
		f.LogFormat = v.Value
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"ApplicationLogLevel", &f.ApplicationLogLevel}, {"SystemLogLevel", &f.SystemLogLevel}} {
		if v := lookup(n, s.name); v != nil {
			if v.Kind != yaml.ScalarNode {
				return errAt(v, at+"."+s.name, "want a log level such as INFO")
			}
			*s.dst = v.Value
		}
	}
	return nil
}

func (p *parser) readEnvironment(dst map[string]Value, n *yaml.Node, at string) error {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return errAt(n, at, "want a mapping with Variables")
	}
	vars := lookup(n, "Variables")
	if vars == nil {
		return nil
	}
	if vars.Kind != yaml.MappingNode {
		return errAt(vars, at+".Variables", "want a mapping of names to values")
	}
	for i := 0; i+1 < len(vars.Content); i += 2 {
		k, v := vars.Content[i], vars.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return errAt(k, at+".Variables", "want a variable name")
		}
		if v.Kind != yaml.ScalarNode && !isIntrinsic(v) {
			return errAt(v, at+".Variables."+k.Value, "want a string, number, boolean or intrinsic function")
		}
		dst[k.Value] = p.value(v)
	}
	return nil
}

func (p *parser) readEvents(f *Function, n *yaml.Node, at string) error {
	if n.Kind != yaml.MappingNode {
		return errAt(n, at, "want a mapping of event names")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		name, body := n.Content[i].Value, n.Content[i+1]
		eat := at + "." + name
		if body.Kind != yaml.MappingNode {
			return errAt(body, eat, "want a mapping")
		}
		typ := lookup(body, "Type")
		if typ == nil || typ.Kind != yaml.ScalarNode {
			return errAt(body, eat+".Type", "missing")
		}
		props := lookup(body, "Properties")
		if props != nil && props.Kind != yaml.MappingNode {
			return errAt(props, eat+".Properties", "want a mapping")
		}
		switch typ.Value {
		case "HttpApi":
			r, err := p.readRoute(f.LogicalID, name, props, eat+".Properties")
			if err != nil {
				return err
			}
			f.Routes = append(f.Routes, r)
		case "Schedule", "ScheduleV2":
			s, err := p.readSchedule(f.LogicalID, name, typ.Value, props, eat+".Properties")
			if err != nil {
				return err
			}
			f.Schedules = append(f.Schedules, s)
		}
	}
	return nil
}

var httpMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"HEAD": true, "OPTIONS": true, "ANY": true,
}

func (p *parser) readRoute(fn, event string, props *yaml.Node, at string) (Route, error) {
	r := Route{Function: fn, Event: event, Method: "ANY", Path: DefaultRoute, PayloadFormatVersion: "2.0"}
	if n := lookup(props, "PayloadFormatVersion"); n != nil {
		v := p.value(n)
		if v.Literal != "1.0" && v.Literal != "2.0" {
			return Route{}, errAt(n, at+".PayloadFormatVersion", "want 1.0 or 2.0")
		}
		r.PayloadFormatVersion = v.Literal
	}
	if n := lookup(props, "TimeoutInMillis"); n != nil {
		ms, err := p.integer(n, at+".TimeoutInMillis", 50, 30000)
		if err != nil {
			return Route{}, err
		}
		r.Timeout = time.Duration(ms) * time.Millisecond
	}
	if n := lookup(props, "Method"); n != nil {
		v := p.value(n)
		m := strings.ToUpper(v.Literal)
		if !v.Resolved() || !httpMethods[m] {
			return Route{}, errAt(n, at+".Method", "want one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY")
		}
		r.Method = m
	}
	if n := lookup(props, "Path"); n != nil {
		v := p.value(n)
		if !v.Resolved() {
			return Route{}, errAt(n, at+".Path", "want a literal path")
		}
		if err := checkRoutePath(v.Literal); err != nil {
			return Route{}, errAt(n, at+".Path", err.Error())
		}
		r.Path = v.Literal
	}
	return r, nil
}

// checkRoutePath applies API Gateway's rules for route paths: absolute,
// segments that are literal or {param}, and a greedy {param+} only last.
func checkRoutePath(path string) error {
	if path == DefaultRoute {
		return nil
	}
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("path %q must start with / (or be $default)", path)
	}
	if path == "/" {
		return nil
	}
	segs := strings.Split(path[1:], "/")
	seen := map[string]bool{}
	for i, s := range segs {
		if s == "" {
			return fmt.Errorf("path %q has an empty segment", path)
		}
		if !strings.HasPrefix(s, "{") && !strings.HasSuffix(s, "}") {
			continue
		}
		name, ok := strings.CutPrefix(s, "{")
		name, ok2 := strings.CutSuffix(name, "}")
		if !ok || !ok2 {
			return fmt.Errorf("path %q: segment %q must be {name} as a whole", path, s)
		}
		greedy := strings.HasSuffix(name, "+")
		name = strings.TrimSuffix(name, "+")
		if name == "" || strings.ContainsAny(name, "{}+") {
			return fmt.Errorf("path %q: bad parameter %q", path, s)
		}
		if greedy && i != len(segs)-1 {
			return fmt.Errorf("path %q: greedy parameter %q must be the last segment", path, s)
		}
		if seen[name] {
			return fmt.Errorf("path %q: parameter %q appears twice", path, name)
		}
		seen[name] = true
	}
	return nil
}

func (p *parser) readSchedule(fn, event, typ string, props *yaml.Node, at string) (Schedule, error) {
	s := Schedule{Function: fn, Event: event, Type: typ, Enabled: true}
	exprKey := "Schedule"
	if typ == "ScheduleV2" {
		exprKey = "ScheduleExpression"
	}
	n := lookup(props, exprKey)
	if n == nil {
		return Schedule{}, errAt(props, at+"."+exprKey, "missing")
	}
	v := p.value(n)
	if !v.Resolved() || v.Literal == "" {
		return Schedule{}, errAt(n, at+"."+exprKey, "want a literal rate(...) or cron(...) expression")
	}
	s.Expression = v.Literal
	if n := lookup(props, "Enabled"); n != nil {
		b, err := p.boolean(n, at+".Enabled")
		if err != nil {
			return Schedule{}, err
		}
		s.Enabled = b
	}
	if n := lookup(props, "State"); n != nil {
		switch p.value(n).Literal {
		case "ENABLED":
			s.Enabled = true
		case "DISABLED":
			s.Enabled = false
		default:
			return Schedule{}, errAt(n, at+".State", "want ENABLED or DISABLED")
		}
	}
	if n := lookup(props, "Input"); n != nil {
		v := p.value(n)
		if !v.Resolved() {
			return Schedule{}, errAt(n, at+".Input", "want a literal JSON string")
		}
		s.Input = v.Literal
	}
	if n := lookup(props, "ScheduleExpressionTimezone"); n != nil {
		s.Timezone = p.value(n).Literal
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			return Schedule{}, errAt(n, at+".ScheduleExpressionTimezone", fmt.Sprintf("unknown time zone %q", s.Timezone))
		}
	}
	return s, nil
}

func (p *parser) integer(n *yaml.Node, at string, lo, hi int) (int, error) {
	v := p.value(n)
	if !v.Resolved() {
		return 0, errAt(n, at, fmt.Sprintf("cannot resolve %s locally; give it a Default or a literal", v.Intrinsic))
	}
	var x int
	if _, err := fmt.Sscanf(v.Literal, "%d", &x); err != nil || fmt.Sprint(x) != strings.TrimSpace(v.Literal) {
		return 0, errAt(n, at, fmt.Sprintf("want an integer, got %q", v.Literal))
	}
	if x < lo || x > hi {
		return 0, errAt(n, at, fmt.Sprintf("%d is outside %d..%d", x, lo, hi))
	}
	return x, nil
}

func (p *parser) boolean(n *yaml.Node, at string) (bool, error) {
	switch strings.ToLower(p.value(n).Literal) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errAt(n, at, "want true or false")
}

// value turns a scalar or an intrinsic into a Value. !Ref to a parameter
// with a Default resolves to that default, as sam local does.
func (p *parser) value(n *yaml.Node) Value {
	if n.Kind == yaml.ScalarNode && !isIntrinsicTag(n.Tag) {
		return Value{Literal: n.Value}
	}
	tag, arg := intrinsic(n)
	if tag == "Ref" && arg.Kind == yaml.ScalarNode {
		if d, ok := p.params[arg.Value]; ok {
			return Value{Literal: d}
		}
	}
	return Value{Intrinsic: "!" + tag + " " + render(arg, false)}
}

// intrinsic returns the function name and argument of a short-form
// (!Sub x) or long-form ({"Fn::Sub": x}, {"Ref": x}) intrinsic.
func intrinsic(n *yaml.Node) (string, *yaml.Node) {
	if isIntrinsicTag(n.Tag) {
		return strings.TrimPrefix(n.Tag, "!"), n
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
			return strings.TrimPrefix(k, "Fn::"), n.Content[1]
		}
	}
	return "", n
}

func isIntrinsic(n *yaml.Node) bool {
	tag, _ := intrinsic(n)
	return tag != ""
}

// isIntrinsicTag reports whether tag is a local tag such as !Ref, as
// opposed to YAML's own !!str, !!int, ....
func isIntrinsicTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!")
}

// render prints an intrinsic's argument compactly for messages; nested
// intrinsics keep their tag when tagged is true.
func render(n *yaml.Node, tagged bool) string {
	if tagged && isIntrinsicTag(n.Tag) {
		return n.Tag + " " + render(n, false)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			parts[i] = render(c, true)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.MappingNode:
		var parts []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, n.Content[i].Value+": "+render(n.Content[i+1], true))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "?"
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
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

func errAt(n *yaml.Node, at, msg string) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return fmt.Errorf("line %d: %s: %s", line, at, msg)
}
