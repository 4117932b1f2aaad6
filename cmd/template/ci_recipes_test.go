package template_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"gopkg.in/yaml.v3"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// bsaiBinary builds bsai once for the recipe tests (they run it the way
// the GitHub action and the pre-commit hook do: as a program on PATH).
func bsaiBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bsai-recipes-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin, buildErr = testkit.BsaiBinary(dir)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func recipeTemplates(t *testing.T) (good, bad string) {
	dir := t.TempDir()
	good = filepath.Join(dir, "good")
	bad = filepath.Join(dir, "bad")
	testkit.WriteFile(t, good, "svc/template.yaml", okTemplate)
	testkit.WriteFile(t, bad, "svc/template.yaml", strings.Replace(okTemplate, "parameters.name", "parameters.nmae", 1))
	return good, bad
}

// The composite action parses, installs the module this repository is,
// and its validate step (run with bash, as the runner does, with a freshly
// built bsai on PATH) passes good templates, fails bad ones with GitHub
// annotations, and fails on a path that holds nothing.
func TestGitHubActionRecipe(t *testing.T) {
	data, err := os.ReadFile("../../.github/actions/template-validate/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Name   string
		Inputs map[string]struct{ Default string }
		Runs   struct {
			Using string
			Steps []struct {
				Name, Run, Shell, Uses string
				Env                    map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" || action.Inputs["paths"].Default == "" {
		t.Fatalf("not a composite action with a paths input: %+v", action)
	}
	mod, _ := os.ReadFile("../../go.mod")
	module := strings.Fields(strings.SplitN(string(mod), "\n", 2)[0])[1]
	var install, validate string
	var env map[string]string
	for _, s := range action.Runs.Steps {
		if s.Uses == "" && s.Shell != "bash" {
			t.Errorf("step %q: shell %q, want bash", s.Name, s.Shell)
		}
		if strings.Contains(s.Run, "go install") {
			install = s.Run
		}
		if strings.Contains(s.Run, "bsai ") {
			validate, env = s.Run, s.Env
		}
	}
	if !strings.Contains(install, `go install "`+module+"@") {
		t.Errorf("install step %q does not install %s", install, module)
	}
	if _, err := os.Stat("../../main.go"); err != nil {
		t.Errorf("the module root has no main package to install: %v", err)
	}
	if validate == "" || regexp.MustCompile(`\$\{\{`).MatchString(validate) {
		t.Fatalf("validate step must exist and read inputs from env, not ${{ }}: %q", validate)
	}
	bin := bsaiBinary(t)
	good, bad := recipeTemplates(t)
	run := func(paths, strict string) (int, string) {
		cmd := exec.Command("bash", "-e", "-c", validate)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
			"XDG_CACHE_HOME="+t.TempDir())
		for k, v := range env {
			v = strings.NewReplacer("${{ inputs.paths }}", paths, "${{ inputs.strict }}", strict,
				"${{ inputs.actions }}", action.Inputs["actions"].Default).Replace(v)
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		return testkit.ExitCode(t, cmd.Run()), out.String()
	}
	if code, out := run(good, "true"); code != 0 {
		t.Errorf("good templates: exit %d\n%s", code, out)
	}
	if code, out := run(good+" "+filepath.Join(bad, "**", "template.yaml"), "false"); code != 3 || !strings.Contains(out, "::error file=") {
		t.Errorf("bad template: exit %d\n%s", code, out)
	}
	if code, out := run(filepath.Join(good, "nope"), "false"); code != 2 {
		t.Errorf("missing path: exit %d\n%s", code, out)
	}
}

// The pre-commit hook entry parses and its command, run as pre-commit runs
// it (entry + args + the staged file names), works.
func TestPreCommitHookRecipe(t *testing.T) {
	data, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID, Entry, Language, Files string
		Args                       []string
		PassFilenames              *bool `yaml:"pass_filenames"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].ID != "bsai-template-validate" || hooks[0].Language != "golang" {
		t.Fatalf("hooks %+v", hooks)
	}
	h := hooks[0]
	argv := strings.Fields(h.Entry)
	if argv[0] != "bsai" || !strings.Contains(h.Entry, "template validate -o github") {
		t.Fatalf("entry %q", h.Entry)
	}
	files := regexp.MustCompile(h.Files)
	good, bad := recipeTemplates(t)
	gf, bf := filepath.Join(good, "svc", "template.yaml"), filepath.Join(bad, "svc", "template.yaml")
	if !files.MatchString(gf) || files.MatchString(filepath.Join(good, "catalog-info.yaml")) {
		t.Errorf("files pattern %q", h.Files)
	}
	bin := bsaiBinary(t)
	for file, want := range map[string]int{gf: 0, bf: 3} {
		cmd := exec.Command(bin, append(append(argv[1:], h.Args...), file)...)
		cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if code := testkit.ExitCode(t, err); code != want {
			t.Errorf("%s: exit %d, want %d\n%s", file, code, want, out)
		}
	}
}
