package root

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// clearEnv unsets the BSAI_* variables viper reads, so a developer's shell
// cannot change these tests.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"BSAI_CONFIG", "BSAI_OUTPUT", "BSAI_CATALOG", "BSAI_TOKEN", "BACKSTAGE_TOKEN", "BSAI_PROVIDER",
		"BSAI_MODEL", "BSAI_MCP_CONFIG", "BSAI_OFFLINE", "BSAI_VERBOSE", "BSAI_NO_COLOR", "BSAI_REFRESH"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "APP_CONFIG_") {
			k, _, _ := strings.Cut(kv, "=")
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Chdir(t.TempDir()) // no app-config.yaml around
	// nor a per-user one
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
}

type result struct {
	code        int
	out, errOut string
}

// run executes bsai with args the way Main does (tree, then Report) but with
// test streams, and returns the exit code and both streams.
func run(t *testing.T, args ...string) result {
	t.Helper()
	f := factory.New("1.2.3", "abc123", "2026-01-02")
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	code := Execute(context.Background(), f, args)
	return result{code, out.String(), errOut.String()}
}

func TestNoConfigNeeded(t *testing.T) {
	for _, broken := range []bool{false, true} {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--help"}, "brings AI into Backstage"},
			{[]string{"config", "--help"}, "show"},
			{[]string{"version"}, "bsai 1.2.3 (commit abc123, built 2026-01-02"},
			{[]string{"--version"}, "bsai 1.2.3"},
			{[]string{"completion", "bash"}, "bash completion"},
			{[]string{"completion", "zsh"}, "zsh completion"},
		} {
			t.Run(fmt.Sprintf("%v broken=%v", tc.args, broken), func(t *testing.T) {
				clearEnv(t)
				if broken {
					t.Setenv("BSAI_CONFIG", filepath.Join(t.TempDir(), "missing.yaml"))
					if err := os.WriteFile("app-config.yaml", []byte("a: [\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				r := run(t, tc.args...)
				if r.code != 0 {
					t.Fatalf("exit %d, stderr %q", r.code, r.errOut)
				}
				if !strings.Contains(r.out, tc.want) {
					t.Errorf("stdout lacks %q:\n%s", tc.want, r.out)
				}
			})
		}
	}
}

func TestVersionJSON(t *testing.T) {
	clearEnv(t)
	r := run(t, "version", "-o", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("not json: %v\n%s", err, r.out)
	}
	if v["version"] != "1.2.3" || v["commit"] != "abc123" || v["date"] != "2026-01-02" {
		t.Errorf("version json = %v", v)
	}
}

func TestBrokenConfigFailsOnlyCommandsThatNeedIt(t *testing.T) {
	clearEnv(t)
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	t.Setenv("BSAI_CONFIG", missing)
	r := run(t, "config", "show")
	if r.code != errs.ExitConfig {
		t.Fatalf("exit %d, want 4; stderr %q", r.code, r.errOut)
	}
	if !strings.Contains(r.errOut, "error: config file "+missing+" not found") || !strings.Contains(r.errOut, "hint: ") {
		t.Errorf("stderr = %q", r.errOut)
	}
	if r.out != "" {
		t.Errorf("stdout on error: %q", r.out)
	}
}

func TestConfigSyntaxErrorExit4WithFileAndLine(t *testing.T) {
	clearEnv(t)
	if err := os.WriteFile("app-config.yaml", []byte("backend:\n  baseUrl: x\n   bad: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, "config", "show")
	if r.code != errs.ExitConfig || !strings.Contains(r.errOut, "app-config.yaml:3: yaml syntax error") {
		t.Errorf("exit %d, stderr %q", r.code, r.errOut)
	}
}

func TestConfigFilesFromFlagsAndEnv(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	os.WriteFile(a, []byte("x: a\ny: a\n"), 0o644)
	os.WriteFile(b, []byte("y: b\n"), 0o644)
	os.WriteFile("app-config.yaml", []byte("x: default\n"), 0o644)

	r := run(t, "config", "show", "-o", "json")
	if r.code != 0 || !strings.Contains(r.out, `"x": "default"`) {
		t.Errorf("default file: exit %d out %q err %q", r.code, r.out, r.errOut)
	}
	r = run(t, "-c", a, "--config", b, "config", "show", "-o", "json")
	if r.code != 0 || !strings.Contains(r.out, `"x": "a"`) || !strings.Contains(r.out, `"y": "b"`) {
		t.Errorf("-c a -c b: exit %d out %q err %q", r.code, r.out, r.errOut)
	}
	r = run(t, "-c", b, "-c", a, "config", "show", "-o", "json")
	if !strings.Contains(r.out, `"y": "a"`) {
		t.Errorf("-c b -c a: later file should win: %q", r.out)
	}
	t.Setenv("BSAI_CONFIG", a+string(os.PathListSeparator)+b)
	r = run(t, "config", "show", "-o", "json", "-v")
	if r.code != 0 || !strings.Contains(r.out, `"y": "b"`) {
		t.Errorf("BSAI_CONFIG list: exit %d out %q err %q", r.code, r.out, r.errOut)
	}
	if !strings.Contains(r.errOut, "1. "+a) || !strings.Contains(r.errOut, "2. "+b) {
		t.Errorf("-v should list files: %q", r.errOut)
	}
	// The flag wins over the environment.
	r = run(t, "-c", b, "config", "show", "-o", "json")
	if strings.Contains(r.out, `"x"`) {
		t.Errorf("--config should replace BSAI_CONFIG: %q", r.out)
	}
	t.Setenv("APP_CONFIG_x", "from-env")
	r = run(t, "config", "show", "-o", "json")
	if !strings.Contains(r.out, `"x": "from-env"`) {
		t.Errorf("APP_CONFIG_ override not applied at the edge: %q", r.out)
	}
}

// BSAI_* variables reach the globals through viper: BSAI_CONFIG split like
// PATH only (spaces and commas stay inside a path), booleans as viper
// reads them, and a value that is not a boolean is a usage error rather
// than silently false.
func TestGlobalsFromEnvironment(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "my configs, v2")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a b.yaml"), filepath.Join(dir, "b,c.yaml")
	os.WriteFile(a, []byte("x: a\n"), 0o644)
	os.WriteFile(b, []byte("y: b\n"), 0o644)
	sep := string(os.PathListSeparator)
	t.Setenv("BSAI_CONFIG", a+sep+sep+b)
	t.Setenv("BSAI_OUTPUT", "json")
	r := run(t, "config", "show")
	if r.code != 0 || !strings.Contains(r.out, `"x": "a"`) || !strings.Contains(r.out, `"y": "b"`) {
		t.Errorf("BSAI_CONFIG with spaces and commas: exit %d out %q err %q", r.code, r.out, r.errOut)
	}
	t.Setenv("BSAI_VERBOSE", "1")
	if r = run(t, "config", "show"); !strings.Contains(r.errOut, "1. "+a) {
		t.Errorf("BSAI_VERBOSE=1: %q", r.errOut)
	}
	t.Setenv("BSAI_VERBOSE", "maybe")
	if r = run(t, "config", "show"); r.code != errs.ExitUsage || !strings.Contains(r.errOut, "BSAI_") {
		t.Errorf("BSAI_VERBOSE=maybe: exit %d err %q", r.code, r.errOut)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"unknown output format", "", []string{"-o", "xml", "version"}, `unknown output format "xml"`},
		{"unknown output format from env", "xml", []string{"version"}, `unknown output format "xml"`},
		{"unknown command", "", []string{"frobnicate"}, "unknown command"},
		{"unknown flag", "", []string{"version", "--nope"}, "unknown flag"},
		{"extra argument", "", []string{"version", "extra"}, "unknown command"},
		{"config show extra argument", "", []string{"config", "show", "extra"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			if tc.env != "" {
				t.Setenv("BSAI_OUTPUT", tc.env)
			}
			r := run(t, tc.args...)
			if r.code != errs.ExitUsage {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.errOut)
			}
			if !strings.Contains(r.errOut, "error: ") || !strings.Contains(r.errOut, tc.want) || !strings.Contains(r.errOut, "hint: ") {
				t.Errorf("stderr = %q, want %q and a hint", r.errOut, tc.want)
			}
			if strings.Count(r.errOut, "error: ") != 1 {
				t.Errorf("error printed more than once: %q", r.errOut)
			}
		})
	}
}

// TestNoStubCommands: every command in the tree does what it says (the
// stub helper for commands that had not landed is gone).
func TestNoStubCommands(t *testing.T) {
	clearEnv(t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if strings.Contains(strings.ToLower(sub.Short+sub.Long), "not implemented") {
				t.Errorf("%s is a stub: %q", sub.CommandPath(), sub.Short)
			}
			walk(sub)
		}
	}
	walk(NewCmdRoot(factory.New("v", "c", "d")))
}

func TestReportExitCodes(t *testing.T) {
	wrapped := fmt.Errorf("loading: %w", errs.Config("bad token").WithHint("set BACKSTAGE_TOKEN"))
	for _, tc := range []struct {
		name     string
		err      error
		code     int
		stderr   string
		noStderr bool
	}{
		{"plain error", errors.New("boom"), 1, "error: boom\n", false},
		{"failure kind", errs.Failure("nope"), 1, "error: nope\n", false},
		{"not found", errs.NotFound("entity x not found"), 1, "error: entity x not found\n", false},
		{"upstream", errs.Upstream("backstage returned 500"), 1, "error: backstage returned 500\n", false},
		{"usage", errs.Usage("bad flag"), 2, "error: bad flag\nhint: run with --help for usage\n", false},
		{"cobra arg error", errors.New(`accepts 0 arg(s), received 1`), 2, "hint: run with --help", false},
		{"validation", errs.Validation("3 findings"), 3, "error: 3 findings\n", false},
		{"config", errs.Config("no backend").WithHint("set backend.baseUrl"), 4, "error: no backend\nhint: set backend.baseUrl\n", false},
		{"wrapped config keeps kind and hint", wrapped, 4, "error: loading: bad token\nhint: set BACKSTAGE_TOKEN\n", false},
		{"silent validation", errs.Validation("shown").Silenced(), 3, "", true},
		{"interrupted kind", errs.Wrap(errs.KindInterrupted, errors.New("x"), ""), 130, "interrupted\n", false},
		{"context canceled", fmt.Errorf("call: %w", context.Canceled), 130, "interrupted\n", false},
		{"multi-line message is cut to one line", errors.New("first\nsecond"), 1, "error: first …\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := factory.New("v", "c", "d")
			ios, _, _, errOut := iostreams.Test()
			f.IOStreams = ios
			if code := Report(f, tc.err); code != tc.code {
				t.Errorf("code %d, want %d", code, tc.code)
			}
			if tc.noStderr && errOut.Len() != 0 {
				t.Errorf("silent error printed %q", errOut.String())
			}
			if !tc.noStderr && !strings.Contains(errOut.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tc.stderr)
			}
		})
	}
}

func TestBSAIConfigPathWithSpaces(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "my configs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(dir, "app config.yaml")
	os.WriteFile(a, []byte("x: spaced\n"), 0o644)
	t.Setenv("BSAI_CONFIG", a)
	r := run(t, "config", "show", "-o", "json")
	if r.code != 0 || !strings.Contains(r.out, `"x": "spaced"`) {
		t.Errorf("exit %d out %q err %q", r.code, r.out, r.errOut)
	}
}
