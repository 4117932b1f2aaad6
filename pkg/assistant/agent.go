package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// agent answers with the model driving catalog tools through llm.RunTools.
// The first prompt already carries the retrieved cards, so simple questions
// take one step; tools are for hops the cards do not cover.
func (a *Assistant) agent(ctx context.Context, q Question, cards string, ans *Answer) error {
	m := llm.NewMetered(a.Provider)
	zero := float32(0)
	req := llm.Request{Messages: messages(q, cards, true), Temperature: &zero}
	stop := a.progress("asking " + a.Provider.Name() + " (with catalog tools)")
	res, err := llm.RunTools(ctx, m, req, a.Tools(), a.budget())
	stop()
	if err != nil {
		return err
	}
	ans.Usage.Usage = m.Usage()
	ans.Usage.ToolCalls = len(res.Calls)
	text := strings.TrimSpace(res.Response.Message.Content)
	if res.Exhausted != "" {
		a.warnf("the agent ran out of its %s budget after %d tool calls", res.Exhausted, len(res.Calls))
		if text == "" || len(res.Response.Message.ToolCalls) > 0 {
			// No final answer: fall back to the deterministic one.
			r := a.Index.Search(ctx, q.Text, retrieval.Options{TopK: q.TopK, Kind: q.Kind})
			text = Offline(a.Graph, a.Index, r)
		}
	}
	ans.Answer = text
	if a.Stream != nil && text != "" {
		io.WriteString(a.Stream, text+"\n")
		ans.Streamed = true
	}
	return nil
}

// Default agent budgets: catalog questions need a few hops, not dozens;
// past these the deterministic answer is the better use of the user's time.
const (
	DefaultMaxSteps     = 6
	DefaultMaxToolCalls = 12
	DefaultMaxTokens    = 40000
)

func (a *Assistant) budget() llm.Budget {
	b := a.Budget
	if b.MaxSteps <= 0 {
		b.MaxSteps = DefaultMaxSteps
	}
	if b.MaxToolCalls <= 0 {
		b.MaxToolCalls = DefaultMaxToolCalls
	}
	if b.MaxTokens <= 0 {
		b.MaxTokens = DefaultMaxTokens
	}
	return b
}

func schema(s string) json.RawMessage { return json.RawMessage(s) }

// Tools are the catalog tools the agent may call. Results are plain text
// with refs, the same vocabulary as the cards.
func (a *Assistant) Tools() []llm.Tool {
	return []llm.Tool{
		{
			Def: llm.ToolDef{
				Name:        "search_catalog",
				Description: "Search the catalog by keywords or a question; returns matching entity refs with titles, best first.",
				Parameters: schema(`{"type":"object","properties":{
"query":{"type":"string","description":"keywords or a question"},
"kind":{"type":"string","description":"only this kind: Component, API, Resource, System, Domain, Group, User"},
"limit":{"type":"integer","minimum":1,"maximum":20}},"required":["query"],"additionalProperties":false}`),
			},
			Fn: a.toolSearch,
		},
		{
			Def: llm.ToolDef{
				Name:        "get_entity",
				Description: "Read one entity's card: kind, lifecycle, description, owner, system, relations as refs, on-call, links.",
				Parameters: schema(`{"type":"object","properties":{
"ref":{"type":"string","description":"entity ref (kind:namespace/name) as the catalog cards or search results show it, or just its name"}},"required":["ref"],"additionalProperties":false}`),
			},
			Fn: a.toolGet,
		},
		{
			Def: llm.ToolDef{
				Name:        "list_relations",
				Description: "List an entity's relations (ownedBy, dependsOn, dependencyOf, providesApi, consumesApi, apiConsumedBy, apiProvidedBy, partOf, hasPart, ownerOf, memberOf, hasMember, childOf, parentOf) with target refs.",
				Parameters: schema(`{"type":"object","properties":{
"ref":{"type":"string"},
"type":{"type":"string","description":"only this relation type"}},"required":["ref"],"additionalProperties":false}`),
			},
			Fn: a.toolRelations,
		},
		{
			Def: llm.ToolDef{
				Name:        "list_by_owner",
				Description: "List the entities a group or user owns.",
				Parameters: schema(`{"type":"object","properties":{
"owner":{"type":"string","description":"group or user ref (group:namespace/name) or just its name"}},"required":["owner"],"additionalProperties":false}`),
			},
			Fn: a.toolByOwner,
		},
	}
}

func (a *Assistant) toolSearch(ctx context.Context, raw json.RawMessage) (string, error) {
	var args struct {
		Query string `json:"query"`
		Kind  string `json:"kind"`
		Limit int    `json:"limit"`
	}
	if err := json.Unmarshal(raw, &args); err != nil {
		return "", fmt.Errorf("bad arguments: %w", err)
	}
	if strings.TrimSpace(args.Query) == "" {
		return "", fmt.Errorf("query is required")
	}
	if args.Limit <= 0 || args.Limit > 20 {
		args.Limit = 8
	}
	res := a.Index.Search(ctx, args.Query, retrieval.Options{TopK: args.Limit, Kind: args.Kind})
	if res.NoMatch || len(res.Hits) == 0 {
		return "no matching entities", nil
	}
	var b strings.Builder
	for _, h := range res.Hits {
		fmt.Fprintf(&b, "%s %s (%s)\n", h.Ref, quote(DisplayName(h.Entity)), h.Why)
	}
	return b.String(), nil
}

// resolve finds one entity from a full or partial ref.
func (a *Assistant) resolve(s, defaultKind string) (*catalog.Entity, error) {
	if e, ok := a.Graph.Get(s); ok {
		return e, nil
	}
	if defaultKind != "" {
		if r, err := catalog.ParseRef(s, defaultKind, catalog.DefaultNamespace); err == nil {
			if e, ok := a.Graph.Get(r.String()); ok {
				return e, nil
			}
		}
	}
	es := a.Graph.Lookup(s)
	switch len(es) {
	case 0:
		return nil, fmt.Errorf("no entity %q in the catalog; use search_catalog to find refs", s)
	case 1:
		return es[0], nil
	}
	refs := make([]string, len(es))
	for i, e := range es {
		refs[i] = e.Ref().String()
	}
	return nil, fmt.Errorf("%q is ambiguous: %s; pass a full ref", s, strings.Join(refs, ", "))
}

func (a *Assistant) toolGet(ctx context.Context, raw json.RawMessage) (string, error) {
	var args struct {
		Ref string `json:"ref"`
	}
	if err := json.Unmarshal(raw, &args); err != nil {
		return "", fmt.Errorf("bad arguments: %w", err)
	}
	e, err := a.resolve(args.Ref, "")
	if err != nil {
		return "", err
	}
	return Card(a.Graph, e), nil
}

func (a *Assistant) toolRelations(ctx context.Context, raw json.RawMessage) (string, error) {
	var args struct {
		Ref  string `json:"ref"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &args); err != nil {
		return "", fmt.Errorf("bad arguments: %w", err)
	}
	e, err := a.resolve(args.Ref, "")
	if err != nil {
		return "", err
	}
	ref := e.Ref().String()
	var b strings.Builder
	for _, r := range a.Graph.Relations(ref) {
		if args.Type != "" && !strings.EqualFold(r.Type, args.Type) {
			continue
		}
		fmt.Fprintf(&b, "%s %s %s\n", ref, r.Type, r.TargetRef)
	}
	if b.Len() == 0 {
		return "no relations", nil
	}
	return b.String(), nil
}

func (a *Assistant) toolByOwner(ctx context.Context, raw json.RawMessage) (string, error) {
	var args struct {
		Owner string `json:"owner"`
	}
	if err := json.Unmarshal(raw, &args); err != nil {
		return "", fmt.Errorf("bad arguments: %w", err)
	}
	e, err := a.resolve(args.Owner, "group")
	if err != nil {
		return "", err
	}
	ref := e.Ref().String()
	owned := a.Graph.Related(ref, catalog.RelOwnerOf)
	if len(owned) == 0 {
		return ref + " owns nothing in the catalog", nil
	}
	var b strings.Builder
	for _, r := range owned {
		if x, ok := a.Graph.Get(r); ok {
			fmt.Fprintf(&b, "%s %s\n", r, quote(DisplayName(x)))
		}
	}
	return b.String(), nil
}
