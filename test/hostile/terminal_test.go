//go:build linux

package hostile

import (
	"strconv"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// escapes are what issue #12 item 10 found printed raw: window title
// (OSC 0), clear screen and cursor home (CSI), clipboard write (OSC 52),
// a C1 CSI and a carriage return that overwrites the line.
const escapes = "\x1b]0;PWNED\x07 \x1b[2J\x1b[H \x1b]52;c;ZWNobyBoaQ==\x07 \u009b31m \rOVERWRITE"

// rawControl reports the first terminal control character in s, if any.
func rawControl(s string) (rune, bool) {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return r, true
		}
	}
	return 0, false
}

func escapeCatalog(t *testing.T) string {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog-info.yaml", `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-a
  title: `+strconv.QuoteToASCII("Payments "+escapes)+`
  description: `+strconv.QuoteToASCII("Handles payments "+escapes)+`
  tags: [billing]
spec:
  type: service
  lifecycle: production
  owner: group:default/team-a
  note: `+strconv.QuoteToASCII(escapes)+`
`)
	return dir
}

// TestTerminalEscapesNeutralised: catalog text reaches the terminal as
// visible characters in text output, escaped in JSON and YAML.
func TestTerminalEscapesNeutralised(t *testing.T) {
	dir := escapeCatalog(t)
	for _, args := range [][]string{
		{"catalog", "list"},
		{"catalog", "get", "component:default/svc-a"},
		{"catalog", "list", "-o", "json"},
		{"catalog", "get", "component:default/svc-a", "-o", "yaml"},
		{"ask", "--offline", "what does svc-a do?"},
		{"ask", "--offline", "what does svc-a do?", "-o", "md"},
	} {
		r := bsai(t, invocation{dir: dir}, append(args, "--catalog", "catalog-info.yaml")...)
		if r.code != 0 {
			t.Errorf("want exit 0\n%s", r)
			continue
		}
		if c, bad := rawControl(r.stdout); bad {
			t.Errorf("stdout holds raw control character %U\n%q", c, clip(r.stdout))
		}
		if !strings.Contains(r.stdout, "PWNED") {
			t.Errorf("the text itself should still be shown\n%s", r)
		}
	}
	r := bsai(t, invocation{dir: dir}, "catalog", "get", "component:default/svc-a", "--catalog", "catalog-info.yaml")
	if !strings.Contains(r.stdout, "^[]0;PWNED^G") || !strings.Contains(r.stdout, "^MOVERWRITE") {
		t.Errorf("want the sequences shown in caret notation\n%s", r)
	}
}

// TestStreamedModelAnswerNeutralised: a model answer that quotes the
// escapes is streamed to the terminal through the same sanitiser.
func TestStreamedModelAnswerNeutralised(t *testing.T) {
	dir := escapeCatalog(t)
	srv := llmtest.New(t)
	fb := llmtest.Stream("svc-a handles payments ", "\x1b]0;PW", "NED\x07 and \x1b[2J", " more `component:default/svc-a`")
	srv.Fallback = &fb
	testkit.WriteFile(t, dir, "app-config.yaml", "bsai:\n"+srv.AIConfig("${OPENAI_API_KEY}", "tools: false"))
	r := bsai(t, invocation{dir: dir}, "ask", "--catalog", "catalog-info.yaml", "--show-prompt", "what does svc-a do?")
	if c, bad := rawControl(r.stdout); bad || r.code != 0 || !strings.Contains(r.stdout, "PWNED") {
		t.Errorf("--show-prompt: want the prompt with the catalog text, no raw control character (%U)\n%q", c, clip(r.stdout))
	}
	r = bsai(t, invocation{dir: dir}, "ask", "--catalog", "catalog-info.yaml", "what does svc-a do?")
	if r.code != 0 || len(srv.Requests()) == 0 {
		t.Fatalf("want a model answer\n%s", r)
	}
	if c, bad := rawControl(r.stdout); bad {
		t.Errorf("streamed answer holds raw control character %U\n%q", c, clip(r.stdout))
	}
	if !strings.Contains(r.stdout, "^[]0;PWNED^G") {
		t.Errorf("want the split sequence shown in caret notation\n%s", r)
	}
}
