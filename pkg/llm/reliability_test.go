package llm_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

func TestRetries(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		replies    []llmtest.Reply
		wantErr    string
		wantReqs   int
		wantSleeps []time.Duration
	}{
		{name: "429 honours Retry-After then succeeds", replies: []llmtest.Reply{llmtest.RateLimited("2"), llmtest.Text("ok")},
			wantReqs: 2, wantSleeps: []time.Duration{2 * time.Second}},
		{name: "retry-after-ms", replies: []llmtest.Reply{llmtest.Error(429, "slow down").WithHeader("Retry-After-Ms", "1500"), llmtest.Text("ok")},
			wantReqs: 2, wantSleeps: []time.Duration{1500 * ms}},
		{name: "5xx backs off exponentially with jitter", replies: []llmtest.Reply{llmtest.ServerError(), llmtest.Error(503, "overloaded"), llmtest.Error(502, "bad gateway"), llmtest.Text("ok")},
			// base 500ms doubled per attempt; equal jitter at rand=0.5 gives 3/4 of each.
			wantReqs: 4, wantSleeps: []time.Duration{375 * ms, 750 * ms, 1500 * ms}},
		{name: "gives up after max retries", replies: []llmtest.Reply{llmtest.ServerError(), llmtest.ServerError(), llmtest.ServerError(), llmtest.ServerError()},
			wantErr: "returned 500: the server had an error (after 4 attempts)", wantReqs: 4, wantSleeps: []time.Duration{375 * ms, 750 * ms, 1500 * ms}},
		{name: "rate limit exhausted", replies: []llmtest.Reply{llmtest.RateLimited("1"), llmtest.RateLimited("1"), llmtest.RateLimited("1"), llmtest.RateLimited("1")},
			wantErr: "rate limiting (429) after 4 attempts", wantReqs: 4, wantSleeps: []time.Duration{time.Second, time.Second, time.Second}},
		{name: "retry-after beyond the cap is not waited for", replies: []llmtest.Reply{llmtest.RateLimited("3600")},
			wantErr: "rate limiting (429) and asks to wait 1h0m0s", wantReqs: 1},
		{name: "dropped connection is retried", replies: []llmtest.Reply{llmtest.Dropped(), llmtest.Text("ok")},
			wantReqs: 2, wantSleeps: []time.Duration{375 * ms}},
		{name: "400 is not retried", replies: []llmtest.Reply{llmtest.Error(400, "bad")},
			wantErr: "returned 400: bad", wantReqs: 1},
		{name: "malformed body is not retried", replies: []llmtest.Reply{llmtest.Malformed()},
			wantErr: "provider test", wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.replies...)
			resp, err := srv.Provider().Generate(context.Background(), userReq("x"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if errs.KindOf(err) != errs.KindUpstream {
					t.Errorf("kind = %v, want upstream", errs.KindOf(err))
				}
			} else if err != nil || resp.Message.Content != "ok" {
				t.Fatalf("resp=%+v err=%v", resp, err)
			}
			if n := len(srv.Requests()); n != tt.wantReqs {
				t.Errorf("requests = %d, want %d", n, tt.wantReqs)
			}
			if got := srv.Sleeps(); !equalDur(got, tt.wantSleeps) {
				t.Errorf("sleeps = %v, want %v", got, tt.wantSleeps)
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := llmtest.New(t, llmtest.RateLimited(now.Add(7*time.Second).Format(http.TimeFormat)), llmtest.Text("ok"))
	p := srv.Provider(func(c *llm.ProviderConfig) { c.Retry.Now = func() time.Time { return now } })
	if _, err := p.Generate(context.Background(), userReq("x")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Sleeps(); !equalDur(got, []time.Duration{7 * time.Second}) {
		t.Errorf("sleeps = %v", got)
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	srv := llmtest.New(t, llmtest.ServerError(), llmtest.Text("never"))
	ctx, cancel := context.WithCancel(context.Background())
	p := srv.Provider(func(c *llm.ProviderConfig) {
		c.Retry.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
	})
	_, err := p.Generate(ctx, userReq("x"))
	if !errors.Is(err, context.Canceled) || errs.ExitCode(err) != errs.ExitInterrupted {
		t.Errorf("err = %v (exit %d)", err, errs.ExitCode(err))
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("requests = %d", n)
	}
}

func TestAuthErrorsAreNotRetried(t *testing.T) {
	for _, status := range []int{401, 403} {
		srv := llmtest.New(t, llmtest.Unauthorized(), llmtest.Text("never"))
		srv.Add() // nothing
		if status == 403 {
			srv = llmtest.New(t, llmtest.Error(403, "project "+llmtest.APIKey+" may not use this model"), llmtest.Text("never"))
		}
		p := srv.Provider(func(c *llm.ProviderConfig) { c.Name = "openai"; c.APIKeyEnv = "OPENAI_API_KEY" })
		_, err := p.Generate(context.Background(), userReq("x"))
		if err == nil {
			t.Fatalf("%d: want error", status)
		}
		if errs.KindOf(err) != errs.KindConfig || errs.ExitCode(err) != errs.ExitConfig {
			t.Errorf("%d: kind = %v", status, errs.KindOf(err))
		}
		want := "provider openai rejected the api key (401); set OPENAI_API_KEY"
		if status == 403 {
			want = "provider openai refused access (403); set OPENAI_API_KEY"
		}
		if err.Error() != want {
			t.Errorf("%d: message = %q, want %q", status, err.Error(), want)
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%d: requests = %d, want 1 (no retry)", status, n)
		}
		assertNoKey(t, err)
	}
}

func TestKeyRedaction(t *testing.T) {
	// A closed port: connection refused with the key in the URL.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()

	cases := []struct {
		name   string
		gen    *llmtest.Reply // reply to Generate (nil: no server reply needed)
		stream *llmtest.Reply // reply to Stream
		edit   func(*llm.ProviderConfig)
	}{
		{name: "server echoes key in 400", gen: ptr(llmtest.Error(400, "invalid request for key "+llmtest.APIKey)),
			stream: ptr(llmtest.Error(400, "invalid request for key "+llmtest.APIKey))},
		{name: "server echoes key in 500 body", gen: ptr(llmtest.Reply{Status: 500, Body: "upstream said: Authorization: Bearer " + llmtest.APIKey}),
			stream: ptr(llmtest.Reply{Status: 500, Body: "upstream said: Authorization: Bearer " + llmtest.APIKey})},
		{name: "key in a stream error event", stream: ptr(llmtest.Reply{Chunks: []string{"a"}, StreamError: "bad key " + llmtest.APIKey})},
		{name: "key in refused URL", edit: func(c *llm.ProviderConfig) { c.BaseURL = dead + "/" + llmtest.APIKey + "/v1" }},
		{name: "key in query of a dead URL", edit: func(c *llm.ProviderConfig) { c.BaseURL = dead + "/v1beta?key=" + llmtest.APIKey }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := llmtest.New(t)
			srv.Fallback = &llmtest.Reply{Status: 500, Body: "unexpected"}
			edit := func(c *llm.ProviderConfig) {}
			if tc.edit != nil {
				edit = tc.edit
			}
			p := srv.Provider(edit)
			if tc.gen != nil || tc.edit != nil {
				for range 4 { // the first try and three retries
					if tc.gen != nil {
						srv.Add(*tc.gen)
					}
				}
				_, err := p.Generate(context.Background(), userReq("x"))
				if err == nil {
					t.Fatal("want error")
				}
				assertNoKey(t, err)
			}
			for range 4 {
				if tc.stream != nil {
					srv.Add(*tc.stream)
				}
			}
			st, err := p.Stream(context.Background(), userReq("x"))
			if err == nil {
				_, err = drain(st)
				st.Close()
			}
			if err == nil || errors.Is(err, io.EOF) {
				t.Fatalf("stream: want error, got %v", err)
			}
			assertNoKey(t, err)
		})
	}
}

func TestMissingKeyAndUnresolvedReference(t *testing.T) {
	_, err := llm.New(llm.ProviderConfig{Name: "openai", Type: "openai", Model: "gpt-4o-mini"})
	if err == nil || !strings.Contains(err.Error(), "set OPENAI_API_KEY") || errs.KindOf(err) != errs.KindConfig {
		t.Errorf("err = %v", err)
	}
	_, err = llm.New(llm.ProviderConfig{Name: "openai", Type: "openai", Model: "m", APIKey: "${OPENAI_API_KEY}"})
	if err == nil || !strings.Contains(err.Error(), "unresolved") {
		t.Errorf("err = %v", err)
	}
	// Local servers need no key.
	if _, err := llm.New(llm.ProviderConfig{Name: "local", Type: "ollama", Model: "llama3.2"}); err != nil {
		t.Errorf("ollama without key: %v", err)
	}
	_, err = llm.New(llm.ProviderConfig{Name: "x", Type: "bedrock", Model: "m"})
	if err == nil || !strings.Contains(errs.HintOf(err), "anthropic, azure, gemini, lmstudio, ollama, openai, openai-compatible, vllm") {
		t.Errorf("unknown type: %v / %s", err, errs.HintOf(err))
	}
}

func TestStreamCancelledMidway(t *testing.T) {
	srv := llmtest.New(t, llmtest.Hanging("first ", "second"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := srv.Provider().Stream(ctx, userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, want := range []string{"first ", "second"} {
		c, err := st.Recv()
		if err != nil || c.Delta != want {
			t.Fatalf("chunk = %q, %v", c.Delta, err)
		}
	}
	got := make(chan error, 1)
	go func() { _, err := st.Recv(); got <- err }()
	cancel()
	select {
	case err := <-got:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Recv did not return after cancel")
	}
	if st.Response().Message.Content != "first second" {
		t.Errorf("partial response = %q", st.Response().Message.Content)
	}
}

func TestStreamStallTimesOut(t *testing.T) {
	srv := llmtest.New(t, llmtest.Hanging("only"))
	st, err := srv.Provider(func(c *llm.ProviderConfig) { c.Timeout = 100 * time.Millisecond }).Stream(context.Background(), userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Recv(); err != nil {
		t.Fatal(err)
	}
	_, err = st.Recv()
	if err == nil || !strings.Contains(err.Error(), "stalled") || errs.KindOf(err) != errs.KindUpstream {
		t.Errorf("err = %v", err)
	}
}

func TestGenerateTimeout(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply{Hang: true})
	_, err := srv.Provider(func(c *llm.ProviderConfig) { c.Timeout = 100 * time.Millisecond }).Generate(context.Background(), userReq("x"))
	if err == nil || !strings.Contains(err.Error(), "timed out") || errs.KindOf(err) != errs.KindUpstream {
		t.Errorf("err = %v", err)
	}
}

func TestStreamErrorEvent(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply{Chunks: []string{"par"}, StreamError: "model overloaded"})
	st, err := srv.Provider().Stream(context.Background(), userReq("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var last error
	for last == nil {
		_, last = st.Recv()
	}
	if errors.Is(last, io.EOF) || !strings.Contains(last.Error(), "model overloaded") {
		t.Errorf("err = %v", last)
	}
}

func TestStreamWithoutStreamOptionsSupport(t *testing.T) {
	srv := llmtest.New(t, llmtest.Error(400, "unknown field: stream_options"), llmtest.Text("fine"), llmtest.Text("again"))
	p := srv.Provider()
	for _, want := range []string{"fine", "again"} {
		st, err := p.Stream(context.Background(), userReq("x"))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = drain(st)
		if st.Response().Message.Content != want {
			t.Errorf("content = %q", st.Response().Message.Content)
		}
		st.Close()
	}
	reqs := srv.Requests()
	if !reqs[0].IncludeUsage || reqs[1].IncludeUsage || reqs[2].IncludeUsage {
		t.Errorf("stream_options should be dropped after the rejection and stay dropped")
	}
}

func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{err.Error(), errs.HintOf(err)} {
		if strings.Contains(s, llmtest.APIKey) || strings.Contains(s, "0123456789abcdef") {
			t.Errorf("api key leaked: %q", s)
		}
	}
}

func equalDur(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestErrorHints(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/v1"
	l.Close()
	tests := []struct {
		name          string
		reply         *llmtest.Reply
		edit          func(*llm.ProviderConfig)
		wantErr, hint string
		kind          errs.Kind
		wantReqs      int
	}{
		{name: "nothing listening", edit: func(c *llm.ProviderConfig) { c.Name, c.Type, c.BaseURL = "local", "ollama", dead }},
		{name: "unknown host", edit: func(c *llm.ProviderConfig) { c.BaseURL = "http://bsai-no-such-host.invalid/v1" },
			wantErr: "provider test is not reachable at http://bsai-no-such-host.invalid/v1: cannot resolve bsai-no-such-host.invalid", hint: "check the network", kind: errs.KindUpstream},
		{name: "ollama model not pulled", reply: ptr(llmtest.Error(404, `model "llama3.2" not found, try pulling it first`)),
			edit:    func(c *llm.ProviderConfig) { c.Type, c.Model = "ollama", "llama3.2" },
			wantErr: `provider test: not found (404): model "llama3.2" not found`, hint: "ollama pull llama3.2", kind: errs.KindConfig, wantReqs: 1},
		{name: "model without tools", reply: ptr(llmtest.Error(400, "registry.ollama.ai/library/gemma2:latest does not support tools")),
			wantErr: "returned 400", hint: "bsai.ai.providers.test.tools: false", kind: errs.KindUpstream, wantReqs: 1},
		{name: "context too long", reply: ptr(llmtest.Error(400, "This model's maximum context length is 8192 tokens")),
			wantErr: "returned 400", hint: "too long for model test-model", kind: errs.KindUpstream, wantReqs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t)
			if tt.reply != nil {
				srv.Add(*tt.reply)
			}
			edit := func(*llm.ProviderConfig) {}
			if tt.edit != nil {
				edit = tt.edit
			}
			_, err := srv.Provider(edit).Generate(context.Background(), userReq("x"))
			if tt.name == "nothing listening" { // connection refused: no retries, says where
				tt.wantErr, tt.hint, tt.kind = "provider local is not reachable at "+dead+": connection refused", "start the server", errs.KindUpstream
				if len(srv.Sleeps()) != 0 {
					t.Errorf("refused connections should not be retried: %v", srv.Sleeps())
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errs.KindOf(err) != tt.kind {
				t.Fatalf("err = %v (kind %v), want %q", err, errs.KindOf(err), tt.wantErr)
			}
			if !strings.Contains(errs.HintOf(err), tt.hint) {
				t.Errorf("hint = %q, want %q", errs.HintOf(err), tt.hint)
			}
			if len(srv.Requests()) != tt.wantReqs {
				t.Errorf("requests = %d", len(srv.Requests()))
			}
		})
	}
}
