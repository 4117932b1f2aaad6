package factory

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func llmFactory(t *testing.T, yaml string, env ...string) *Factory {
	t.Helper()
	c, err := config.LoadBytes("app-config.yaml", []byte(yaml), env)
	if err != nil {
		t.Fatal(err)
	}
	return &Factory{
		Globals:    &GlobalOptions{},
		Config:     func() (*config.Config, error) { return c, nil },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
	}
}

func TestNewLLMFromConfig(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("from main"), llmtest.Text("from local"), llmtest.Text("from incident"))
	yaml := `
bsai:
  ai:
    default: main
    providers:
      main:
        type: openai-compatible
        baseUrl: ` + srv.URL + `
        apiKey: ${MAIN_KEY}
        model: main-model
        headers: {X-Gateway: bsai}
      local:
        type: vllm
        baseUrl: ` + srv.URL + `
        model: local-model
        tools: false
    commands:
      incident: {model: big-model}
`
	f := llmFactory(t, yaml, "MAIN_KEY=sk-main-secret-123")
	ask := func(command, flagProvider, flagModel string) llmtest.Request {
		t.Helper()
		f.Globals.Provider, f.Globals.Model = flagProvider, flagModel
		p, err := newLLM(f, command)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}); err != nil {
			t.Fatal(err)
		}
		return srv.Last()
	}
	r := ask("ask", "", "")
	if r.Model != "main-model" || r.Header.Get("Authorization") != "Bearer sk-main-secret-123" || r.Header.Get("X-Gateway") != "bsai" {
		t.Errorf("main: model %q headers %v", r.Model, r.Header)
	}
	f.Globals.Provider = "local"
	if lp, err := newLLM(f, "ask"); err != nil || llm.CapabilitiesOf(lp).Tools {
		t.Errorf("tools: false should reach the provider (err %v)", err)
	}
	r = ask("ask", "local", "")
	if r.Model != "local-model" || r.Header.Get("Authorization") != "" {
		t.Errorf("local: model %q auth %q", r.Model, r.Header.Get("Authorization"))
	}
	r = ask("incident", "", "")
	if r.Model != "big-model" {
		t.Errorf("incident: model %q", r.Model)
	}
}

func TestNewLLMNoModel(t *testing.T) {
	// --offline wins even with a provider configured.
	f := llmFactory(t, "bsai:\n  ai:\n    providers:\n      o: {type: ollama, model: m}\n")
	f.Globals.Offline = true
	if _, err := newLLM(f, "ask"); !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("offline: err = %v", err)
	}
	f = llmFactory(t, "backend: {baseUrl: http://localhost:7007}\n")
	if _, err := newLLM(f, "ask"); !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("unconfigured: err = %v", err)
	}
	// Naming a provider that is not configured is an error, not "no model".
	f.Globals.Provider = "openai"
	if _, err := newLLM(f, "ask"); err == nil || errors.Is(err, llm.ErrNoModel) || errs.KindOf(err) != errs.KindConfig {
		t.Errorf("unknown --provider: err = %v", err)
	}
	f.Globals.Provider, f.Globals.Model = "", "gpt-4o"
	if _, err := newLLM(f, "ask"); err == nil || errs.KindOf(err) != errs.KindConfig {
		t.Errorf("--model without provider: err = %v", err)
	}
}

func TestNewLLMConfigErrors(t *testing.T) {
	tests := []struct{ name, yaml, want, hint string }{
		{"unknown type", "bsai:\n  ai:\n    providers:\n      x: {type: bedrock, model: m}\n",
			`provider x has unknown type "bedrock"`, "anthropic, azure, gemini, lmstudio, ollama, openai, openai-compatible, vllm"},
		{"missing key", "bsai:\n  ai:\n    providers:\n      openai:\n        model: gpt-4o-mini\n        apiKey: ${OPENAI_API_KEY}\n",
			"provider openai has no api key; set OPENAI_API_KEY", "OPENAI_API_KEY"},
		// The loader drops a key whose variable is unset, so the type's usual
		// variable is named, and the hint points at the config key.
		{"custom key variable", "bsai:\n  ai:\n    providers:\n      work:\n        type: openai\n        model: m\n        apiKey: ${WORK_OPENAI_KEY}\n",
			"provider work has no api key; set OPENAI_API_KEY", "bsai.ai.providers.work.apiKey"},
		{"no model", "bsai:\n  ai:\n    providers:\n      o: {type: ollama}\n", "provider o has no model", "--model"},
		{"azure needs base url", "bsai:\n  ai:\n    providers:\n      az: {type: azure, model: d, apiKey: k}\n", "needs a baseUrl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := llmFactory(t, tt.yaml)
			_, err := newLLM(f, "ask")
			if err == nil || !strings.Contains(err.Error(), tt.want) || errs.KindOf(err) != errs.KindConfig {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !strings.Contains(errs.HintOf(err), tt.hint) {
				t.Errorf("hint = %q, want %q", errs.HintOf(err), tt.hint)
			}
		})
	}
}

func TestProviderConfigEnvFallback(t *testing.T) {
	c, err := config.LoadBytes("app-config.yaml", []byte("bsai:\n  ai:\n    providers:\n      anthropic: {model: claude-sonnet-4-5}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ANTHROPIC_API_KEY": "sk-ant-xyz"}
	pc, ok, err := providerConfig(c, "ask", "", "", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if pc.Type != "anthropic" || pc.APIKey != "sk-ant-xyz" || pc.Model != "claude-sonnet-4-5" {
		t.Errorf("pc = %+v", pc)
	}
}

func TestNewLLMAuthErrorNamesVariable(t *testing.T) {
	srv := llmtest.New(t, llmtest.Unauthorized())
	yaml := "bsai:\n  ai:\n    providers:\n      corp:\n        type: openai-compatible\n        baseUrl: " + srv.URL + "\n        apiKey: ${CORP_LLM_KEY}\n        model: m\n"
	f := llmFactory(t, yaml, "CORP_LLM_KEY="+llmtest.APIKey)
	p, err := newLLM(f, "ask")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	if err == nil {
		t.Fatal("want error")
	}
	// The loader substituted the key, so the variable name is not known
	// here; the type's default is named instead.
	if !strings.HasPrefix(err.Error(), "provider corp rejected the api key (401); set ") || strings.Contains(err.Error(), llmtest.APIKey) {
		t.Errorf("err = %q", err)
	}
}

// -v names the provider, type, model and endpoint the command uses, never
// its key.
func TestNewLLMVerboseDescribesTheProvider(t *testing.T) {
	yaml := "bsai:\n  ai:\n    providers:\n      corp:\n        baseUrl: http://127.0.0.1:9/v1\n        apiKey: sk-corp-secret-123\n        model: m1\n"
	f := llmFactory(t, yaml)
	ios, _, _, errOut := iostreams.Test()
	ios.SetVerbose(true)
	f.IOStreams = ios
	if _, err := newLLM(f, "ask"); err != nil {
		t.Fatal(err)
	}
	got := errOut.String()
	if !strings.Contains(got, "model: corp (type openai-compatible, model m1, http://127.0.0.1:9/v1)") || strings.Contains(got, "sk-corp") {
		t.Errorf("-v output %q", got)
	}
}
