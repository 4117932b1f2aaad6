// Package llmtest is an in-process OpenAI-compatible server for tests. It
// answers /v1/chat/completions (JSON and SSE streams, tool calls, structured
// output) and /v1/embeddings from a script of replies, records every request
// and binds to 127.0.0.1 only, so tests exercise the real go-openai client
// over HTTP.
//
//	srv := llmtest.New(t, llmtest.ToolCall("lookup", `{"ref":"component:default/x"}`), llmtest.Text("done"))
//	p := srv.Provider()
//	res, err := llm.RunTools(ctx, p, req, tools, llm.Budget{})
//	srv.Requests()[1].Messages // the conversation the model saw on turn 2
package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/llm"
)

// APIKey is the key Provider() configures. Tests assert it never shows up
// in errors or output.
const APIKey = "sk-llmtest-0123456789abcdefSECRET"

// Model and EmbeddingModel are the defaults Provider() configures.
const (
	Model          = "test-model"
	EmbeddingModel = "test-embedding"
)

// Wire is a request as it came in: what every fake provider records.
type Wire struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	// Raw is the body as sent; Body is it decoded generically.
	Raw  []byte
	Body map[string]any
}

// Record is r as a Wire, raw its body as read.
func Record(r *http.Request, raw []byte) Wire {
	w := Wire{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Raw: raw}
	_ = json.Unmarshal(raw, &w.Body)
	return w
}

// Request is one recorded request, decoded.
type Request struct {
	Wire

	// Chat completion fields.
	Model          string
	Messages       []llm.Message
	Tools          []llm.ToolDef
	ResponseFormat *llm.ResponseFormat
	Stream         bool
	IncludeUsage   bool
	MaxTokens      int

	// Embedding input.
	Input []string
}

// System returns the content of the first system message ("" if none).
func (r Request) System() string {
	for _, m := range r.Messages {
		if m.Role == llm.RoleSystem {
			return m.Content
		}
	}
	return ""
}

// LastUser returns the content of the last user message ("" if none).
func (r Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == llm.RoleUser {
			return r.Messages[i].Content
		}
	}
	return ""
}

// Server is the scripted server.
type Server struct {
	// URL is the OpenAI-style base URL, ending in /v1.
	URL string
	// Fallback answers requests after the script ran out; nil means a 500
	// and a test error ("no scripted reply left").
	Fallback *Reply
	// Models is what GET /v1/models lists (default Model and
	// EmbeddingModel). Listing models takes no scripted reply unless
	// ScriptModels is set, so a test can script an error for it.
	Models       []string
	ScriptModels bool

	t    testing.TB
	srv  *httptest.Server
	stop chan struct{}
	once sync.Once

	mu      sync.Mutex
	replies []Reply
	reqs    []Request
	sleeps  []time.Duration
}

// New starts a server on 127.0.0.1 that answers with replies in order; it
// is closed when the test ends.
func New(t testing.TB, replies ...Reply) *Server {
	t.Helper()
	s := &Server{t: t, replies: replies, stop: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("llmtest: listen: %v", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.handle)}}
	s.srv.Start()
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, releasing hanging handlers first.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.stop)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// Add appends replies to the script.
func (s *Server) Add(replies ...Reply) {
	s.mu.Lock()
	s.replies = append(s.replies, replies...)
	s.mu.Unlock()
}

// Remaining is the number of scripted replies not used yet.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.replies)
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Last returns the most recent request; it fails the test if there is none.
func (s *Server) Last() Request {
	s.t.Helper()
	rs := s.Requests()
	if len(rs) == 0 {
		s.t.Fatalf("llmtest: no request received")
	}
	return rs[len(rs)-1]
}

// Sleeps returns the retry delays the providers built by Provider/Config
// asked for (they do not actually wait).
func (s *Server) Sleeps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

// Config returns a provider config pointing at the server: name "test",
// type openai-compatible, key APIKey, model Model, retries that record
// their delay instead of sleeping, and jitter fixed at its midpoint.
func (s *Server) Config() llm.ProviderConfig {
	return llm.ProviderConfig{
		Name: "test", Type: "openai-compatible", BaseURL: s.URL, APIKey: APIKey,
		APIKeyEnv: "TEST_API_KEY", Model: Model, EmbeddingModel: EmbeddingModel,
		Timeout: 30 * time.Second,
		Retry: llm.RetryPolicy{
			Sleep: func(ctx context.Context, d time.Duration) error {
				s.mu.Lock()
				s.sleeps = append(s.sleeps, d)
				s.mu.Unlock()
				return ctx.Err()
			},
			Rand: func() float64 { return 0.5 },
		},
	}
}

// AIConfig is the bsai.ai block of an app-config.yaml, indented to sit
// under "bsai:", with one default provider "test" of type openai-compatible
// pointing at the server with model Model. apiKey is written as given
// (APIKey, or "${VAR}" for a key from the environment); each extra line
// ("tools: false") goes into the provider's block.
func (s *Server) AIConfig(apiKey string, extra ...string) string {
	var b strings.Builder
	b.WriteString("  ai:\n    default: test\n    providers:\n      test:\n        type: openai-compatible\n")
	fmt.Fprintf(&b, "        baseUrl: %s\n        apiKey: %s\n        model: %s\n", s.URL, apiKey, Model)
	for _, l := range extra {
		b.WriteString("        " + l + "\n")
	}
	return b.String()
}

// Provider returns a ready provider for Config(); edit lets a test change
// the config first (nil for none).
func (s *Server) Provider(edit ...func(*llm.ProviderConfig)) llm.Provider {
	s.t.Helper()
	cfg := s.Config()
	for _, e := range edit {
		e(&cfg)
	}
	p, err := llm.New(cfg)
	if err != nil {
		s.t.Fatalf("llmtest: build provider: %v", err)
	}
	return p
}

func (s *Server) next(req Request) (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, req)
	if len(s.replies) == 0 {
		if s.Fallback != nil {
			return *s.Fallback, true
		}
		return Reply{}, false
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	return r, true
}

// models answers GET /v1/models as OpenAI does.
func (s *Server) models(w http.ResponseWriter, req Request) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	ids := s.Models
	s.mu.Unlock()
	if ids == nil {
		ids = []string{Model, EmbeddingModel}
	}
	data := make([]map[string]any, len(ids))
	for i, id := range ids {
		data[i] = map[string]any{"id": id, "object": "model", "created": 0, "owned_by": "llmtest"}
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": data})
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := decode(r, raw)
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/models") && !s.ScriptModels {
		s.models(w, req)
		return
	}
	reply, ok := s.next(req)
	if !ok {
		s.t.Errorf("llmtest: no scripted reply left for request %d (%s %s)", len(s.Requests()), r.Method, r.URL.Path)
		writeJSON(w, 500, map[string]any{"error": map[string]any{"message": "llmtest: no scripted reply left", "type": "server_error"}})
		return
	}
	if reply.Func != nil {
		reply = reply.Func(req)
	}
	if reply.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range reply.Header {
		w.Header().Set(k, v)
	}
	status := reply.Status
	if status == 0 {
		status = 200
	}
	if reply.Body != "" || status >= 300 {
		w.WriteHeader(status)
		io.WriteString(w, reply.Body)
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/embeddings"):
		s.embeddings(w, req, reply)
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		if reply.Hang && !req.Stream {
			s.hang(r.Context())
			return
		}
		if req.Stream {
			s.stream(w, r.Context(), req, reply)
			return
		}
		writeJSON(w, 200, completion(req, reply))
	default:
		writeJSON(w, 404, map[string]any{"error": map[string]any{"message": "llmtest: unknown path " + r.URL.Path}})
	}
}

func (s *Server) hang(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-s.stop:
	}
}

func (s *Server) embeddings(w http.ResponseWriter, req Request, reply Reply) {
	var data []map[string]any
	for i := range req.Input {
		var v []float32
		if i < len(reply.Embeddings) {
			v = reply.Embeddings[i]
		} else {
			// Unscripted inputs get a deterministic vector from their text.
			v = fakeVector(req.Input[i])
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
	}
	writeJSON(w, 200, map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": len(req.Input) * 4, "total_tokens": len(req.Input) * 4}})
}

// fakeVector maps text to a small stable vector (letter-frequency based,
// so similar texts get similar vectors).
func fakeVector(s string) []float32 {
	v := make([]float32, 8)
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' {
			v[(c-'a')%8]++
		}
	}
	return v
}

func usageOf(r Reply) llm.Usage {
	if r.Usage != nil {
		u := *r.Usage
		if u.TotalTokens == 0 {
			u.TotalTokens = u.PromptTokens + u.CompletionTokens
		}
		return u
	}
	return llm.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}
}

func finishOf(r Reply) string {
	if r.FinishReason != "" {
		return r.FinishReason
	}
	if len(r.ToolCalls) > 0 {
		return "tool_calls"
	}
	return "stop"
}

func wireCalls(calls []llm.ToolCall) []map[string]any {
	var out []map[string]any
	for _, c := range calls {
		out = append(out, map[string]any{"id": c.ID, "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": string(c.Arguments)}})
	}
	return out
}

func completion(req Request, r Reply) map[string]any {
	msg := map[string]any{"role": "assistant", "content": r.Text}
	if r.Refusal != "" {
		msg["content"] = nil
		msg["refusal"] = r.Refusal
	}
	if len(r.ToolCalls) > 0 {
		msg["tool_calls"] = wireCalls(r.ToolCalls)
		if r.Text == "" {
			msg["content"] = nil
		}
	}
	u := usageOf(r)
	return map[string]any{
		"id": "chatcmpl-llmtest", "object": "chat.completion", "created": 1700000000, "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finishOf(r)}},
		"usage":   map[string]any{"prompt_tokens": u.PromptTokens, "completion_tokens": u.CompletionTokens, "total_tokens": u.TotalTokens},
	}
}

func (s *Server) stream(w http.ResponseWriter, ctx context.Context, req Request, r Reply) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(200)
	fl, _ := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if fl != nil {
			fl.Flush()
		}
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 1700000000,
			"model": req.Model, "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	chunks := r.Chunks
	if chunks == nil && r.Text != "" {
		chunks = splitWords(r.Text)
	}
	for _, c := range chunks {
		send(chunk(map[string]any{"content": c}, nil))
	}
	// Tool calls arrive as OpenAI sends them: a header delta with id and
	// name, then the arguments in pieces, keyed by index.
	for i, c := range r.ToolCalls {
		send(chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": c.ID, "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": ""}}}}, nil))
		args := string(c.Arguments)
		for len(args) > 0 {
			n := min(len(args), 7)
			send(chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i,
				"function": map[string]any{"arguments": args[:n]}}}}, nil))
			args = args[n:]
		}
	}
	if r.Hang {
		s.hang(ctx)
		return
	}
	if r.StreamError != "" {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": r.StreamError, "type": "server_error"}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		return
	}
	send(chunk(map[string]any{}, finishOf(r)))
	if req.IncludeUsage {
		u := usageOf(r)
		send(map[string]any{"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 1700000000,
			"model": req.Model, "choices": []any{},
			"usage": map[string]any{"prompt_tokens": u.PromptTokens, "completion_tokens": u.CompletionTokens, "total_tokens": u.TotalTokens}})
	}
	io.WriteString(w, "data: [DONE]\n\n")
	if fl != nil {
		fl.Flush()
	}
}

// splitWords splits text into word-sized deltas that join back exactly.
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] == ' ' {
			out = append(out, s[start:i])
			start = i
		}
	}
	return append(out, s[start:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
