package template

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

func testFactory(t *testing.T, cfg map[string]any) (*factory.Factory, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	f := &factory.Factory{
		IOStreams: ios,
		Globals:   &factory.GlobalOptions{Output: "text"},
		Config:    func() (*config.Config, error) { return config.FromMap(cfg), nil },
		Backstage: func() (*backstage.Client, error) { return nil, errs.Config("no backstage backend configured") },
	}
	return f, in, out, errOut
}

const mcpTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: mcp-demo
spec:
  owner: group:default/sre-team
  type: service
  steps:
    - id: call
      action: mcp:call
      input:
        server: github
`

func TestValidateConfigActionsAndExit(t *testing.T) {
	cfg := map[string]any{"bsai": map[string]any{"scaffolder": map[string]any{"actions": []any{
		map[string]any{"id": "mcp:call", "input": map[string]any{"type": "object", "required": []any{"server", "tool"},
			"properties": map[string]any{"server": map[string]any{"type": "string"}, "tool": map[string]any{"type": "string"}}}},
	}}}}
	f, in, out, _ := testFactory(t, cfg)
	in.WriteString(mcpTemplate)
	err := RunValidate(&ValidateOptions{Factory: f, Ctx: context.Background(), Paths: []string{"-"}, Format: "json"})
	if errs.ExitCode(err) != errs.ExitValidation || !errs.IsSilent(err) {
		t.Fatalf("want silent exit 3, got %v", err)
	}
	var rep struct {
		Files []struct {
			Path     string
			Valid    bool
			Findings []struct {
				Severity, Rule, Message, Path string
				Line, Column                  int
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err, out.String())
	}
	if len(rep.Files) != 1 || rep.Files[0].Valid || len(rep.Files[0].Findings) != 1 {
		t.Fatalf("report %s", out.String())
	}
	fd := rep.Files[0].Findings[0]
	if fd.Rule != "action-input" || !strings.Contains(fd.Message, `"tool"`) || fd.Line != 11 {
		t.Fatalf("finding %+v", fd)
	}
}

func TestValidateStrictAndFormats(t *testing.T) {
	// An unknown action is only a warning offline: exit 0, or 3 with --strict.
	doc := strings.Replace(mcpTemplate, "mcp:call", "acme:deploy", 1)
	for _, tc := range []struct {
		strict bool
		format string
		code   int
		want   string
	}{
		{false, "text", 0, "warning action-unknown"},
		{true, "github", 3, "::error file=-,line=10,col=15,title=bsai action-unknown::"},
		{false, "sarif", 0, `"version": "2.1.0"`},
	} {
		f, in, out, _ := testFactory(t, nil)
		in.WriteString(doc)
		err := RunValidate(&ValidateOptions{Factory: f, Paths: []string{"-"}, Format: tc.format, Strict: tc.strict})
		if errs.ExitCode(err) != tc.code {
			t.Errorf("%+v: exit %d (%v)", tc, errs.ExitCode(err), err)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%+v: output lacks %q:\n%s", tc, tc.want, out.String())
		}
	}
	f, _, _, _ := testFactory(t, nil)
	if err := RunValidate(&ValidateOptions{Factory: f, Paths: []string{"does-not-exist.yaml"}}); errs.ExitCode(err) != errs.ExitUsage {
		t.Errorf("missing file: %v", err)
	}
	if err := RunValidate(&ValidateOptions{Factory: f, Paths: []string{"-"}, Format: "xml"}); errs.ExitCode(err) != errs.ExitUsage {
		t.Errorf("bad format: %v", err)
	}
}
