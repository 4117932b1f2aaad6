package scaffolder

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/mark3labs/mcp-go/mcp"
)

// Rules of mcp:call steps (Backstage's MCP scaffolder action: input server,
// tool, arguments).
const (
	RuleMCPServer    = "mcp-server"
	RuleMCPTool      = "mcp-tool"
	RuleMCPArguments = "mcp-arguments"
	RuleMCPUnchecked = "mcp-unchecked"
)

func init() {
	RuleDescriptions[RuleMCPServer] = "An mcp:call step names a server that is not in bsai's MCP config."
	RuleDescriptions[RuleMCPTool] = "An mcp:call step names a tool the server does not have (checked with --live-mcp)."
	RuleDescriptions[RuleMCPArguments] = "An mcp:call step's arguments do not satisfy the tool's inputSchema (checked with --live-mcp)."
	RuleDescriptions[RuleMCPUnchecked] = "The tool and arguments of an mcp:call step were not checked because --live-mcp was not given."
}

// MCPAction is the action id of Backstage's MCP scaffolder action.
const MCPAction = "mcp:call"

// MCPServers is what checking mcp:call steps needs from bsai's MCP config.
type MCPServers struct {
	// IDs are the configured server ids.
	IDs []string
	// Tools lists a server's tools, starting it (--live-mcp); nil means
	// servers are not started and tools/arguments go unchecked.
	Tools func(ctx context.Context, server string) ([]mcp.Tool, error)
}

// CheckMCPCalls adds findings for every mcp:call step of every template in
// rep: the server must be configured; with Tools, the tool must exist and
// literal arguments satisfy its inputSchema (templated values pass, as for
// action inputs).
func CheckMCPCalls(ctx context.Context, rep *Report, s MCPServers) {
	known := map[string]bool{}
	for _, id := range s.IDs {
		known[id] = true
	}
	cache := map[string][]mcp.Tool{}
	cacheErr := map[string]error{}
	for fi := range rep.Files {
		f := &rep.Files[fi]
		if f.src == nil {
			continue
		}
		docs, _ := ParseDocs(f.src)
		for _, d := range docs {
			if !IsTemplate(d.Value) {
				continue
			}
			for i, st := range asSlice(asMap(asMap(d.Value)["spec"])["steps"]) {
				sm := asMap(st)
				if strOf(sm["action"]) != MCPAction {
					continue
				}
				f.Findings = append(f.Findings, checkMCPStep(ctx, d, i, sm, known, s, cache, cacheErr)...)
			}
		}
		sortFindings(f.Findings)
		f.Valid = !HasErrors(f.Findings)
	}
}

func checkMCPStep(ctx context.Context, d *Doc, i int, step map[string]any, known map[string]bool, s MCPServers,
	cache map[string][]mcp.Tool, cacheErr map[string]error) []Finding {
	path := []any{"spec", "steps", i, "input"}
	in := asMap(step["input"])
	var out []Finding
	add := func(sev Severity, rule string, p []any, format string, args ...any) *Finding {
		line, col := d.Pos(p)
		out = append(out, Finding{Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...), Path: jsonPath(p), Line: line, Column: col, segs: p, doc: d.Index})
		return &out[len(out)-1]
	}
	server, _ := asString(in["server"])
	tool, _ := asString(in["tool"])
	if server == "" || templated(server) {
		return out // a missing server is the action schema's business; a templated one cannot be known
	}
	if !known[server] {
		ids := append([]string{}, sortedKeysBool(known)...)
		f := add(SevError, RuleMCPServer, child(path, "server"), "mcp:call server %q is not in bsai's MCP config (bsai mcp servers lists them)%s", server, suggest(server, ids))
		if best := closestName(server, ids); best != "" {
			f.Suggestion = best
		}
		return out
	}
	if s.Tools == nil {
		add(SevNote, RuleMCPUnchecked, path, "tool %q and its arguments were not checked: pass --live-mcp to start server %q and check them", tool, server)
		return out
	}
	if tool == "" || templated(tool) {
		return out
	}
	tools, ok := cache[server]
	if !ok && cacheErr[server] == nil {
		var err error
		tools, err = s.Tools(ctx, server)
		if err != nil {
			cacheErr[server] = err
		} else {
			cache[server] = tools
		}
	}
	if err := cacheErr[server]; err != nil {
		add(SevWarning, RuleMCPUnchecked, path, "cannot list the tools of %q (%v); tool %q not checked", server, err, tool)
		return out
	}
	var t *mcp.Tool
	names := make([]string, 0, len(tools))
	for k := range tools {
		names = append(names, tools[k].Name)
		if tools[k].Name == tool {
			t = &tools[k]
		}
	}
	sort.Strings(names)
	if t == nil {
		f := add(SevError, RuleMCPTool, child(path, "tool"), "server %q has no tool %q%s", server, tool, suggest(tool, names))
		if best := closestName(tool, names); best != "" {
			f.fixed(best, tool, best)
		}
		return out
	}
	args, present := in["arguments"]
	if !present {
		args = map[string]any{}
	}
	if s, ok := args.(string); ok && templated(s) {
		return out
	}
	for _, p := range checkValue(toolSchema(*t), args, nil, 0) {
		fp := child(path, "arguments")
		for _, sg := range p.segs {
			fp = child(fp, sg)
		}
		sev := SevError
		if p.unknown {
			sev = SevWarning
		}
		add(sev, RuleMCPArguments, fp, "%s/%s: %s", server, tool, p.msg)
	}
	return out
}

// toolSchema is a tool's inputSchema as a plain JSON value.
func toolSchema(t mcp.Tool) map[string]any {
	var raw []byte
	if len(t.RawInputSchema) > 0 {
		raw = t.RawInputSchema
	} else {
		raw, _ = json.Marshal(t.InputSchema)
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	// JSON numbers decode as float64; checkValue compares types loosely.
	return m
}

func sortedKeysBool(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
