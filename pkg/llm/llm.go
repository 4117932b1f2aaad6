// Package llm is the one provider layer every subcommand uses: neutral
// message types, one Provider interface, and functions over it for
// structured output (GenerateObject) and tool use (RunTools). go-openai
// lives behind the interface (see openai.go).
package llm

import (
	"context"
	"encoding/json"
	"errors"
)

// Role of a message author.
type Role string

const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is a chat message in provider-neutral form.
type Message struct {
	Role       Role       `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"toolCalls,omitempty"`
	ToolCallID string     `json:"toolCallId,omitempty"` // for RoleTool replies
	Name       string     `json:"name,omitempty"`
}

// ToolCall is the model asking to run a tool; Arguments is a JSON object.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// ToolDef describes a tool to the model; Parameters is a JSON Schema.
type ToolDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// ResponseFormat asks for structured output.
type ResponseFormat struct {
	// Type is "json_schema" or "json_object".
	Type   string          `json:"type"`
	Name   string          `json:"name,omitempty"`
	Schema json.RawMessage `json:"schema,omitempty"`
	Strict bool            `json:"strict,omitempty"`
}

// Request is one chat completion request.
type Request struct {
	Model          string          `json:"model,omitempty"` // "" = provider default
	Messages       []Message       `json:"messages"`
	Tools          []ToolDef       `json:"tools,omitempty"`
	ResponseFormat *ResponseFormat `json:"responseFormat,omitempty"`
	Temperature    *float32        `json:"temperature,omitempty"`
	MaxTokens      int             `json:"maxTokens,omitempty"`
}

// Usage counts tokens.
type Usage struct {
	PromptTokens     int `json:"promptTokens"`
	CompletionTokens int `json:"completionTokens"`
	TotalTokens      int `json:"totalTokens"`
	Calls            int `json:"calls"`
}

// Add sums o into u.
func (u *Usage) Add(o Usage) {
	u.PromptTokens += o.PromptTokens
	u.CompletionTokens += o.CompletionTokens
	u.TotalTokens += o.TotalTokens
	u.Calls += o.Calls
}

// Response is a finished completion.
type Response struct {
	Message      Message `json:"message"`
	Usage        Usage   `json:"usage"`
	FinishReason string  `json:"finishReason,omitempty"`
}

// Chunk is one piece of a streamed reply.
type Chunk struct {
	Delta string // text delta; tool-call deltas are assembled into the final Response
}

// Stream yields chunks until Recv returns io.EOF; Response is then complete.
type Stream interface {
	Recv() (Chunk, error)
	Response() Response
	Close() error
}

// Provider is the one interface every model backend implements.
type Provider interface {
	// Name is the configured provider name (for messages; never a key).
	Name() string
	// Model is the default chat model.
	Model() string
	Generate(ctx context.Context, req Request) (Response, error)
	Stream(ctx context.Context, req Request) (Stream, error)
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// ErrNoModel means no model may be used: --offline, or no provider
// configured. Commands take their deterministic path when they see it.
var ErrNoModel = errors.New("no model configured")
