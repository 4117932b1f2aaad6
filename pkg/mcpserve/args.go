package mcpserve

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// args reads tool arguments with type checks, so a wrong type is a clear
// tool error instead of a silently ignored value.
type args struct{ m map[string]any }

// only rejects argument names the tool does not have (a typo would
// otherwise be ignored silently).
func (a args) only(names ...string) error {
	for k := range a.m {
		if !slices.Contains(names, k) {
			return fmt.Errorf("unknown argument %q; this tool takes %s", k, strings.Join(names, ", "))
		}
	}
	return nil
}

func (a args) str(key string, required bool) (string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		if required {
			return "", fmt.Errorf("missing required argument %q", key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("argument %q must be a string, got %s", key, jsonType(v))
	}
	return s, nil
}

func (a args) integer(key string) (int, bool, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	n, ok := v.(float64)
	if !ok || n != math.Trunc(n) {
		return 0, false, fmt.Errorf("argument %q must be an integer, got %s", key, jsonType(v))
	}
	if n < 1 || n > 100 {
		return 0, false, fmt.Errorf("argument %q must be between 1 and 100, got %v", key, n)
	}
	return int(n), true, nil
}

func (a args) strings(key string) ([]string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	xs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("argument %q must be an array of strings, got %s", key, jsonType(v))
	}
	out := make([]string, 0, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("argument %q[%d] must be a string, got %s", key, i, jsonType(x))
		}
		out = append(out, s)
	}
	return out, nil
}

// object accepts a JSON object, or a string holding one (some clients
// serialise nested objects).
func (a args) object(key string) (map[string]any, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		var m map[string]any
		if err := json.Unmarshal([]byte(x), &m); err != nil || m == nil {
			return nil, fmt.Errorf("argument %q must be a JSON object", key)
		}
		return m, nil
	}
	return nil, fmt.Errorf("argument %q must be a JSON object, got %s", key, jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
