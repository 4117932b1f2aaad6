package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validateReport is the part of `bsai template validate -o json` read here.
type validateReport struct {
	Files []struct {
		Path     string `json:"path"`
		Valid    bool   `json:"valid"`
		Findings []struct {
			Severity, Rule, Message, Path string
		} `json:"findings"`
	} `json:"files"`
}

func (v validateReport) has(severity, rule, pathPart string) bool {
	for _, f := range v.Files {
		for _, fd := range f.Findings {
			if fd.Severity == severity && fd.Rule == rule && strings.Contains(fd.Path, pathPart) {
				return true
			}
		}
	}
	return false
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const badTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: bad-template
  title: Bad template
spec:
  owner: platform-team
  type: service
  steps:
    - id: nope
      name: Not an action of this backend
      action: acme:does-not-exist
    - id: wait
      name: Wait
      action: debug:wait
      input:
        seconds: "a while"
`

// liveOnlyTemplate uses an action this backend registers through its
// actions registry (catalog:get-catalog-entity) but that is not a Backstage
// built-in: only the live list knows it and its input schema (name is
// required).
const liveOnlyTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: live-only
  title: Uses a live-only action
spec:
  owner: platform-team
  type: service
  steps:
    - id: get
      name: Get an entity
      action: catalog:get-catalog-entity
      input:
        kind: Component
`

// TestE2ETemplateValidate checks templates against the backend's live
// action list and the actions' JSON Schema inputs.
func TestE2ETemplateValidate(t *testing.T) {
	e := need(t)
	dir := t.TempDir()
	validate := func(t *testing.T, wantCode int, args ...string) validateReport {
		t.Helper()
		r := e.Bsai(t, append(append(e.Remote(), "template", "validate", "-o", "json"), args...)...)
		if r.Code != wantCode {
			t.Fatalf("want exit %d\n%s", wantCode, r)
		}
		var rep validateReport
		if err := json.Unmarshal([]byte(r.Stdout), &rep); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		return rep
	}

	t.Run("registered templates are valid", func(t *testing.T) {
		// The templates this backend runs (debug actions only) must pass.
		rep := validate(t, 0, filepath.Join(e.Root, "test", "e2e", "backstage", "templates"),
			filepath.Join(e.Root, "examples", "templates", "rollback-release"))
		if len(rep.Files) < 3 {
			t.Fatalf("validated %d files", len(rep.Files))
		}
	})

	t.Run("unknown action and bad input", func(t *testing.T) {
		rep := validate(t, 3, writeFile(t, dir, "bad.yaml", badTemplate))
		if !rep.has("error", "action-unknown", "steps[0]") {
			t.Errorf("unknown action not reported as an error: %+v", rep)
		}
		if !rep.has("error", "action-input", "steps[1].input.seconds") {
			t.Errorf("debug:wait seconds as a string not caught by the live schema: %+v", rep)
		}
	})

	t.Run("live-only action schema", func(t *testing.T) {
		p := writeFile(t, dir, "live.yaml", liveOnlyTemplate)
		rep := validate(t, 3, p)
		if !rep.has("error", "action-input", "steps[0]") {
			t.Errorf("missing required input of a live action not caught: %+v", rep)
		}
		// The built-in catalogue does not know the action: a warning, not
		// the live schema's error, which shows the live list was used above.
		rep = validate(t, 0, "--actions", "builtin", p)
		if !rep.has("warning", "action-unknown", "steps[0]") {
			t.Errorf("builtin catalogue: want an action-unknown warning: %+v", rep)
		}
	})
}

// TestE2ETemplateGenerate drafts a template offline from a template this
// backend serves, validates it against the live actions, and dry-runs it
// through POST /api/scaffolder/v2/dry-run.
func TestE2ETemplateGenerate(t *testing.T) {
	e := need(t)
	live := e.liveActions(t)
	out := filepath.Join(t.TempDir(), "generated.yaml")
	var res struct {
		Valid     bool `json:"valid"`
		Mode      string
		Citations struct {
			ReferenceTemplates []string `json:"referenceTemplates"`
			ActionsUsed        []string `json:"actionsUsed"`
		} `json:"citations"`
		DryRun *struct {
			Log []struct {
				Body struct {
					Message, StepID, Status string
				} `json:"body"`
			} `json:"log"`
			Steps []struct {
				ID string `json:"id"`
			} `json:"steps"`
		} `json:"dryRun"`
	}
	e.JSON(t, &res, append(e.Remote(), "--offline", "template", "generate", "roll back a release of a service",
		"--ref", "template:default/rollback-deployment", "--dry-run", "--out", out)...)
	if !res.Valid || res.Mode != "offline" {
		t.Fatalf("valid %v, mode %q", res.Valid, res.Mode)
	}
	if len(res.Citations.ReferenceTemplates) == 0 || len(res.Citations.ActionsUsed) == 0 {
		t.Fatalf("no citations: %+v", res.Citations)
	}
	for _, ref := range res.Citations.ReferenceTemplates {
		var ent rawEntity
		// Each cited reference template exists in this Backstage.
		e.Get(t, "/api/catalog/entities/by-name/"+strings.Replace(ref, ":", "/", 1), &ent)
	}
	for _, a := range res.Citations.ActionsUsed {
		if !live[a] {
			t.Errorf("generated template uses %s, which the backend does not have", a)
		}
	}
	if res.DryRun == nil || len(res.DryRun.Steps) == 0 {
		t.Fatalf("no dry-run result")
	}
	completed := map[string]bool{}
	for _, l := range res.DryRun.Log {
		if l.Body.Status == "completed" {
			completed[l.Body.StepID] = true
		}
	}
	for _, s := range res.DryRun.Steps {
		if !completed[s.ID] {
			t.Errorf("dry run: step %s did not complete; log %+v", s.ID, res.DryRun.Log)
		}
	}
	// What --out wrote passes validation against the live actions.
	r := e.Bsai(t, append(e.Remote(), "template", "validate", out)...)
	if r.Code != 0 {
		t.Errorf("generated template does not validate\n%s", r)
	}
}

// TestE2ETemplateGenerateLiveActions: with a backend configured, the
// composed template uses only actions the backend lists (GET
// /api/scaffolder/v2/actions); a needed action it lacks is named in a
// note and left out, and what is written validates against the live list
// and dry-runs on the backend.
func TestE2ETemplateGenerateLiveActions(t *testing.T) {
	e := need(t)
	live := e.liveActions(t)
	for _, req := range []struct{ text, publish string }{
		{"a Python FastAPI service published to GitLab, with a Sentry project", "publish:gitlab"},
		{"a Go service on GitHub with an Argo CD application", "publish:github"},
	} {
		out := filepath.Join(t.TempDir(), "generated.yaml")
		var res struct {
			Valid     bool     `json:"valid"`
			Notes     []string `json:"notes"`
			Citations struct {
				ActionsUsed []string `json:"actionsUsed"`
			} `json:"citations"`
		}
		e.JSON(t, &res, append(e.Remote(), "--offline", "template", "generate", req.text, "--actions", "live", "--out", out)...)
		if !res.Valid {
			t.Fatalf("%q: invalid", req.text)
		}
		notes := strings.Join(res.Notes, "\n")
		t.Logf("%q: actions %v; notes:\n%s", req.text, res.Citations.ActionsUsed, notes)
		for _, a := range res.Citations.ActionsUsed {
			if !live[a] {
				t.Errorf("%q uses %s, which the backend does not list", req.text, a)
			}
		}
		if !live[req.publish] && (!strings.Contains(notes, req.publish+" is not available") || slicesContains(res.Citations.ActionsUsed, req.publish)) {
			t.Errorf("%q: %s is not live; want a note and no such step; notes %q, actions %v", req.text, req.publish, notes, res.Citations.ActionsUsed)
		}
		if !live["argocd:create-resources"] && strings.Contains(req.text, "Argo") && !strings.Contains(notes, "Argo CD") {
			t.Errorf("%q: no note about Argo CD: %q", req.text, notes)
		}
		if r := e.Bsai(t, append(e.Remote(), "template", "validate", "--actions", "live", out)...); r.Code != 0 {
			t.Errorf("%q: generated template does not validate against the live list\n%s", req.text, r)
		}
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
