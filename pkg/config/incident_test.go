package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestIncidentView(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "scen")
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, "app-config.yaml")
	os.WriteFile(p, []byte(`bsai:
  incident:
    since: 90m
    sources:
      deploys: {scaffolder: true, files: [./deploys.jsonl]}
      metrics:
        prometheus: {url: http://prom:9090, step: 30s}
        queries: {errors: 'sum(rate(x{service="{{.Service}}"}[5m]))'}
        thresholds: {errors: 0.05}
        files: [metrics.json, /abs/m.json]
      logs: {files: [./logs.jsonl], loki: {url: http://loki:3100, tenantId: acme}}
      mcp: [{name: pods, server: k8s, tool: pods_list, args: {ns: payments}}]
    actions:
      rollback: {type: scaffolder, template: template:default/rollback, values: {v: "{{.Previous}}"}, on: [deploy], timeout: 5m}
    agent: {allow: [rollback], maxActions: 1, auditLog: ./audit.jsonl}
`), 0o600)
	cfg, err := config.Load(config.LoadOptions{Files: []string{p}, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := cfg.Incident()
	if err != nil {
		t.Fatal(err)
	}
	if ic.Since.Duration != 90*time.Minute || !ic.Sources.Deploys.Scaffolder || ic.Sources.Metrics.Prometheus.Step.Duration != 30*time.Second {
		t.Errorf("%+v", ic)
	}
	if ic.Sources.Deploys.Files[0] != filepath.Join(dir, "deploys.jsonl") || ic.Sources.Metrics.Files[0] != filepath.Join(dir, "metrics.json") ||
		ic.Sources.Metrics.Files[1] != "/abs/m.json" || ic.Agent.AuditLog != filepath.Join(dir, "audit.jsonl") {
		t.Errorf("paths not resolved against the config file: %v %v %s", ic.Sources.Deploys.Files, ic.Sources.Metrics.Files, ic.Agent.AuditLog)
	}
	if ic.Actions["rollback"].Timeout.Duration != 5*time.Minute || ic.Agent.MaxActions == nil || *ic.Agent.MaxActions != 1 || ic.Sources.MCP[0].Tool != "pods_list" ||
		ic.Sources.Logs.Loki.TenantID != "acme" || ic.Sources.Metrics.Thresholds["errors"] != 0.05 {
		t.Errorf("%+v", ic)
	}

	bad := config.FromMap(map[string]any{"bsai": map[string]any{"incident": map[string]any{"agent": map[string]any{"allow": "rollback"}}}})
	if _, err := bad.Incident(); errs.KindOf(err) != errs.KindConfig || !strings.Contains(err.Error(), "bsai.incident") {
		t.Errorf("want a config error naming the key, got %v", err)
	}
}
