package scaffolder

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Doc is one YAML document decoded into JSON-compatible values, with the
// position of every value so findings can point at file:line:col.
type Doc struct {
	// Value is the document as map[string]any / []any / scalars.
	Value any
	// Line of the document start.
	Line int
	// Index of the document in its file (0-based).
	Index int
	// root is the YAML node tree; positions are looked up in it only when a
	// finding needs one (building a path→position map up front cost more
	// than the validation itself).
	root *yaml.Node
	// nodes counts converted nodes: aliases are expanded, so a small file
	// of nested aliases ("billion laughs") could otherwise explode.
	nodes int
}

// maxNodes bounds the expanded size of one document.
const maxNodes = 100_000

// Pos returns the line and column of the value at a JSON path (of the key,
// when the value is a collection), or of the nearest parent that exists.
func (d *Doc) Pos(path []any) (int, int) {
	n := d.root
	if n == nil {
		return d.Line, 0
	}
	line, col := n.Line, n.Column
	for _, seg := range path {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		var next, key *yaml.Node
		switch s := seg.(type) {
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == s && n.Content[i].Tag != "!!merge" {
						key, next = n.Content[i], n.Content[i+1]
					}
				}
			}
		case int:
			if n.Kind == yaml.SequenceNode && s >= 0 && s < len(n.Content) {
				next = n.Content[s]
			}
		}
		if next == nil {
			break
		}
		n = next
		line, col = n.Line, n.Column
		if key != nil && (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) {
			line, col = key.Line, key.Column
		}
	}
	return line, col
}

// ParseDocs decodes every document of a (multi-document) YAML stream.
func ParseDocs(data []byte) ([]*Doc, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Doc
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, fmt.Errorf("yaml: %w", err)
		}
		d := &Doc{Index: i, Line: n.Line}
		root := &n
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		if root.Kind == yaml.DocumentNode { // empty document
			continue
		}
		d.root = root
		v, err := d.convert(root, 0)
		if err != nil {
			return docs, err
		}
		d.Value = v
		docs = append(docs, d)
	}
}

// convert turns a yaml node into a JSON-like value, recording positions.
func (d *Doc) convert(n *yaml.Node, depth int) (any, error) {
	if depth > 200 {
		return nil, fmt.Errorf("yaml: nesting too deep at line %d", n.Line)
	}
	if d.nodes++; d.nodes > maxNodes {
		return nil, fmt.Errorf("yaml: document too large after expanding aliases (line %d)", n.Line)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return d.convert(n.Alias, depth+1)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" { // << merge key: fold the alias's keys in
				mv, err := d.convert(vn, depth+1)
				if err != nil {
					return nil, err
				}
				if mm, ok := mv.(map[string]any); ok {
					for kk, vv := range mm {
						if _, exists := m[kk]; !exists {
							m[kk] = vv
						}
					}
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				// `- {{ host }}` parses as a mapping used as a key: an
				// install-time placeholder nobody substituted. Backstage's
				// YAML readers reject or mangle it, so stop here.
				return nil, fmt.Errorf("yaml: line %d: a mapping key must be a plain value, not a %s (an unsubstituted {{ placeholder }}?)", k.Line, kindName(k.Kind))
			}
			v, err := d.convert(vn, depth+1)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := d.convert(c, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	}
	return nil, nil
}

// scalar resolves a YAML scalar the way yaml.v3 (and Backstage's js-yaml)
// would: ints stay ints so JSON Schema "integer" holds.
func scalar(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return i
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	}
	return n.Value
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "node"
}
