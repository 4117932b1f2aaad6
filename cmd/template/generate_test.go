package template

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func exampleSource() catalog.Source {
	return catalog.NewFilesSource("../../examples/catalog", "../../examples/templates")
}

func badTemplate() map[string]any {
	return map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
		"metadata": map[string]any{"name": "bad", "title": "Bad", "description": "d"},
		"spec": map[string]any{"owner": "group:default/sre-team", "type": "runbook", "parameters": []any{},
			"steps": []any{map[string]any{"id": "a", "name": "A", "action": "debug:log", "input": map[string]any{"message": "${{ steps.b.output.x }}"}},
				map[string]any{"id": "b", "name": "B", "action": "debug:log"}}},
	}
}

func TestGenerateBudgetExhaustedExit3NoFile(t *testing.T) {
	srv := llmtest.New(t, llmtest.JSON(badTemplate()), llmtest.JSON(badTemplate()))
	f, _, out, errOut := testFactory(t, nil)
	f.LLM = func(string) (llm.Provider, error) { return srv.Provider(), nil }
	dest := filepath.Join(t.TempDir(), "t.yaml")
	err := RunGenerate(&GenerateOptions{Factory: f, Ctx: context.Background(), Description: "bad", Out: dest, MaxRepairs: 1})
	if errs.ExitCode(err) != errs.ExitValidation || !errs.IsSilent(err) {
		t.Fatalf("want exit 3, got %v", err)
	}
	if _, statErr := os.Stat(dest); !os.IsNotExist(statErr) {
		t.Fatal("--out was written for an invalid template")
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "step-ref") || !strings.Contains(errOut.String(), "not written") {
		t.Fatalf("stdout %q\nstderr %s", out.String(), errOut.String())
	}
}

func TestGenerateOfflineRefAndOut(t *testing.T) {
	f, _, out, _ := testFactory(t, nil)
	f.LLM = func(string) (llm.Provider, error) { return nil, llm.ErrNoModel }
	f.CatalogSource = func() (catalog.Source, error) { return exampleSource(), nil }
	f.Globals.Output = "json"
	dest := filepath.Join(t.TempDir(), "t.yaml")
	err := RunGenerate(&GenerateOptions{Factory: f, Description: "docs for the payments team", Refs: []string{"template:acme-docs-site"}, Out: dest, Owner: "group:default/payments-team"})
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		YAML      string
		Template  map[string]any
		Citations struct{ ReferenceTemplates, ActionsUsed []string }
		Warnings  []any
		Mode      string
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	written, _ := os.ReadFile(dest)
	if res.Mode != "offline" || string(written) != res.YAML || res.Citations.ReferenceTemplates[0] != "template:default/acme-docs-site" ||
		strings.Join(res.Citations.ActionsUsed, ",") != "fetch:template,publish:github,catalog:register" {
		t.Fatalf("result %+v", res)
	}
	// A ref that is not a Template, and one that does not exist.
	for ref, code := range map[string]int{"group:default/payments-team": errs.ExitUsage, "template:default/nope": errs.ExitFailure} {
		err := RunGenerate(&GenerateOptions{Factory: f, Description: "x", Refs: []string{ref}})
		if errs.ExitCode(err) != code {
			t.Errorf("--ref %s: exit %d (%v)", ref, errs.ExitCode(err), err)
		}
	}
}

func TestGenerateDryRun(t *testing.T) {
	var body map[string]any
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/scaffolder/v2/actions":
			http.Error(w, "boom", http.StatusNotFound) // auto mode falls back to built-ins
		case r.Method == "POST" && r.URL.Path == "/api/scaffolder/v2/dry-run":
			_ = json.NewDecoder(r.Body).Decode(&body)
			_, _ = w.Write([]byte(`{"log":[{"body":{"message":"Rolling back","stepId":"announce","status":"processing"}},{"body":{"message":"","stepId":"announce","status":"completed"}}],"output":{"text":[]},"steps":[{"id":"announce"}],"directoryContents":[]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer be.Close()
	f, _, out, errOut := testFactory(t, nil)
	f.LLM = func(string) (llm.Provider, error) { return nil, llm.ErrNoModel }
	f.Backstage = func() (*backstage.Client, error) { return backstage.New(be.URL, "", be.Client()), nil }
	f.CatalogSource = func() (catalog.Source, error) { return exampleSource(), nil }
	err := RunGenerate(&GenerateOptions{Factory: f, Description: "roll back", Refs: []string{"template:default/acme-rollback-release"}, DryRun: true,
		DryRunDir: "../../examples/templates/rollback-release", Values: []string{"service=component:default/ledger"}})
	if err != nil {
		t.Fatal(err, errOut.String())
	}
	if body == nil || body["template"] == nil || body["values"] == nil || body["directoryContents"] == nil {
		t.Fatalf("dry-run body %v", body)
	}
	vals := body["values"].(map[string]any)
	if vals["service"] != "component:default/ledger" || vals["environment"] != "production" || vals["reason"] != "dry-run" {
		t.Errorf("values %v", vals)
	}
	files := body["directoryContents"].([]any)
	f0 := files[0].(map[string]any)
	if dec, _ := base64.StdEncoding.DecodeString(f0["base64Content"].(string)); f0["path"] != "template.yaml" || !strings.Contains(string(dec), "acme-rollback-release") {
		t.Errorf("directoryContents %v", f0["path"])
	}
	if !strings.Contains(errOut.String(), "[announce] Rolling back") || !strings.Contains(out.String(), "kind: Template") {
		t.Errorf("stdout %s\nstderr %s", out.String(), errOut.String())
	}
}

func TestGenerateShowPrompt(t *testing.T) {
	f, _, out, _ := testFactory(t, nil)
	f.LLM = func(string) (llm.Provider, error) { return nil, llm.ErrNoModel }
	f.CatalogSource = func() (catalog.Source, error) { return exampleSource(), nil }
	err := RunGenerate(&GenerateOptions{Factory: f, Description: "node service", Refs: []string{"template:default/acme-node-service"}, ShowPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{`"role": "system"`, "acme-node-service", "publish:github", `"json_schema"`} {
		if !strings.Contains(s, want) {
			t.Errorf("prompt lacks %q", want)
		}
	}
}
