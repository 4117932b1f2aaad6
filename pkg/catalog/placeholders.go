package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// resolvePlaceholders does what Backstage's PlaceholderProcessor does for
// entities read from files: an object {$text: path} in spec becomes the
// file's text, {$json: path} / {$yaml: path} its parsed content, with
// relative paths resolved against the entity's file. URL targets cannot be
// fetched offline; they stay as they are and are returned as notes, as are
// files that cannot be read or parsed.
func resolvePlaceholders(spec map[string]any, file string) []string {
	var notes []string
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if len(t) == 1 {
				for k, target := range t {
					s, isStr := target.(string)
					if (k == "$text" || k == "$json" || k == "$yaml") && isStr {
						resolved, note := resolvePlaceholder(k, s, file)
						if note != "" {
							notes = append(notes, note)
							return t
						}
						return resolved
					}
				}
			}
			for k, x := range t {
				t[k] = walk(x)
			}
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		}
		return v
	}
	for k, v := range spec {
		spec[k] = walk(v)
	}
	return notes
}

func resolvePlaceholder(kind, target, file string) (any, string) {
	if strings.Contains(target, "://") {
		return nil, fmt.Sprintf("%s %s left unresolved: urls are not fetched offline", kind, target)
	}
	p := target
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(file), p)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Sprintf("%s %s left unresolved: %v", kind, target, unwrapPathErr(err))
	}
	switch kind {
	case "$json":
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Sprintf("%s %s left unresolved: invalid json: %v", kind, target, err)
		}
		return v, ""
	case "$yaml":
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			return nil, fmt.Sprintf("%s %s left unresolved: invalid yaml: %v", kind, target, err)
		}
		return normalizeValue(v), ""
	}
	return string(b), ""
}
