package config

import "github.com/bsai-dev/bsai/pkg/errs"

// AskConfig is the typed view of bsai.ask; `bsai ask` flags win over it.
//
//	bsai:
//	  ask:
//	    topK: 5             # entities retrieved
//	    contextTokens: 3000 # card budget in a prompt (chars/4)
//	    agent: true         # tool use when the provider supports it
//	    maxSteps: 6         # agent model turns
//	    maxToolCalls: 12
//	    maxTokens: 40000    # agent total tokens
type AskConfig struct {
	TopK          int `json:"topK"`
	ContextTokens int `json:"contextTokens"`
	// Agent nil leaves the default (on when the provider has tools);
	// false turns it off.
	Agent        *bool `json:"agent"`
	MaxSteps     int   `json:"maxSteps"`
	MaxToolCalls int   `json:"maxToolCalls"`
	MaxTokens    int   `json:"maxTokens"`
}

// Ask returns bsai.ask (zero value when absent).
func (c *Config) Ask() (AskConfig, error) {
	var a AskConfig
	if err := c.Decode("bsai.ask", &a); err != nil {
		return a, err
	}
	if a.TopK < 0 || a.TopK > 100 {
		return a, errs.Config("invalid config key %q: want 1 to 100, got %d", "bsai.ask.topK", a.TopK).
			WithHint("set bsai.ask.topK to how many entities to retrieve, e.g. 5")
	}
	return a, nil
}
