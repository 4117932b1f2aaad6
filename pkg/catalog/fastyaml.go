package catalog

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// This file is a fast path for the plain block YAML that catalog-info
// files are nearly always written in: block mappings and sequences, plain,
// quoted and literal scalars, one-line flow lists. yaml.v3 spends ~10x
// longer per document, which made 100k entities miss the 2 s budget.
//
// The rule that keeps it safe: parseFast either returns exactly what
// yaml.v3 would decode into map[string]any, or gives up (ok=false) and the
// caller uses yaml.v3. Anything unusual gives up: anchors, aliases, tags,
// flow mappings, multi-line plain or quoted scalars, folded scalars, tabs,
// CRLF, duplicate keys, non-string keys. Plain scalars that might not be
// strings (numbers, booleans, null) are resolved by yaml.v3 itself. The
// differential tests and fuzz target compare both parsers.

type fastParser struct {
	lines [][]byte
	i     int
	// scratch, when set, supplies the (empty) maps for the document itself
	// and its top-level "metadata": the loader copies both into an Entity
	// and drops them, so reusing them saves two maps per entity.
	scratch *docMaps
	// nextMap is the map the next mapping() call fills instead of a new one.
	nextMap map[string]any
}

// docMaps are reusable maps for parseFastInto. They must be empty.
type docMaps struct{ top, metadata map[string]any }

var docMapsPool = sync.Pool{New: func() any {
	return &docMaps{top: make(map[string]any, 8), metadata: make(map[string]any, 8)}
}}

// release empties the maps and returns them to the pool. Nothing built
// from them may keep them (entityFromMap copies what it needs).
func (d *docMaps) release() {
	clear(d.top)
	clear(d.metadata)
	docMapsPool.Put(d)
}

// recoverPanics makes a panic in the fast path mean "not handled", so the
// yaml.v3 path answers and a parser bug never crashes a load. The package's
// tests turn it off (export_test.go): there a panic is a crash the fuzz
// target and the differential tests report, not a silent fallback.
var recoverPanics = true

// parseFast parses one YAML document (as split by splitDocuments).
func parseFast(data []byte) (m map[string]any, ok bool) {
	return parseFastInto(data, nil)
}

// parseFastInto is parseFast filling scratch's maps (when not nil) for the
// document and its metadata; the caller must be done with the result
// before scratch.release().
func parseFastInto(data []byte, scratch *docMaps) (m map[string]any, ok bool) {
	// A bug here must never crash a load: the slow path can always answer.
	if recoverPanics {
		defer recoverAsUnhandled(&m, &ok)
	}
	if !printable(data) {
		return nil, false
	}
	// The line index is scratch space: reuse it across documents rather
	// than allocate one per document (a tenth of the fast path's bytes).
	lp := linesPool.Get().(*[][]byte)
	lines := splitLines((*lp)[:0], data)
	defer func() {
		clear(lines) // drop references to data
		*lp = lines[:0]
		linesPool.Put(lp)
	}()
	p := &fastParser{lines: lines, scratch: scratch}
	if scratch != nil {
		p.nextMap = scratch.top
	}
	// A leading "---" line starts the document.
	p.skipBlank()
	if p.i < len(lines) && bytes.Equal(bytes.TrimRight(lines[p.i], " "), []byte("---")) {
		p.i++
	}
	p.skipBlank()
	if p.i >= len(lines) {
		return nil, false // empty documents go the slow way (rare)
	}
	if indentOf(lines[p.i]) != 0 {
		return nil, false
	}
	m, ok = p.mapping(0)
	if !ok {
		return nil, false
	}
	p.skipBlank()
	if p.i != len(lines) {
		return nil, false
	}
	return m, true
}

// recoverAsUnhandled, deferred, turns a panic into (nil, false).
func recoverAsUnhandled(m *map[string]any, ok *bool) {
	if recover() != nil {
		*m, *ok = nil, false
	}
}

var linesPool = sync.Pool{New: func() any { s := make([][]byte, 0, 64); return &s }}

// splitLines appends data's lines to dst as bytes.Split(data, "\n") would
// return them, each capped at its own length so no append can spill into
// the next line.
func splitLines(dst [][]byte, data []byte) [][]byte {
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return append(dst, data[:len(data):len(data)])
		}
		dst = append(dst, data[:i:i])
		data = data[i+1:]
	}
}

// printable accepts what YAML calls printable, minus tab, CR, NEL and the
// BOM, which the fast path leaves to yaml.v3.
func printable(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError || r < 0xa0 || (r >= 0xd800 && r <= 0xdfff) || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

func indentOf(line []byte) int {
	n := 0
	for n < len(line) && line[n] == ' ' {
		n++
	}
	return n
}

// isBlank reports a line that is empty, spaces, or a comment.
func isBlank(line []byte) bool {
	t := bytes.TrimLeft(line, " ")
	return len(t) == 0 || t[0] == '#'
}

func (p *fastParser) skipBlank() {
	for p.i < len(p.lines) && isBlank(p.lines[p.i]) {
		p.i++
	}
}

// peek returns the indent of the next non-blank line, -1 at the end.
func (p *fastParser) peek() int {
	p.skipBlank()
	if p.i >= len(p.lines) {
		return -1
	}
	return indentOf(p.lines[p.i])
}

// mapping parses a block mapping whose keys sit at column indent.
func (p *fastParser) mapping(indent int) (map[string]any, bool) {
	m := p.nextMap
	p.nextMap = nil
	if m == nil {
		m = map[string]any{}
	}
	for {
		ind := p.peek()
		if ind < indent {
			return m, len(m) > 0
		}
		if ind != indent {
			return nil, false
		}
		if !p.entry(m, p.lines[p.i][indent:], indent) {
			return nil, false
		}
	}
}

// entry parses "key: value" (the line without its indent) into m.
func (p *fastParser) entry(m map[string]any, line []byte, indent int) bool {
	k, rest, ok := splitKey(line)
	if !ok {
		return false
	}
	if _, dup := m[k]; dup {
		return false
	}
	p.i++
	if indent == 0 && k == "metadata" && p.scratch != nil {
		p.nextMap = p.scratch.metadata
	}
	v, ok := p.value(rest, indent, true)
	p.nextMap = nil // unused unless metadata was a block mapping
	if !ok {
		return false
	}
	m[k] = v
	return true
}

// splitKey splits "key: rest" / "key:"; the key must be a plain string.
func splitKey(line []byte) (string, []byte, bool) {
	if len(line) == 0 || strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", line[0]) >= 0 {
		return "", nil, false
	}
	var key, rest []byte
	if i := bytes.Index(line, []byte(": ")); i >= 0 {
		key, rest = line[:i], bytes.TrimLeft(line[i+2:], " ")
	} else if line[len(line)-1] == ':' {
		key = line[:len(line)-1]
	} else {
		return "", nil, false
	}
	// yaml.v3 limits implicit keys to 1024 characters; leave long ones
	// (never seen in a real catalog) to it.
	if len(key) > 1000 || bytes.Contains(key, []byte(" #")) || len(bytes.TrimRight(key, " ")) != len(key) {
		return "", nil, false
	}
	s := internKey(key)
	if !plainIsString(s) {
		// Boxing every key into an interface just to check its type cost
		// an allocation per key; only the rare look-alikes get resolved.
		if v, ok := plainScalar(s, ctxKey); !ok {
			return "", nil, false
		} else if _, isStr := v.(string); !isStr {
			return "", nil, false
		}
	}
	return s, rest, true
}

// value parses what follows "key:" (rest) for a key at column indent; for
// a key, a sequence may sit at the key's own indent.
func (p *fastParser) value(rest []byte, indent int, isKey bool) (any, bool) {
	rest = stripComment(rest)
	if len(rest) == 0 {
		ind := p.peek()
		switch {
		case ind > indent:
			line := p.lines[p.i][ind:]
			if line[0] == '-' && (len(line) == 1 || line[1] == ' ') {
				return p.sequence(ind)
			}
			return p.mapping(ind)
		case ind == indent && isKey:
			line := p.lines[p.i][ind:]
			if line[0] == '-' && (len(line) == 1 || line[1] == ' ') {
				return p.sequence(ind)
			}
		}
		return nil, true
	}
	var v any
	var ok bool
	switch rest[0] {
	case '|':
		return p.literal(rest, indent)
	case '[':
		v, ok = flowSeq(rest)
	case '"':
		v, ok = doubleQuoted(rest)
	case '\'':
		v, ok = singleQuoted(rest)
	case '{':
		if !bytes.Equal(rest, []byte("{}")) {
			return nil, false
		}
		v, ok = map[string]any{}, true
	default:
		if strings.IndexByte(",]}#&*!>%@`", rest[0]) >= 0 || bytes.Contains(rest, []byte(": ")) ||
			rest[len(rest)-1] == ':' || rest[0] == '?' || rest[0] == ':' || (len(rest) > 1 && rest[0] == '-' && rest[1] == ' ') {
			return nil, false
		}
		v, ok = plainScalar(string(rest), ctxValue)
	}
	if !ok {
		return nil, false
	}
	// A more-indented line after an inline value would be a multi-line
	// scalar (or an error): leave both to yaml.v3.
	if ind := p.peek(); ind > indent {
		return nil, false
	}
	return v, true
}

// sequence parses "- item" lines at column indent.
func (p *fastParser) sequence(indent int) ([]any, bool) {
	out := []any{}
	for {
		ind := p.peek()
		if ind < indent {
			return out, true
		}
		line := p.lines[p.i]
		if ind != indent || line[ind] != '-' || (len(line) > ind+1 && line[ind+1] != ' ') {
			if ind == indent {
				return out, true // the parent mapping continues
			}
			return nil, false
		}
		after := line[ind+1:]
		trimmed := bytes.TrimLeft(after, " ")
		col := ind + 1 + (len(after) - len(trimmed))
		switch {
		case len(stripComment(trimmed)) == 0:
			p.i++
			next := p.peek()
			if next <= indent {
				out = append(out, nil)
				continue
			}
			nl := p.lines[p.i][next:]
			var v any
			var ok bool
			if nl[0] == '-' && (len(nl) == 1 || nl[1] == ' ') {
				v, ok = p.sequence(next)
			} else {
				v, ok = p.mapping(next)
			}
			if !ok {
				return nil, false
			}
			out = append(out, v)
		case trimmed[0] == '-' || trimmed[0] == '|' || trimmed[0] == '?':
			return nil, false
		case isMappingStart(trimmed):
			// "- key: v" starts a mapping at the key's column; rewrite the
			// line so the mapping parser sees it at that indent.
			p.lines[p.i] = append(bytes.Repeat([]byte(" "), col), trimmed...)
			v, ok := p.mapping(col)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		default:
			p.i++
			v, ok := p.value(trimmed, indent, false)
			if !ok {
				return nil, false
			}
			out = append(out, v)
		}
	}
}

// isMappingStart reports "key: ..." or "key:" (not a quoted/flow value).
func isMappingStart(s []byte) bool {
	if strings.IndexByte("[{\"'", s[0]) >= 0 {
		return false
	}
	s = stripComment(s)
	return bytes.Contains(s, []byte(": ")) || (len(s) > 0 && s[len(s)-1] == ':')
}

// literal parses a "|" or "|-" block scalar under a key at column indent.
func (p *fastParser) literal(header []byte, indent int) (any, bool) {
	h := string(stripComment(header))
	if h != "|" && h != "|-" {
		return nil, false // keep (+), explicit indentation: yaml.v3
	}
	// Content indent is the first non-empty line's indent.
	start := p.i
	content := -1
	for j := start; j < len(p.lines); j++ {
		if len(bytes.TrimLeft(p.lines[j], " ")) > 0 {
			content = indentOf(p.lines[j])
			break
		}
	}
	if content <= indent {
		return nil, false // empty block scalar: rare, let yaml.v3 decide
	}
	var parts []string
	j := start
	for ; j < len(p.lines); j++ {
		line := p.lines[j]
		if len(bytes.TrimLeft(line, " ")) == 0 {
			if len(line) > content {
				return nil, false
			}
			parts = append(parts, "")
			continue
		}
		ind := indentOf(line)
		if ind < content {
			if ind > indent {
				return nil, false
			}
			break
		}
		parts = append(parts, string(line[content:]))
	}
	if j == len(p.lines) && len(p.lines[j-1]) > 0 {
		return nil, false // no final line break: let yaml.v3 chomp
	}
	// Trailing empty lines belong to the chomping, not the text.
	end := len(parts)
	for end > 0 && parts[end-1] == "" {
		end--
	}
	p.i = j
	s := strings.Join(parts[:end], "\n")
	if h == "|" && end > 0 {
		s += "\n"
	}
	return s, true
}

// stripComment drops a trailing " # comment" and spaces. Only call it
// where quotes cannot hide a '#'.
func stripComment(b []byte) []byte {
	if len(b) > 0 && b[0] == '#' {
		return nil
	}
	if b2 := b; len(b2) > 0 && (b2[0] == '"' || b2[0] == '\'') {
		return bytes.TrimRight(b, " ")
	}
	if i := bytes.Index(b, []byte(" #")); i >= 0 {
		b = b[:i]
	}
	return bytes.TrimRight(b, " ")
}

// Contexts a plain scalar is resolved in.
const (
	ctxValue = iota
	ctxKey
	ctxFlow
)

// plainScalar resolves a plain scalar like yaml.v3: anything that might
// be a number, boolean or null is handed to yaml.v3 itself, in the same
// context it appeared in.
func plainScalar(s string, ctx int) (any, bool) {
	if s == "" {
		return nil, true
	}
	if !plainIsString(s) {
		return resolveWithYAML(s, ctx)
	}
	return s, true
}

// plainIsString reports a non-empty plain scalar that plainScalar returns
// as the string itself, without asking yaml.v3.
func plainIsString(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == '~' || c == '<' {
		return false
	}
	switch s {
	case "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE":
		return false
	}
	return true
}

func resolveWithYAML(s string, ctx int) (any, bool) {
	var v any
	switch ctx {
	case ctxKey:
		var m map[any]any
		if err := yaml.Unmarshal([]byte(s+": x"), &m); err != nil || len(m) != 1 {
			return nil, false
		}
		for k := range m {
			v = k
		}
	case ctxFlow:
		var m map[string][]any
		if err := yaml.Unmarshal([]byte("v: ["+s+"]"), &m); err != nil || len(m["v"]) != 1 {
			return nil, false
		}
		v = m["v"][0]
	default:
		var m map[string]any
		if err := yaml.Unmarshal([]byte("v: "+s), &m); err != nil || len(m) != 1 {
			return nil, false
		}
		v = m["v"]
	}
	switch v.(type) {
	case nil, string, bool, int, int64, uint64, float64:
		return v, true
	}
	return nil, false
}

// doubleQuoted parses a one-line "..." with the common escapes.
func doubleQuoted(b []byte) (any, bool) {
	var sb strings.Builder
	i := 1
	for ; i < len(b); i++ {
		c := b[i]
		if c == '"' {
			break
		}
		if c != '\\' {
			sb.WriteByte(c)
			continue
		}
		i++
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case '\\', '"':
			sb.WriteByte(b[i])
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case 'r':
			sb.WriteByte('\r')
		case 'u':
			if i+4 >= len(b) {
				return nil, false
			}
			n, err := strconv.ParseUint(string(b[i+1:i+5]), 16, 32)
			if err != nil || (n >= 0xd800 && n <= 0xdfff) {
				return nil, false
			}
			sb.WriteRune(rune(n))
			i += 4
		default:
			return nil, false
		}
	}
	if i >= len(b) || len(stripComment(b[i+1:])) != 0 {
		return nil, false
	}
	return sb.String(), true
}

// singleQuoted parses a one-line '...' where ” is a quote.
func singleQuoted(b []byte) (any, bool) {
	var sb strings.Builder
	i := 1
	for ; i < len(b); i++ {
		if b[i] == '\'' {
			if i+1 < len(b) && b[i+1] == '\'' {
				sb.WriteByte('\'')
				i++
				continue
			}
			break
		}
		sb.WriteByte(b[i])
	}
	if i >= len(b) || len(stripComment(b[i+1:])) != 0 {
		return nil, false
	}
	return sb.String(), true
}

// flowSeq parses a one-line [a, 'b', "c"] of scalars.
func flowSeq(b []byte) (any, bool) {
	end := bytes.LastIndexByte(b, ']')
	if end < 0 || len(stripComment(b[end+1:])) != 0 {
		return nil, false
	}
	inner := bytes.TrimSpace(b[1:end])
	out := []any{}
	if len(inner) == 0 {
		return out, true
	}
	if bytes.ContainsAny(inner, "[]{}#&*!|>%@`") {
		return nil, false
	}
	for _, part := range bytes.Split(inner, []byte(",")) {
		part = bytes.TrimSpace(part)
		if len(part) == 0 {
			return nil, false
		}
		var v any
		var ok bool
		if (part[0] == '"' || part[0] == '\'') && len(part) < 2 {
			return nil, false
		}
		switch part[0] {
		case '"':
			if bytes.IndexByte(part[1:], '"') != len(part)-2 || bytes.IndexByte(part, '\\') >= 0 {
				return nil, false
			}
			v, ok = string(part[1:len(part)-1]), true
		case '\'':
			if bytes.IndexByte(part[1:], '\'') != len(part)-2 {
				return nil, false
			}
			v, ok = string(part[1:len(part)-1]), true
		default:
			// A lone "-" or "- x" is a block entry yaml.v3 rejects inside a
			// flow list; trimming hid the space, so leave it to yaml.v3.
			if part[0] == '-' && (len(part) == 1 || part[1] == ' ') {
				return nil, false
			}
			if bytes.ContainsAny(part, "\"'?") || part[0] == ':' || part[len(part)-1] == ':' || bytes.Contains(part, []byte(": ")) {
				return nil, false
			}
			v, ok = plainScalar(string(part), ctxFlow)
		}
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// internKey returns shared strings for the keys nearly every entity has,
// saving an allocation per key (the switch on string(b) does not allocate).
func internKey(b []byte) string {
	switch string(b) {
	case "apiVersion":
		return "apiVersion"
	case "kind":
		return "kind"
	case "metadata":
		return "metadata"
	case "name":
		return "name"
	case "namespace":
		return "namespace"
	case "title":
		return "title"
	case "description":
		return "description"
	case "annotations":
		return "annotations"
	case "labels":
		return "labels"
	case "tags":
		return "tags"
	case "links":
		return "links"
	case "url":
		return "url"
	case "icon":
		return "icon"
	case "spec":
		return "spec"
	case "type":
		return "type"
	case "lifecycle":
		return "lifecycle"
	case "owner":
		return "owner"
	case "system":
		return "system"
	case "domain":
		return "domain"
	case "providesApis":
		return "providesApis"
	case "consumesApis":
		return "consumesApis"
	case "dependsOn":
		return "dependsOn"
	case "memberOf":
		return "memberOf"
	case "parent":
		return "parent"
	case "children":
		return "children"
	case "members":
		return "members"
	case "profile":
		return "profile"
	case "definition":
		return "definition"
	}
	return string(b)
}
