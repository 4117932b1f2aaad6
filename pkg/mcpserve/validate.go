package mcpserve

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// TemplateValidateTool exposes `bsai template validate` for one template
// given as YAML text. Findings are the result (valid: false is not a tool
// error); isError only when the validator itself cannot run.
func TemplateValidateTool() server.ServerTool {
	tool := mcp.NewTool("template_validate",
		mcp.WithDescription("Validate a Backstage scaffolder template (YAML text) against the template schema and the built-in catalogue of scaffolder actions. Returns findings with severity, rule, message and line."),
		mcp.WithString("template", mcp.Required(), mcp.Description("the template.yaml content")),
		mcp.WithString("path", mcp.Description("a file name to show in findings (default template.yaml)")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		text, err := req.RequireString("template")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		v, err := scaffolder.NewValidator(nil)
		if err != nil {
			return mcp.NewToolResultError("cannot start the validator: " + err.Error()), nil
		}
		res := v.ValidateBytes(req.GetString("path", "template.yaml"), []byte(text))
		var b strings.Builder
		if res.Valid {
			fmt.Fprintf(&b, "valid (%d template(s) checked)\n", res.Templates)
		}
		for _, f := range res.Findings {
			fmt.Fprintf(&b, "%s:%d:%d %s %s: %s\n", res.Path, f.Line, f.Column, f.Severity, f.Rule, f.Message)
		}
		for _, s := range res.Skipped {
			fmt.Fprintln(&b, s)
		}
		raw, _ := json.Marshal(res)
		var structured map[string]any
		_ = json.Unmarshal(raw, &structured)
		return mcp.NewToolResultStructured(structured, b.String()), nil
	}}
}
