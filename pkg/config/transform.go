package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// Source says where a config value was set: a file and line, or an
// APP_CONFIG_ environment variable.
type Source struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Env  string `json:"env,omitempty"`
}

// String renders "file:line", "file" or "$APP_CONFIG_x".
func (s Source) String() string {
	switch {
	case s.Env != "":
		return "$" + s.Env
	case s.File != "" && s.Line > 0:
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	default:
		return s.File
	}
}

// layer is one config file (or the env overrides) after its directives and
// substitutions ran, before merging. Explicit nulls stay as nil values so the
// merge can clear what a lower layer set.
type layer struct {
	data    map[string]any
	sources map[string]Source
	secrets map[string]bool
}

func newLayer() *layer {
	return &layer{data: map[string]any{}, sources: map[string]Source{}, secrets: map[string]bool{}}
}

// fileCtx is the file whose nodes are being transformed: relative $file and
// $include paths resolve against dir, and stack holds the include chain so a
// cycle is reported instead of recursing forever.
type fileCtx struct {
	file  string
	dir   string
	stack []string
}

// transformer turns YAML nodes into plain values, applying the
// @backstage/config-loader transforms: $env/$file/$include directives on
// objects and ${VAR} substitution on strings.
type transformer struct {
	env      map[string]string
	readFile func(string) ([]byte, error)
	l        *layer
	// budget bounds the nodes visited so alias bombs ("billion laughs")
	// fail fast instead of eating memory.
	budget int
	// aliasing holds anchors currently being expanded, to catch anchors that
	// contain themselves.
	aliasing map[*yaml.Node]bool
	depth    int
}

const maxNodes = 200_000
const maxIncludeDepth = 32
const maxDepth = 100

func configErr(file string, line int, key, format string, args ...any) *errs.Error {
	var loc string
	switch {
	case file != "" && line > 0:
		loc = fmt.Sprintf("%s:%d: ", file, line)
	case file != "":
		loc = file + ": "
	}
	if key != "" {
		loc += key + ": "
	}
	e := errs.Config(format, args...)
	e.Msg = loc + e.Msg
	return e
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses one YAML document. An empty document gives a nil node.
// yaml.v3 is not expected to panic, but a config loader must never crash on
// user input, so a panic becomes a config error.
func parseYAML(file string, b []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, configErr(file, 0, "", "yaml syntax error: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlErr(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, configErr(file, extra.Line, "", "more than one yaml document; a config file holds exactly one").
			WithHint("remove the extra '---' separator")
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlErr(file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

func yamlErr(file string, err error) *errs.Error {
	msg := strings.TrimSpace(err.Error())
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return configErr(file, line, "", "yaml syntax error: %s", m[2])
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return configErr(file, 0, "", "yaml syntax error: %s", strings.ReplaceAll(msg, "\n", " "))
}

// pair is a mapping entry after "<<" merge keys were expanded.
type pair struct{ key, val *yaml.Node }

func (t *transformer) tick(fc *fileCtx, line int) error {
	t.budget--
	if t.budget < 0 {
		return configErr(fc.file, line, "", "config too large or too many yaml aliases (more than %d values)", maxNodes)
	}
	return nil
}

// deref follows aliases; an anchor that contains itself is an error.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// pairs lists a mapping's entries, expanding YAML merge keys ("<<: *base");
// explicit keys win over merged ones, as in YAML 1.1.
func (t *transformer) pairs(fc *fileCtx, n *yaml.Node, depth int) ([]pair, error) {
	if depth > 20 {
		return nil, configErr(fc.file, n.Line, "", "yaml merge keys nested too deeply")
	}
	var explicit, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		// Merge keys can fan out like aliases, so they share the budget.
		if err := t.tick(fc, k.Line); err != nil {
			return nil, err
		}
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			srcs := []*yaml.Node{v}
			if dv := deref(v); dv != nil && dv.Kind == yaml.SequenceNode {
				srcs = dv.Content
			}
			for _, s := range srcs {
				m := deref(s)
				if m == nil || m.Kind != yaml.MappingNode {
					return nil, configErr(fc.file, s.Line, "", "yaml merge key '<<' needs a mapping")
				}
				ps, err := t.pairs(fc, m, depth+1)
				if err != nil {
					return nil, err
				}
				merged = append(merged, ps...)
			}
			continue
		}
		explicit = append(explicit, pair{k, v})
	}
	if len(merged) == 0 {
		return explicit, nil
	}
	seen := map[string]bool{}
	for _, p := range explicit {
		seen[p.key.Value] = true
	}
	out := explicit
	for _, p := range merged {
		if !seen[p.key.Value] {
			seen[p.key.Value] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// scalar converts a YAML scalar to a JSON-like value. Timestamps and
// custom tags stay strings, as they do in Backstage's YAML 1.2 parser.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		switch x := v.(type) {
		case float64:
			// JSON has no Inf/NaN; keep them readable rather than unencodable.
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return n.Value
			}
		case uint64:
			return float64(x)
		}
		return v
	}
	return n.Value
}

func joinKey(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// walk transforms node n found at key path. ok=false means the value is
// absent (an unset ${VAR}, an unset $env, an $include path that selects
// nothing); an explicit YAML null is ok=true with a nil value.
func (t *transformer) walk(fc *fileCtx, n *yaml.Node, path string) (any, bool, error) {
	if err := t.tick(fc, n.Line); err != nil {
		return nil, false, err
	}
	// Real configs are a handful of levels deep; a bound keeps key paths
	// (and the work on them) small on hostile input.
	t.depth++
	defer func() { t.depth-- }()
	if t.depth > maxDepth {
		return nil, false, configErr(fc.file, n.Line, "", "config nested more than %d levels deep", maxDepth)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, true, nil
		}
		return t.walk(fc, n.Content[0], path)
	case yaml.AliasNode:
		if t.aliasing[n.Alias] {
			return nil, false, configErr(fc.file, n.Line, path, "yaml anchor %q contains itself", n.Value)
		}
		t.aliasing[n.Alias] = true
		defer delete(t.aliasing, n.Alias)
		return t.walk(fc, n.Alias, path)
	case yaml.ScalarNode:
		v := scalar(n)
		s, isStr := v.(string)
		if !isStr {
			return v, true, nil
		}
		out, ok, secret := substitute(s, t.env)
		if secret {
			t.l.secrets[path] = true
		}
		return out, ok, nil
	case yaml.SequenceNode:
		arr := make([]any, 0, len(n.Content))
		for i, c := range n.Content {
			v, ok, err := t.walk(fc, c, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, false, err
			}
			// Backstage drops nulls and absent values from lists.
			if ok && v != nil {
				arr = append(arr, v)
			}
		}
		return arr, true, nil
	case yaml.MappingNode:
		return t.mapping(fc, n, path)
	}
	return nil, false, configErr(fc.file, n.Line, path, "unsupported yaml node")
}

func (t *transformer) mapping(fc *fileCtx, n *yaml.Node, path string) (any, bool, error) {
	ps, err := t.pairs(fc, n, 0)
	if err != nil {
		return nil, false, err
	}
	// Any key starting with '$' makes the whole object a directive, which
	// must then be its only key (Backstage's include transform).
	for _, p := range ps {
		if p.key.Kind == yaml.ScalarNode && strings.HasPrefix(p.key.Value, "$") {
			if len(ps) != 1 {
				return nil, false, configErr(fc.file, p.key.Line, path, "directive %s must be the only key in its mapping", p.key.Value).
					WithHint("move the other keys out, or quote the key differently if it is not a directive")
			}
			return t.directive(fc, p, path)
		}
	}
	out := make(map[string]any, len(ps))
	for _, p := range ps {
		k := deref(p.key)
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, false, configErr(fc.file, p.key.Line, path, "mapping keys must be strings")
		}
		if _, dup := out[k.Value]; dup {
			return nil, false, configErr(fc.file, p.key.Line, joinKey(path, k.Value), "duplicate key %q", k.Value)
		}
		child := joinKey(path, k.Value)
		v, ok, err := t.walk(fc, p.val, child)
		if err != nil {
			return nil, false, err
		}
		if !ok {
			continue
		}
		out[k.Value] = v
		// An $include records its own (included file) source; keep it.
		if _, set := t.l.sources[child]; !set {
			t.l.sources[child] = Source{File: fc.file, Line: p.key.Line}
		}
	}
	return out, true, nil
}

// directive applies $env, $file or $include. Their string value goes
// through ${VAR} substitution first, as in Backstage.
func (t *transformer) directive(fc *fileCtx, p pair, path string) (any, bool, error) {
	name := p.key.Value
	line := p.key.Line
	switch name {
	case "$env", "$file", "$include":
	default:
		return nil, false, configErr(fc.file, line, path, "unknown directive %s", name).
			WithHint("supported directives are $env, $file and $include; escape a literal key by not starting it with '$'")
	}
	vn := deref(p.val)
	if vn == nil || vn.Kind != yaml.ScalarNode || vn.ShortTag() != "!!str" {
		return nil, false, configErr(fc.file, line, path, "%s value must be a string", name)
	}
	arg, ok, secret := substitute(vn.Value, t.env)
	if !ok {
		return nil, false, nil
	}
	arg = strings.TrimSpace(arg)
	switch name {
	case "$env":
		v, set := t.env[arg]
		if !set {
			return nil, false, nil
		}
		if secret || secretName(arg) {
			t.l.secrets[path] = true
		}
		return strings.TrimSpace(v), true, nil
	case "$file":
		p := fc.resolve(arg)
		b, err := t.readFile(p)
		if err != nil {
			return nil, false, configErr(fc.file, line, path, "$file %s: %s", arg, readErrText(err)).
				WithHint("$file paths are relative to the config file that names them")
		}
		if secret || secretName(filepath.Base(arg)) {
			t.l.secrets[path] = true
		}
		return strings.TrimSpace(string(b)), true, nil
	}
	return t.include(fc, line, path, arg)
}

func (fc *fileCtx) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(fc.dir, p)
}

func (t *transformer) include(fc *fileCtx, line int, path, arg string) (any, bool, error) {
	file, sel, _ := strings.Cut(arg, "#")
	ext := strings.ToLower(filepath.Ext(file))
	if ext != ".yaml" && ext != ".yml" && ext != ".json" {
		return nil, false, configErr(fc.file, line, path, "$include %s: only .yaml, .yml and .json files can be included", arg)
	}
	p := fc.resolve(file)
	abs, err := filepath.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	for i, s := range fc.stack {
		if s == abs {
			chain := append(append([]string(nil), fc.stack[i:]...), abs)
			for j := range chain {
				chain[j] = filepath.Base(chain[j])
			}
			return nil, false, configErr(fc.file, line, path, "$include cycle: %s", strings.Join(chain, " -> "))
		}
	}
	if len(fc.stack) >= maxIncludeDepth {
		return nil, false, configErr(fc.file, line, path, "$include nested more than %d deep", maxIncludeDepth)
	}
	b, err := t.readFile(p)
	if err != nil {
		return nil, false, configErr(fc.file, line, path, "$include %s: %s", file, readErrText(err)).
			WithHint("$include paths are relative to the config file that names them")
	}
	root, err := parseYAML(p, b)
	if err != nil && ext == ".json" {
		// JSON that YAML rejects (tabs, odd escapes) still parses as JSON,
		// only without line numbers.
		var v any
		if jerr := json.Unmarshal(b, &v); jerr == nil {
			var n yaml.Node
			if enc, merr := yaml.Marshal(v); merr == nil && yaml.Unmarshal(enc, &n) == nil && len(n.Content) > 0 {
				root, err = n.Content[0], nil
			}
		}
	}
	if err != nil {
		return nil, false, err
	}
	sub := &fileCtx{file: p, dir: filepath.Dir(p), stack: append(append([]string(nil), fc.stack...), abs)}
	node := root
	if sel != "" {
		parts := strings.Split(sel, ".")
		for i, part := range parts {
			m := deref(node)
			if m == nil || m.Kind != yaml.MappingNode {
				return nil, false, configErr(fc.file, line, path, "$include %s: value at %q in %s is not an object", arg, strings.Join(parts[:i], "."), p)
			}
			ps, err := t.pairs(sub, m, 0)
			if err != nil {
				return nil, false, err
			}
			node = nil
			for _, q := range ps {
				if q.key.Value == part {
					node = q.val
					break
				}
			}
			if node == nil {
				return nil, false, nil
			}
		}
	}
	if node == nil {
		return nil, false, nil
	}
	v, ok, err := t.walk(sub, node, path)
	if err != nil || !ok {
		return nil, ok, err
	}
	ln := node.Line
	if sel == "" {
		ln = 1
	}
	t.l.sources[path] = Source{File: p, Line: ln}
	return v, true, nil
}

func readErrText(err error) string {
	if errors.Is(err, errNotExist) {
		return "no such file"
	}
	if errors.Is(err, boundedio.ErrTooLarge) || errors.Is(err, boundedio.ErrNotRegular) {
		return err.Error() // names the cap, or what the file is instead
	}
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap().Error()
	}
	return err.Error()
}
