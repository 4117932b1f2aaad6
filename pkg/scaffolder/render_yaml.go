package scaffolder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// Conventional key order of a template; keys not listed keep their order
// (from the model's JSON) after the listed ones.
var keyOrder = map[string][]string{
	"":                {"apiVersion", "kind", "metadata", "spec"},
	"metadata":        {"name", "namespace", "title", "description", "tags", "labels", "annotations", "links"},
	"spec":            {"owner", "type", "lifecycle", "parameters", "steps", "output"},
	"spec.steps[]":    {"id", "name", "action", "if", "each", "input"},
	"spec.parameters": {"title", "description", "required", "properties"},
	"property":        {"title", "type", "description", "default", "enum"},
	"spec.output":     {"links", "text"},
}

// TemplateYAML renders a template as clean YAML in conventional key order.
// raw (JSON) is used when given, since decoding it into a yaml.Node keeps
// the key order the author (or model) chose for form fields; otherwise v.
func TemplateYAML(v any, raw []byte) ([]byte, error) {
	var doc yaml.Node
	composed := raw == nil
	if raw == nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("render yaml: %w", err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	clearStyle(root)
	reorder(root, "")
	if composed {
		orderFields(root)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fieldOrder is the order of form fields in a composed template (Go maps
// have none): identity first, then ownership, then where it goes.
var fieldOrder = []string{"name", "description", "owner", "system", "catalogInfoUrl", "repoUrl", "branchName", "recipients", "apiToken", "registerInCatalog"}

// orderFields sorts every page's properties by fieldOrder (others after,
// alphabetically as encoded).
func orderFields(root *yaml.Node) {
	spec := mapValue(root, "spec")
	params := mapValue(spec, "parameters")
	if params == nil || params.Kind != yaml.SequenceNode {
		return
	}
	for _, page := range params.Content {
		if props := mapValue(page, "properties"); props != nil && props.Kind == yaml.MappingNode {
			sortMapping(props, fieldOrder)
		}
	}
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
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

func clearStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		clearStyle(c)
	}
}

func reorder(n *yaml.Node, ctx string) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, c := range n.Content {
			switch ctx {
			case "spec.steps":
				reorder(c, "spec.steps[]")
			case "spec.parameters":
				reorder(c, "spec.parameters")
			}
		}
	case yaml.MappingNode:
		if order, ok := keyOrder[ctx]; ok {
			sortMapping(n, order)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch {
			case ctx == "":
				reorder(v, k)
			case ctx == "spec" && (k == "steps" || k == "parameters" || k == "output"):
				reorder(v, "spec."+k)
			case ctx == "spec.parameters" && k == "properties" && v.Kind == yaml.MappingNode:
				for j := 1; j < len(v.Content); j += 2 {
					reorder(v.Content[j], "property")
				}
			}
		}
	}
}

// sortMapping moves the listed keys to the front, in order; a stable sort
// keeps every other key where it was relative to its peers.
func sortMapping(n *yaml.Node, order []string) {
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	pos := func(p pair) int {
		if r, ok := rank[p.k.Value]; ok {
			return r
		}
		return len(order)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pos(pairs[i]) < pos(pairs[j]) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}
