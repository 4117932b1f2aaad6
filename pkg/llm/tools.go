package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/textutil"
)

// Tool is a Go function the model may call.
type Tool struct {
	Def ToolDef
	// Fn runs the tool; its string result (or error text) is fed back.
	Fn func(ctx context.Context, args json.RawMessage) (string, error)
}

// Budget bounds a tool loop; zero fields take defaults.
type Budget struct {
	MaxSteps     int           // model turns (default 8)
	MaxToolCalls int           // total tool calls (default 16)
	MaxTokens    int           // total tokens (default: no limit)
	WallTime     time.Duration // default: no limit beyond ctx
	// Now is the clock for WallTime (default time.Now); tests inject one.
	Now func() time.Time
	// MaxResultBytes truncates each tool result fed back (default 16 KiB),
	// so one chatty tool cannot blow the context window.
	MaxResultBytes int
}

// Budget names reported in ToolResult.Exhausted.
const (
	BudgetSteps     = "steps"
	BudgetToolCalls = "toolCalls"
	BudgetTokens    = "tokens"
	BudgetTime      = "time"
)

// ToolResult is the outcome of RunTools.
type ToolResult struct {
	Response  Response   // the final assistant message
	Messages  []Message  // the whole conversation, for --show-prompt and audits
	Calls     []ToolCall // every tool call made, in order
	Usage     Usage
	Exhausted string // "" or which budget ran out ("steps", "toolCalls", "tokens", "time")
}

// RunTools runs the model with tools until it answers without calling one
// or a budget runs out. A budget running out is not an error: the result
// says which one (Exhausted) and holds the last model response, so the
// caller can fall back to its deterministic answer. Tool errors, unknown
// tool names and bad arguments are fed back to the model as text so it can
// correct itself; only provider errors and cancellation end the loop with
// an error.
func RunTools(ctx context.Context, p Provider, req Request, tools []Tool, b Budget) (ToolResult, error) {
	if b.MaxSteps <= 0 {
		b.MaxSteps = 8
	}
	if b.MaxToolCalls <= 0 {
		b.MaxToolCalls = 16
	}
	if b.Now == nil {
		b.Now = time.Now
	}
	if b.MaxResultBytes <= 0 {
		b.MaxResultBytes = 16 << 10
	}
	byName := map[string]Tool{}
	var names []string
	defs := append([]ToolDef(nil), req.Tools...)
	for _, t := range tools {
		if _, dup := byName[t.Def.Name]; dup {
			return ToolResult{}, fmt.Errorf("llm: tool %q registered twice", t.Def.Name)
		}
		byName[t.Def.Name] = t
		names = append(names, t.Def.Name)
		defs = append(defs, t.Def)
	}
	sort.Strings(names)

	start := b.Now()
	loopCtx := ctx
	if b.WallTime > 0 {
		var cancel context.CancelFunc
		loopCtx, cancel = context.WithTimeout(ctx, b.WallTime)
		defer cancel()
	}
	res := ToolResult{Messages: append([]Message(nil), req.Messages...)}
	timeUp := func() bool {
		return b.WallTime > 0 && (b.Now().Sub(start) >= b.WallTime || (loopCtx.Err() != nil && ctx.Err() == nil))
	}
	for step := 0; ; step++ {
		if step >= b.MaxSteps {
			res.Exhausted = BudgetSteps
			return res, nil
		}
		if timeUp() {
			res.Exhausted = BudgetTime
			return res, nil
		}
		r := req
		r.Messages = res.Messages
		r.Tools = defs
		resp, err := p.Generate(loopCtx, r)
		if err != nil {
			if timeUp() {
				res.Exhausted = BudgetTime
				return res, nil
			}
			return res, err
		}
		u := resp.Usage
		if u.Calls == 0 {
			u.Calls = 1
		}
		res.Usage.Add(u)
		res.Response = resp
		res.Messages = append(res.Messages, resp.Message)
		if len(resp.Message.ToolCalls) == 0 {
			return res, nil
		}
		if b.MaxTokens > 0 && res.Usage.TotalTokens >= b.MaxTokens {
			res.Exhausted = BudgetTokens
			res.Messages = append(res.Messages, skipped(resp.Message.ToolCalls, "token budget exhausted")...)
			return res, nil
		}
		for i, call := range resp.Message.ToolCalls {
			if len(res.Calls) >= b.MaxToolCalls {
				res.Exhausted = BudgetToolCalls
				res.Messages = append(res.Messages, skipped(resp.Message.ToolCalls[i:], "tool call budget exhausted")...)
				return res, nil
			}
			if timeUp() {
				res.Exhausted = BudgetTime
				res.Messages = append(res.Messages, skipped(resp.Message.ToolCalls[i:], "time budget exhausted")...)
				return res, nil
			}
			res.Calls = append(res.Calls, call)
			out := runTool(loopCtx, byName, names, call)
			if ctx.Err() != nil {
				return res, fmt.Errorf("tool loop cancelled: %w", ctx.Err())
			}
			if out == "" {
				// go-openai drops empty content, and servers reject a tool
				// message without one.
				out = "(no output)"
			}
			if len(out) > b.MaxResultBytes {
				out = out[:b.MaxResultBytes] + "\n[truncated]"
			}
			res.Messages = append(res.Messages, Message{Role: RoleTool, ToolCallID: call.ID, Name: call.Name, Content: out})
		}
	}
}

// skipped answers tool calls that were not run, so the conversation stays
// well-formed (every tool_call has a reply) for audits and follow-ups.
func skipped(calls []ToolCall, why string) []Message {
	var out []Message
	for _, c := range calls {
		out = append(out, Message{Role: RoleTool, ToolCallID: c.ID, Name: c.Name, Content: "error: not run: " + why})
	}
	return out
}

// runTool runs one call and returns the text fed back to the model; errors
// become "error: ..." text rather than ending the loop.
func runTool(ctx context.Context, byName map[string]Tool, names []string, call ToolCall) (out string) {
	t, ok := byName[call.Name]
	if !ok {
		return fmt.Sprintf("error: unknown tool %q; available tools: %s", call.Name, strings.Join(names, ", "))
	}
	args := call.Arguments
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) || args[0] == '"' {
		// The provider keeps broken argument text as a JSON string.
		text := string(args)
		var s string
		if json.Unmarshal(args, &s) == nil {
			text = s
		}
		return fmt.Sprintf("error: arguments for %s are not a valid JSON object: %s", call.Name, textutil.Truncate(text, 200, "..."))
	}
	defer func() {
		if r := recover(); r != nil {
			out = fmt.Sprintf("error: tool %s failed: %v", call.Name, r)
		}
	}()
	s, err := t.Fn(ctx, args)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return "error: cancelled"
		}
		return fmt.Sprintf("error: %v", err)
	}
	return s
}
