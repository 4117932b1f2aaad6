package llmtest

import (
	"encoding/json"
	"net/http"

	"github.com/bsai-dev/bsai/pkg/llm"
)

// wire is the subset of the OpenAI request body the server decodes.
type wire struct {
	Model    string `json:"model"`
	Messages []struct {
		Role       string `json:"role"`
		Content    any    `json:"content"`
		Name       string `json:"name"`
		ToolCallID string `json:"tool_call_id"`
		ToolCalls  []struct {
			ID       string `json:"id"`
			Function struct {
				Name      string `json:"name"`
				Arguments string `json:"arguments"`
			} `json:"function"`
		} `json:"tool_calls"`
	} `json:"messages"`
	Tools []struct {
		Function struct {
			Name        string          `json:"name"`
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
		} `json:"function"`
	} `json:"tools"`
	ResponseFormat *struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict bool            `json:"strict"`
		} `json:"json_schema"`
	} `json:"response_format"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           int `json:"max_tokens"`
	MaxCompletionTokens int `json:"max_completion_tokens"`
	Input               any `json:"input"`
}

func decode(r *http.Request, raw []byte) Request {
	req := Request{Wire: Record(r, raw)}
	var w wire
	if json.Unmarshal(raw, &w) != nil {
		return req
	}
	req.Model, req.Stream = w.Model, w.Stream
	req.IncludeUsage = w.StreamOptions != nil && w.StreamOptions.IncludeUsage
	req.MaxTokens = max(w.MaxTokens, w.MaxCompletionTokens)
	for _, m := range w.Messages {
		msg := llm.Message{Role: llm.Role(m.Role), Name: m.Name, ToolCallID: m.ToolCallID}
		switch c := m.Content.(type) {
		case string:
			msg.Content = c
		case nil:
		default:
			b, _ := json.Marshal(c)
			msg.Content = string(b)
		}
		for _, tc := range m.ToolCalls {
			msg.ToolCalls = append(msg.ToolCalls, llm.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: json.RawMessage(tc.Function.Arguments)})
		}
		req.Messages = append(req.Messages, msg)
	}
	for _, t := range w.Tools {
		req.Tools = append(req.Tools, llm.ToolDef{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters})
	}
	if rf := w.ResponseFormat; rf != nil {
		req.ResponseFormat = &llm.ResponseFormat{Type: rf.Type}
		if rf.JSONSchema != nil {
			req.ResponseFormat.Name = rf.JSONSchema.Name
			req.ResponseFormat.Schema = rf.JSONSchema.Schema
			req.ResponseFormat.Strict = rf.JSONSchema.Strict
		}
	}
	switch in := w.Input.(type) {
	case string:
		req.Input = []string{in}
	case []any:
		for _, x := range in {
			if s, ok := x.(string); ok {
				req.Input = append(req.Input, s)
			}
		}
	}
	return req
}
