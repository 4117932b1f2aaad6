package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func userReq(text string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "be brief"}, {Role: llm.RoleUser, Content: text}}}
}

// drain reads st to its end and returns the text it streamed and what
// ended it: nil at io.EOF, else the error. Closing st is the caller's.
func drain(st llm.Stream) (string, error) {
	var sb strings.Builder
	for {
		c, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return sb.String(), nil
		}
		if err != nil {
			return sb.String(), err
		}
		sb.WriteString(c.Delta)
	}
}

// streamed streams req from p to its end, failing the test on any error,
// and returns the text it streamed and the complete response.
func streamed(t *testing.T, p llm.Provider, req llm.Request) (string, llm.Response) {
	t.Helper()
	st, err := p.Stream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	text, err := drain(st)
	if err != nil {
		t.Fatal(err)
	}
	return text, st.Response()
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name      string
		reply     llmtest.Reply
		req       llm.Request
		wantText  string
		wantCalls int
		wantUsage llm.Usage
	}{
		{"text", llmtest.Text("hello there").WithUsage(7, 3), userReq("hi"), "hello there", 0, llm.Usage{PromptTokens: 7, CompletionTokens: 3, TotalTokens: 10, Calls: 1}},
		{"tool call", llmtest.ToolCall("lookup", `{"q":"x"}`), userReq("find x"), "", 1, llm.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15, Calls: 1}},
		{"model override", llmtest.Text("ok"), llm.Request{Model: "other", Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}}, "ok", 0, llm.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15, Calls: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.reply)
			p := srv.Provider(func(c *llm.ProviderConfig) { c.Headers = map[string]string{"X-Tenant": "acme"} })
			resp, err := p.Generate(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Message.Content != tt.wantText || len(resp.Message.ToolCalls) != tt.wantCalls {
				t.Fatalf("got %+v", resp.Message)
			}
			if resp.Usage != tt.wantUsage {
				t.Errorf("usage = %+v, want %+v", resp.Usage, tt.wantUsage)
			}
			got := srv.Last()
			if got.Path != "/v1/chat/completions" {
				t.Errorf("path = %s", got.Path)
			}
			wantModel := tt.req.Model
			if wantModel == "" {
				wantModel = llmtest.Model
			}
			if got.Model != wantModel {
				t.Errorf("model = %q, want %q", got.Model, wantModel)
			}
			if h := got.Header.Get("Authorization"); h != "Bearer "+llmtest.APIKey {
				t.Errorf("authorization header not sent as bearer")
			}
			if got.Header.Get("X-Tenant") != "acme" {
				t.Errorf("extra header missing: %v", got.Header)
			}
			if len(got.Messages) != len(tt.req.Messages) || got.Messages[len(got.Messages)-1].Content != tt.req.Messages[len(tt.req.Messages)-1].Content {
				t.Errorf("messages sent = %+v", got.Messages)
			}
			if tt.wantCalls > 0 {
				c := resp.Message.ToolCalls[0]
				if c.Name != "lookup" || c.ID != "call_lookup" || string(c.Arguments) != `{"q":"x"}` {
					t.Errorf("tool call = %+v", c)
				}
			}
		})
	}
}

func TestGenerateSendsToolsAndHistory(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("fine"))
	p := srv.Provider()
	req := llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: "q"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{llmtest.Call("c1", "t", `{"a":1}`)}},
			{Role: llm.RoleTool, ToolCallID: "c1", Name: "t", Content: "result"},
		},
		Tools:     []llm.ToolDef{{Name: "t", Description: "a tool", Parameters: json.RawMessage(`{"type":"object","properties":{"a":{"type":"integer"}}}`)}},
		MaxTokens: 100,
	}
	if _, err := p.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	got := srv.Last()
	if len(got.Tools) != 1 || got.Tools[0].Name != "t" || !strings.Contains(string(got.Tools[0].Parameters), `"integer"`) {
		t.Errorf("tools = %+v", got.Tools)
	}
	if got.Messages[1].ToolCalls[0].ID != "c1" || got.Messages[2].ToolCallID != "c1" || got.Messages[2].Content != "result" {
		t.Errorf("history = %+v", got.Messages)
	}
	if got.MaxTokens != 100 {
		t.Errorf("max tokens = %d", got.MaxTokens)
	}
}

func TestStream(t *testing.T) {
	tests := []struct {
		name      string
		reply     llmtest.Reply
		wantDelta []string
		wantCalls []llm.ToolCall
	}{
		{"text chunks", llmtest.Stream("Hel", "lo ", "world"), []string{"Hel", "lo ", "world"}, nil},
		{"text split", llmtest.Text("one two three"), []string{"one", " two", " three"}, nil},
		{"streamed tool calls", llmtest.ToolCalls(
			llmtest.Call("c1", "catalog_get", `{"ref":"component:default/payments-api"}`),
			llmtest.Call("c2", "owners", `{"ref":"group:default/payments","depth":2}`)), nil,
			[]llm.ToolCall{llmtest.Call("c1", "catalog_get", `{"ref":"component:default/payments-api"}`),
				llmtest.Call("c2", "owners", `{"ref":"group:default/payments","depth":2}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.reply.WithUsage(12, 4))
			m := llm.NewMetered(srv.Provider())
			st, err := m.Stream(context.Background(), userReq("hi"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var deltas []string
			for {
				c, err := st.Recv()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				deltas = append(deltas, c.Delta)
			}
			if strings.Join(deltas, "|") != strings.Join(tt.wantDelta, "|") {
				t.Errorf("deltas = %q, want %q", deltas, tt.wantDelta)
			}
			resp := st.Response()
			if resp.Message.Content != strings.Join(tt.wantDelta, "") {
				t.Errorf("content = %q", resp.Message.Content)
			}
			if len(resp.Message.ToolCalls) != len(tt.wantCalls) {
				t.Fatalf("tool calls = %+v", resp.Message.ToolCalls)
			}
			for i, c := range tt.wantCalls {
				g := resp.Message.ToolCalls[i]
				if g.ID != c.ID || g.Name != c.Name || string(g.Arguments) != string(c.Arguments) {
					t.Errorf("call %d = %+v (%s), want %+v", i, g, g.Arguments, c)
				}
			}
			want := llm.Usage{PromptTokens: 12, CompletionTokens: 4, TotalTokens: 16, Calls: 1}
			if resp.Usage != want || m.Usage() != want {
				t.Errorf("usage = %+v, metered %+v", resp.Usage, m.Usage())
			}
			if !srv.Last().Stream || !srv.Last().IncludeUsage {
				t.Errorf("request should ask for a stream with usage")
			}
		})
	}
}

func TestEmbed(t *testing.T) {
	srv := llmtest.New(t, llmtest.Embeddings([]float32{1, 0}, []float32{0, 1}))
	p := srv.Provider()
	vecs, err := p.Embed(context.Background(), []string{"payments", "search"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || vecs[0][0] != 1 || vecs[1][1] != 1 {
		t.Errorf("vecs = %v", vecs)
	}
	got := srv.Last()
	if got.Path != "/v1/embeddings" || got.Model != llmtest.EmbeddingModel || strings.Join(got.Input, ",") != "payments,search" {
		t.Errorf("request = %s %q %q", got.Path, got.Model, got.Input)
	}
	// No embedding model: a config error, no request.
	p2 := srv.Provider(func(c *llm.ProviderConfig) { c.EmbeddingModel = "" })
	if _, err := p2.Embed(context.Background(), []string{"x"}); !errors.Is(err, llm.ErrNoModel) || !strings.Contains(err.Error(), "embeddingModel") {
		t.Errorf("err = %v", err)
	}
	if llm.CapabilitiesOf(p2).Embeddings || !llm.CapabilitiesOf(p).Embeddings {
		t.Errorf("embeddings capability should follow the embedding model")
	}
	// OpenAI has a default embedding model.
	p3, err := llm.New(llm.ProviderConfig{Name: "openai", APIKey: "k", Model: "gpt-4o-mini"})
	if err != nil || !llm.CapabilitiesOf(p3).Embeddings {
		t.Errorf("openai embeddings: %v", err)
	}
}

// Servers differ in how they stream tool calls; these are raw SSE bodies in
// the shapes seen from Ollama (whole calls, no index) and servers that
// repeat the name in every delta.
func TestStreamToolCallShapes(t *testing.T) {
	sse := func(events ...string) llmtest.Reply {
		body := ""
		for _, e := range events {
			body += "data: " + e + "\n\n"
		}
		return llmtest.Reply{Body: body + "data: [DONE]\n\n", Header: map[string]string{"Content-Type": "text/event-stream"}}
	}
	tests := []struct {
		name  string
		reply llmtest.Reply
		want  string
	}{
		{"whole calls without index", sse(
			`{"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"id":"a","type":"function","function":{"name":"get","arguments":"{\"ref\":\"x\"}"}},{"id":"b","type":"function","function":{"name":"owners","arguments":"{}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`),
			`a:get:{"ref":"x"} b:owners:{}`},
		{"calls in separate chunks without index", sse(
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"a","type":"function","function":{"name":"get","arguments":"{}"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"b","type":"function","function":{"name":"put","arguments":"{\"v\":"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}`),
			`a:get:{} b:put:{"v":1}`},
		{"name repeated per delta", sse(
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"search","arguments":"{\"q\":"}}]}}]}`,
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"search","arguments":"\"pay\"}"}}]}}]}`),
			`c:search:{"q":"pay"}`},
		{"broken arguments kept as a string", sse(
			`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"d","type":"function","function":{"name":"x","arguments":"{\"a\":"}}]}}]}`),
			`d:x:"{\"a\":"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.reply)
			_, res := streamed(t, srv.Provider(), userReq("x"))
			var got []string
			for _, c := range res.Message.ToolCalls {
				got = append(got, c.ID+":"+c.Name+":"+string(c.Arguments))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("calls = %s, want %s", strings.Join(got, " "), tt.want)
			}
		})
	}
}

func TestToolCallsWithoutIDsGetOne(t *testing.T) {
	srv := llmtest.New(t, llmtest.ToolCalls(llm.ToolCall{Name: "a", Arguments: json.RawMessage(`{}`)}, llm.ToolCall{Name: "b", Arguments: json.RawMessage(`{}`)}))
	resp, err := srv.Provider().Generate(context.Background(), userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	if c := resp.Message.ToolCalls; len(c) != 2 || c[0].ID != "call_0" || c[1].ID != "call_1" {
		t.Errorf("calls = %+v", c)
	}
}
