package llm_test

// Replays of real vendors' wire formats (testdata/vendors, see SOURCES.md
// there): every test here is a cell of the README's vendor × feature
// matrix. The replay server checks each request against what that vendor
// accepts and answers refused ones with the vendor's own error body, so a
// test fails when bsai sends what the vendor would reject, and shows the
// recovery when bsai must adapt.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/vendortest"
)

var allVendors = []string{"openai", "azure", "anthropic", "gemini", "ollama", "vllm", "lmstudio"}

// defaultModel is the model each vendor's transcripts were captured with.
var defaultModel = map[string]string{
	"openai": "gpt-4o-mini", "azure": "chat", "anthropic": "claude-sonnet-4-5", "gemini": "gemini-2.5-flash",
	"ollama": "llama3.2", "vllm": "meta-llama/Llama-3.1-8B-Instruct", "lmstudio": "qwen2.5-7b-instruct",
}

func provider(t *testing.T, srv *vendortest.Server, model string, tweak ...func(*llm.ProviderConfig)) (llm.Provider, *testkit.Sleeps) {
	t.Helper()
	sl := &testkit.Sleeps{}
	cfg := llm.ProviderConfig{Name: "vendor", Type: srv.Profile.Type, BaseURL: srv.BaseURL(), APIKey: vendortest.Key,
		Model: model, EmbeddingModel: "embed", Retry: llm.RetryPolicy{Sleep: sl.Sleep, Rand: func() float64 { return 0 }}}
	if v := srv.Profile.Config["apiVersion"]; v != "" {
		cfg.APIVersion = strings.Trim(v, `"`)
	}
	for _, f := range tweak {
		f(&cfg)
	}
	p, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p, sl
}

func noRejections(t *testing.T, srv *vendortest.Server) {
	t.Helper()
	for _, r := range srv.Rejections() {
		t.Errorf("%s would refuse the request (%s): %.400s", srv.Profile.Name, r.Rule, r.Raw)
	}
	if n := srv.Remaining(); n > 0 {
		t.Errorf("%d scripted transcripts were never requested", n)
	}
}

func user(q string) llm.Request {
	return llm.Request{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "Answer from the catalog."}, {Role: llm.RoleUser, Content: q}}}
}

const wantAnswer = "Payments Team (`group:default/payments-team`) owns the Payments API"

func TestVendorChat(t *testing.T) {
	for _, v := range allVendors {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "chat-text")
			p, _ := provider(t, srv, defaultModel[v])
			res, err := p.Generate(context.Background(), user("Who owns the payments API?"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.Message.Content, wantAnswer) || res.Usage.TotalTokens != 450 || res.FinishReason != "stop" {
				t.Fatalf("got %+v", res)
			}
			noRejections(t, srv)
		})
	}
}

// Streams end with a usage-only chunk (empty choices) where the vendor sends
// one; Azure opens with a prompt_filter_results chunk that has no choices;
// Gemini puts usage on the last content chunk.
func TestVendorStreamUsage(t *testing.T) {
	for _, v := range allVendors {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "chat-stream-usage")
			p, _ := provider(t, srv, defaultModel[v])
			text, res := streamed(t, p, user("Who owns the payments API?"))
			if !strings.HasPrefix(text, wantAnswer) || res.Message.Content != text {
				t.Fatalf("text %q", text)
			}
			if res.Usage.PromptTokens != 412 || res.Usage.CompletionTokens != 38 {
				t.Fatalf("usage %+v (the final usage chunk was lost)", res.Usage)
			}
			if got := srv.Requests()[0].Body["stream_options"]; got == nil {
				t.Fatalf("stream_options.include_usage not requested")
			}
			noRejections(t, srv)
		})
	}
}

func TestVendorParallelToolCalls(t *testing.T) {
	for _, v := range allVendors {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "chat-tool-calls-parallel", "chat-text")
			p, _ := provider(t, srv, defaultModel[v])
			var calls []string
			tool := func(name string) llm.Tool {
				return llm.Tool{Def: llm.ToolDef{Name: name, Parameters: json.RawMessage(`{"type":"object"}`)},
					Fn: func(_ context.Context, args json.RawMessage) (string, error) {
						calls = append(calls, name+" "+string(args))
						return "api:default/payments-api owned by group:default/payments-team", nil
					}}
			}
			res, err := llm.RunTools(context.Background(), p, user("Who owns the payments API?"),
				[]llm.Tool{tool("search_catalog"), tool("get_entity")}, llm.Budget{})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 2 || !strings.HasPrefix(calls[0], "search_catalog {") || !strings.Contains(calls[1], "api:default/payments-api") {
				t.Fatalf("calls %q", calls)
			}
			if !strings.HasPrefix(res.Response.Message.Content, wantAnswer) {
				t.Fatalf("final %q", res.Response.Message.Content)
			}
			// The second request answers both calls by the ids the vendor gave.
			second := srv.Requests()[1].Body["messages"].([]any)
			ids := map[string]bool{}
			for _, m := range second {
				if mm := m.(map[string]any); mm["role"] == "tool" {
					ids[mm["tool_call_id"].(string)] = true
				}
			}
			if len(ids) != 2 {
				t.Fatalf("tool replies name %v", ids)
			}
			noRejections(t, srv)
		})
	}
}

// Streamed tool calls: OpenAI splits arguments across deltas with an
// index per call; Gemini sends each call whole with no index and finishes
// with "stop"; Ollama sends each call whole but reuses index 0.
func TestVendorStreamedToolCalls(t *testing.T) {
	for v, transcript := range map[string]string{"openai": "chat-stream-tool-deltas", "gemini": "chat-stream-tool-calls", "ollama": "chat-stream-tool-calls"} {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, transcript)
			p, _ := provider(t, srv, defaultModel[v])
			req := user("Who owns the payments API?")
			req.Tools = []llm.ToolDef{{Name: "search_catalog"}, {Name: "get_entity"}}
			_, res := streamed(t, p, req)
			tc := res.Message.ToolCalls
			if len(tc) != 2 || tc[0].Name != "search_catalog" || tc[1].Name != "get_entity" {
				t.Fatalf("tool calls %+v", tc)
			}
			if !json.Valid(tc[0].Arguments) || !strings.Contains(string(tc[1].Arguments), `"api:default/payments-api"`) || tc[0].ID == tc[1].ID {
				t.Fatalf("arguments %s / %s, ids %q %q", tc[0].Arguments, tc[1].Arguments, tc[0].ID, tc[1].ID)
			}
			noRejections(t, srv)
		})
	}
}

// Gemini's thinking models reject a follow-up whose assistant tool call
// lacks the thought signature it was given (extra_content).
func TestVendorGeminiThoughtSignature(t *testing.T) {
	srv := vendortest.Start(t, "gemini", "chat-tool-calls-parallel", "chat-text")
	p, _ := provider(t, srv, "gemini-2.5-flash")
	ok := func(context.Context, json.RawMessage) (string, error) { return "group:default/payments-team", nil }
	res, err := llm.RunTools(context.Background(), p, user("Who owns the payments API?"), []llm.Tool{
		{Def: llm.ToolDef{Name: "search_catalog"}, Fn: ok}, {Def: llm.ToolDef{Name: "get_entity"}, Fn: ok}}, llm.Budget{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Response.Message.Content, wantAnswer) {
		t.Fatalf("final %q", res.Response.Message.Content)
	}
	if !strings.Contains(string(srv.Requests()[1].Raw), `"thought_signature":"CvcBAdHtim9vendortestSignatureOnlyAKfCoMXR6a1f"`) {
		t.Fatalf("signature not sent back: %s", srv.Requests()[1].Raw)
	}
	noRejections(t, srv)
}

var templateSchema = json.RawMessage(`{"type":"object","required":["apiVersion","kind","metadata","spec"],
 "properties":{"apiVersion":{"type":"string"},"kind":{"const":"Template"},"metadata":{"type":"object","required":["name"]},
 "spec":{"type":"object","required":["steps"]}}}`)

// Structured output: json_schema where the vendor takes it; Anthropic
// ignores response_format and answers in a fenced block; an invalid object
// gets one repair round on every vendor.
func TestVendorStructuredOutput(t *testing.T) {
	for _, v := range allVendors {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "chat-template-invalid", "chat-template-object")
			p, _ := provider(t, srv, defaultModel[v])
			raw, u, err := llm.GenerateObject(context.Background(), p, user("a Python FastAPI service"), templateSchema, llm.ObjectOptions{Name: "template"})
			if err != nil {
				t.Fatal(err)
			}
			var tpl struct {
				Spec struct {
					Steps []struct{ Action string }
				}
			}
			if json.Unmarshal(raw, &tpl) != nil || len(tpl.Spec.Steps) != 3 || u.Calls != 2 {
				t.Fatalf("object %s, usage %+v", raw, u)
			}
			rf, _ := srv.Requests()[0].Body["response_format"].(map[string]any)
			want := "json_schema"
			if v == "anthropic" {
				want = "json_object" // the compatibility layer ignores it; bsai does not pretend
			}
			if rf["type"] != want {
				t.Fatalf("response_format %v, want %s", rf, want)
			}
			noRejections(t, srv)
		})
	}
}

// LM Studio refuses json_object: with json_schema turned off in config
// bsai falls back to a schema in the prompt, and validates the reply.
func TestVendorLMStudioJSONObjectFallback(t *testing.T) {
	srv := vendortest.Start(t, "lmstudio", "chat-template-object")
	off := false
	p, _ := provider(t, srv, defaultModel["lmstudio"], func(c *llm.ProviderConfig) { c.JSONSchema = &off })
	raw, _, err := llm.GenerateObject(context.Background(), p, user("a Python FastAPI service"), templateSchema, llm.ObjectOptions{})
	if err != nil || !strings.Contains(string(raw), "publish:github") {
		t.Fatalf("%s %v", raw, err)
	}
	rej := srv.Rejections()
	if len(rej) != 1 || rej[0].Rule != "json_object is not a response format LM Studio takes" {
		t.Fatalf("rejections %+v", rej)
	}
	if srv.Requests()[1].Body["response_format"] != nil {
		t.Fatalf("fallback still sent response_format")
	}
}

// Reasoning models: known names get max_completion_tokens and no
// temperature up front; an Azure deployment named anything learns it from
// the vendor's 400 once, and the next call goes right the first time.
func TestVendorReasoningModels(t *testing.T) {
	t.Run("openai/known-name", func(t *testing.T) {
		srv := vendortest.Start(t, "openai", "chat-text")
		p, _ := provider(t, srv, "o3-mini")
		zero := float32(0)
		req := user("Who owns the payments API?")
		req.MaxTokens, req.Temperature = 500, &zero
		if _, err := p.Generate(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if srv.Requests()[0].Body["max_completion_tokens"] != float64(500) {
			t.Fatalf("sent %s", srv.Requests()[0].Raw)
		}
		noRejections(t, srv)
	})
	t.Run("azure/any-deployment-name", func(t *testing.T) {
		srv := vendortest.Start(t, "azure", "chat-text", "chat-text")
		p, _ := provider(t, srv, "reasoning-prod")
		req := user("Who owns the payments API?")
		req.MaxTokens = 500
		for i := 0; i < 2; i++ {
			if _, err := p.Generate(context.Background(), req); err != nil {
				t.Fatal(err)
			}
		}
		reqs := srv.Requests()
		if len(reqs) != 3 || reqs[0].Rule == "" || reqs[1].Rule != "" || reqs[2].Rule != "" {
			t.Fatalf("want one refusal then two accepted requests, got %d requests", len(reqs))
		}
		if reqs[2].Body["max_completion_tokens"] != float64(500) || reqs[2].Body["max_tokens"] != nil {
			t.Fatalf("third request %s", reqs[2].Raw)
		}
	})
	t.Run("openai/temperature-learned", func(t *testing.T) {
		// A gpt-5 style model behind a name bsai does not know (a proxy alias).
		srv := vendortest.Start(t, "openai", "chat-text")
		srv.Profile.Rules[1].Model = "^house-reasoner$"
		p, _ := provider(t, srv, "house-reasoner")
		zero := float32(0.2)
		req := user("Who owns the payments API?")
		req.Temperature = &zero
		if _, err := p.Generate(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 2 || reqs[1].Body["temperature"] != nil {
			t.Fatalf("want a retry without temperature, got %d requests", len(reqs))
		}
	})
}

func TestVendorRefusalsAndFilters(t *testing.T) {
	cases := []struct{ vendor, transcript, want string }{
		{"openai", "chat-refusal", "the model refused: I'm sorry, I cannot assist with that request."},
		{"openai", "chat-content-filter", "content filter withheld the answer"},
		{"azure", "chat-content-filter", "content filter withheld the answer"},
	}
	for _, c := range cases {
		t.Run(c.vendor+"/"+c.transcript, func(t *testing.T) {
			srv := vendortest.Start(t, c.vendor, c.transcript)
			p, _ := provider(t, srv, defaultModel[c.vendor])
			_, err := p.Generate(context.Background(), user("something"))
			if err == nil || !strings.Contains(err.Error(), c.want) || errs.ExitCode(err) != 1 {
				t.Fatalf("err %v", err)
			}
		})
	}
	t.Run("openai/stream-refusal", func(t *testing.T) {
		srv := vendortest.Start(t, "openai", "chat-stream-refusal")
		p, _ := provider(t, srv, "gpt-4o-mini")
		st, err := p.Stream(context.Background(), user("something"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := drain(st); err == nil || !strings.Contains(err.Error(), "refused: I'm sorry, I cannot assist") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("azure/prompt-filter", func(t *testing.T) {
		srv := vendortest.Start(t, "azure")
		p, _ := provider(t, srv, "filtered-chat")
		_, err := p.Generate(context.Background(), user("something"))
		if err == nil || !strings.Contains(err.Error(), "content management policy") || !strings.Contains(errs.HintOf(err), "content filter") {
			t.Fatalf("err %v hint %q", err, errs.HintOf(err))
		}
	})
	t.Run("openai/length-mid-json", func(t *testing.T) {
		srv := vendortest.Start(t, "openai", "chat-length-mid-json", "chat-template-object")
		p, _ := provider(t, srv, "gpt-4o-mini")
		req := user("a Python FastAPI service")
		req.MaxTokens = 400
		raw, _, err := llm.GenerateObject(context.Background(), p, req, templateSchema, llm.ObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(raw) || srv.Requests()[1].Body["max_tokens"] != float64(800) {
			t.Fatalf("want a retry with room: %s", srv.Requests()[1].Raw)
		}
	})
}

// A context-length 400 cuts the longest message once and retries.
func TestVendorContextLength(t *testing.T) {
	for v, model := range map[string]string{"openai": "gpt-3.5-turbo", "vllm": "meta-llama/Llama-3.2-1B-Instruct", "anthropic": "claude-3-haiku-20240307"} {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "chat-text")
			p, _ := provider(t, srv, model)
			var cards strings.Builder
			for i := 0; cards.Len() < 16000; i++ {
				cards.WriteString("component:default/service-" + strings.Repeat("x", 40) + " owned by group:default/team\n")
			}
			req := user("Who owns the payments API?")
			req.Messages[0].Content += "\n" + cards.String()
			res, err := p.Generate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if !strings.HasPrefix(res.Message.Content, wantAnswer) || len(reqs) != 2 || len(reqs[1].Raw) >= len(reqs[0].Raw) {
				t.Fatalf("want one refusal then a shorter retry; %d requests", len(reqs))
			}
			if !strings.Contains(string(reqs[1].Raw), "cut to fit the model's context window") {
				t.Fatalf("retry does not say it was cut")
			}
		})
	}
}

func TestVendorRateLimits(t *testing.T) {
	cases := []struct {
		vendor, transcript string
		want               time.Duration
	}{
		{"openai", "errors/rate-limit-reset", 2 * time.Second}, // x-ratelimit-reset-requests of the exhausted limit
		{"azure", "errors/rate-limit", 800 * time.Millisecond}, // retry-after-ms over retry-after
		{"gemini", "errors/rate-limit", time.Second},           // RetryInfo.retryDelay in the body
	}
	for _, c := range cases {
		t.Run(c.vendor, func(t *testing.T) {
			srv := vendortest.Start(t, c.vendor, c.transcript, "chat-text")
			p, sl := provider(t, srv, defaultModel[c.vendor])
			if _, err := p.Generate(context.Background(), user("q")); err != nil {
				t.Fatal(err)
			}
			if d := sl.All(); len(d) != 1 || d[0] != c.want {
				t.Fatalf("waited %v, want [%v]", d, c.want)
			}
		})
	}
}

// Errors read as the vendor's own sentence, with the key redacted, and a
// rejected key is a config error (exit 4) whatever status the vendor uses.
func TestVendorErrors(t *testing.T) {
	cases := []struct {
		vendor, model, transcript string
		badKey                    bool
		exit                      int
		want                      string
	}{
		{"openai", "gpt-4o-mini", "", true, 4, "rejected the api key (401)"},
		{"azure", "chat", "", true, 4, "rejected the api key (401)"},
		{"anthropic", "claude-sonnet-4-5", "", true, 4, "rejected the api key (401)"},
		{"gemini", "gemini-2.5-flash", "", true, 4, "rejected the api key (401)"},
		{"vllm", "meta-llama/Llama-3.1-8B-Instruct", "", true, 4, "rejected the api key (401)"},
		{"ollama", "llama3.2-missing", "", false, 4, `model "llama3.2" not found, try pulling it first`},
		{"ollama", "gemma:2b", "", false, 1, "does not support tools"},
		{"lmstudio", "qwen2.5-7b-instruct", "errors/json-object-unsupported", false, 1, "returned 400: 'response_format.type' must be 'json_schema' or 'text'"},
		{"vllm", "meta-llama/Llama-3.1-8B-Instruct", "errors/context-length", false, 1, "returned 400: This model's maximum context length is 4096 tokens"},
		{"gemini", "gemini-2.5-flash", "errors/missing-thought-signature", false, 1, "returned 400: Function call is missing a thought_signature"},
		{"anthropic", "claude-sonnet-4-5", "errors/overloaded", false, 1, "Overloaded"},
	}
	for _, c := range cases {
		t.Run(c.vendor+"/"+c.model+"/"+c.transcript, func(t *testing.T) {
			var script []string
			if c.transcript != "" {
				script = append(script, c.transcript)
				if c.vendor == "anthropic" { // 529 is retried: serve it every time
					script = append(script, c.transcript, c.transcript, c.transcript)
				}
			}
			srv := vendortest.Start(t, c.vendor, script...)
			p, _ := provider(t, srv, c.model, func(cfg *llm.ProviderConfig) {
				if c.badKey {
					cfg.APIKey = "sk-wrong-0123456789abcdef"
				}
			})
			req := user("q")
			if c.model == "gemma:2b" {
				req.Tools = []llm.ToolDef{{Name: "search_catalog"}}
			}
			_, err := p.Generate(context.Background(), req)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || errs.ExitCode(err) != c.exit {
				t.Fatalf("err %q (exit %d), want %q (exit %d)", msg, errs.ExitCode(err), c.want, c.exit)
			}
			if strings.Contains(msg, "{\"") || strings.Contains(msg, vendortest.Key) || strings.Contains(msg, "sk-wrong-0123456789abcdef") {
				t.Fatalf("raw JSON or a key in %q", msg)
			}
		})
	}
}

func TestVendorAzureWire(t *testing.T) {
	srv := vendortest.Start(t, "azure", "chat-text")
	p, _ := provider(t, srv, "chat")
	if _, err := p.Generate(context.Background(), user("q")); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()[0]
	if r.Path != "/openai/deployments/chat/chat/completions" || r.Query.Get("api-version") != "2024-10-21" ||
		r.Header.Get("api-key") != vendortest.Key || r.Header.Get("Authorization") != "" {
		t.Fatalf("%s %v %v", r.Path, r.Query, r.Header)
	}
}

func TestVendorEmbeddings(t *testing.T) {
	for _, v := range []string{"openai", "azure", "gemini", "ollama"} {
		t.Run(v, func(t *testing.T) {
			srv := vendortest.Start(t, v, "embeddings")
			p, _ := provider(t, srv, defaultModel[v])
			vecs, err := p.Embed(context.Background(), []string{"a", "b", "c"})
			if err != nil || len(vecs) != 3 || len(vecs[0]) != 8 || vecs[2][0] == vecs[0][0] {
				t.Fatalf("%v %v", vecs, err)
			}
			noRejections(t, srv)
		})
	}
	t.Run("gemini/batch-limit", func(t *testing.T) {
		srv := vendortest.Start(t, "gemini")
		p, _ := provider(t, srv, "gemini-2.5-flash")
		texts := make([]string, 150)
		for i := range texts {
			texts[i] = "entity"
		}
		// The first batch holds the vendor's limit of 100 inputs, and is
		// not refused for its size (the 3-vector transcript then fails the
		// count check, which ends the call).
		srv.Script("embeddings")
		_, err := p.Embed(context.Background(), texts)
		reqs := srv.Requests()
		if err == nil || len(reqs) != 1 || len(srv.Rejections()) != 0 {
			t.Fatalf("%d requests, %d refused, err %v", len(reqs), len(srv.Rejections()), err)
		}
		if n := len(reqs[0].Body["input"].([]any)); n != 100 {
			t.Fatalf("first batch %d inputs", n)
		}
	})
}

// Tool calls with empty ids (Gemini, llama_index PR #20207): each gets an
// id of its own so every tool reply names the call it answers.
func TestVendorToolCallsWithoutIDs(t *testing.T) {
	srv := vendortest.Start(t, "gemini", "chat-tool-calls-empty-ids", "chat-text")
	srv.Profile.Rules = nil // the signature is keyed by id: none to key by here
	p, _ := provider(t, srv, "gemini-2.5-flash")
	ok := func(context.Context, json.RawMessage) (string, error) { return "group:default/payments-team", nil }
	res, err := llm.RunTools(context.Background(), p, user("Who owns the payments API?"), []llm.Tool{
		{Def: llm.ToolDef{Name: "search_catalog"}, Fn: ok}, {Def: llm.ToolDef{Name: "get_entity"}, Fn: ok}}, llm.Budget{})
	if err != nil || len(res.Calls) != 2 {
		t.Fatalf("%v %+v", err, res.Calls)
	}
	if res.Calls[0].ID == "" || res.Calls[0].ID == res.Calls[1].ID {
		t.Fatalf("ids %q %q", res.Calls[0].ID, res.Calls[1].ID)
	}
	noRejections(t, srv)
}
