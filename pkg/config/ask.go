package config

// AskConfig is the typed view of bsai.ask; `bsai ask` flags win over it.
//
//	bsai:
//	  ask:
//	    topK: 5             # entities retrieved (1-100)
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

// MaxTopK is the most entities one question may retrieve.
const MaxTopK = 100

// Ask returns bsai.ask (zero value when absent), checked: an out-of-range
// value is a config error naming its key and line, not a flag error for a
// flag nobody typed.
func (c *Config) Ask() (AskConfig, error) {
	var a AskConfig
	if err := c.Decode("bsai.ask", &a); err != nil {
		return a, err
	}
	if c.Has("bsai.ask.topK") && (a.TopK < 1 || a.TopK > MaxTopK) {
		return a, c.keyErr("bsai.ask.topK", "must be between 1 and %d, got %d", MaxTopK, a.TopK)
	}
	for _, f := range []struct {
		key string
		v   int
	}{{"bsai.ask.contextTokens", a.ContextTokens}, {"bsai.ask.maxSteps", a.MaxSteps},
		{"bsai.ask.maxToolCalls", a.MaxToolCalls}, {"bsai.ask.maxTokens", a.MaxTokens}} {
		if f.v < 0 {
			return a, c.keyErr(f.key, "must not be negative, got %d", f.v)
		}
	}
	return a, nil
}
