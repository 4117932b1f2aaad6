package source

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	mcpgo "github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/textutil"
)

// ToolCaller is the slice of the MCP registry sources and actions use.
type ToolCaller interface {
	CallTool(ctx context.Context, server, tool string, args map[string]any) (*mcpgo.CallToolResult, error)
}

// MCPSource calls one MCP tool and keeps its text result as evidence. Args
// are templated with {{.Service}} and {{.Entity}}.
type MCPSource struct {
	Label  string
	Server string
	Tool   string
	Args   map[string]any
	Caller ToolCaller
	// MaxChars bounds the kept text (default 4000).
	MaxChars int
}

func (m *MCPSource) Name() string { return "mcp:" + m.Label }

func (m *MCPSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	args, err := TemplateArgs(m.Args, map[string]any{
		"Service": s.ServiceName(s.Focus), "Entity": s.Focus,
		"Start": s.Start.UTC().Format("2006-01-02T15:04:05Z"), "End": s.End.UTC().Format("2006-01-02T15:04:05Z"),
	})
	if err != nil {
		return nil, fmt.Errorf("mcp source %s: %w", m.Label, err)
	}
	res, err := m.Caller.CallTool(ctx, m.Server, m.Tool, args)
	if err != nil {
		return nil, fmt.Errorf("mcp source %s (%s/%s): %w", m.Label, m.Server, m.Tool, err)
	}
	text := ToolText(res)
	max := m.MaxChars
	if max <= 0 {
		max = 4000
	}
	text = textutil.Truncate(text, max, "…")
	if res.IsError {
		return nil, fmt.Errorf("mcp source %s: tool error: %s", m.Label, OneLine(text))
	}
	return []Evidence{{Source: m.Name(), Kind: KindText, Time: tp(s.End), Entity: s.Focus,
		Detail: text, Link: "mcp://" + m.Server + "/" + m.Tool}}, nil
}

// ToolText joins the text parts of a tool result (structured content as
// JSON when there is no text).
func ToolText(res *mcpgo.CallToolResult) string {
	if res == nil {
		return ""
	}
	var parts []string
	for _, c := range res.Content {
		if t, ok := mcpgo.AsTextContent(c); ok {
			parts = append(parts, t.Text)
		}
	}
	if len(parts) == 0 && res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		parts = append(parts, string(b))
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}
