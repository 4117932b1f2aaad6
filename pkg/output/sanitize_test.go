package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The hostile sequences of issue #12 item 10, plus C1 and CR tricks.
var hostile = map[string]struct{ in, want string }{
	"osc title":    {"a\x1b]0;PWNED\x07b", "a^[]0;PWNED^Gb"},
	"clear screen": {"\x1b[2J\x1b[H", "^[[2J^[[H"},
	"osc 52":       {"\x1b]52;c;ZWNobyBoaQ==\x07", "^[]52;c;ZWNobyBoaQ==^G"},
	"osc st":       {"\x1b]8;;http://x\x1b\\link", "^[]8;;http://x^[\\link"},
	"csi sgr":      {"\x1b[31mred\x1b[0m", "^[[31mred^[[0m"},
	"c1 csi":       {"\u009b31m", `\u009b31m`},
	"cr overwrite": {"safe\rEVIL", "safe^MEVIL"},
	"backspace":    {"ab\bc", "ab^Hc"},
	"del":          {"a\x7fb", "a^?b"},
	"lone esc":     {"end\x1b", "end^["},
	"kept":         {"line1\n\tline2 © ü 日本", "line1\n\tline2 © ü 日本"},
}

func TestSanitize(t *testing.T) {
	for name, tc := range hostile {
		if got := Sanitize(tc.in); got != tc.want {
			t.Errorf("%s: Sanitize(%q) = %q, want %q", name, tc.in, got, tc.want)
		}
	}
}

// Written one byte at a time, sequences split across writes are caught
// the same way.
func TestSafeWriterAcrossWrites(t *testing.T) {
	for name, tc := range hostile {
		var b bytes.Buffer
		w := NewSafeWriter(&b, false)
		for i := 0; i < len(tc.in); i++ {
			if _, err := w.Write([]byte{tc.in[i]}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("%s: byte by byte %q, want %q", name, b.String(), tc.want)
		}
	}
}

// With colour on, styling passes and nothing else does.
func TestSafeWriterAllowSGR(t *testing.T) {
	var b bytes.Buffer
	w := NewSafeWriter(&b, true)
	w.Write([]byte("\x1b[1;38;5;63mtitle\x1b[0m \x1b[2J \x1b]0;x\x07 \x1b[?25l"))
	w.Flush()
	want := "\x1b[1;38;5;63mtitle\x1b[0m ^[[2J ^[]0;x^G ^[[?25l"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// JSON and YAML keep the value and escape every control character.
func TestJSONAndYAMLEscapeControls(t *testing.T) {
	v := map[string]string{"d": "a\x1b]0;t\x07 \u009b2J \x7f é"}
	var j bytes.Buffer
	if err := WriteJSON(&j, v); err != nil {
		t.Fatal(err)
	}
	var y bytes.Buffer
	if err := WriteYAML(&y, v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	for name, out := range map[string][]byte{"json": j.Bytes(), "yaml": y.Bytes()} {
		if bytes.ContainsAny(out, "\x1b\x07\x7f") || bytes.Contains(out, []byte("\u009b")) {
			t.Errorf("%s output holds a raw control character: %q", name, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(j.Bytes(), &back); err != nil || back["d"] != v["d"] {
		t.Errorf("json round trip: %q, %v", back["d"], err)
	}
	back = nil
	if err := yaml.Unmarshal(y.Bytes(), &back); err != nil || back["d"] != v["d"] {
		t.Errorf("yaml round trip: %q, %v\n%s", back["d"], err, y.String())
	}
	if !strings.Contains(j.String(), `\u001b]0;t\u0007 \u009b2J \u007f é`) {
		t.Errorf("json escapes: %s", j.String())
	}
}
