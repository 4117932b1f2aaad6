package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
)

// Metered wraps a provider and sums token usage over every call, so a
// command can report usage per call and in total (-v, -o json).
type Metered struct {
	Provider
	// OnCall, if set, is told about each finished call (for -v lines such
	// as "llm: generate gpt-4o-mini 812+96 tokens").
	OnCall func(CallUsage)
	mu     sync.Mutex
	total  Usage
	calls  []CallUsage
}

// CallUsage is the usage of one model call.
type CallUsage struct {
	Call  string `json:"call"` // "generate" or "stream"
	Model string `json:"model"`
	Usage Usage  `json:"usage"`
}

// Calls returns the usage of every call so far, in order.
func (m *Metered) Calls() []CallUsage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]CallUsage(nil), m.calls...)
}

// NewMetered wraps p.
func NewMetered(p Provider) *Metered { return &Metered{Provider: p} }

// Usage returns the sum so far.
func (m *Metered) Usage() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
}

func (m *Metered) add(call, model string, u Usage) {
	if model == "" {
		model = m.Provider.Model()
	}
	c := CallUsage{Call: call, Model: model, Usage: u}
	m.mu.Lock()
	m.total.Add(u)
	m.calls = append(m.calls, c)
	m.mu.Unlock()
	if m.OnCall != nil {
		m.OnCall(c)
	}
}

func (m *Metered) Generate(ctx context.Context, req Request) (Response, error) {
	r, err := m.Provider.Generate(ctx, req)
	if err == nil {
		u := r.Usage
		if u.Calls == 0 {
			u.Calls = 1
		}
		m.add("generate", req.Model, u)
	}
	return r, err
}

func (m *Metered) Stream(ctx context.Context, req Request) (Stream, error) {
	s, err := m.Provider.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	return &meteredStream{Stream: s, m: m, model: req.Model}, nil
}

type meteredStream struct {
	Stream
	m     *Metered
	model string
	once  sync.Once
}

func (s *meteredStream) Recv() (Chunk, error) {
	c, err := s.Stream.Recv()
	if errors.Is(err, io.EOF) {
		s.once.Do(func() {
			u := s.Stream.Response().Usage
			if u.Calls == 0 {
				u.Calls = 1
			}
			s.m.add("stream", s.model, u)
		})
	}
	return c, err
}

// ErrPromptShown is returned by PromptPrinter after it printed a request;
// commands treat it as success (--show-prompt exits 0 without calling).
var ErrPromptShown = errors.New("prompt shown; no model was called")

// PromptPrinter is a Provider that prints exactly what would be sent
// (messages, tools, response schema) as JSON and calls nothing.
type PromptPrinter struct {
	W            io.Writer
	ProviderName string // name shown in the output
	ModelName    string
}

// NewPromptPrinter stands in for p (nil when no model is configured) for
// --show-prompt: it prints p's name and model with each request.
func NewPromptPrinter(w io.Writer, p Provider) *PromptPrinter {
	if p == nil {
		return &PromptPrinter{W: w, ProviderName: "none"}
	}
	return &PromptPrinter{W: w, ProviderName: p.Name(), ModelName: p.Model()}
}

func (p *PromptPrinter) Name() string  { return p.ProviderName }
func (p *PromptPrinter) Model() string { return p.ModelName }

func (p *PromptPrinter) print(kind string, req Request) error {
	if req.Model == "" {
		req.Model = p.ModelName
	}
	enc := json.NewEncoder(p.W)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"provider": p.ProviderName, "call": kind, "request": req}); err != nil {
		return err
	}
	return ErrPromptShown
}

func (p *PromptPrinter) Generate(ctx context.Context, req Request) (Response, error) {
	return Response{}, p.print("generate", req)
}

func (p *PromptPrinter) Stream(ctx context.Context, req Request) (Stream, error) {
	return nil, p.print("stream", req)
}

func (p *PromptPrinter) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	// Embeddings carry no prompt worth showing; report no model so
	// retrieval falls back to keywords and the chat prompt gets printed.
	return nil, ErrNoModel
}

// Unwrap returns the wrapped provider.
func (m *Metered) Unwrap() Provider { return m.Provider }

// Capabilities forwards the wrapped provider's capabilities.
func (m *Metered) Capabilities() Caps { return CapabilitiesOf(m.Provider) }

// noteNoJSONSchema forwards GenerateObject's fallback to the wrapped provider.
func (m *Metered) noteNoJSONSchema() { noteNoJSONSchema(m.Provider) }

// Config forwards the wrapped provider's (redacted) settings, so code that
// asks a provider for its config works through the meter too.
func (m *Metered) Config() ProviderConfig {
	if c, ok := m.Provider.(configurer); ok {
		return c.Config()
	}
	return ProviderConfig{Name: m.Provider.Name(), Model: m.Provider.Model()}
}
