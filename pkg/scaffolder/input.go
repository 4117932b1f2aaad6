package scaffolder

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/bsai-dev/bsai/pkg/textdist"
)

// action checks that a step's action exists and that its literal input
// matches the action's input schema. Templated strings (${{ … }}) are
// accepted for any type: Backstage renders a lone expression to the
// expression's own type.
func (c *check) action(step map[string]any, path []any) {
	id, ok := asString(step["action"])
	if !ok || id == "" || templated(id) {
		return
	}
	a, found := c.cat.Lookup(id)
	if !found {
		var f *Finding
		if c.cat.Live {
			f = c.add(SevError, RuleActionUnknown, child(path, "action"), "action %q is not registered on %s%s", id, c.cat.Origin, suggest(id, c.cat.IDs()))
		} else {
			f = c.add(SevWarning, RuleActionUnknown, child(path, "action"), "action %q is not a Backstage built-in or configured action; make sure your backend installs the module that provides it%s", id, suggest(id, c.cat.IDs()))
		}
		if best := closestName(id, c.cat.IDs()); best != "" {
			f.fixed(best, id, best)
		}
		return
	}
	if a.Schema.Input == nil {
		return
	}
	input, present := step["input"]
	if !present {
		input = map[string]any{}
	}
	if s, ok := input.(string); ok && templated(s) {
		return
	}
	ipath := child(path, "input")
	for _, p := range checkValue(a.Schema.Input, input, nil, 0) {
		fp := ipath
		for _, s := range p.segs {
			fp = child(fp, s)
		}
		sev := SevError
		rule := RuleActionInput
		if p.unknown {
			sev, rule = SevWarning, RuleInputUnknown
		}
		c.add(sev, rule, fp, "%s: %s", id, p.msg)
	}
}

type inputProblem struct {
	segs    []any
	msg     string
	unknown bool
}

// checkValue is a deliberately small JSON Schema checker (type, enum,
// required, properties, additionalProperties, items, allOf/anyOf/oneOf)
// that understands templated strings, which a generic validator cannot.
func checkValue(schema map[string]any, v any, segs []any, depth int) []inputProblem {
	if schema == nil || depth > 30 {
		return nil
	}
	if s, ok := v.(string); ok && templated(s) {
		return nil
	}
	var out []inputProblem
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		return []inputProblem{{segs: segs, msg: fmt.Sprintf("expected %s, got %s", typeList(t), jsonTypeOf(v))}}
	}
	if enum := asSlice(schema["enum"]); len(enum) > 0 && !inEnum(enum, v) {
		out = append(out, inputProblem{segs: segs, msg: fmt.Sprintf("%v is not one of %s", display(v), enumList(enum))})
	}
	for _, b := range asSlice(schema["allOf"]) {
		out = append(out, checkValue(asMap(b), v, segs, depth+1)...)
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		branches := asSlice(schema[kw])
		if len(branches) == 0 {
			continue
		}
		ok := false
		var first []inputProblem
		for i, b := range branches {
			ps := hard(checkValue(asMap(b), v, segs, depth+1))
			if len(ps) == 0 {
				ok = true
				break
			}
			if i == 0 {
				first = ps
			}
		}
		if !ok {
			msg := "does not match any allowed shape"
			if len(first) > 0 {
				msg += " (first: " + first[0].msg + ")"
			}
			out = append(out, inputProblem{segs: segs, msg: msg})
		}
	}
	switch t := v.(type) {
	case map[string]any:
		props := asMap(schema["properties"])
		for _, r := range asSlice(schema["required"]) {
			if k, ok := asString(r); ok {
				if _, has := t[k]; !has {
					out = append(out, inputProblem{segs: segs, msg: fmt.Sprintf("missing required input %q", k)})
				}
			}
		}
		addl := schema["additionalProperties"]
		for _, k := range sortedKeys(t) {
			ks := append(append([]any{}, segs...), k)
			if ps, ok := props[k]; ok {
				out = append(out, checkValue(asMap(ps), t[k], ks, depth+1)...)
				continue
			}
			switch a := addl.(type) {
			case bool:
				if !a {
					out = append(out, inputProblem{segs: ks, msg: fmt.Sprintf("unknown input %q%s", k, suggest(k, sortedKeys(props)))})
				}
			case map[string]any:
				out = append(out, checkValue(a, t[k], ks, depth+1)...)
			default:
				if len(props) > 0 {
					out = append(out, inputProblem{segs: ks, unknown: true, msg: fmt.Sprintf("input %q is not declared by the action and is ignored%s", k, suggest(k, sortedKeys(props)))})
				}
			}
		}
	case []any:
		if items := asMap(schema["items"]); items != nil {
			for i, x := range t {
				out = append(out, checkValue(items, x, append(append([]any{}, segs...), i), depth+1)...)
			}
		}
	}
	return out
}

func hard(ps []inputProblem) []inputProblem {
	var out []inputProblem
	for _, p := range ps {
		if !p.unknown {
			out = append(out, p)
		}
	}
	return out
}

func jsonTypeOf(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int, int64:
		return "integer"
	case float64:
		if t == math.Trunc(t) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func typeMatches(t any, v any) bool {
	got := jsonTypeOf(v)
	match := func(want string) bool {
		return want == got || (want == "number" && got == "integer")
	}
	switch w := t.(type) {
	case string:
		return match(w)
	case []any:
		for _, x := range w {
			if s, ok := x.(string); ok && match(s) {
				return true
			}
		}
		return false
	}
	return true
}

func typeList(t any) string {
	switch w := t.(type) {
	case string:
		return w
	case []any:
		parts := make([]string, 0, len(w))
		for _, x := range w {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, " or ")
	}
	return fmt.Sprint(t)
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(v) && jsonTypeOf(e) == jsonTypeOf(v) {
			return true
		}
	}
	return false
}

func enumList(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		parts[i] = display(e)
	}
	return strings.Join(parts, ", ")
}

func display(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// suggest returns ` (did you mean "x"?)` for a close match.
func suggest(s string, candidates []string) string {
	if best := closestName(s, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// closestName is the candidate within a small edit distance of s (at most
// 2, or a quarter of its length), "" when none is.
func closestName(s string, candidates []string) string {
	best, bestD := "", 1<<30
	limit := max(2, len(s)/4)
	for _, c := range candidates {
		if diff := len(c) - len(s); diff > limit || -diff > limit {
			continue // cannot be within the edit limit; skip the O(n·m) work
		}
		d := textdist.Levenshtein(strings.ToLower(s), strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" && bestD <= limit && bestD > 0 {
		return best
	}
	return ""
}

// kebab turns free text into a valid entity name: lower-case words joined
// by '-', at most 63 characters.
func kebab(s string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) && r < 128 || unicode.IsDigit(r) && r < 128 {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			sb.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	out := sb.String()
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	if out == "" {
		out = "template"
	}
	return out
}
