package assistant_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// chunkWriter records each write, to see the answer arrive in pieces.
type chunkWriter struct{ writes []string }

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

func withModel(t *testing.T, srv *llmtest.Server, agent bool) (*assistant.Assistant, *[]string) {
	t.Helper()
	g := retrievaltest.Examples(t)
	var warnings []string
	return &assistant.Assistant{
		Graph: g, Index: retrieval.Build(g), Provider: srv.Provider(), Agent: agent,
		Warn: func(f string, args ...any) { warnings = append(warnings, fmt.Sprintf(f, args...)) },
	}, &warnings
}

func TestLLMGroundedStreamedAnswer(t *testing.T) {
	srv := llmtest.New(t, llmtest.Stream(
		"Payments Team ", "(`group:default/payments-team`) ", "owns the Payments API ",
		"(`api:default/payments-api`).").WithUsage(900, 30))
	a, warnings := withModel(t, srv, false)
	w := &chunkWriter{}
	a.Stream = w
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "Who owns the payments API?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != assistant.ModeLLM || !ans.Streamed {
		t.Errorf("mode %s streamed %v", ans.Mode, ans.Streamed)
	}
	if len(w.writes) < 4 || strings.Join(w.writes, "") != ans.Answer+"\n" {
		t.Errorf("stream writes %q, answer %q", w.writes, ans.Answer)
	}
	if want := []string{"group:default/payments-team", "api:default/payments-api"}; !slices.Equal(ans.Citations, want) {
		t.Errorf("citations %v, want %v", ans.Citations, want)
	}
	if len(*warnings) != 0 {
		t.Errorf("warnings: %v", *warnings)
	}
	if ans.Usage.PromptTokens != 900 || ans.Usage.CompletionTokens != 30 || ans.Usage.Calls != 1 {
		t.Errorf("usage %+v", ans.Usage)
	}
	req := srv.Last()
	if !req.Stream {
		t.Errorf("request was not streamed")
	}
	if !strings.Contains(req.System(), "Use only facts stated in the entity cards") {
		t.Errorf("system prompt: %s", req.System())
	}
	user := req.LastUser()
	for _, want := range []string{"<catalog>", "[api:default/payments-api]", "owner: group:default/payments-team", "Question: Who owns the payments API?"} {
		if !strings.Contains(user, want) {
			t.Errorf("user message lacks %q:\n%s", want, user)
		}
	}
	if len(req.Tools) != 0 {
		t.Errorf("llm mode sent tools")
	}
}

func TestLLMHallucinatedRefRemoved(t *testing.T) {
	srv := llmtest.New(t, llmtest.Text("The ledger is run by `group:default/ledger-guild` via `component:default/ledger-service`."))
	a, warnings := withModel(t, srv, false)
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "Who runs the ledger service?"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ans.Citations, []string{"component:default/ledger-service"}) {
		t.Errorf("citations %v", ans.Citations)
	}
	if !slices.Equal(ans.UnknownRefs, []string{"group:default/ledger-guild"}) {
		t.Errorf("unknown refs %v", ans.UnknownRefs)
	}
	if len(*warnings) != 1 || !strings.Contains((*warnings)[0], "group:default/ledger-guild") {
		t.Errorf("warnings %v", *warnings)
	}
}

func TestAgentMultiHopViaTools(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.ToolCall("search_catalog", `{"query":"fraud scoring API","kind":"API"}`),
		llmtest.ToolCall("list_relations", `{"ref":"api:default/fraud-api","type":"apiProvidedBy"}`),
		llmtest.ToolCalls(
			llmtest.Call("c3", "get_entity", `{"ref":"component:default/fraud-scorer"}`),
			llmtest.Call("c4", "list_by_owner", `{"owner":"payments-team"}`)),
		llmtest.Text("Payments Team (`group:default/payments-team`) owns Fraud scorer (`component:default/fraud-scorer`), "+
			"which provides `api:default/fraud-api`."),
	)
	a, _ := withModel(t, srv, true)
	var out bytes.Buffer
	a.Stream = &out
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "Which team owns the service behind the fraud scoring API?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != assistant.ModeAgent || ans.Usage.ToolCalls != 4 || ans.Usage.Calls != 4 {
		t.Errorf("mode %s, tool calls %d, model calls %d", ans.Mode, ans.Usage.ToolCalls, ans.Usage.Calls)
	}
	want := []string{"group:default/payments-team", "component:default/fraud-scorer", "api:default/fraud-api"}
	if !slices.Equal(ans.Citations, want) {
		t.Errorf("citations %v, want %v", ans.Citations, want)
	}
	if !strings.Contains(out.String(), "Payments Team") {
		t.Errorf("answer not written: %q", out.String())
	}
	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	var names []string
	for _, td := range reqs[0].Tools {
		names = append(names, td.Name)
		if !json.Valid(td.Parameters) {
			t.Errorf("tool %s schema is not JSON", td.Name)
		}
	}
	if !slices.Equal(names, []string{"search_catalog", "get_entity", "list_relations", "list_by_owner"}) {
		t.Errorf("tools %v", names)
	}
	// Each tool result went back to the model.
	toolOut := func(r llmtest.Request) string {
		var s []string
		for _, m := range r.Messages {
			if m.Role == llm.RoleTool {
				s = append(s, m.Content)
			}
		}
		return strings.Join(s, "\n")
	}
	if got := toolOut(reqs[1]); !strings.Contains(got, "api:default/fraud-api") {
		t.Errorf("search result: %s", got)
	}
	if got := toolOut(reqs[2]); !strings.Contains(got, "api:default/fraud-api apiProvidedBy component:default/fraud-scorer") {
		t.Errorf("relations result: %s", got)
	}
	if got := toolOut(reqs[3]); !strings.Contains(got, "[component:default/fraud-scorer]") || !strings.Contains(got, "component:default/ledger-service") {
		t.Errorf("entity/owner results: %s", got)
	}
}

func TestAgentToolErrorsGoBackToModel(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.ToolCall("get_entity", `{"ref":"payments-api"}`),
		llmtest.Text("Ambiguous; see `api:default/payments-api`."))
	a, _ := withModel(t, srv, true)
	if _, err := a.Ask(context.Background(), assistant.Question{Text: "what is payments-api?"}); err != nil {
		t.Fatal(err)
	}
	last := srv.Last().Messages
	if got := last[len(last)-1].Content; !strings.Contains(got, "ambiguous") || !strings.Contains(got, "component:default/payments-api") {
		t.Errorf("tool error fed back: %q", got)
	}
}

func TestNoAnswerQuestion(t *testing.T) {
	// LLM mode: nothing retrieved, so no model call and no citations.
	srv := llmtest.New(t)
	a, _ := withModel(t, srv, false)
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "Who owns the mainframe batch scheduler?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(srv.Requests()) != 0 || len(ans.Citations) != 0 || ans.Answer != assistant.NoMatchAnswer {
		t.Errorf("requests %d, citations %v, answer %q", len(srv.Requests()), ans.Citations, ans.Answer)
	}

	// Agent mode: the model may search, finds nothing and says so.
	srv = llmtest.New(t,
		llmtest.ToolCall("search_catalog", `{"query":"mainframe batch scheduler"}`),
		llmtest.Text("The catalog does not say: no entity matches a mainframe batch scheduler."))
	a, _ = withModel(t, srv, true)
	ans, err = a.Ask(context.Background(), assistant.Question{Text: "Who owns the mainframe batch scheduler?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) != 0 || !strings.Contains(ans.Answer, "does not say") {
		t.Errorf("citations %v, answer %q", ans.Citations, ans.Answer)
	}
	msgs := srv.Last().Messages
	if got := msgs[len(msgs)-1].Content; got != "no matching entities" {
		t.Errorf("search tool said %q", got)
	}
}

func TestAgentBudgetFallsBackToOffline(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.ToolCall("search_catalog", `{"query":"ledger"}`),
		llmtest.ToolCall("search_catalog", `{"query":"ledger db"}`))
	a, warnings := withModel(t, srv, true)
	a.Budget = llm.Budget{MaxSteps: 2}
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "What breaks if the ledger database goes down?"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ans.Citations, "component:default/legacy-billing") || len(*warnings) == 0 {
		t.Errorf("fallback answer %q, warnings %v", ans.Answer, *warnings)
	}
}

func TestShowPromptPrintsAndCallsNothing(t *testing.T) {
	g := retrievaltest.Examples(t)
	var buf bytes.Buffer
	a := &assistant.Assistant{Graph: g, Index: retrieval.Build(g), Provider: &llm.PromptPrinter{W: &buf, ProviderName: "test", ModelName: "m"}}
	_, err := a.Ask(context.Background(), assistant.Question{Text: "What does the order service depend on?"})
	if !errors.Is(err, llm.ErrPromptShown) {
		t.Fatalf("err = %v, want ErrPromptShown", err)
	}
	var shown struct {
		Call    string      `json:"call"`
		Request llm.Request `json:"request"`
	}
	if err := json.Unmarshal(buf.Bytes(), &shown); err != nil {
		t.Fatalf("printed prompt is not JSON: %v\n%s", err, buf.String())
	}
	if shown.Call != "stream" || len(shown.Request.Messages) != 2 || !strings.Contains(shown.Request.Messages[1].Content, "[component:default/order-service]") {
		t.Errorf("printed %+v", shown)
	}
}
