package mcpserve

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/assistant"
)

// AskTool is `bsai ask QUESTION -o json`.
func AskTool(askEnv func(context.Context) (assistant.Env, error)) server.ServerTool {
	tool := mcp.NewTool("ask",
		mcp.WithDescription("Answer a question about the Backstage catalog (owners, dependencies, APIs, on-call), citing the entity refs the answer uses; every citation is checked against the catalog. "+
			"Uses bsai's configured model, or a deterministic offline answer when none is configured. Returns the JSON of `bsai ask -o json`: question, answer, citations, retrieved, mode, usage."),
		mcp.WithString("question", mcp.Required(), mcp.Description("the question, e.g. \"Who owns <service>?\" or \"What depends on <api>?\"")),
		mcp.WithInteger("topK", mcp.Min(1), mcp.Max(100), mcp.Description("how many entities to retrieve (default 5, or bsai.ask.topK)")),
		mcp.WithString("kind", mcp.Description("only retrieve entities of this kind (component, api, group, ...)")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args{req.GetArguments()}
		if err := a.only("question", "topK", "kind"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		q, err := a.str("question", true)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if strings.TrimSpace(q) == "" {
			return mcp.NewToolResultError("question must not be empty"), nil
		}
		kind, err := a.str("kind", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		topK, _, err := a.integer("topK")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		w := &warnings{}
		env, err := askEnv(ctx)
		if err != nil {
			return toolError(err, w), nil
		}
		env.Warn, env.Progress = w.warn, nil
		as, question, err := assistant.Prepare(ctx, env, assistant.Request{Question: q, TopK: topK, Kind: kind})
		if err != nil {
			return toolError(err, w), nil
		}
		ans, err := as.Ask(ctx, question)
		if err != nil {
			return toolError(err, w), nil
		}
		return result(ans, w), nil
	}}
}
