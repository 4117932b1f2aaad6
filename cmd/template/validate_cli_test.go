package template_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// Inputs that hold no template fail the CI job (exit 2) with a clear
// message instead of passing on "0 template(s)".
func TestCLIValidateNothingToValidate(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, dir, "templates/a/template.yaml", okTemplate)
	testkit.WriteFile(t, dir, "catalog/one.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n")
	testkit.WriteFile(t, dir, "catalog/two.yaml", "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: b}\n---\nkind: Component\nmetadata: {name: c}\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"empty folder", []string{empty}, []string{"no .yaml/.yml files in " + empty}},
		{"mistyped path", []string{filepath.Join(dir, "templatse")}, []string{"no such file or folder: " + filepath.Join(dir, "templatse"), "did you mean " + filepath.Join(dir, "templates") + "?"}},
		{"glob matching nothing", []string{filepath.Join(dir, "templates", "**", "*.yml")}, []string{"no .yaml/.yml file matches", "**"}},
		{"only other kinds", []string{filepath.Join(dir, "catalog")}, []string{"no templates found in", "2 YAML file(s) hold 3 other document(s) (API 1, Component 2)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bsai(t, "", "", append([]string{"template", "validate"}, tc.args...)...)
			if r.code != errs.ExitUsage {
				t.Errorf("exit %d, want 2\n%s%s", r.code, r.out, r.errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.errOut)
				}
			}
		})
	}
	// A ** glob that matches: validated like the files themselves.
	r := bsai(t, "", "", "template", "validate", filepath.Join(dir, "**", "template.yaml"))
	if r.code != 0 || !strings.Contains(r.out, "1 template(s) in 1 file(s): 0 error(s)") {
		t.Errorf("glob: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	// Non-template YAML among templates: one summary line, not a line per file.
	r = bsai(t, "", "", "template", "validate", dir)
	if r.code != 0 || strings.Count(r.out, "note:") != 1 ||
		!strings.Contains(r.out, "note: skipped 3 document(s) that are not templates in 2 file(s) (API 1, Component 2)") {
		t.Errorf("summary: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
}

const typoTemplate = `# Service template: keep this comment.
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: typos   # trailing comment
  title: Typos
spec:
  owner: group:default/team-a
  type: service
  parameters:
    - title: Details
      properties:
        name: {type: string}   # flow style stays
        repoUrl:
          type: string
          ui:field: RepoUrlPicker
  steps:
    - id: fetch
      name: Fetch
      action: fetch:templat
      input:
        url: ./skeleton
        values:
          name: ${{ parameters.nmae }}
    - id: publish
      name: Publish
      action: publish:github
      input:
        repoUrl: ${{ parameters.repoUrl }}
        description: "made from ${{ steps['fetc'].output.x }}"
  output:
    links:
      - title: Repo
        url: ${{ steps.publsh.output.remoteUrl }}
`

// On a terminal every finding shows its source line and a caret under the
// column, with the did-you-mean next to it.
func TestCLIValidateCaretOnTTY(t *testing.T) {
	p := testkit.WriteFile(t, t.TempDir(), "t.yaml", typoTemplate)
	r := bsaiTTY(t, true, "", "", "--no-color", "template", "validate", "--actions", "builtin", p)
	want := "" +
		"   20 |       action: fetch:templat\n" +
		"      |               ^~~~~~~~~~~~~ did you mean \"fetch:template\"?\n"
	if !strings.Contains(r.out, want) {
		t.Errorf("no caret block:\n%s", r.out)
	}
	if !strings.Contains(r.out, "   34 |         url: ${{ steps.publsh.output.remoteUrl }}\n      |                  ^~~~~~~~~~~~ did you mean \"publish\"?\n") {
		t.Errorf("no did-you-mean for the output step ref:\n%s", r.out)
	}
	// Not a terminal: no source lines (CI logs and editors parse the rest).
	r = bsai(t, "", "", "template", "validate", "--actions", "builtin", p)
	if strings.Contains(r.out, "   20 |") {
		t.Errorf("source lines without a terminal:\n%s", r.out)
	}
}

// --fix edits only the misspelt characters (comments, flow style, quoting
// stay), prints a unified diff, writes atomically and keeps the mode;
// --fix --dry-run prints only the diff and changes nothing.
func TestCLIValidateFix(t *testing.T) {
	dir := t.TempDir()
	p := testkit.WriteFile(t, dir, "t.yaml", typoTemplate)
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer("action: fetch:templat\n", "action: fetch:template\n",
		"parameters.nmae", "parameters.name", "steps['fetc']", "steps['fetch']", "steps.publsh", "steps.publish").Replace(typoTemplate)

	r := bsai(t, "", "", "template", "validate", "--actions", "builtin", "--fix", "--dry-run", link)
	if got, _ := os.ReadFile(p); string(got) != typoTemplate {
		t.Fatalf("--dry-run changed the file:\n%s", got)
	}
	if !strings.HasPrefix(r.out, "--- a/"+filepath.ToSlash(link)+"\n+++ b/"+filepath.ToSlash(link)+"\n@@ ") ||
		!strings.Contains(r.out, "-      action: fetch:templat\n+      action: fetch:template\n") ||
		strings.Contains(r.out, "error") || strings.Contains(r.out, "template(s)") {
		t.Errorf("--dry-run stdout must be only the diff:\n%s", r.out)
	}
	if r.code != 0 || !strings.Contains(r.errOut, "would fix 4 problem(s) in 1 file(s)") {
		t.Errorf("--dry-run: exit %d\n%s", r.code, r.errOut)
	}
	dry := r.out

	r = bsai(t, "", "", "template", "validate", "--actions", "builtin", "--fix", link)
	got, _ := os.ReadFile(p)
	if string(got) != want {
		t.Fatalf("fixed file:\n%s\nwant:\n%s", got, want)
	}
	if r.out != dry || r.code != 0 || !strings.Contains(r.errOut, "fixed 4 problem(s) in 1 file(s)") ||
		!strings.Contains(r.errOut, "1 template(s) in 1 file(s): 0 error(s)") {
		t.Errorf("--fix: exit %d\nstdout %s\nstderr %s", r.code, r.out, r.errOut)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", st.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left files behind: %v", ents)
	}
	// Nothing left to fix: no diff, file untouched.
	r = bsai(t, "", "", "template", "validate", "--actions", "builtin", "--fix", p)
	if r.out != "" || r.code != 0 || !strings.Contains(r.errOut, "fixed 0 problem(s)") {
		t.Errorf("second --fix: exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	// Usage errors.
	for _, args := range [][]string{{"--dry-run", p}, {"--fix", "-"}} {
		if r := bsai(t, "", "", append([]string{"template", "validate"}, args...)...); r.code != errs.ExitUsage {
			t.Errorf("%v: exit %d", args, r.code)
		}
	}
}

// -o sarif and -o github are output formats of template validate (the
// global -o used to reject them).
func TestCLIValidateCIFormats(t *testing.T) {
	p := testkit.WriteFile(t, t.TempDir(), "t.yaml", strings.Replace(okTemplate, "debug:log", "debug:lgo", 1))
	r := bsai(t, "", "", "-o", "sarif", "template", "validate", "--actions", "builtin", p)
	var sarif struct {
		Version string
		Runs    []struct{ Results []struct{ RuleID string } }
	}
	if err := json.Unmarshal([]byte(r.out), &sarif); err != nil || r.code != 0 || sarif.Version != "2.1.0" || sarif.Runs[0].Results[0].RuleID != "action-unknown" {
		t.Errorf("-o sarif: exit %d %v\n%s%s", r.code, err, r.out, r.errOut)
	}
	r = bsai(t, "", "", "-o", "github", "template", "validate", "--actions", "builtin", "--strict", p)
	if r.code != errs.ExitValidation || !regexp.MustCompile(`(?m)^::error file=.*t\.yaml,line=\d+,col=\d+,title=bsai action-unknown::`).MatchString(r.out) {
		t.Errorf("-o github: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	if r := bsai(t, "", "", "-o", "sarif", "catalog", "list"); r.code != errs.ExitUsage {
		t.Errorf("other commands must still reject -o sarif: exit %d", r.code)
	}
}

// mcp:call steps: the server must be in bsai's MCP config; with --live-mcp
// the real server is started and the tool and arguments are checked
// against its inputSchema; without, a note says they were not.
func TestCLIValidateMCPCall(t *testing.T) {
	ev := testkit.NPMServer(t, "server-everything")
	dir := t.TempDir()
	cfg, _ := json.Marshal(map[string]any{"mcpServers": map[string]any{"everything": map[string]any{"command": "node", "args": []string{ev}}}})
	mcpCfg := testkit.WriteFile(t, dir, "mcp.json", string(cfg))
	step := func(id, server, tool, args string) string {
		return "    - id: " + id + "\n      name: " + id + "\n      action: mcp:call\n      input:\n        server: " + server +
			"\n        tool: " + tool + "\n        arguments: " + args + "\n"
	}
	tpl := strings.Replace(okTemplate, "  steps:\n", "  steps:\n"+
		step("ok", "everything", "echo", "{message: '${{ parameters.name }}'}")+
		step("typo", "everything", "ecko", "{message: hi}")+
		step("args", "everything", "get-sum", "{a: 1, b: two}")+
		step("missing", "everything", "get-sum", "{a: 1}")+
		step("server", "everythin", "echo", "{message: hi}"), 1)
	p := testkit.WriteFile(t, dir, "t.yaml", tpl)

	r := bsai(t, "", "", "--mcp-config", mcpCfg, "template", "validate", "--actions", "builtin", "-o", "json", p)
	fs := findings(t, r.out)
	if fs["mcp-server"] != 1 || fs["mcp-unchecked"] != 4 || fs["mcp-tool"] != 0 || r.code != errs.ExitValidation {
		t.Errorf("without --live-mcp: exit %d, %v\n%s", r.code, fs, r.out)
	}
	if !strings.Contains(r.out, `did you mean \"everything\"?`) {
		t.Errorf("no did-you-mean for the server:\n%s", r.out)
	}

	r = bsai(t, "", "", "--mcp-config", mcpCfg, "template", "validate", "--actions", "builtin", "--live-mcp", "-o", "json", p)
	fs = findings(t, r.out)
	if fs["mcp-server"] != 1 || fs["mcp-tool"] != 1 || fs["mcp-arguments"] != 2 || fs["mcp-unchecked"] != 0 || r.code != errs.ExitValidation {
		t.Errorf("--live-mcp: exit %d, %v\n%s%s", r.code, fs, r.out, r.errOut)
	}
	for _, w := range []string{`server \"everything\" has no tool \"ecko\" (did you mean \"echo\"?)`, `everything/get-sum: expected number, got string`,
		`everything/get-sum: missing required input \"b\"`} {
		if !strings.Contains(r.out, w) {
			t.Errorf("lacks %s:\n%s", w, r.out)
		}
	}
	// --fix knows the misspelt tool too.
	r = bsai(t, "", "", "--mcp-config", mcpCfg, "template", "validate", "--actions", "builtin", "--live-mcp", "--fix", "--dry-run", p)
	if !strings.Contains(r.out, "-        tool: ecko\n+        tool: echo\n") {
		t.Errorf("--fix --live-mcp: %s\n%s", r.out, r.errOut)
	}
}

// findings counts findings per rule in a -o json report.
func findings(t *testing.T, out string) map[string]int {
	t.Helper()
	var rep struct {
		Files []struct {
			Findings []struct{ Rule string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	n := map[string]int{}
	for _, f := range rep.Files {
		for _, x := range f.Findings {
			n[x.Rule]++
		}
	}
	return n
}

// A broken MCP config does not stop validating templates without mcp:call
// steps; with one, it is the config error it is.
func TestCLIValidateMCPConfigOnlyWhenNeeded(t *testing.T) {
	dir := t.TempDir()
	bad := testkit.WriteFile(t, dir, "mcp.json", "{not json")
	p := testkit.WriteFile(t, dir, "t.yaml", okTemplate)
	if r := bsai(t, "", "", "--mcp-config", bad, "template", "validate", p); r.code != 0 {
		t.Errorf("no mcp:call step: exit %d\n%s", r.code, r.errOut)
	}
	call := strings.Replace(okTemplate, "      action: debug:log\n      input:\n        message: Hello ${{ parameters.name }}\n",
		"      action: mcp:call\n      input:\n        server: x\n        tool: y\n", 1)
	p = testkit.WriteFile(t, dir, "call.yaml", call)
	if r := bsai(t, "", "", "--mcp-config", bad, "template", "validate", p); r.code == 0 || r.code == errs.ExitValidation {
		t.Errorf("mcp:call with a broken MCP config: exit %d\n%s", r.code, r.errOut)
	}
}
