package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// owners is a real little tool: it looks the owner up in a map.
func ownersTool(calls *[]string) llm.Tool {
	owners := map[string]string{"component:default/payments-api": "group:default/payments"}
	return llm.Tool{
		Def: llm.ToolDef{Name: "owner_of", Description: "owner of an entity",
			Parameters: json.RawMessage(`{"type":"object","properties":{"ref":{"type":"string"}},"required":["ref"]}`)},
		Fn: func(ctx context.Context, args json.RawMessage) (string, error) {
			var a struct{ Ref string }
			if err := json.Unmarshal(args, &a); err != nil {
				return "", err
			}
			*calls = append(*calls, a.Ref)
			o, ok := owners[a.Ref]
			if !ok {
				return "", fmt.Errorf("entity %s not found", a.Ref)
			}
			return o, nil
		},
	}
}

func TestRunTools(t *testing.T) {
	tests := []struct {
		name          string
		replies       []llmtest.Reply
		budget        llm.Budget
		wantFinal     string
		wantExhausted string
		wantRan       []string
		// wantFed[i] is a substring of the tool message fed back in request i+1.
		wantFed []string
	}{
		{name: "answer without tools", replies: []llmtest.Reply{llmtest.Text("no tools needed")}, wantFinal: "no tools needed"},
		{name: "multi-step",
			replies: []llmtest.Reply{
				llmtest.ToolCall("owner_of", `{"ref":"component:default/payments-api"}`),
				llmtest.ToolCalls(llmtest.Call("a", "owner_of", `{"ref":"component:default/payments-api"}`), llmtest.Call("b", "owner_of", `{"ref":"component:default/payments-api"}`)),
				llmtest.Text("payments owns it")},
			wantFinal: "payments owns it", wantRan: []string{"component:default/payments-api", "component:default/payments-api", "component:default/payments-api"},
			wantFed: []string{"group:default/payments", "group:default/payments"}},
		{name: "tool error fed back",
			replies:   []llmtest.Reply{llmtest.ToolCall("owner_of", `{"ref":"component:default/nope"}`), llmtest.Text("not found")},
			wantFinal: "not found", wantRan: []string{"component:default/nope"},
			wantFed: []string{"error: entity component:default/nope not found"}},
		{name: "unknown tool fed back",
			replies:   []llmtest.Reply{llmtest.ToolCall("delete_everything", `{}`), llmtest.Text("sorry")},
			wantFinal: "sorry", wantFed: []string{`error: unknown tool "delete_everything"; available tools: owner_of`}},
		{name: "bad arguments fed back",
			replies:   []llmtest.Reply{llmtest.ToolCalls(llm.ToolCall{ID: "x", Name: "owner_of", Arguments: json.RawMessage(`{"ref":`)}), llmtest.Text("ok")},
			wantFinal: "ok", wantFed: []string{`arguments for owner_of are not a valid JSON object: {"ref":`}},
		{name: "step budget", budget: llm.Budget{MaxSteps: 2},
			replies: []llmtest.Reply{
				llmtest.ToolCall("owner_of", `{"ref":"component:default/payments-api"}`),
				llmtest.ToolCall("owner_of", `{"ref":"component:default/payments-api"}`)},
			wantExhausted: llm.BudgetSteps, wantRan: []string{"component:default/payments-api", "component:default/payments-api"},
			wantFed: []string{"group:default/payments"}},
		{name: "tool call budget", budget: llm.Budget{MaxToolCalls: 1},
			replies: []llmtest.Reply{
				llmtest.ToolCalls(llmtest.Call("a", "owner_of", `{"ref":"component:default/payments-api"}`), llmtest.Call("b", "owner_of", `{"ref":"x"}`))},
			wantExhausted: llm.BudgetToolCalls, wantRan: []string{"component:default/payments-api"}},
		{name: "token budget", budget: llm.Budget{MaxTokens: 20},
			replies: []llmtest.Reply{
				llmtest.ToolCall("owner_of", `{"ref":"component:default/payments-api"}`).WithUsage(8, 4),
				llmtest.ToolCall("owner_of", `{"ref":"component:default/payments-api"}`).WithUsage(8, 4)},
			wantExhausted: llm.BudgetTokens, wantRan: []string{"component:default/payments-api"}, wantFed: []string{"group:default/payments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New(t, tt.replies...)
			var ran []string
			res, err := llm.RunTools(context.Background(), srv.Provider(), userReq("who owns payments-api?"), []llm.Tool{ownersTool(&ran)}, tt.budget)
			if err != nil {
				t.Fatal(err)
			}
			if res.Exhausted != tt.wantExhausted {
				t.Errorf("exhausted = %q, want %q", res.Exhausted, tt.wantExhausted)
			}
			if tt.wantExhausted == "" && res.Response.Message.Content != tt.wantFinal {
				t.Errorf("final = %q", res.Response.Message.Content)
			}
			if strings.Join(ran, ",") != strings.Join(tt.wantRan, ",") {
				t.Errorf("ran = %v, want %v", ran, tt.wantRan)
			}
			reqs := srv.Requests()
			if len(reqs) != len(tt.replies) || srv.Remaining() != 0 {
				t.Errorf("requests = %d, scripted %d", len(reqs), len(tt.replies))
			}
			for i, want := range tt.wantFed {
				r := reqs[i+1]
				last := r.Messages[len(r.Messages)-1]
				if last.Role != llm.RoleTool || !strings.Contains(last.Content, want) || last.ToolCallID == "" {
					t.Errorf("request %d last message = %+v, want tool reply containing %q", i+1, last, want)
				}
			}
			for _, r := range reqs {
				if len(r.Tools) != 1 || r.Tools[0].Name != "owner_of" {
					t.Errorf("tools not offered: %+v", r.Tools)
				}
			}
			if res.Usage.Calls != len(reqs) {
				t.Errorf("usage calls = %d, want %d", res.Usage.Calls, len(reqs))
			}
			// Every tool call in the transcript has an answer.
			answered := map[string]bool{}
			for _, m := range res.Messages {
				if m.Role == llm.RoleTool {
					answered[m.ToolCallID] = true
				}
			}
			for _, m := range res.Messages {
				for _, c := range m.ToolCalls {
					if !answered[c.ID] {
						t.Errorf("tool call %s has no reply in the transcript", c.ID)
					}
				}
			}
		})
	}
}

func TestRunToolsWallTime(t *testing.T) {
	// The clock advances 40s per tool run; the budget is one minute.
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	slow := llm.Tool{Def: llm.ToolDef{Name: "slow"}, Fn: func(ctx context.Context, _ json.RawMessage) (string, error) {
		now = now.Add(40 * time.Second)
		return "done", nil
	}}
	srv := llmtest.New(t, llmtest.ToolCall("slow", ""), llmtest.ToolCall("slow", ""), llmtest.Text("never"))
	res, err := llm.RunTools(context.Background(), srv.Provider(), userReq("x"), []llm.Tool{slow}, llm.Budget{WallTime: time.Minute, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if res.Exhausted != llm.BudgetTime || len(res.Calls) != 2 || len(srv.Requests()) != 2 {
		t.Errorf("exhausted=%q calls=%d requests=%d", res.Exhausted, len(res.Calls), len(srv.Requests()))
	}
}

func TestRunToolsProviderErrorEndsLoop(t *testing.T) {
	srv := llmtest.New(t, llmtest.ToolCall("owner_of", `{"ref":"x"}`), llmtest.Error(400, "bad request"))
	var ran []string
	res, err := llm.RunTools(context.Background(), srv.Provider(), userReq("x"), []llm.Tool{ownersTool(&ran)}, llm.Budget{})
	var ae *llm.APIError
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("err = %v", err)
	}
	if len(res.Calls) != 1 {
		t.Errorf("partial result should keep the calls made: %+v", res.Calls)
	}
}

func TestRunToolsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stop := llm.Tool{Def: llm.ToolDef{Name: "stop"}, Fn: func(ctx context.Context, _ json.RawMessage) (string, error) {
		cancel()
		return "", ctx.Err()
	}}
	srv := llmtest.New(t, llmtest.ToolCall("stop", ""))
	_, err := llm.RunTools(ctx, srv.Provider(), userReq("x"), []llm.Tool{stop}, llm.Budget{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestRunToolsWallTimeDuringModelCall(t *testing.T) {
	// The model hangs; the wall-time budget ends the loop without an error.
	srv := llmtest.New(t, llmtest.ToolCall("slow", ""), llmtest.Reply{Hang: true})
	slow := llm.Tool{Def: llm.ToolDef{Name: "slow"}, Fn: func(context.Context, json.RawMessage) (string, error) { return "ok", nil }}
	res, err := llm.RunTools(context.Background(), srv.Provider(), userReq("x"), []llm.Tool{slow}, llm.Budget{WallTime: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Exhausted != llm.BudgetTime || len(res.Calls) != 1 {
		t.Errorf("exhausted=%q calls=%d", res.Exhausted, len(res.Calls))
	}
}

func TestRunToolsEmptyToolOutput(t *testing.T) {
	srv := llmtest.New(t, llmtest.ToolCall("quiet", ""), llmtest.Text("ok"))
	quiet := llm.Tool{Def: llm.ToolDef{Name: "quiet"}, Fn: func(context.Context, json.RawMessage) (string, error) { return "", nil }}
	if _, err := llm.RunTools(context.Background(), srv.Provider(), userReq("x"), []llm.Tool{quiet}, llm.Budget{}); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Requests()[1].Body["messages"].([]any)
	last := msgs[len(msgs)-1].(map[string]any)
	if last["role"] != "tool" || last["content"] != "(no output)" {
		t.Errorf("tool message on the wire = %v", last)
	}
}
