// Package config loads Backstage-style app-config files with the semantics
// of @backstage/config-loader (ordered files, deep merge, ${VAR}
// substitution, $env/$file/$include directives, APP_CONFIG_ overrides) and
// offers typed views of the keys bsai uses. It never imports viper or cobra.
package config

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// Config is a merged configuration tree.
type Config struct {
	data  map[string]any
	files []string
	// sources maps a key path ("a.b", "a.list[0].c") to the file and line
	// (or APP_CONFIG_ variable) that set it; $include'd keys point at the
	// included file.
	sources map[string]Source
	// secrets marks key paths whose value came from a secret-looking
	// ${VAR} or $env, so Redacted hides them whatever the key is called.
	secrets map[string]bool
	// envVars are the APP_CONFIG_ variables that were applied.
	envVars []string
}

// FromMap wraps an already-merged tree (tests, programmatic use).
func FromMap(m map[string]any) *Config {
	if m == nil {
		m = map[string]any{}
	}
	return &Config{data: m}
}

// Files lists the files that were merged, in order.
func (c *Config) Files() []string { return append([]string(nil), c.files...) }

// EnvOverrides lists the APP_CONFIG_ variables applied on top of the files.
func (c *Config) EnvOverrides() []string { return append([]string(nil), c.envVars...) }

// Raw returns the merged tree. Callers must not modify it.
func (c *Config) Raw() map[string]any { return c.data }

// Get returns the value at a dot path such as "bsai.ai.default".
func (c *Config) Get(path string) (any, bool) {
	var cur any = c.data
	if path == "" {
		return cur, true
	}
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[part]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// lookup is Get for the typed views: a key whose parent is there but not
// an object ("bsai: 5" when reading bsai.ask) is an error naming the
// parent, not an absent key, so a wrong-typed block is never silently
// replaced by defaults.
func (c *Config) lookup(path string) (any, bool, error) {
	var cur any = c.data
	if path == "" {
		return cur, true, nil
	}
	parts := strings.Split(path, ".")
	for i, part := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			if cur == nil {
				return nil, false, nil
			}
			parent := strings.Join(parts[:i], ".")
			return nil, false, c.keyErr(parent, "expected an object (with %s below it), got %s", strings.Join(parts[i:], "."), typeName(cur))
		}
		cur, ok = m[part]
		if !ok {
			return nil, false, nil
		}
	}
	return cur, true, nil
}

// goTypeName names a Go type the way a config author thinks of it: objects
// and lists rather than Go struct and slice names.
func goTypeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Pointer:
		return goTypeName(t.Elem())
	}
	return t.String()
}

// Has reports whether a key is present.
func (c *Config) Has(path string) bool { _, ok := c.Get(path); return ok }

// String returns the string at path, or "" when absent. A non-string value
// is an error naming the key.
func (c *Config) String(path string) (string, error) {
	v, ok, err := c.lookup(path)
	if err != nil {
		return "", err
	}
	if !ok || v == nil {
		return "", nil
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case int, int64, uint64, float64, bool:
		// Backstage coerces scalars read as strings.
		return fmt.Sprint(t), nil
	}
	return "", c.keyErr(path, "expected a string, got %s", typeName(v))
}

// Decode decodes the subtree at path into out (a pointer to a struct with
// json tags). An absent path leaves out untouched. A type mismatch is a
// config error that names the key path.
func (c *Config) Decode(path string, out any) error {
	v, ok, err := c.lookup(path)
	if err != nil {
		return err
	}
	if !ok || v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return c.keyErr(path, "%v", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		var te *json.UnmarshalTypeError
		if asTypeErr(err, &te) {
			key := path
			if te.Field != "" {
				key = c.fieldKey(path, v, te)
			}
			return c.keyErr(key, "expected %s, got %s", goTypeName(te.Type), te.Value)
		}
		return c.keyErr(narrow(path, v, reflect.TypeOf(out)), "%v", err)
	}
	return nil
}

// keyErr is the config error for a bad value at key: it names the key and
// the file:line (or APP_CONFIG_ variable) that set it, so the user knows
// exactly what to edit.
func (c *Config) keyErr(key, format string, args ...any) *errs.Error {
	msg := fmt.Sprintf(format, args...)
	if src := c.Source(key); src != (Source{}) {
		return errs.Config("%s: invalid config key %q: %s", src, key, msg).
			WithHint("fix the value at %s", src)
	}
	return errs.Config("invalid config key %q: %s", key, msg).
		WithHint("fix the value in %s", strings.Join(c.filesOrDefault(), ", "))
}

func (c *Config) filesOrDefault() []string {
	if len(c.files) == 0 {
		return []string{"your config"}
	}
	return c.files
}

func asTypeErr(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

func typeName(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	default:
		return "a number"
	}
}

// Origin returns the config file that set the key at path (or its nearest
// parent), "" when unknown or set by an APP_CONFIG_ variable.
func (c *Config) Origin(path string) string { return c.Source(path).File }

// Source returns where the key at path (or its nearest parent) was set:
// file and line, or the APP_CONFIG_ variable. Zero when unknown.
func (c *Config) Source(path string) Source {
	for path != "" {
		if s, ok := c.sources[path]; ok {
			return s
		}
		path = parentKey(path)
	}
	return Source{}
}

// ResolvePath makes p (a value read at key) absolute relative to the folder
// of the config file that set key, so "./catalog" in examples/app-config.yaml
// means examples/catalog wherever bsai runs. URLs and absolute paths are
// returned unchanged.
func (c *Config) ResolvePath(key, p string) string {
	if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	origin := c.Origin(key)
	if origin == "" {
		return p
	}
	return filepath.Join(filepath.Dir(origin), p)
}

// fieldKey turns a json.UnmarshalTypeError's Field ("providers.maxTokens",
// which leaves out map keys and list indexes) back into the real key path
// ("bsai.ai.providers.openai.maxTokens") by finding the value it describes,
// so the error can also name the file and line that set it.
func (c *Config) fieldKey(path string, v any, te *json.UnmarshalTypeError) string {
	fields := strings.Split(te.Field, ".")
	kind := strings.Fields(te.Value + " ")[0]
	var found []string
	findField(v, path, fields, kind, &found)
	if len(found) > 0 {
		return found[0]
	}
	return joinKey(path, te.Field)
}

func findField(v any, path string, fields []string, jsonType string, found *[]string) {
	if len(*found) > 0 {
		return // the first match is enough; this also bounds the search
	}
	if len(fields) == 0 {
		if jsonTypeOf(v) == jsonType {
			*found = append(*found, path)
		}
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic choice when several values match
		for _, k := range keys {
			x := t[k]
			p := joinKey(path, k)
			if k == fields[0] {
				findField(x, p, fields[1:], jsonType, found)
			}
			// k may be a map key, which Field leaves out.
			if _, isMap := x.(map[string]any); isMap {
				findField(x, p, fields, jsonType, found)
			} else if _, isList := x.([]any); isList {
				findField(x, p, fields, jsonType, found)
			}
		}
	case []any:
		for i, x := range t {
			findField(x, path+"["+strconv.Itoa(i)+"]", fields, jsonType, found)
		}
	}
}

func jsonTypeOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	case nil:
		return "null"
	default:
		return "number"
	}
}

// narrow finds the key whose value made decoding fail when the error itself
// does not say (a custom UnmarshalJSON such as Duration's): it decodes the
// object one key at a time into the matching struct field or map element
// type and descends into the first key that fails.
func narrow(path string, v any, t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, ok := v.(map[string]any)
	if !ok || t == nil {
		return path
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var ft reflect.Type
		switch t.Kind() {
		case reflect.Map:
			ft = t.Elem()
		case reflect.Struct:
			ft = fieldType(t, k)
		}
		if ft == nil {
			continue
		}
		b, err := json.Marshal(m[k])
		if err != nil {
			return joinKey(path, k)
		}
		if json.Unmarshal(b, reflect.New(ft).Interface()) != nil {
			return narrow(joinKey(path, k), m[k], ft)
		}
	}
	return path
}

// fieldType finds the struct field encoding/json would fill for key:
// exact json tag or name first, then a case-insensitive match.
func fieldType(t reflect.Type, key string) reflect.Type {
	var fold reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			name = tag
		}
		if name == key {
			return f.Type
		}
		if fold == nil && strings.EqualFold(name, key) {
			fold = f.Type
		}
	}
	return fold
}
