package mcpserve

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// TemplateGenerateTool is `bsai template generate DESCRIPTION -o json`
// without --out or --dry-run: it never writes a file nor calls the backend's
// dry run.
func TemplateGenerateTool(generateEnv func() (scaffolder.GenerateEnv, error)) server.ServerTool {
	tool := mcp.NewTool("template_generate",
		mcp.WithDescription("Generate a Backstage scaffolder template (v1beta3) from a description and validate it. "+
			"Uses bsai's configured model with validator-driven repairs, or offline composes it from the request (kind of change, stack, host and publish action, owner team from the catalog, extras) using only available actions. "+
			"Never writes files. Returns the JSON of `bsai template generate -o json`: yaml, template, valid, errors and warnings (validator findings), citations, mode. "+
			"valid: false is a result, not a tool error."),
		mcp.WithString("description", mcp.Required(), mcp.Description("what the template should create, e.g. \"Go gRPC service with a Postgres database\"")),
		mcp.WithArray("refs", mcp.WithStringItems(), mcp.Description("reference templates from the catalog (catalog_search with kind Template lists them), e.g. [\"template:default/<name>\"]")),
		mcp.WithString("owner", mcp.Description("spec.owner of the new template, an entity ref such as group:default/<team>")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args{req.GetArguments()}
		if err := a.only("description", "refs", "owner"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		desc, err := a.str("description", true)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		owner, err := a.str("owner", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		refs, err := a.strings("refs")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		w := &warnings{}
		env, err := generateEnv()
		if err != nil {
			return toolError(err, w), nil
		}
		env.Warn, env.Progress = w.warn, nil
		res, err := scaffolder.RunGenerate(ctx, env, scaffolder.GenerateRequest{Description: desc, Refs: refs, Owner: owner})
		if err != nil {
			return toolError(err, w), nil
		}
		// An invalid template (valid: false with the errors) is the
		// answer, not a failure; notes are in the JSON.
		return result(res, w), nil
	}}
}
