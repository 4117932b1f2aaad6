package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// task is the part of a scaffolder task read here.
type task struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Spec   struct {
		TemplateInfo struct {
			EntityRef string `json:"entityRef"`
		} `json:"templateInfo"`
		Parameters map[string]any `json:"parameters"`
	} `json:"spec"`
}

// runTask starts a template on the backend directly (as CI or a person in
// the UI would) and waits for it to finish.
func (e *Env) runTask(t *testing.T, templateRef string, values map[string]any) task {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"templateRef": templateRef, "values": values})
	req, _ := http.NewRequest(http.MethodPost, e.BaseURL+"/api/scaffolder/v2/tasks", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created struct{ ID string }
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK || json.Unmarshal(data, &created) != nil || created.ID == "" {
		t.Fatalf("POST /api/scaffolder/v2/tasks: %d %s", resp.StatusCode, data)
	}
	return e.waitTask(t, created.ID)
}

func (e *Env) waitTask(t *testing.T, id string) task {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		var tk task
		if err := e.Backend.getJSON(ctx, "/api/scaffolder/v2/tasks/"+id, Token, &tk); err != nil {
			t.Fatal(err)
		}
		switch tk.Status {
		case "completed", "failed", "cancelled":
			return tk
		}
		if err := e.Backend.pause(ctx, 200*time.Millisecond); err != nil {
			t.Fatalf("task %s still %s: %v", id, tk.Status, err)
		}
	}
}

func (e *Env) tasks(t *testing.T) []task {
	t.Helper()
	var reply struct {
		Tasks []task `json:"tasks"`
	}
	e.Get(t, "/api/scaffolder/v2/tasks", &reply)
	return reply.Tasks
}

const rollbackRef = "template:default/rollback-deployment"

// incidentConfig is an app-config.yaml naming the backend by
// backend.baseUrl and bsai.backstage.token (no --catalog/--token flags), with
// scaffolder task history as the deploy source and the rollback template as
// the one action, allowlisted for agent mode when allow is true.
func (e *Env) incidentConfig(t *testing.T, allow bool) string {
	t.Helper()
	dir := t.TempDir()
	allowList := "[]"
	if allow {
		allowList = "[rollback]"
	}
	cfg := fmt.Sprintf(`backend:
  baseUrl: %s
bsai:
  backstage:
    token: %s
  catalog:
    source: backstage
  incident:
    since: 1h
    sources:
      deploys:
        scaffolder: true
    actions:
      rollback:
        type: scaffolder
        description: Roll the service back to its previous version
        on: [deploy]
        template: %s
        values:
          service: "{{.Service}}"
          version: previous
        timeout: 60s
    agent:
      allow: %s
      maxActions: 1
      auditLog: ./audit.jsonl
`, e.BaseURL, Token, rollbackRef, allowList)
	writeFile(t, dir, "app-config.yaml", cfg)
	return dir
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestE2EIncident: a deploy runs through the scaffolder, then `incident
// investigate` must find it in the task history, rank it as the cause and,
// in agent mode with the rollback allowlisted, run the rollback template on
// the backend and see that task complete.
func TestE2EIncident(t *testing.T) {
	e := need(t)
	// A component with an owner, so the catalog evidence is non-trivial.
	live, err := e.Backend.allEntities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var svc rawEntity
	for _, le := range live {
		if le.Kind == "Component" && strings.Contains(relsOf(le), "ownedBy") && strings.Contains(relsOf(le), "dependsOn") {
			svc = le
			break
		}
	}
	if svc.Kind == "" {
		t.Fatal("no component with an owner and dependencies")
	}
	name := svc.Metadata.Name
	deploy := e.runTask(t, "template:default/deploy-service", map[string]any{"service": name, "version": "9.9.9"})
	if deploy.Status != "completed" {
		t.Fatalf("deploy task %s: %s", deploy.ID, deploy.Status)
	}

	type action struct {
		Action string `json:"action"`
		Type   string `json:"type"`
		Status string `json:"status"`
	}
	var report struct {
		Service string `json:"service"`
		Causes  []struct {
			Kind     string `json:"kind"`
			Entity   string `json:"entity"`
			Evidence []struct {
				Source string `json:"source"`
				Detail string `json:"detail"`
			} `json:"evidence"`
		} `json:"causes"`
		Actions []json.RawMessage `json:"actions"`
	}
	investigate := func(t *testing.T, allow bool) (string, []action, []json.RawMessage) {
		dir := e.incidentConfig(t, allow)
		r := e.BsaiIn(t, dir, nil, "--offline", "incident", "investigate", "--service", name, "--mode", "agent", "-o", "json")
		if r.Code != 0 {
			t.Fatalf("want exit 0\n%s", r)
		}
		report.Actions = nil
		if err := json.Unmarshal([]byte(r.Stdout), &report); err != nil {
			t.Fatalf("%v\n%s", err, r)
		}
		var acts []action
		for _, raw := range report.Actions {
			var a action
			_ = json.Unmarshal(raw, &a)
			acts = append(acts, a)
		}
		return dir, acts, report.Actions
	}

	t.Run("agent runs the allowlisted rollback", func(t *testing.T) {
		dir, acts, raws := investigate(t, true)
		found := false
		for _, c := range report.Causes {
			for _, ev := range c.Evidence {
				if ev.Source == "scaffolder" && strings.Contains(ev.Detail, deploy.ID) && c.Kind == "deploy" {
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("the deploy task %s is not cited by any deploy cause: %+v", deploy.ID, report.Causes)
		}
		if len(acts) != 1 || acts[0].Action != "rollback" || acts[0].Status != "executed" {
			t.Fatalf("want the rollback executed, got %s", raws)
		}
		// The action names the task it started; the backend must show that
		// task, from the rollback template, for this service, completed.
		var rb task
		for _, id := range uuidRE.FindAllString(string(raws[0]), -1) {
			if id != deploy.ID {
				rb = e.waitTask(t, id)
			}
		}
		if rb.ID == "" {
			t.Fatalf("no task id in the executed action: %s", raws[0])
		}
		if rb.Status != "completed" || rb.Spec.TemplateInfo.EntityRef != rollbackRef || rb.Spec.Parameters["service"] != name {
			t.Errorf("rollback task %s: status %s, template %s, parameters %v", rb.ID, rb.Status, rb.Spec.TemplateInfo.EntityRef, rb.Spec.Parameters)
		}
		audit, err := os.ReadFile(filepath.Join(dir, "audit.jsonl"))
		if err != nil || !strings.Contains(string(audit), rb.ID) || !strings.Contains(string(audit), `"executed"`) {
			t.Errorf("audit log does not record the executed rollback (%v):\n%s", err, audit)
		}
	})

	t.Run("agent does not run what is not allowlisted", func(t *testing.T) {
		before := 0
		for _, tk := range e.tasks(t) {
			if tk.Spec.TemplateInfo.EntityRef == rollbackRef {
				before++
			}
		}
		_, acts, raws := investigate(t, false)
		for _, a := range acts {
			if a.Status == "executed" {
				t.Errorf("ran %s without an allowlist: %s", a.Action, raws)
			}
		}
		after := 0
		for _, tk := range e.tasks(t) {
			if tk.Spec.TemplateInfo.EntityRef == rollbackRef {
				after++
			}
		}
		if after != before {
			t.Errorf("rollback tasks went from %d to %d without an allowlist", before, after)
		}
	})
}
