package template_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// cliResult is one run of the real command tree.
type cliResult struct {
	code        int
	out, errOut string
}

// bsai runs the whole bsai command tree (real factory, config loading,
// flag parsing, exit-code mapping) with test streams, in dir.
func bsai(t *testing.T, dir, stdin string, args ...string) cliResult {
	t.Helper()
	return bsaiTTY(t, false, dir, stdin, args...)
}

// bsaiTTY is bsai with stdout and stderr reported as terminals.
func bsaiTTY(t *testing.T, tty bool, dir, stdin string, args ...string) cliResult {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	for _, k := range []string{"BSAI_CONFIG", "BSAI_OUTPUT", "BSAI_CATALOG", "BACKSTAGE_TOKEN", "BSAI_TOKEN", "BSAI_PROVIDER", "BSAI_MODEL", "BSAI_MCP_CONFIG"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	if dir != "" {
		t.Chdir(dir)
	}
	f, in, out, errOut := factorytest.New()
	in.WriteString(stdin)
	f.IOStreams.SetTTY(false, tty, tty)
	code := root.Execute(context.Background(), f, args)
	return cliResult{code, out.String(), errOut.String()}
}

const okTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: hello
  title: Hello
spec:
  owner: group:default/team-a
  type: service
  parameters:
    - title: Details
      properties:
        name:
          type: string
  steps:
    - id: log
      name: Log
      action: debug:log
      input:
        message: Hello ${{ parameters.name }}
`

// TestCLIValidateDeepExpression: 4 MB of "(" inside ${{ }} used to be a
// fatal goroutine stack overflow (no recover possible); now it is one
// expression-syntax finding naming the depth limit, exit 3, and the
// message does not echo the 4 MB back.
func TestCLIValidateDeepExpression(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"parens.yaml":  strings.Repeat("(", 2<<20) + "1" + strings.Repeat(")", 2<<20),
		"not.yaml":     strings.Repeat("not ", 1<<20) + "true",
		"minus.yaml":   strings.Repeat("-", 4<<20) + "1",
		"lists.yaml":   strings.Repeat("[", 2<<20) + strings.Repeat("]", 2<<20),
		"calls.yaml":   strings.Repeat("f(", 1<<20) + strings.Repeat(")", 1<<20),
		"ifelse.yaml":  strings.Repeat("1 if true else ", 300<<10) + "1",
		"filters.yaml": "x" + strings.Repeat(" | f(x", 500<<10) + strings.Repeat(")", 500<<10),
	} {
		tpl := strings.Replace(okTemplate, "Hello ${{ parameters.name }}", "'${{ "+body+" }}'", 1)
		p := testkit.WriteFile(t, dir, name, tpl)
		r := bsai(t, "", "", "template", "validate", p)
		if r.code != errs.ExitValidation {
			t.Errorf("%s: exit %d, want 3\n%s", name, r.code, clip(r.out+r.errOut))
		}
		if !strings.Contains(r.out, "error expression-syntax") || !strings.Contains(r.out, "nests more than 100 levels") {
			t.Errorf("%s: no depth finding:\n%s", name, clip(r.out))
		}
		if len(r.out) > 4096 {
			t.Errorf("%s: %d bytes of output: the expression is echoed back", name, len(r.out))
		}
	}
	// Nesting that real templates use still parses.
	tpl := strings.Replace(okTemplate, "Hello ${{ parameters.name }}", "'${{ ((parameters.name | lower) if (parameters.name and not (parameters.name == \"x\")) else [[1, {\"a\": (2)}]]) }}'", 1)
	p := testkit.WriteFile(t, dir, "fine.yaml", tpl)
	if r := bsai(t, "", "", "template", "validate", p); r.code != 0 {
		t.Errorf("fine nesting: exit %d\n%s", r.code, r.out)
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
