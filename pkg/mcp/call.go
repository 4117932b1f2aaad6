package mcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// CallOptions tune one tool call.
type CallOptions struct {
	// Timeout overrides the server's callTimeout for this call.
	Timeout time.Duration
	// SkipValidation sends args as they are (the server still validates).
	SkipValidation bool
	// OnProgress, when set, asks the server for progress notifications
	// (a progressToken in _meta) and receives them while the call runs.
	OnProgress func(Progress)
}

// ListTools lists a server's tools, connecting on first use. The list is
// cached for the life of the connection.
func (r *Registry) ListTools(ctx context.Context, server string) ([]mcp.Tool, error) {
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	c.toolsMu.Lock()
	defer c.toolsMu.Unlock()
	if c.tools != nil {
		return c.tools, nil
	}
	res, err := withTimeout(ctx, r, c, 0, "tools/list", func(ctx context.Context) (*mcp.ListToolsResult, error) {
		return c.client.ListTools(ctx, mcp.ListToolsRequest{})
	})
	if err != nil {
		return nil, err
	}
	tools := res.Tools
	if tools == nil {
		tools = []mcp.Tool{}
	}
	c.tools = tools
	return tools, nil
}

// Tool finds one tool by name; an unknown name is a usage error suggesting
// the closest names.
func (r *Registry) Tool(ctx context.Context, server, name string) (mcp.Tool, error) {
	tools, err := r.ListTools(ctx, server)
	if err != nil {
		return mcp.Tool{}, err
	}
	names := make([]string, len(tools))
	for i, t := range tools {
		if t.Name == name {
			return t, nil
		}
		names[i] = t.Name
	}
	sort.Strings(names)
	e := errs.Usage("mcp server %q has no tool %q", server, name)
	if m := closest(name, names); len(m) > 0 {
		return mcp.Tool{}, e.WithHint("did you mean %s? list them with: bsai mcp tools %s", strings.Join(m, ", "), server)
	}
	return mcp.Tool{}, e.WithHint("list them with: bsai mcp tools %s", server)
}

// CallTool calls a tool after validating args against its input schema.
func (r *Registry) CallTool(ctx context.Context, server, tool string, args map[string]any) (*mcp.CallToolResult, error) {
	return r.CallToolWith(ctx, server, tool, args, CallOptions{})
}

// CallToolWith is CallTool with a per-call timeout or without validation.
// A result with isError is returned as a result, not an error: callers
// decide (the CLI exits 1 after printing it).
func (r *Registry) CallToolWith(ctx context.Context, server, tool string, args map[string]any, o CallOptions) (*mcp.CallToolResult, error) {
	t, err := r.Tool(ctx, server, tool)
	if err != nil {
		return nil, err
	}
	if !o.SkipValidation {
		if err := ValidateArgs(t, args); err != nil {
			return nil, err
		}
	}
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	if args == nil {
		args = map[string]any{}
	}
	req.Params.Arguments = args
	if o.OnProgress != nil {
		token, drop := routes.register(o.OnProgress)
		defer drop()
		req.Params.Meta = &mcp.Meta{ProgressToken: token}
	}
	return withTimeout(ctx, r, c, o.Timeout, "tool "+tool, func(ctx context.Context) (*mcp.CallToolResult, error) {
		return c.client.CallTool(ctx, req)
	})
}

// ListResources lists a server's resources.
func (r *Registry) ListResources(ctx context.Context, server string) ([]mcp.Resource, error) {
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	res, err := withTimeout(ctx, r, c, 0, "resources/list", func(ctx context.Context) (*mcp.ListResourcesResult, error) {
		return c.client.ListResources(ctx, mcp.ListResourcesRequest{})
	})
	if err != nil {
		return nil, err
	}
	if res.Resources == nil {
		return []mcp.Resource{}, nil
	}
	return res.Resources, nil
}

// ReadResource reads one resource by URI.
func (r *Registry) ReadResource(ctx context.Context, server, uri string) (*mcp.ReadResourceResult, error) {
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	return withTimeout(ctx, r, c, 0, "resources/read "+uri, func(ctx context.Context) (*mcp.ReadResourceResult, error) {
		return c.client.ReadResource(ctx, req)
	})
}

// ListPrompts lists a server's prompts.
func (r *Registry) ListPrompts(ctx context.Context, server string) ([]mcp.Prompt, error) {
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	res, err := withTimeout(ctx, r, c, 0, "prompts/list", func(ctx context.Context) (*mcp.ListPromptsResult, error) {
		return c.client.ListPrompts(ctx, mcp.ListPromptsRequest{})
	})
	if err != nil {
		return nil, err
	}
	if res.Prompts == nil {
		return []mcp.Prompt{}, nil
	}
	return res.Prompts, nil
}

// GetPrompt renders one prompt with string arguments.
func (r *Registry) GetPrompt(ctx context.Context, server, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	c, err := r.get(ctx, server)
	if err != nil {
		return nil, err
	}
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return withTimeout(ctx, r, c, 0, "prompt "+name, func(ctx context.Context) (*mcp.GetPromptResult, error) {
		return c.client.GetPrompt(ctx, req)
	})
}

// withTimeout runs one request under the per-call timeout and turns
// failures into kinded errors. A request that timed out or was interrupted
// leaves a stdio server in an unknown state, so its process tree is killed
// and the next use starts it afresh.
func withTimeout[T any](ctx context.Context, r *Registry, c *conn, timeout time.Duration, what string, fn func(context.Context) (T, error)) (T, error) {
	if timeout <= 0 {
		timeout = c.cfg.CallTimeout.Duration
	}
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	v, err := awaitCtx(cctx, fn)
	if err == nil {
		return v, nil
	}
	var zero T
	if tl := c.tl.get(); tl != nil {
		r.drop(c.id, c)
		return zero, tl
	}
	switch {
	case ctx.Err() != nil:
		r.drop(c.id, c)
		return zero, fmt.Errorf("mcp server %q: %s: %w", c.id, what, ctx.Err())
	case errors.Is(cctx.Err(), context.DeadlineExceeded):
		r.drop(c.id, c)
		return zero, errs.Upstream("mcp server %q: %s timed out after %s", c.id, what, timeout).
			WithHint("pass --timeout or set callTimeout for the server; the server was stopped")
	case errors.Is(err, transport.ErrTransportClosed) || isEOF(err):
		r.drop(c.id, c)
		e := errs.Upstream("mcp server %q: %s: connection lost: %s", c.id, what, reason(err)).
			WithHint("%sthe server may have crashed", c.stderrHint())
		e.Err = err
		return zero, c.redact(e)
	}
	if errors.Is(err, mcp.ErrMethodNotFound) {
		return zero, errs.Upstream("mcp server %q does not support %s", c.id, what)
	}
	if errors.Is(err, mcp.ErrInvalidParams) {
		return zero, c.redact(errs.Usage("mcp server %q rejected the arguments for %s: %w", c.id, what, err))
	}
	e := errs.Upstream("mcp server %q: %s: %s", c.id, what, reason(err))
	e.Err = err
	return zero, c.redact(e)
}

// awaitCtx runs fn but returns once ctx ends even if fn does not: mcp-go's
// stdio transport writes a request to the server's stdin without watching
// the context, so a server that stopped reading would hold the call (and
// Ctrl-C) forever. The caller then drops the connection, which closes that
// stdin and lets fn return.
func awaitCtx[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn(ctx)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		select {
		case r := <-ch: // fn noticed too: keep its own error
			return r.v, r.err
		case <-time.After(50 * time.Millisecond):
			var zero T
			return zero, ctx.Err()
		}
	}
}

func isEOF(err error) bool {
	s := err.Error()
	return strings.Contains(s, "EOF") || strings.Contains(s, "broken pipe") || strings.Contains(s, "file already closed")
}

// Transport reports how a server is reached (for messages), resolving it
// if needed.
func (r *Registry) Transport(ctx context.Context, server string) (string, error) {
	s, inproc, err := r.lookup(ctx, server)
	if err != nil {
		return "", err
	}
	if inproc != nil {
		return "inprocess", nil
	}
	return s.Transport, nil
}
