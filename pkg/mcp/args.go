package mcp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/textdist"
)

// Param is one top-level argument of a tool, read from its inputSchema.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Required    bool   `json:"required"`
	Description string `json:"description,omitempty"`
	Default     any    `json:"default,omitempty"`
	Enum        []any  `json:"enum,omitempty"`
}

// Params lists a tool's arguments in schema order (required first is left
// to the renderer; order here is the server's).
func Params(t mcp.Tool) []Param {
	req := map[string]bool{}
	for _, r := range t.InputSchema.Required {
		req[r] = true
	}
	names := t.InputSchema.PropertyOrder
	if len(names) == 0 {
		for n := range t.InputSchema.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	out := make([]Param, 0, len(names))
	for _, n := range names {
		prop, ok := t.InputSchema.Properties[n].(map[string]any)
		if !ok {
			if _, present := t.InputSchema.Properties[n]; !present {
				continue
			}
			prop = map[string]any{}
		}
		p := Param{Name: n, Required: req[n], Type: schemaType(prop)}
		p.Description, _ = prop["description"].(string)
		p.Default = prop["default"]
		p.Enum, _ = prop["enum"].([]any)
		out = append(out, p)
	}
	return out
}

// schemaType names a property's type: "number", "string|null",
// "array<string>", "enum", or "any".
func schemaType(prop map[string]any) string {
	switch t := prop["type"].(type) {
	case string:
		if t == "array" {
			if items, ok := prop["items"].(map[string]any); ok {
				if it := schemaType(items); it != "any" {
					return "array<" + it + ">"
				}
			}
		}
		return t
	case []any:
		var parts []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "|")
	}
	if _, ok := prop["enum"]; ok {
		return "enum"
	}
	for _, k := range []string{"anyOf", "oneOf"} {
		if alts, ok := prop[k].([]any); ok {
			var parts []string
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok {
					parts = append(parts, schemaType(m))
				}
			}
			return strings.Join(parts, "|")
		}
	}
	return "any"
}

// ParamsSummary is the one-line list used in hints:
// "a (number, required), b (number, required), note (string)".
func ParamsSummary(t mcp.Tool) string {
	ps := Params(t)
	if len(ps) == 0 {
		return "(none)"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		s := p.Name + " (" + p.Type
		if p.Required {
			s += ", required"
		}
		parts[i] = s + ")"
	}
	return strings.Join(parts, ", ")
}

// ParseKV turns k=v pairs into arguments, coercing each value by the type
// the tool's schema gives the property: number/integer/boolean/array/object
// (and null) are parsed as JSON, everything else stays a string. So
// message=42 is the string "42" for a string property and a=42 the number 42
// for a number property. Keys repeat into nothing: the last one wins.
func ParseKV(t mcp.Tool, pairs []string) (map[string]any, error) {
	out := map[string]any{}
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, errs.Usage("invalid argument %q: expected key=value", kv).
				WithHint("parameters of %s: %s", t.Name, ParamsSummary(t))
		}
		val, err := coerce(t.InputSchema.Properties[k], v)
		if err != nil {
			return nil, errs.Usage("invalid value for %s: %v", k, err).
				WithHint("parameters of %s: %s", t.Name, ParamsSummary(t))
		}
		out[k] = val
	}
	return out, nil
}

func coerce(prop any, v string) (any, error) {
	m, _ := prop.(map[string]any)
	types := map[string]bool{}
	switch t := m["type"].(type) {
	case string:
		types[t] = true
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types[s] = true
			}
		}
	}
	if len(types) == 0 || types["string"] {
		// Untyped or string-accepting: keep the text as given.
		return v, nil
	}
	switch {
	case types["integer"] || types["number"]:
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			if types["integer"] && n == float64(int64(n)) {
				return int64(n), nil
			}
			return n, nil
		}
	case types["boolean"]:
		if b, err := strconv.ParseBool(v); err == nil {
			return b, nil
		}
	}
	var x any
	if err := json.Unmarshal([]byte(v), &x); err != nil {
		names := make([]string, 0, len(types))
		for t := range types {
			names = append(names, t)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%q is not a valid %s", v, strings.Join(names, "|"))
	}
	return x, nil
}

// ValidateArgs checks args against the tool's inputSchema. A schema that
// doesn't compile (some servers emit refs into parts the SDK drops) is not
// held against the caller: the server validates again anyway.
func ValidateArgs(t mcp.Tool, args map[string]any) error {
	if args == nil {
		args = map[string]any{}
	}
	// Missing required arguments first, one clear message for all of them.
	var missing []string
	for _, r := range t.InputSchema.Required {
		if _, ok := args[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return errs.Usage("%s: missing required argument%s %s", t.Name, plural(len(missing)), strings.Join(missing, ", ")).
			WithHint("parameters of %s: %s", t.Name, ParamsSummary(t))
	}
	sch, err := compileInput(t)
	if err != nil {
		return nil
	}
	b, err := json.Marshal(args)
	if err != nil {
		return errs.Usage("%s: arguments are not JSON: %v", t.Name, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return errs.Usage("%s: arguments are not JSON: %v", t.Name, err)
	}
	if err := sch.Validate(inst); err != nil {
		return errs.Usage("%s: invalid arguments: %s", t.Name, describeValidation(err)).
			WithHint("parameters of %s: %s", t.Name, ParamsSummary(t))
	}
	return nil
}

func compileInput(t mcp.Tool) (*jsonschema.Schema, error) {
	raw := t.RawInputSchema
	if len(raw) == 0 {
		var err error
		if raw, err = json.Marshal(t.InputSchema); err != nil {
			return nil, err
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	// The schema comes from the server: its $refs must not make bsai open
	// local files (the library's default loader reads any file:// URL, and
	// file:///dev/tty or a FIFO blocks forever). Only refs inside the schema
	// and the embedded meta-schemas resolve.
	c.UseLoader(noLoader{})
	const loc = "mcp-tool-input.json"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// noLoader refuses every external $ref.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("external $ref %s is not followed", url)
}

// describeValidation flattens the validator's output into "at /a: got
// string, want number; ..." (leaf errors only, at most three).
func describeValidation(err error) string {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return err.Error()
	}
	var parts []string
	seen := map[string]bool{}
	for _, u := range ve.BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		loc := u.InstanceLocation
		if loc == "" {
			loc = "/"
		}
		msg := u.Error.String()
		if strings.HasPrefix(msg, "validation failed") || seen[loc+msg] {
			continue
		}
		seen[loc+msg] = true
		parts = append(parts, "at "+loc+": "+msg)
	}
	if len(parts) == 0 {
		return ve.Error()
	}
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("and %d more", len(parts)-3))
	}
	return strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// closest returns the candidates within a small edit distance of s (or
// sharing a prefix/substring), best first, at most three.
func closest(s string, candidates []string) []string {
	type m struct {
		name string
		d    int
	}
	var ms []m
	ls := strings.ToLower(s)
	limit := max(2, len(s)/3)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := textdist.Levenshtein(ls, lc)
		if d <= limit || (len(ls) >= 3 && (strings.Contains(lc, ls) || strings.Contains(ls, lc))) {
			ms = append(ms, m{c, d})
		}
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].d < ms[j].d })
	out := []string{}
	for i := 0; i < len(ms) && i < 3; i++ {
		out = append(out, ms[i].name)
	}
	return out
}
