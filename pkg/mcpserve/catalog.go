package mcpserve

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// CatalogLoader returns the whole catalog (the factory loads it once).
type CatalogLoader func(ctx context.Context) (*catalog.Graph, error)

// CatalogTools are catalog_search and catalog_get over a lazily loaded
// graph. Failures are tool errors (isError) so a model can read them.
func CatalogTools(load CatalogLoader) []server.ServerTool {
	search := mcp.NewTool("catalog_search",
		mcp.WithDescription("Search the Backstage catalog, ranked (BM25 over name, title, description, tags and spec, with exact names boosted and typos corrected). Returns entity refs with scores to pass to catalog_get."),
		mcp.WithString("query", mcp.Required(), mcp.Description("words to look for, e.g. \"billing api\" or a service name")),
		mcp.WithString("kind", mcp.Description("only this kind (Component, API, System, Group, ...)")),
		mcp.WithInteger("limit", mcp.Description("at most this many results (default 20)")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	get := mcp.NewTool("catalog_get",
		mcp.WithDescription("Get one Backstage catalog entity by ref (kind:namespace/name, or a unique short name), with its relations."),
		mcp.WithString("ref", mcp.Required(), mcp.Description("entity ref, e.g. component:default/<name> (refs come from catalog_search)")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return []server.ServerTool{
		{Tool: search, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			q, err := req.RequireString("query")
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			g, err := load(ctx)
			if err != nil {
				return mcp.NewToolResultError("cannot load the catalog: " + err.Error()), nil
			}
			hits := SearchCatalog(ctx, g, q, req.GetString("kind", ""), req.GetInt("limit", 20))
			var text strings.Builder
			for _, h := range hits {
				fmt.Fprintf(&text, "%s  %s\n", h.Ref, firstLine(h.Description))
			}
			if len(hits) == 0 {
				text.WriteString("no entities match\n")
			}
			return mcp.NewToolResultStructured(map[string]any{"results": hits}, text.String()), nil
		}},
		{Tool: get, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			ref, err := req.RequireString("ref")
			if err != nil {
				return mcp.NewToolResultError(err.Error()), nil
			}
			g, err := load(ctx)
			if err != nil {
				return mcp.NewToolResultError("cannot load the catalog: " + err.Error()), nil
			}
			e, err := g.Resolve(ref)
			if err != nil {
				msg := err.Error()
				if h := errs.HintOf(err); h != "" {
					msg += " (" + h + ")"
				}
				return mcp.NewToolResultError(msg), nil
			}
			b, _ := json.MarshalIndent(e, "", "  ")
			var structured map[string]any
			_ = json.Unmarshal(b, &structured)
			return mcp.NewToolResultStructured(structured, string(b)), nil
		}},
	}
}

// SearchHit is one catalog_search result.
type SearchHit struct {
	Ref         string   `json:"ref"`
	Kind        string   `json:"kind"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	// Score is the BM25 score with name boosts (0 for the substring
	// fallback); Why says how it matched ("ref", "name", "text", "vector",
	// "substring").
	Score float64 `json:"score"`
	Why   string  `json:"why,omitempty"`
}

// SearchCatalog ranks entities with pkg/retrieval's index (BM25 over names,
// titles, descriptions, tags and specs, with boosts for named entities and
// typo correction), the same ranking `bsai ask` retrieves with, without the
// relation expansion (a search lists matches, not their neighbours). When
// BM25 finds nothing, e.g. a query made only of generic words like "api",
// it falls back to matching every word as a substring.
func SearchCatalog(ctx context.Context, g *catalog.Graph, query, kind string, limit int) []SearchHit {
	if limit <= 0 {
		limit = 20
	}
	topK := limit
	if kind != "" {
		// The kind filter applies to the ranked candidates, so widen them.
		topK = max(limit, 250)
	}
	res := retrieval.For(g).Search(ctx, query, retrieval.Options{TopK: topK, Kind: kind, NoExpand: true, AllMatches: true})
	out := []SearchHit{}
	for _, h := range res.Hits {
		if len(out) == limit {
			break
		}
		e := h.Entity
		if e == nil {
			var ok bool
			if e, ok = g.Get(h.Ref); !ok {
				continue
			}
		}
		hit := hitOf(e)
		hit.Score, hit.Why = h.Score, h.Why
		out = append(out, hit)
	}
	if len(out) == 0 {
		out = substringSearch(g, query, kind, limit)
	}
	return out
}

func hitOf(e *catalog.Entity) SearchHit {
	return SearchHit{Ref: e.Ref().String(), Kind: e.Kind, Title: e.Metadata.Title,
		Description: e.Metadata.Description, Tags: e.Metadata.Tags}
}

// substringSearch needs every word in name, title, description or tags;
// name hits rank first.
func substringSearch(g *catalog.Graph, query, kind string, limit int) []SearchHit {
	words := strings.Fields(strings.ToLower(query))
	type scored struct {
		hit   SearchHit
		score int
	}
	var all []scored
	for _, e := range g.All() {
		if kind != "" && !strings.EqualFold(e.Kind, kind) {
			continue
		}
		name := strings.ToLower(e.Metadata.Name)
		hay := strings.ToLower(strings.Join(append([]string{e.Metadata.Name, e.Metadata.Title, e.Metadata.Description}, e.Metadata.Tags...), " "))
		score, ok := 0, len(words) > 0
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
			if strings.Contains(name, w) {
				score += 2
			} else {
				score++
			}
		}
		if !ok {
			continue
		}
		h := hitOf(e)
		h.Why = "substring"
		all = append(all, scored{h, score})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].hit.Ref < all[j].hit.Ref
	})
	out := []SearchHit{}
	for i := 0; i < len(all) && i < limit; i++ {
		out = append(out, all[i].hit)
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}
