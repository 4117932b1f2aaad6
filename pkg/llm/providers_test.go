package llm_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// Each provider type talks to the same OpenAI-compatible wire; what differs
// is the URL layout and how the key is sent.
func TestProviderTypesOnTheWire(t *testing.T) {
	tests := []struct {
		typ        string
		base       func(srvURL string) string
		wantPath   string
		wantQuery  string
		wantAuth   string // Authorization header
		wantAPIKey string // api-key header (Azure)
	}{
		{typ: "openai", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "anthropic", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "gemini", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "vllm", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "lmstudio", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "ollama", wantPath: "/v1/chat/completions", wantAuth: "Bearer " + llmtest.APIKey},
		{typ: "azure", base: func(u string) string { return strings.TrimSuffix(u, "/v1") },
			wantPath: "/openai/deployments/gpt-4o-prod/chat/completions", wantQuery: "api-version=2024-10-21", wantAPIKey: llmtest.APIKey},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			srv := llmtest.New(t, llmtest.Text("ok"))
			p := srv.Provider(func(c *llm.ProviderConfig) {
				c.Type, c.Name = tt.typ, tt.typ
				if tt.base != nil {
					c.BaseURL = tt.base(c.BaseURL)
				}
				if tt.typ == "azure" {
					c.Model = "gpt-4o-prod"
				}
			})
			if _, err := p.Generate(context.Background(), userReq("x")); err != nil {
				t.Fatal(err)
			}
			r := srv.Last()
			if r.Path != tt.wantPath || r.Query.Encode() != tt.wantQuery {
				t.Errorf("url = %s?%s", r.Path, r.Query.Encode())
			}
			if r.Header.Get("Authorization") != tt.wantAuth || r.Header.Get("Api-Key") != tt.wantAPIKey {
				t.Errorf("auth headers: Authorization set=%v api-key set=%v", r.Header.Get("Authorization") != "", r.Header.Get("Api-Key") != "")
			}
			if r.Header.Get("Anthropic-Version") != "" {
				t.Errorf("anthropic-version must not replace the bearer key")
			}
		})
	}
}

func TestTypeDefaults(t *testing.T) {
	for typ, want := range map[string]string{
		"openai": "https://api.openai.com/v1", "ollama": "http://localhost:11434/v1",
		"anthropic": "https://api.anthropic.com/v1/", "vllm": "http://localhost:8000/v1", "lmstudio": "http://localhost:1234/v1",
	} {
		ti, ok := llm.LookupType(typ)
		if !ok || ti.BaseURL != want {
			t.Errorf("%s: %+v", typ, ti)
		}
	}
	if p, err := llm.New(llm.ProviderConfig{Name: "claude", Type: "anthropic", APIKey: "k", Model: "claude-sonnet-4-5"}); err != nil || llm.CapabilitiesOf(p).JSONSchema {
		t.Errorf("anthropic should default to JSON mode: %v", err)
	}
}

func TestTemperatureZeroIsSent(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("a"), llmtest.Text("b"))
	p := srv.Provider()
	zero := float32(0)
	req := userReq("x")
	req.Temperature = &zero
	if _, err := p.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	temp, ok := srv.Last().Body["temperature"].(float64)
	if !ok || temp > 1e-6 {
		t.Errorf("temperature = %v (present %v), want ~0", srv.Last().Body["temperature"], ok)
	}
	if _, err := p.Generate(context.Background(), userReq("x")); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Last().Body["temperature"]; ok {
		t.Errorf("unset temperature should be left to the server")
	}
}

func TestEmbedBatches(t *testing.T) {
	srv := llmtest.New(t, llmtest.Embeddings(), llmtest.Embeddings())
	texts := make([]string, 300)
	for i := range texts {
		texts[i] = fmt.Sprintf("entity %d", i)
	}
	vecs, err := srv.Provider().Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || len(reqs[0].Input) != 256 || len(reqs[1].Input) != 44 || len(vecs) != 300 {
		t.Fatalf("requests %d, vecs %d", len(reqs), len(vecs))
	}
	if reqs[1].Input[0] != "entity 256" || len(vecs[299]) == 0 {
		t.Errorf("order lost")
	}
}

func TestBrokenToolArgumentsStayMarshallable(t *testing.T) {
	srv := llmtest.New(t, llmtest.ToolCalls(llm.ToolCall{ID: "c", Name: "t", Arguments: json.RawMessage(`{"a":`)}), llmtest.Text("ok"))
	tool := llm.Tool{Def: llm.ToolDef{Name: "t"}, Fn: func(context.Context, json.RawMessage) (string, error) { return "ran", nil }}
	res, err := llm.RunTools(context.Background(), srv.Provider(), userReq("x"), []llm.Tool{tool}, llm.Budget{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("transcript does not marshal: %v", err)
	}
	// The broken text goes back to the server as the model sent it.
	hist := srv.Requests()[1].Messages
	if got := string(hist[len(hist)-2].ToolCalls[0].Arguments); got != `{"a":` {
		t.Errorf("history args = %q", got)
	}
}

func TestStreamRetriesBeforeFirstByte(t *testing.T) {
	srv := llmtest.New(t, llmtest.RateLimited("1"), llmtest.Stream("a", "b"))
	_, res := streamed(t, srv.Provider(), userReq("x"))
	if res.Message.Content != "ab" || len(srv.Requests()) != 2 {
		t.Errorf("content %q after %d requests", res.Message.Content, len(srv.Requests()))
	}
}

func TestMeteredSumsEveryVerb(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.Text("a").WithUsage(10, 2),
		llmtest.Stream("b").WithUsage(20, 3),
		llmtest.JSON(map[string]any{"x": 1}).WithUsage(5, 1), llmtest.JSON(map[string]any{"name": "n"}).WithUsage(6, 1),
		llmtest.ToolCall("t", "").WithUsage(1, 1), llmtest.Text("done").WithUsage(2, 2))
	m := llm.NewMetered(srv.Provider())
	ctx := context.Background()
	if _, err := m.Generate(ctx, userReq("x")); err != nil {
		t.Fatal(err)
	}
	st, err := m.Stream(ctx, userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = drain(st)
	st.Close()
	if _, u, err := llm.GenerateObject(ctx, m, userReq("x"), openSchema, llm.ObjectOptions{}); err != nil || u.Calls != 2 || u.TotalTokens != 13 {
		t.Fatalf("object usage %+v err %v", u, err)
	}
	tool := llm.Tool{Def: llm.ToolDef{Name: "t"}, Fn: func(context.Context, json.RawMessage) (string, error) { return "", nil }}
	if _, err := llm.RunTools(ctx, m, userReq("x"), []llm.Tool{tool}, llm.Budget{}); err != nil {
		t.Fatal(err)
	}
	want := llm.Usage{PromptTokens: 44, CompletionTokens: 10, TotalTokens: 54, Calls: 6}
	if m.Usage() != want {
		t.Errorf("metered = %+v, want %+v", m.Usage(), want)
	}
}

func TestPromptPrinter(t *testing.T) {
	var buf bytes.Buffer
	pp := &llm.PromptPrinter{W: &buf, ProviderName: "openai", ModelName: "gpt-4o-mini"}
	_, _, err := llm.GenerateObject(context.Background(), pp, userReq("who owns payments-api?"), ownerSchema, llm.ObjectOptions{Name: "owner"})
	if !errors.Is(err, llm.ErrPromptShown) {
		t.Fatalf("err = %v", err)
	}
	var got struct {
		Provider string
		Call     string
		Request  llm.Request
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	rf := got.Request.ResponseFormat
	if got.Provider != "openai" || got.Call != "generate" || got.Request.Model != "gpt-4o-mini" ||
		rf == nil || rf.Type != "json_schema" || rf.Name != "owner" || !rf.Strict || !strings.Contains(string(rf.Schema), "group:") {
		t.Errorf("printed = %s", buf.String())
	}
	if len(got.Request.Messages) != 2 || got.Request.Messages[1].Content != "who owns payments-api?" {
		t.Errorf("messages = %+v", got.Request.Messages)
	}

	buf.Reset()
	tool := llm.Tool{Def: llm.ToolDef{Name: "owner_of", Description: "owner of an entity", Parameters: json.RawMessage(`{"type":"object"}`)}}
	_, err = llm.RunTools(context.Background(), pp, userReq("x"), []llm.Tool{tool}, llm.Budget{})
	if !errors.Is(err, llm.ErrPromptShown) || !strings.Contains(buf.String(), `"name": "owner_of"`) {
		t.Errorf("tools not printed (err %v):\n%s", err, buf.String())
	}
	if _, err := pp.Embed(context.Background(), []string{"x"}); !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("embed err = %v", err)
	}
}

func TestDescribeAndPerCallUsage(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("a").WithUsage(3, 1), llmtest.Stream("b").WithUsage(4, 2))
	p := srv.Provider(func(c *llm.ProviderConfig) {
		c.BaseURL += "?key=" + llmtest.APIKey
		c.Headers = map[string]string{"X-Api-Key": llmtest.APIKey, "X-Team": "platform"}
	})
	var seen []llm.CallUsage
	m := llm.NewMetered(srv.Provider())
	m.OnCall = func(c llm.CallUsage) { seen = append(seen, c) }
	d := llm.Describe(llm.NewMetered(p))
	if !strings.HasPrefix(d, "test (type openai-compatible, model test-model, http://127.0.0.1:") || strings.Contains(d, llmtest.APIKey) {
		t.Errorf("describe = %q", d)
	}
	type configurer interface{ Config() llm.ProviderConfig }
	cfg := p.(configurer).Config()
	if b, _ := json.Marshal(cfg.Headers); strings.Contains(string(b)+cfg.APIKey+cfg.BaseURL, llmtest.APIKey) || cfg.Headers["X-Team"] != "platform" {
		t.Errorf("config leaks the key or lost headers: %+v", cfg)
	}
	req := userReq("x")
	req.Model = "override"
	if _, err := m.Generate(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	st, err := m.Stream(context.Background(), userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = drain(st)
	st.Close()
	want := []llm.CallUsage{
		{Call: "generate", Model: "override", Usage: llm.Usage{PromptTokens: 3, CompletionTokens: 1, TotalTokens: 4, Calls: 1}},
		{Call: "stream", Model: "test-model", Usage: llm.Usage{PromptTokens: 4, CompletionTokens: 2, TotalTokens: 6, Calls: 1}},
	}
	if fmt.Sprint(m.Calls()) != fmt.Sprint(want) || fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("calls = %+v, seen %+v", m.Calls(), seen)
	}
	if llm.Describe(nil) != "no model" {
		t.Errorf("nil describe")
	}
}

func TestTypeAliases(t *testing.T) {
	for alias, want := range map[string]string{"azure-openai": "azure", "Claude": "anthropic", "lm-studio": "lmstudio", "OpenAI": "openai"} {
		if ti, ok := llm.LookupType(alias); !ok || ti.Type != want {
			t.Errorf("%s -> %+v", alias, ti)
		}
	}
	if _, ok := llm.LookupType("bedrock"); ok {
		t.Errorf("bedrock is not OpenAI-compatible here")
	}
}
