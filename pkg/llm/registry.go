package llm

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// ProviderConfig is everything needed to build a provider. It is filled from
// bsai.ai.providers.<name> (see pkg/config/ai.go) or directly by tests.
type ProviderConfig struct {
	// Name is the configured name, used in messages ("provider openai ...").
	Name string
	// Type selects defaults: see Types().
	Type           string
	BaseURL        string
	APIKey         string
	Model          string
	EmbeddingModel string
	// APIKeyEnv is the environment variable named in auth errors; defaults
	// to the type's usual variable (OPENAI_API_KEY, ...).
	APIKeyEnv string
	// Headers are added to every request (e.g. a gateway's tenant header).
	Headers map[string]string
	// Timeout bounds one non-streaming call; for streams it bounds the wait
	// for the first byte and each gap between chunks. 0 = 2 minutes.
	Timeout time.Duration
	// MaxTokens caps each completion whose Request.MaxTokens is 0.
	MaxTokens int
	// APIVersion is the Azure api-version query parameter.
	APIVersion string
	// JSONSchema overrides whether the server accepts response_format
	// json_schema (nil = the type's default).
	JSONSchema *bool
	// Tools overrides whether the model takes tool definitions (nil = yes);
	// some local models reject them.
	Tools *bool
	// HTTPClient carries the transport (nil = http.DefaultTransport). Its
	// Timeout is ignored: streams must be able to outlive it.
	HTTPClient *http.Client
	// Retry tunes retries; zero values take defaults.
	Retry RetryPolicy
}

// TypeInfo holds a provider type's defaults.
type TypeInfo struct {
	Type       string
	BaseURL    string // "" = baseUrl is required
	APIKeyEnv  string // "" = no key needed
	NeedsKey   bool
	JSONSchema bool // accepts response_format json_schema
	Embeddings bool
	// EmbeddingModel is used when the config names none ("" = embeddings
	// need bsai.ai.providers.<name>.embeddingModel).
	EmbeddingModel string
	// EmbedBatch is the most inputs one /embeddings request may carry
	// (0 = embedBatch). Gemini's limit is 100 ("at most 100 requests can
	// be in one batch").
	EmbedBatch int
}

var types = map[string]TypeInfo{
	"openai":            {BaseURL: "https://api.openai.com/v1", APIKeyEnv: "OPENAI_API_KEY", NeedsKey: true, JSONSchema: true, Embeddings: true, EmbeddingModel: "text-embedding-3-small"},
	"azure":             {APIKeyEnv: "AZURE_OPENAI_API_KEY", NeedsKey: true, JSONSchema: true, Embeddings: true},
	"ollama":            {BaseURL: "http://localhost:11434/v1", JSONSchema: true, Embeddings: true},
	"anthropic":         {BaseURL: "https://api.anthropic.com/v1/", APIKeyEnv: "ANTHROPIC_API_KEY", NeedsKey: true, JSONSchema: false},
	"gemini":            {BaseURL: "https://generativelanguage.googleapis.com/v1beta/openai/", APIKeyEnv: "GEMINI_API_KEY", NeedsKey: true, JSONSchema: true, Embeddings: true, EmbedBatch: 100},
	"vllm":              {BaseURL: "http://localhost:8000/v1", APIKeyEnv: "VLLM_API_KEY", JSONSchema: true, Embeddings: true},
	"lmstudio":          {BaseURL: "http://localhost:1234/v1", JSONSchema: true, Embeddings: true},
	"openai-compatible": {APIKeyEnv: "OPENAI_API_KEY", JSONSchema: true, Embeddings: true},
}

func init() {
	for k, v := range types {
		v.Type = k
		types[k] = v
	}
}

// Types lists the known provider types, sorted.
func Types() []string {
	out := make([]string, 0, len(types))
	for k := range types {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// aliases map other spellings (catalogAssistant.provider values written for
// Backstage catalog-assistant plugins, common names) to a type.
var aliases = map[string]string{
	"azure-openai": "azure", "azureopenai": "azure", "azure_openai": "azure",
	"claude": "anthropic", "google": "gemini", "lm-studio": "lmstudio", "lm_studio": "lmstudio",
	"openai_compatible": "openai-compatible", "openaicompatible": "openai-compatible", "compatible": "openai-compatible",
}

// LookupType returns the defaults of a provider type (or an alias of one).
func LookupType(t string) (TypeInfo, bool) {
	k := strings.ToLower(strings.TrimSpace(t))
	if a, ok := aliases[k]; ok {
		k = a
	}
	ti, ok := types[k]
	return ti, ok
}

// InferType is a provider's type when its config names none: a provider
// named like a type ("ollama") is of that type, one with a baseUrl is
// openai-compatible, else openai.
func InferType(name, typ, baseURL string) string {
	switch _, known := LookupType(name); {
	case typ != "":
		return typ
	case known:
		return name
	case baseURL != "":
		return "openai-compatible"
	}
	return "openai"
}

// New builds a provider from cfg, failing loudly on an unknown type or a
// missing required setting; it never substitutes a different provider.
func New(cfg ProviderConfig) (Provider, error) {
	cfg.Type = InferType(cfg.Name, cfg.Type, cfg.BaseURL)
	ti, ok := LookupType(cfg.Type)
	if !ok {
		return nil, errs.Config("provider %s has unknown type %q", cfg.Name, cfg.Type).
			WithHint("set bsai.ai.providers.%s.type to one of: %s", cfg.Name, strings.Join(Types(), ", "))
	}
	return newOpenAI(cfg, ti)
}

// configurer is implemented by providers that can show their settings.
type configurer interface{ Config() ProviderConfig }

// Describe says which provider, model and endpoint p is, without the key:
// "openai (type openai, model gpt-4o-mini, https://api.openai.com/v1)".
// Commands print it with -v.
func Describe(p Provider) string {
	for q := p; q != nil; {
		if c, ok := q.(configurer); ok {
			cfg := c.Config()
			return fmt.Sprintf("%s (type %s, model %s, %s)", cfg.Name, cfg.Type, cfg.Model, cfg.BaseURL)
		}
		u, ok := q.(unwrapper)
		if !ok {
			break
		}
		q = u.Unwrap()
	}
	if p == nil {
		return "no model"
	}
	return fmt.Sprintf("%s (model %s)", p.Name(), p.Model())
}
