package localrt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/opsight/opsight/infra/samtemplate"
)

// Overrides are environment variables the caller sets on top of the
// template's, as `sam local --env-vars` does: keys are function logical IDs
// (or their directory names), and the key "Parameters" applies to every
// function. A function's own entry wins over "Parameters".
type Overrides map[string]map[string]string

// AllFunctions is the Overrides key whose variables apply to every function.
const AllFunctions = "Parameters"

// For returns the overrides that apply to fn.
func (o Overrides) For(fn *samtemplate.Function) map[string]string {
	out := map[string]string{}
	for k, v := range o[AllFunctions] {
		out[k] = v
	}
	dir, _ := fn.Dir()
	for _, key := range []string{dir, fn.LogicalID} {
		for k, v := range o[key] {
			out[k] = v
		}
	}
	return out
}

// ParseEnvFile reads an env-vars file: either {"FnLogicalId": {"K": "v"},
// "Parameters": {...}} like sam local's, or a flat {"K": "v"} that applies
// to every function. Values may be strings, numbers or booleans.
func ParseEnvFile(data []byte) (Overrides, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("env file: want a JSON object: %w", err)
	}
	if top == nil {
		return nil, fmt.Errorf("env file: want a JSON object, got null")
	}
	nested, flat := 0, 0
	for _, v := range top {
		if b := bytes.TrimSpace(v); len(b) > 0 && b[0] == '{' {
			nested++
		} else {
			flat++
		}
	}
	if nested > 0 && flat > 0 {
		return nil, fmt.Errorf("env file: mix of per-function objects and plain values; use {\"Parameters\": {...}} for variables of every function")
	}
	if nested == 0 {
		vars, err := envValues("", top)
		if err != nil {
			return nil, err
		}
		return Overrides{AllFunctions: vars}, nil
	}
	o := Overrides{}
	for fn, raw := range top {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("env file: %s: %w", fn, err)
		}
		vars, err := envValues(fn+".", m)
		if err != nil {
			return nil, err
		}
		o[fn] = vars
	}
	return o, nil
}

func envValues(prefix string, m map[string]json.RawMessage) (map[string]string, error) {
	out := make(map[string]string, len(m))
	for k, raw := range m {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return nil, fmt.Errorf("env file: %s%q is not a variable name", prefix, k)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("env file: %s%s: %w", prefix, k, err)
		}
		switch x := v.(type) {
		case string:
			if strings.ContainsRune(x, 0) {
				return nil, fmt.Errorf("env file: %s%s: value contains a NUL byte", prefix, k)
			}
			out[k] = x
		case float64:
			out[k] = strings.TrimSpace(string(raw))
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			return nil, fmt.Errorf("env file: %s%s: want a string, number or boolean, got %s", prefix, k, bytes.TrimSpace(raw))
		}
	}
	return out, nil
}

// functionEnv is a function's environment without the per-instance
// variables (runtime API address, log stream): the template's variables,
// then the caller's overrides, then Lambda's own variables, which neither
// may replace. Intrinsics nobody overrode are left out with a warning.
func functionEnv(fn *samtemplate.Function, o Overrides, lambdaVars map[string]string, log *slog.Logger) []string {
	vars := map[string]string{}
	over := o.For(fn)
	for k, v := range fn.Environment {
		if _, ok := over[k]; ok {
			continue
		}
		if !v.Resolved() {
			log.Warn("environment variable left unset: its intrinsic cannot be resolved locally; pass an override",
				"function", fn.LogicalID, "variable", k, "value", v.Intrinsic)
			continue
		}
		vars[k] = v.Literal
	}
	for k, v := range over {
		vars[k] = v
	}
	for k, v := range lambdaVars {
		if old, ok := vars[k]; ok && old != v {
			log.Warn("environment variable is reserved by Lambda; ignoring the template's or override's value",
				"function", fn.LogicalID, "variable", k)
		}
		vars[k] = v
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}
