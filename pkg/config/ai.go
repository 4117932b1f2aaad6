package config

import (
	"regexp"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// AIConfig is the typed view of bsai.ai: named providers, a default, and
// per-command overrides.
//
//	bsai:
//	  ai:
//	    default: openai
//	    providers:
//	      openai: {type: openai, apiKey: ${OPENAI_API_KEY}, model: gpt-4o-mini}
//	      local:  {type: ollama, model: llama3.2, embeddingModel: nomic-embed-text}
//	    commands:
//	      incident: {provider: openai, model: gpt-4o}
type AIConfig struct {
	Default   string                `json:"default"`
	Providers map[string]AIProvider `json:"providers"`
	Commands  map[string]AICommand  `json:"commands"`
}

// AIProvider is one configured model endpoint.
type AIProvider struct {
	// Type is openai|azure|ollama|anthropic|gemini|vllm|lmstudio|
	// openai-compatible; the provider layer rejects anything else.
	Type           string            `json:"type"`
	BaseURL        string            `json:"baseUrl"`
	APIKey         string            `json:"apiKey"`
	Model          string            `json:"model"`
	EmbeddingModel string            `json:"embeddingModel"`
	Headers        map[string]string `json:"headers"`
	Timeout        Duration          `json:"timeout"`
	// APIVersion is Azure's api-version.
	APIVersion string `json:"apiVersion"`
	// JSONSchema overrides whether the server supports response_format
	// json_schema (unset = the type's default).
	JSONSchema *bool `json:"jsonSchema"`
	// Tools: false for models that reject tool definitions (unset = true).
	Tools *bool `json:"tools"`
	// MaxTokens caps each completion when a command does not say.
	MaxTokens int `json:"maxTokens"`
	// APIKeyEnv names the variable that holds the key, for error messages;
	// it is taken from apiKey when that is a literal ${VAR} the loader left
	// (the variable was unset).
	APIKeyEnv string `json:"apiKeyEnv"`
	// Source says where the provider was configured (for messages).
	Source string `json:"-"`
}

// AICommand overrides the provider/model for one command (ask, template,
// incident).
type AICommand struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
}

// assistantBlock is the catalogAssistant block of app-config.yaml files
// written for a Backstage catalog-assistant plugin ({provider, model,
// apiKey, baseURL}); bsai reads it so such a file works unchanged.
type assistantBlock struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	APIKey   string `json:"apiKey"`
	BaseURL  string `json:"baseURL"`
	BaseURL2 string `json:"baseUrl"`
}

var envRefRe = regexp.MustCompile(`^\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}$`)

// AI returns bsai.ai, with an existing catalogAssistant.{provider,model,
// apiKey,baseURL} added as a provider named after catalogAssistant.provider
// (bsai.ai.providers wins on a name clash). It checks that the default and
// every command override name a configured provider.
func (c *Config) AI() (AIConfig, error) {
	var a AIConfig
	if err := c.Decode("bsai.ai", &a); err != nil {
		return a, err
	}
	if a.Providers == nil {
		a.Providers = map[string]AIProvider{}
	}
	for name, p := range a.Providers {
		p.Source = "bsai.ai.providers." + name
		a.Providers[name] = p
	}
	var seed assistantBlock
	if err := c.Decode("catalogAssistant", &seed); err != nil {
		return a, err
	}
	if name := strings.TrimSpace(seed.Provider); name != "" {
		if _, clash := a.Providers[name]; !clash {
			base := seed.BaseURL
			if base == "" {
				base = seed.BaseURL2
			}
			a.Providers[name] = AIProvider{Type: name, Model: seed.Model, APIKey: seed.APIKey, BaseURL: base, Source: "catalogAssistant"}
		}
		if a.Default == "" {
			a.Default = name
		}
	}
	for name, p := range a.Providers {
		if p.APIKeyEnv == "" {
			if m := envRefRe.FindStringSubmatch(p.APIKey); m != nil {
				p.APIKeyEnv = m[1]
				p.APIKey = ""
			}
		}
		a.Providers[name] = p
	}
	if a.Default != "" {
		if _, ok := a.Providers[a.Default]; !ok {
			return a, a.unknown(a.Default, "bsai.ai.default")
		}
	}
	for cmd, o := range a.Commands {
		if o.Provider != "" {
			if _, ok := a.Providers[o.Provider]; !ok {
				return a, a.unknown(o.Provider, "bsai.ai.commands."+cmd+".provider")
			}
		}
	}
	return a, nil
}

// Names lists the configured provider names, sorted.
func (a AIConfig) Names() []string {
	out := make([]string, 0, len(a.Providers))
	for k := range a.Providers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (a AIConfig) unknown(name, where string) *errs.Error {
	names := a.Names()
	if len(names) == 0 {
		return errs.Config("unknown llm provider %q (%s): no providers are configured", name, where).
			WithHint("add bsai.ai.providers.%s with a type and model to app-config.yaml", name)
	}
	return errs.Config("unknown llm provider %q (%s)", name, where).
		WithHint("configured providers: %s", strings.Join(names, ", "))
}

// Selection is the provider chosen for a command.
type Selection struct {
	Name     string
	Provider AIProvider
	// Model is the model to use (flag, command override or provider's).
	Model string
}

// Select picks the provider for command: the --provider flag wins, then
// bsai.ai.commands.<command>.provider, then bsai.ai.default, then the only
// configured provider. Likewise --model wins over the command's model,
// which wins over the provider's. ok=false means no provider is configured
// (the caller reports "no model"); a named provider that does not exist is
// an error, never a silent switch to another one.
func (a AIConfig) Select(command, flagProvider, flagModel string) (Selection, bool, error) {
	over := a.Commands[command]
	name := flagProvider
	if name == "" {
		name = over.Provider
	}
	if name == "" {
		name = a.Default
	}
	if name == "" {
		switch len(a.Providers) {
		case 0:
			return Selection{}, false, nil
		case 1:
			name = a.Names()[0]
		default:
			return Selection{}, false, errs.Config("%d llm providers are configured and none is the default", len(a.Providers)).
				WithHint("set bsai.ai.default to one of %s, or pass --provider", strings.Join(a.Names(), ", "))
		}
	}
	p, ok := a.Providers[name]
	if !ok {
		where := "--provider"
		if flagProvider == "" {
			where = "bsai.ai.commands." + command + ".provider"
		}
		return Selection{}, false, a.unknown(name, where)
	}
	model := p.Model
	// The command's model belongs to the command's provider; it does not
	// follow a --provider switch to another endpoint.
	if over.Model != "" && (over.Provider == name || (over.Provider == "" && flagProvider == "")) {
		model = over.Model
	}
	if flagModel != "" {
		model = flagModel
	}
	return Selection{Name: name, Provider: p, Model: model}, true, nil
}
