package source

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Text helpers shared by the sources and by the engine and actions that
// render evidence: templating with incident data and one-line display.

// templateArgs renders every string value (recursively) as a Go template.
func TemplateArgs(in map[string]any, data map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(in))
	for k, v := range in {
		r, err := templateValue(v, data)
		if err != nil {
			return nil, fmt.Errorf("arg %s: %w", k, err)
		}
		out[k] = r
	}
	return out, nil
}

func templateValue(v any, data map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "{{") {
			return t, nil
		}
		return RenderTemplate(t, data)
	case map[string]any:
		return TemplateArgs(t, data)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			r, err := templateValue(x, data)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func OneLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func RenderTemplate(s string, data map[string]any) (string, error) {
	t, err := template.New("v").Option("missingkey=error").Parse(s)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}
