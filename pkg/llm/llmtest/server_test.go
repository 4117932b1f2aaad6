package llmtest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// recordingTB captures Errorf so the test can check that an unscripted
// request fails the test that made it.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func TestUnscriptedRequestFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := llmtest.New(rec)
	_, err := srv.Provider(func(c *llm.ProviderConfig) { c.Retry.MaxRetries = -1 }).Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "no scripted reply left") {
		t.Errorf("err = %v", err)
	}
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "no scripted reply left for request 1") {
		t.Errorf("test errors = %q", rec.errors)
	}
}

func TestFuncAndFallback(t *testing.T) {
	echo := llmtest.Func(func(r llmtest.Request) llmtest.Reply {
		return llmtest.Text(strings.ToUpper(r.LastUser()) + " / " + r.System())
	})
	srv := llmtest.New(t, echo)
	srv.Fallback = &llmtest.Reply{Text: "fallback"}
	p := srv.Provider()
	ask := func(q string) string {
		resp, err := p.Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleSystem, Content: "sys"}, {Role: llm.RoleUser, Content: q}}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Message.Content
	}
	if got := ask("hello"); got != "HELLO / sys" {
		t.Errorf("echo = %q", got)
	}
	if got := ask("again"); got != "fallback" {
		t.Errorf("fallback = %q", got)
	}
	if srv.Remaining() != 0 || len(srv.Requests()) != 2 || srv.Last().LastUser() != "again" {
		t.Errorf("bookkeeping: remaining %d requests %d", srv.Remaining(), len(srv.Requests()))
	}
}

func TestRefusal(t *testing.T) {
	srv := llmtest.New(t, llmtest.Reply{Refusal: "I can't help with that"})
	_, err := srv.Provider().Generate(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "refused: I can't help with that") {
		t.Errorf("err = %v", err)
	}
}

func TestUnscriptedEmbeddingsAreStable(t *testing.T) {
	srv := llmtest.New(t, llmtest.Embeddings(), llmtest.Embeddings())
	p := srv.Provider()
	a, err := p.Embed(context.Background(), []string{"payments api", "search"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Embed(context.Background(), []string{"payments api"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a[0]) != fmt.Sprint(b[0]) || fmt.Sprint(a[0]) == fmt.Sprint(a[1]) {
		t.Errorf("vectors: %v %v %v", a[0], b[0], a[1])
	}
}
