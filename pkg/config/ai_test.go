package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

const aiYAML = `
bsai:
  ai:
    default: openai
    providers:
      openai:
        type: openai
        apiKey: ${OPENAI_API_KEY}
        model: gpt-4o-mini
        embeddingModel: text-embedding-3-small
        timeout: 45s
      local:
        type: ollama
        model: llama3.2
        jsonSchema: false
        headers:
          X-Team: platform
      azure:
        type: azure
        baseUrl: https://acme.openai.azure.com
        apiKey: ${AZURE_OPENAI_API_KEY}
        apiVersion: 2024-10-21
        model: gpt-4o-deployment
    commands:
      incident: {provider: azure, model: gpt-4o-big}
      template: {model: gpt-4o}
`

func load(t *testing.T, yaml string, env ...string) *config.Config {
	t.Helper()
	c, err := config.LoadBytes("app-config.yaml", []byte(yaml), env)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAIConfig(t *testing.T) {
	c := load(t, aiYAML, "OPENAI_API_KEY=sk-from-env")
	ai, err := c.AI()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ai.Names(), ","); got != "azure,local,openai" {
		t.Errorf("names = %s", got)
	}
	o := ai.Providers["openai"]
	if o.APIKey != "sk-from-env" || o.Timeout.Duration != 45*time.Second || o.EmbeddingModel != "text-embedding-3-small" {
		t.Errorf("openai = %+v", o)
	}
	l := ai.Providers["local"]
	if l.JSONSchema == nil || *l.JSONSchema || l.Headers["X-Team"] != "platform" {
		t.Errorf("local = %+v", l)
	}
	// AZURE_OPENAI_API_KEY is unset: no key, and the variable is remembered
	// for the error message.
	if a := ai.Providers["azure"]; a.APIKey != "" || a.APIVersion != "2024-10-21" {
		t.Errorf("azure = %+v", a)
	}

	tests := []struct {
		command, flagProvider, flagModel string
		wantName, wantModel              string
	}{
		{"ask", "", "", "openai", "gpt-4o-mini"},
		{"ask", "local", "", "local", "llama3.2"},
		{"ask", "", "gpt-4.1", "openai", "gpt-4.1"},
		{"incident", "", "", "azure", "gpt-4o-big"},
		{"incident", "local", "", "local", "llama3.2"}, // the command's model stays with its provider
		{"incident", "", "o3", "azure", "o3"},
		{"template", "", "", "openai", "gpt-4o"},
		{"template", "local", "", "local", "llama3.2"},
	}
	for _, tt := range tests {
		sel, ok, err := ai.Select(tt.command, tt.flagProvider, tt.flagModel)
		if err != nil || !ok {
			t.Fatalf("%+v: ok=%v err=%v", tt, ok, err)
		}
		if sel.Name != tt.wantName || sel.Model != tt.wantModel {
			t.Errorf("Select(%q,%q,%q) = %s/%s, want %s/%s", tt.command, tt.flagProvider, tt.flagModel, sel.Name, sel.Model, tt.wantName, tt.wantModel)
		}
	}
}

func TestAIConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, flag  string
		wantErr, wantHint string
	}{
		{name: "unknown --provider", yaml: aiYAML, flag: "bedrock",
			wantErr: `unknown llm provider "bedrock" (--provider)`, wantHint: "configured providers: azure, local, openai"},
		{name: "unknown default", yaml: "bsai:\n  ai:\n    default: nope\n    providers:\n      a: {type: openai, model: m}\n",
			wantErr: `unknown llm provider "nope" (bsai.ai.default)`, wantHint: "configured providers: a"},
		{name: "unknown command provider", yaml: "bsai:\n  ai:\n    providers:\n      a: {type: openai, model: m}\n    commands:\n      ask: {provider: b}\n",
			wantErr: `unknown llm provider "b" (bsai.ai.commands.ask.provider)`},
		{name: "several and no default", yaml: "bsai:\n  ai:\n    providers:\n      a: {model: m}\n      b: {model: m}\n",
			wantErr: "2 llm providers are configured and none is the default", wantHint: "bsai.ai.default"},
		{name: "flag with nothing configured", yaml: "app: {}\n", flag: "openai",
			wantErr: "no providers are configured"},
		{name: "bad timeout", yaml: "bsai:\n  ai:\n    providers:\n      a: {model: m, timeout: soon}\n",
			wantErr: "bsai.ai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := load(t, tt.yaml)
			ai, err := c.AI()
			if err == nil {
				_, _, err = ai.Select("ask", tt.flag, "")
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if errs.KindOf(err) != errs.KindConfig {
				t.Errorf("kind = %v", errs.KindOf(err))
			}
			if tt.wantHint != "" && !strings.Contains(errs.HintOf(err), tt.wantHint) {
				t.Errorf("hint = %q, want %q", errs.HintOf(err), tt.wantHint)
			}
		})
	}
}

func TestAIConfigNothingConfigured(t *testing.T) {
	ai, err := load(t, "backend: {baseUrl: http://localhost:7007}\n").AI()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ai.Select("ask", "", ""); ok || err != nil {
		t.Errorf("ok=%v err=%v, want no selection and no error", ok, err)
	}
}

func TestAIConfigCatalogAssistant(t *testing.T) {
	yaml := `
catalogAssistant:
  provider: ollama
  model: llama3.1
  baseURL: http://gpu-box:11434/v1
  apiKey: ${OLLAMA_KEY}
`
	ai, err := load(t, yaml, "OLLAMA_KEY=k1").AI()
	if err != nil {
		t.Fatal(err)
	}
	sel, ok, err := ai.Select("ask", "", "")
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	p := sel.Provider
	if sel.Name != "ollama" || p.Type != "ollama" || p.BaseURL != "http://gpu-box:11434/v1" || p.APIKey != "k1" || sel.Model != "llama3.1" || p.Source != "catalogAssistant" {
		t.Errorf("selection = %+v", sel)
	}
	// bsai.ai wins on a name clash and its default wins.
	yaml2 := yaml + `
bsai:
  ai:
    default: work
    providers:
      work: {type: openai, model: gpt-4o-mini}
      ollama: {type: ollama, model: qwen2.5}
`
	ai, err = load(t, yaml2).AI()
	if err != nil {
		t.Fatal(err)
	}
	if sel, _, _ := ai.Select("ask", "", ""); sel.Name != "work" {
		t.Errorf("default = %s", sel.Name)
	}
	if sel, _, _ := ai.Select("ask", "ollama", ""); sel.Model != "qwen2.5" {
		t.Errorf("ollama from bsai.ai should win, got %+v", sel)
	}
}

func TestAIConfigUnresolvedKeyNamesVariable(t *testing.T) {
	// A literal ${VAR} (e.g. escaped or from FromMap) is not sent as a key.
	c := config.FromMap(map[string]any{"bsai": map[string]any{"ai": map[string]any{
		"providers": map[string]any{"o": map[string]any{"type": "openai", "model": "m", "apiKey": "${MY_OPENAI_KEY}"}}}}})
	ai, err := c.AI()
	if err != nil {
		t.Fatal(err)
	}
	if p := ai.Providers["o"]; p.APIKey != "" || p.APIKeyEnv != "MY_OPENAI_KEY" {
		t.Errorf("provider = %+v", p)
	}
}
