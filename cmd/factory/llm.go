package factory

import (
	"os"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// newLLM picks the provider for a command from bsai.ai config (and an
// existing catalogAssistant block, see config.AI) and the --provider/--model
// flags.
// --offline, or no provider configured at all, is llm.ErrNoModel; a named
// provider that is missing or broken is a config error, never a silent
// switch to another provider.
func newLLM(f *Factory, command string) (llm.Provider, error) {
	if f.Globals.Offline {
		return nil, llm.ErrNoModel
	}
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	pc, ok, err := providerConfig(cfg, command, f.Globals.Provider, f.Globals.Model, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	if !ok {
		if f.Globals.Model != "" {
			return nil, errs.Config("--model %s given but no llm provider is configured", f.Globals.Model).
				WithHint("add bsai.ai.providers.<name> to app-config.yaml (see README, Providers)")
		}
		return nil, llm.ErrNoModel
	}
	if hc, err := f.HTTPClient(); err == nil && hc != nil {
		pc.HTTPClient = hc
	}
	p, err := llm.New(pc)
	if err == nil && f.IOStreams != nil {
		f.IOStreams.Verbosef("model: %s", llm.Describe(p))
	}
	return p, err
}

// providerConfig turns the selected bsai.ai provider into an
// llm.ProviderConfig. An empty apiKey falls back to the variable named by
// apiKeyEnv or the type's usual one (OPENAI_API_KEY, ...).
func providerConfig(cfg *config.Config, command, flagProvider, flagModel string, lookup func(string) (string, bool)) (llm.ProviderConfig, bool, error) {
	ai, err := cfg.AI()
	if err != nil {
		return llm.ProviderConfig{}, false, err
	}
	sel, ok, err := ai.Select(command, flagProvider, flagModel)
	if err != nil || !ok {
		return llm.ProviderConfig{}, ok, err
	}
	p := sel.Provider
	pc := llm.ProviderConfig{
		Name: sel.Name, Type: p.Type, BaseURL: p.BaseURL, APIKey: p.APIKey, Model: sel.Model,
		EmbeddingModel: p.EmbeddingModel, APIKeyEnv: p.APIKeyEnv, Headers: p.Headers,
		Timeout: p.Timeout.Duration, APIVersion: p.APIVersion, JSONSchema: p.JSONSchema, Tools: p.Tools, MaxTokens: p.MaxTokens,
	}
	// The inference llm.New makes, so the env fallback below looks at the
	// right variable.
	pc.Type = llm.InferType(sel.Name, pc.Type, pc.BaseURL)
	if pc.APIKey == "" {
		env := pc.APIKeyEnv
		if env == "" {
			if ti, ok := llm.LookupType(pc.Type); ok {
				env = ti.APIKeyEnv
			}
		}
		if env != "" {
			if v, ok := lookup(env); ok {
				pc.APIKey = v
			}
		}
	}
	return pc, true, nil
}
