package llm

import (
	"context"
	"encoding/json"
	"errors"
	"time"
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
}

// ToolResult is the outcome of RunTools.
type ToolResult struct {
	Response  Response   // the final assistant message
	Messages  []Message  // the whole conversation, for --show-prompt and audits
	Calls     []ToolCall // every tool call made, in order
	Usage     Usage
	Exhausted string // "" or which budget ran out ("steps", "toolCalls", "tokens", "time")
}

// RunTools runs the model with tools until it answers without calling one
// or a budget runs out.
// TODO(issue 3): implement.
func RunTools(ctx context.Context, p Provider, req Request, tools []Tool, b Budget) (ToolResult, error) {
	return ToolResult{}, errors.New("llm: RunTools not implemented yet")
}
