package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in      string
		allowed []Format
		want    Format
	}{
		{"", nil, Text},
		{"text", nil, Text},
		{"json", nil, JSON},
		{"JSON", nil, JSON},
		{"Yaml", nil, YAML},
		{"markdown", []Format{Text, JSON, YAML, Markdown}, Markdown},
		{"md", []Format{Text, Markdown}, Markdown},
	}
	for _, c := range cases {
		got, err := ParseFormat(c.in, c.allowed...)
		if err != nil || got != c.want {
			t.Errorf("ParseFormat(%q, %v) = %q, %v; want %q", c.in, c.allowed, got, err, c.want)
		}
	}
}

func TestParseFormatUnknown(t *testing.T) {
	cases := []struct {
		in       string
		allowed  []Format
		wantHint string
	}{
		{"xml", nil, "use one of: text, json, yaml"},
		{"markdown", nil, "use one of: text, json, yaml"}, // not allowed unless the command says so
		{"md", nil, "use one of: text, json, yaml"},
		{"yaml", []Format{Text, JSON}, "use one of: text, json"},
		{" json", nil, "use one of: text, json, yaml"},
	}
	for _, c := range cases {
		f, err := ParseFormat(c.in, c.allowed...)
		if err == nil {
			t.Errorf("ParseFormat(%q, %v) = %q, want an error", c.in, c.allowed, f)
			continue
		}
		if errs.ExitCode(err) != errs.ExitUsage {
			t.Errorf("ParseFormat(%q): exit code %d, want 2", c.in, errs.ExitCode(err))
		}
		if !strings.Contains(err.Error(), "unknown output format") || !strings.Contains(err.Error(), c.in) {
			t.Errorf("message %q should name the bad format", err)
		}
		if errs.HintOf(err) != c.wantHint {
			t.Errorf("hint %q, want %q", errs.HintOf(err), c.wantHint)
		}
	}
}

type inner struct {
	Zeta  string `json:"zeta"`
	Alpha int    `json:"alpha"`
}

// result has fields out of alphabetical order, renamed and omitted ones,
// so YAML that sorted keys or used Go names would differ from JSON.
type result struct {
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
	HTML     string            `json:"html"`
	Skipped  string            `json:"skipped,omitempty"`
	Hidden   string            `json:"-"`
	Tricky   []string          `json:"tricky"`
	Labels   map[string]string `json:"labels"`
	Inner    inner             `json:"inner"`
	Ptr      *inner            `json:"ptr"`
	Empty    []string          `json:"empty"`
	EmptyMap map[string]any    `json:"emptyMap"`
	Count    int64             `json:"count"`
	Ratio    float64           `json:"ratio"`
	OK       bool              `json:"ok"`
}

var trickyStrings = []string{
	"true", "false", "1", "1.5", "null", "~", "", "0x10", "1e3", ".inf", "2024-01-01",
	"yes", "no", "on", "off", "y", "n", "NO", "Yes", "1:20",
	"-", "a: b", "#x", "@x", "*x", "!x", "&x", "|x", ">x", "[x", "{x", "%x", "`x",
	"  lead", "trail ", "line1\nline2", "<b>&amp;</b>", "tab\there", "ünï", "\"q\"", "'s'",
}

func sample() result {
	return result{
		Name: "payments-api", Kind: "Component", HTML: "<a href=\"x\">&</a>",
		Hidden: "never", Tricky: trickyStrings,
		Labels: map[string]string{"true": "1", "on": "yes", "b": "null", "a": "~"},
		Inner:  inner{Zeta: "z", Alpha: 2}, Empty: []string{}, EmptyMap: map[string]any{},
		Count: 9007199254740993, Ratio: 0.25, OK: true,
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.Contains(s, `"html": "<a href=\"x\">&</a>"`) {
		t.Errorf("JSON escaped HTML or lost it: %s", s)
	}
	if strings.Contains(s, `\u003c`) || strings.Contains(s, `\u0026`) {
		t.Errorf("JSON has HTML escapes: %s", s)
	}
	if !strings.HasPrefix(s, "{\n  \"name\": \"payments-api\",\n  \"kind\"") || !strings.HasSuffix(s, "}\n") {
		t.Errorf("JSON not two-space indented with a final newline:\n%s", s)
	}
	if strings.Contains(s, "never") || strings.Contains(s, "skipped") {
		t.Errorf("json tags ignored: %s", s)
	}
}

// keyOrder lists the mapping keys of a YAML or JSON document depth-first,
// in document order, from its node tree.
func keyOrder(n *yaml.Node, path string, out *[]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			keyOrder(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := path + "/" + n.Content[i].Value
			*out = append(*out, p)
			keyOrder(n.Content[i+1], p, out)
		}
	}
}

func TestWriteYAMLMatchesJSON(t *testing.T) {
	var jb, yb bytes.Buffer
	if err := WriteJSON(&jb, sample()); err != nil {
		t.Fatal(err)
	}
	if err := WriteYAML(&yb, sample()); err != nil {
		t.Fatal(err)
	}

	// Same data: decoding either gives equal values (strings stay strings).
	var fromJSON, fromYAML any
	if err := json.Unmarshal(jb.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(yb.Bytes(), &fromYAML); err != nil {
		t.Fatalf("YAML does not parse: %v\n%s", err, yb.String())
	}
	if !reflect.DeepEqual(normalise(fromJSON), normalise(fromYAML)) {
		t.Errorf("YAML data differs from JSON\njson: %v\nyaml: %v\n%s", fromJSON, fromYAML, yb.String())
	}

	// Same keys in the same order (JSON's struct order, not sorted).
	var jn, yn yaml.Node
	if err := yaml.Unmarshal(jb.Bytes(), &jn); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(yb.Bytes(), &yn); err != nil {
		t.Fatal(err)
	}
	var jk, yk []string
	keyOrder(&jn, "", &jk)
	keyOrder(&yn, "", &yk)
	if !reflect.DeepEqual(jk, yk) {
		t.Errorf("key order differs\njson: %v\nyaml: %v", jk, yk)
	}
	if len(jk) < 5 || jk[0] != "/name" || jk[1] != "/kind" {
		t.Errorf("unexpected JSON keys %v", jk)
	}

	// Block style, not JSON-ish flow style, and no HTML escaping.
	y := yb.String()
	if !strings.HasPrefix(y, "name: payments-api\nkind: Component\n") {
		t.Errorf("YAML not in block style:\n%s", y)
	}
	if !strings.Contains(y, `<a href="x">&</a>`) {
		t.Errorf("YAML escaped or lost HTML:\n%s", y)
	}
}

// normalise maps YAML's int/float/map types onto JSON's so the two
// decodings compare.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = normalise(e)
		}
		return m
	case []any:
		for i := range x {
			x[i] = normalise(x[i])
		}
		return x
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	default:
		return v
	}
}

// Strings that read as another type must be quoted, including the YAML 1.1
// booleans and sexagesimal numbers (yes/no/on/off/y/n, 1:20) that older
// parsers (PyYAML, Ruby, many CI tools) would turn into true/false or 80.
func TestWriteYAMLQuotesAmbiguousStrings(t *testing.T) {
	var b bytes.Buffer
	if err := WriteYAML(&b, map[string]any{"v": trickyStrings}); err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(b.String(), "\n") {
		lines[strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))] = true
	}
	for _, s := range []string{"true", "false", "1", "1.5", "null", "~", "", "0x10", "1e3", ".inf",
		"yes", "no", "on", "off", "y", "n", "NO", "Yes", "1:20"} {
		if !lines[`"`+s+`"`] && !lines[`'`+s+`'`] {
			t.Errorf("string %q not quoted in YAML:\n%s", s, b.String())
		}
	}
	// Keys too: `on:` is a boolean key to a YAML 1.1 reader.
	b.Reset()
	if err := WriteYAML(&b, map[string]string{"on": "x", "true": "y", "plain": "z"}); err != nil {
		t.Fatal(err)
	}
	want := "\"on\": x\nplain: z\n\"true\": \"y\"\n"
	if b.String() != want {
		t.Errorf("YAML keys:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteYAMLScalarsAndNull(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{nil, "null\n"},
		{"true", "\"true\"\n"},
		{42, "42\n"},
		{[]string{}, "[]\n"},
		{map[string]any{}, "{}\n"},
		{[]any{1, "a", true, nil}, "- 1\n- a\n- true\n- null\n"},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := WriteYAML(&b, c.v); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("WriteYAML(%#v) = %q, want %q", c.v, b.String(), c.want)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	bad := map[string]any{"ch": make(chan int)}
	if err := WriteJSON(io.Discard, bad); err == nil {
		t.Error("WriteJSON of a channel should fail")
	}
	if err := WriteYAML(io.Discard, bad); err == nil {
		t.Error("WriteYAML of a channel should fail")
	}
	if err := WriteYAML(failWriter{}, map[string]int{"a": 1}); err == nil {
		t.Error("WriteYAML should report a failing writer")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

var ansi = regexp.MustCompile("\x1b\\[")

func TestStyles(t *testing.T) {
	plain := NewStyles(false)
	if plain.Color {
		t.Error("Color should be false")
	}
	for name, st := range map[string]func(...string) string{
		"Bold": plain.Bold.Render, "Dim": plain.Dim.Render, "Title": plain.Title.Render, "OK": plain.OK.Render,
		"Warn": plain.Warn.Render, "Err": plain.Err.Render, "Ref": plain.Ref.Render,
	} {
		if got := st("component:default/x"); got != "component:default/x" {
			t.Errorf("%s with colour off rendered %q", name, got)
		}
	}
	col := NewStyles(true)
	if !col.Color || !ansi.MatchString(col.Title.Render("x")) || !ansi.MatchString(col.Err.Render("x")) {
		t.Errorf("colour styles carry no ANSI codes: %q", col.Title.Render("x"))
	}
}

func TestPrint(t *testing.T) {
	v := map[string]string{"name": "a<b>"}
	text := func(w io.Writer, st *Styles) error {
		_, err := io.WriteString(w, st.Title.Render("name")+": a<b>\n")
		return err
	}

	ios, _, out, errOut := iostreams.Test()
	if err := Print(ios, Text, v, text); err != nil {
		t.Fatal(err)
	}
	if out.String() != "name: a<b>\n" || errOut.Len() != 0 {
		t.Errorf("text on a pipe: stdout %q stderr %q", out.String(), errOut.String())
	}

	ios.SetTTY(false, true, false)
	out.Reset()
	if err := Print(ios, Text, v, text); err != nil {
		t.Fatal(err)
	}
	if !ansi.MatchString(out.String()) {
		t.Errorf("text on a TTY stdout has no colour: %q", out.String())
	}
	ios.DisableColor()
	out.Reset()
	_ = Print(ios, Text, v, text)
	if ansi.MatchString(out.String()) {
		t.Errorf("--no-color output has escape codes: %q", out.String())
	}

	for f, want := range map[Format]string{JSON: "{\n  \"name\": \"a<b>\"\n}\n", YAML: "name: a<b>\n"} {
		out.Reset()
		if err := Print(ios, f, v, text); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("Print %s = %q, want %q", f, out.String(), want)
		}
	}
	// Text without a text renderer falls back to JSON rather than nothing.
	out.Reset()
	_ = Print(ios, Text, v, nil)
	if out.String() != "{\n  \"name\": \"a<b>\"\n}\n" {
		t.Errorf("Print text with nil renderer = %q", out.String())
	}
}
