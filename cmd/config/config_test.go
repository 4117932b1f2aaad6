package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/internal/golden"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// env is the fixed environment of the golden run: some variables set, some
// secret-looking, some deliberately unset (GHE_TOKEN, OPENAI_MODEL).
var env = []string{
	"BACKEND_HOST=backstage.internal",
	"GITHUB_TOKEN=ghp_realtoken",
	"OPENAI_API_KEY=sk-realkey",
	"DB_HOST=db.internal",
	"DB_PASSWORD=hunter2",
	"APP_CONFIG_backend_listen_port=7100",
	"APP_CONFIG_bsai_ai_default=\"local\"",
}

func testFactory(t *testing.T, output string, verbose bool, files ...string) (*factory.Factory, *strings.Builder, *strings.Builder) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	ios.SetVerbose(verbose)
	f := &factory.Factory{IOStreams: ios, Globals: &factory.GlobalOptions{Output: output, ConfigFiles: files, Verbose: verbose}}
	f.Config = func() (*config.Config, error) {
		return config.Load(config.LoadOptions{Files: f.Globals.ConfigFiles, Dir: t.TempDir(), Env: env})
	}
	o, e := &strings.Builder{}, &strings.Builder{}
	ios.Out, ios.ErrOut = o, e
	return f, o, e
}

var twoFiles = []string{"testdata/two-files/app-config.yaml", "testdata/two-files/app-config.local.yaml"}

func TestShowGolden(t *testing.T) {
	for _, tc := range []struct{ format, golden string }{
		{"text", "show.yaml"},
		{"yaml", "show.yaml"},
		{"json", "show.json"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			f, out, errOut := testFactory(t, tc.format, false, twoFiles...)
			if err := RunShow(&ShowOptions{Factory: f}); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tc.golden), []byte(out.String()))
			if errOut.Len() != 0 {
				t.Errorf("stderr without -v: %q", errOut.String())
			}
			for _, secret := range []string{"ghp_realtoken", "sk-realkey", "hunter2"} {
				if strings.Contains(out.String(), secret) {
					t.Errorf("output leaks %q", secret)
				}
			}
		})
	}
}

func TestShowVerboseListsFiles(t *testing.T) {
	f, out, errOut := testFactory(t, "yaml", true, twoFiles...)
	if err := RunShow(&ShowOptions{Factory: f}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "show.verbose.txt"), []byte(errOut.String()))
	if out.Len() == 0 {
		t.Error("no config printed with -v")
	}
}

func TestShowNoConfigFiles(t *testing.T) {
	f, out, errOut := testFactory(t, "json", true)
	if err := RunShow(&ShowOptions{Factory: f}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "no config files found") {
		t.Errorf("stderr = %q", errOut.String())
	}
	// Only the APP_CONFIG_ overrides remain.
	if !strings.Contains(out.String(), `"port": 7100`) {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestShowErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("a:\n  b: {$secret: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		output string
		files  []string
		code   int
		msg    string
	}{
		{"missing file", "yaml", []string{filepath.Join(dir, "nope.yaml")}, errs.ExitConfig, "not found"},
		{"unknown directive", "yaml", []string{bad}, errs.ExitConfig, "bad.yaml:2: a.b: unknown directive $secret"},
		{"unknown format", "markdown", twoFiles, errs.ExitUsage, "unknown output format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, out, _ := testFactory(t, tc.output, false, tc.files...)
			err := RunShow(&ShowOptions{Factory: f})
			if err == nil {
				t.Fatal("no error")
			}
			if code := errs.ExitCode(err); code != tc.code {
				t.Errorf("exit %d, want %d (%v)", code, tc.code, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
			if out.Len() != 0 {
				t.Errorf("stdout on error: %q", out.String())
			}
		})
	}
}

func TestNewCmdShowCallsRunF(t *testing.T) {
	f, _, _ := testFactory(t, "yaml", false)
	var got *ShowOptions
	cmd := NewCmdShow(f, func(o *ShowOptions) error { got = o; return nil })
	cmd.SetArgs([]string{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Factory != f {
		t.Fatal("runF not called with the factory")
	}
	cmd = NewCmdShow(f, func(o *ShowOptions) error { return nil })
	cmd.SetArgs([]string{"extra"})
	cmd.SetErr(&strings.Builder{})
	if err := cmd.Execute(); err == nil {
		t.Error("extra argument accepted")
	}
}
