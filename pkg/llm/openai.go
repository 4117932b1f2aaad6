package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// Caps says what a provider can do; commands use it to pick a path (e.g.
// skip tool use against a server without it).
type Caps struct {
	Tools      bool `json:"tools"`
	JSONSchema bool `json:"jsonSchema"`
	Embeddings bool `json:"embeddings"`
}

// Capable is implemented by providers that know their capabilities.
type Capable interface{ Capabilities() Caps }

// CapabilitiesOf returns p's capabilities; a provider that does not say
// is assumed to support everything (the calls fail loudly if not).
func CapabilitiesOf(p Provider) Caps {
	if c, ok := p.(Capable); ok {
		return c.Capabilities()
	}
	return Caps{Tools: true, JSONSchema: true, Embeddings: true}
}

// jsonSchemaNoter is told when a server rejected response_format
// json_schema, so later calls of the process go straight to JSON mode.
type jsonSchemaNoter interface{ noteNoJSONSchema() }

// unwrapper lets wrappers (Metered) expose the provider they wrap.
type unwrapper interface{ Unwrap() Provider }

func noteNoJSONSchema(p Provider) {
	for p != nil {
		if n, ok := p.(jsonSchemaNoter); ok {
			n.noteNoJSONSchema()
			return
		}
		u, ok := p.(unwrapper)
		if !ok {
			return
		}
		p = u.Unwrap()
	}
}

const defaultTimeout = 2 * time.Minute

// openAIProvider talks to any OpenAI-compatible server through go-openai.
type openAIProvider struct {
	cfg    ProviderConfig
	ti     TypeInfo
	client *openai.Client
	red    redactor
	retry  RetryPolicy
	// noJSONSchema flips when the server rejected json_schema once.
	noJSONSchema atomic.Bool
	// noStreamOptions flips when the server rejected stream_options.
	noStreamOptions atomic.Bool
	// maxCompletion and noTemperature flip when the server rejected
	// max_tokens or a non-default temperature (see adapt.go).
	maxCompletion atomic.Bool
	noTemperature atomic.Bool
}

func newOpenAI(cfg ProviderConfig, ti TypeInfo) (*openAIProvider, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = ti.BaseURL
	}
	if cfg.BaseURL == "" {
		return nil, errs.Config("provider %s (type %s) needs a baseUrl", cfg.Name, ti.Type).
			WithHint("set bsai.ai.providers.%s.baseUrl", cfg.Name)
	}
	if cfg.Model == "" {
		return nil, errs.Config("provider %s has no model", cfg.Name).
			WithHint("set bsai.ai.providers.%s.model or pass --model", cfg.Name)
	}
	p := &openAIProvider{cfg: cfg, ti: ti, red: redactor{secrets: []string{cfg.APIKey}}}
	if ti.NeedsKey && cfg.APIKey == "" {
		return nil, errs.Config("provider %s has no api key; set %s", cfg.Name, p.keyEnv()).
			WithHint("export %s=... or set bsai.ai.providers.%s.apiKey: ${%s}", p.keyEnv(), cfg.Name, p.keyEnv())
	}
	if strings.Contains(cfg.APIKey, "${") {
		return nil, errs.Config("provider %s: api key is an unresolved %s reference", cfg.Name, "${...}").
			WithHint("export the environment variable named in bsai.ai.providers.%s.apiKey", cfg.Name)
	}
	if cfg.Timeout <= 0 {
		p.cfg.Timeout = defaultTimeout
	}
	switch strings.ToLower(strings.TrimSpace(p.cfg.EmbeddingModel)) {
	case "":
		p.cfg.EmbeddingModel = ti.EmbeddingModel
	case "none", "off", "false":
		// Keyword retrieval only, even where the type has a default
		// embedding model (a key without embedding access, a gateway).
		p.cfg.EmbeddingModel = ""
	}
	p.retry = cfg.Retry.withDefaults()

	var oc openai.ClientConfig
	switch ti.Type {
	case "azure":
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.BaseURL)
		oc.APIVersion = cfg.APIVersion
		if oc.APIVersion == "" {
			oc.APIVersion = "2024-10-21"
		}
		// The configured model is the deployment name; use it verbatim.
		oc.AzureModelMapperFunc = func(m string) string { return m }
	default:
		// Also for anthropic: DefaultAnthropicConfig sends no auth header,
		// while Anthropic's OpenAI-compatible endpoint takes a bearer key.
		oc = openai.DefaultConfig(cfg.APIKey)
		oc.BaseURL = cfg.BaseURL
	}
	base := &http.Client{}
	if cfg.HTTPClient != nil {
		base.Transport = cfg.HTTPClient.Transport
		base.Jar = cfg.HTTPClient.Jar
	}
	oc.HTTPClient = &doer{client: base, headers: cfg.Headers, policy: p.retry}
	p.client = openai.NewClientWithConfig(oc)
	return p, nil
}

func (p *openAIProvider) Name() string  { return p.cfg.Name }
func (p *openAIProvider) Model() string { return p.cfg.Model }

// Config returns the provider's settings with the key removed (for -v).
func (p *openAIProvider) Config() ProviderConfig {
	c := p.cfg
	c.Type = p.ti.Type
	if c.APIKey != "" {
		c.APIKey = "[redacted]"
	}
	c.BaseURL = p.red.apply(c.BaseURL)
	if len(c.Headers) > 0 {
		h := map[string]string{}
		for k, v := range c.Headers {
			lk := strings.ToLower(k)
			if strings.Contains(lk, "key") || strings.Contains(lk, "auth") || strings.Contains(lk, "token") || strings.Contains(lk, "secret") {
				v = "[redacted]"
			}
			h[k] = v
		}
		c.Headers = h
	}
	c.HTTPClient = nil
	c.Retry = RetryPolicy{MaxRetries: p.retry.MaxRetries, BaseDelay: p.retry.BaseDelay, MaxDelay: p.retry.MaxDelay}
	return c
}

func (p *openAIProvider) Capabilities() Caps {
	js := p.ti.JSONSchema
	if p.cfg.JSONSchema != nil {
		js = *p.cfg.JSONSchema
	}
	tools := p.cfg.Tools == nil || *p.cfg.Tools
	return Caps{Tools: tools, JSONSchema: js && !p.noJSONSchema.Load(), Embeddings: p.cfg.EmbeddingModel != ""}
}

func (p *openAIProvider) noteNoJSONSchema() { p.noJSONSchema.Store(true) }

func (p *openAIProvider) chatRequest(req Request) (openai.ChatCompletionRequest, error) {
	model := req.Model
	if model == "" {
		model = p.cfg.Model
	}
	out := openai.ChatCompletionRequest{Model: model}
	if req.Temperature != nil && !reasoningModel(model) && !p.noTemperature.Load() {
		// go-openai omits a zero temperature (omitempty), which servers
		// read as their default (~0.7-1); the smallest positive float is
		// sent instead and means 0 to every sampler.
		out.Temperature = *req.Temperature
		if out.Temperature == 0 {
			out.Temperature = math.SmallestNonzeroFloat32
		}
	}
	if req.MaxTokens == 0 {
		req.MaxTokens = p.cfg.MaxTokens
	}
	if req.MaxTokens > 0 {
		if reasoningModel(model) || p.maxCompletion.Load() {
			out.MaxCompletionTokens = req.MaxTokens
		} else {
			// max_tokens is what OpenAI-compatible servers (Ollama, vLLM,
			// LM Studio, gateways) understand; OpenAI deprecated it only
			// for reasoning models, which get max_completion_tokens above
			// (and a server that asks for it is adapted to once).
			//lint:ignore SA1019 deliberate: see above
			out.MaxTokens = req.MaxTokens
		}
	}
	for _, m := range req.Messages {
		om := openai.ChatCompletionMessage{Role: string(m.Role), Content: m.Content, ToolCallID: m.ToolCallID}
		if m.Role != RoleTool {
			om.Name = m.Name
		}
		for _, tc := range m.ToolCalls {
			args := wireArgs(tc.Arguments)
			om.ToolCalls = append(om.ToolCalls, openai.ToolCall{ID: tc.ID, Type: openai.ToolTypeFunction,
				Function: openai.FunctionCall{Name: tc.Name, Arguments: args}})
		}
		out.Messages = append(out.Messages, om)
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		out.Tools = append(out.Tools, openai.Tool{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: t.Name, Description: t.Description, Parameters: params}})
	}
	if rf := req.ResponseFormat; rf != nil {
		switch rf.Type {
		case "json_schema":
			name := rf.Name
			if name == "" {
				name = "result"
			}
			out.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
				JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: name, Schema: rf.Schema, Strict: rf.Strict}}
		case "json_object":
			out.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		case "", "text":
		default:
			return out, errs.Failure("llm: unknown response format %q (want json_schema or json_object)", rf.Type)
		}
	}
	return out, nil
}

// reasoningModel: OpenAI's o-series and gpt-5/6 take max_completion_tokens
// and a fixed temperature; go-openai refuses the request otherwise.
func reasoningModel(m string) bool {
	for _, pre := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(m, pre) {
			return true
		}
	}
	return false
}

func fromUsage(u openai.Usage) Usage {
	t := u.TotalTokens
	if t == 0 {
		t = u.PromptTokens + u.CompletionTokens
	}
	return Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: t, Calls: 1}
}

func fromToolCalls(tcs []openai.ToolCall) []ToolCall {
	var out []ToolCall
	for i, tc := range tcs {
		out = append(out, ToolCall{ID: callID(tc.ID, i), Name: tc.Function.Name, Arguments: argsJSON(tc.Function.Arguments)})
	}
	return out
}

// callID fills in an id for servers that send tool calls without one, so
// each tool reply can still name the call it answers.
func callID(id string, i int) string {
	if id != "" {
		return id
	}
	return fmt.Sprintf("call_%d", i)
}

// argsJSON turns the model's argument text into JSON. Models sometimes send
// broken JSON; it is kept as a JSON string so transcripts still marshal
// (-o json) and RunTools can tell the model what was wrong.
func argsJSON(s string) json.RawMessage {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.RawMessage("{}")
	}
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(s)
	return b
}

// wireArgs is the inverse of argsJSON for sending history back.
func wireArgs(a json.RawMessage) string {
	if len(a) == 0 {
		return "{}"
	}
	if a[0] == '"' {
		var s string
		if json.Unmarshal(a, &s) == nil && !json.Valid([]byte(s)) {
			return s
		}
	}
	return string(a)
}

// Generate sends one chat completion, retrying once per adjustment the
// server asks for (see adapt.go).
func (p *openAIProvider) Generate(ctx context.Context, req Request) (Response, error) {
	return adapting(p, req, func(req Request) (Response, error) { return p.generate(ctx, req) })
}

func (p *openAIProvider) generate(ctx context.Context, req Request) (Response, error) {
	cr, err := p.chatRequest(req)
	if err != nil {
		return Response{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	cctx, info := withAttempts(cctx)
	res, err := p.client.CreateChatCompletion(cctx, cr)
	if err != nil {
		if ctx.Err() == nil && cctx.Err() != nil {
			return Response{}, errs.Upstream("provider %s: generate timed out after %s", p.cfg.Name, p.cfg.Timeout).
				WithHint("raise bsai.ai.providers.%s.timeout", p.cfg.Name)
		}
		return Response{}, p.mapError(ctx, "generate", err, info)
	}
	if len(res.Choices) == 0 {
		return Response{}, errs.Upstream("provider %s returned no choices", p.cfg.Name)
	}
	ch := res.Choices[0]
	msg := Message{Role: RoleAssistant, Content: ch.Message.Content, ToolCalls: fromToolCalls(ch.Message.ToolCalls)}
	if err := p.emptyAnswer(msg.Content, ch.Message.Refusal, string(ch.FinishReason), len(msg.ToolCalls)); err != nil {
		return Response{}, err
	}
	return Response{Message: msg, Usage: fromUsage(res.Usage), FinishReason: string(ch.FinishReason)}, nil
}

// Embed embeds a batch of texts with the embedding model.
func (p *openAIProvider) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	model := p.cfg.EmbeddingModel
	if model == "" {
		// Wraps ErrNoModel: retrieval takes its keyword path.
		return nil, errs.Config("provider %s has no embeddingModel: %w", p.cfg.Name, ErrNoModel).
			WithHint("set bsai.ai.providers.%s.embeddingModel (e.g. text-embedding-3-small, nomic-embed-text)", p.cfg.Name)
	}
	size := embedBatch
	if p.ti.EmbedBatch > 0 {
		size = p.ti.EmbedBatch
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += size {
		batch := texts[start:min(start+size, len(texts))]
		vecs, err := p.embedBatch(ctx, model, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	// Vectors of different lengths cannot be compared; that happens when
	// a server mixes models or truncates (dimensions) per request.
	for i, v := range out {
		if len(v) == 0 || len(v) != len(out[0]) {
			return nil, errs.Upstream("provider %s returned embeddings of different sizes (%d and %d values, input %d)", p.cfg.Name, len(out[0]), len(v), i).
				WithHint("check bsai.ai.providers.%s.embeddingModel names one model", p.cfg.Name)
		}
	}
	return out, nil
}

// embedBatch bounds one /embeddings request; OpenAI takes up to 2048 inputs
// but local servers are slower per request, so batches stay moderate.
const embedBatch = 256

func (p *openAIProvider) embedBatch(ctx context.Context, model string, texts []string) ([][]float32, error) {
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	cctx, info := withAttempts(cctx)
	res, err := p.client.CreateEmbeddings(cctx, openai.EmbeddingRequestStrings{Input: texts, Model: openai.EmbeddingModel(model)})
	if err != nil {
		return nil, p.mapError(ctx, "embed", err, info)
	}
	if len(res.Data) != len(texts) {
		return nil, errs.Upstream("provider %s returned %d embeddings for %d texts", p.cfg.Name, len(res.Data), len(texts))
	}
	out := make([][]float32, len(texts))
	for i, d := range res.Data {
		idx := d.Index
		if idx < 0 || idx >= len(out) || out[idx] != nil {
			idx = i // servers that leave index 0 everywhere
		}
		out[idx] = d.Embedding
	}
	return out, nil
}

// emptyAnswer explains a reply without content or tool calls: a refusal
// (message.refusal, streamed as refusal deltas) or the provider's content
// filter (finish_reason content_filter, as OpenAI and Azure send it).
func (p *openAIProvider) emptyAnswer(content, refusal, finish string, toolCalls int) error {
	if strings.TrimSpace(content) != "" || toolCalls > 0 {
		return nil
	}
	switch {
	case strings.TrimSpace(refusal) != "":
		return errs.Upstream("provider %s: the model refused: %s", p.cfg.Name, p.red.apply(strings.TrimSpace(refusal))).
			WithHint("rephrase the request; the model declined to answer it")
	case finish == "content_filter":
		return errs.Upstream("provider %s: the provider's content filter withheld the answer (finish_reason content_filter)", p.cfg.Name).
			WithHint("rephrase the request, or ask the provider's administrator about the filter policy")
	}
	return nil
}
