package mcpserve

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
)

func testGraph() *catalog.Graph {
	return catalog.NewGraph([]catalog.Entity{
		{APIVersion: "backstage.io/v1alpha1", Kind: "Component", Metadata: catalog.Metadata{Name: "payments-api", Title: "Payments API",
			Description: "Charges cards", Tags: []string{"go", "payments"}}, Spec: map[string]any{"type": "service", "owner": "group:team-pay"}},
		{APIVersion: "backstage.io/v1alpha1", Kind: "API", Metadata: catalog.Metadata{Name: "payments-events", Description: "Kafka events of payments"},
			Spec: map[string]any{"type": "asyncapi"}},
		{APIVersion: "backstage.io/v1alpha1", Kind: "Component", Metadata: catalog.Metadata{Name: "web", Description: "The shop front"}},
	})
}

func catalogLoader() CatalogLoader {
	g := testGraph()
	return func(context.Context) (*catalog.Graph, error) { return g, nil }
}

func TestSearchCatalog(t *testing.T) {
	g := testGraph()
	ctx := context.Background()
	hits := SearchCatalog(ctx, g, "Payments", "", 0)
	if len(hits) != 2 || hits[0].Ref != "component:default/payments-api" && hits[0].Ref != "api:default/payments-events" {
		t.Fatalf("%+v", hits)
	}
	// Ranked, not all-words: the entity matching both words comes first.
	if hits := SearchCatalog(ctx, g, "payments cards", "", 0); len(hits) == 0 || hits[0].Ref != "component:default/payments-api" || hits[0].Score <= 0 {
		t.Fatalf("ranking: %+v", hits)
	}
	// A typo is corrected to a catalog term.
	if hits := SearchCatalog(ctx, g, "paymnets", "", 0); len(hits) == 0 || !strings.HasPrefix(hits[0].Ref, "component:default/payments") && !strings.HasPrefix(hits[0].Ref, "api:default/payments") {
		t.Fatalf("typo: %+v", hits)
	}
	if hits := SearchCatalog(ctx, g, "payments", "api", 0); len(hits) != 1 || hits[0].Kind != "API" {
		t.Fatalf("kind: %+v", hits)
	}
	if hits := SearchCatalog(ctx, g, "payments", "", 1); len(hits) != 1 {
		t.Fatalf("limit: %+v", hits)
	}
	// Generic words alone rank nothing in BM25; the substring fallback
	// still lists what they name.
	if hits := SearchCatalog(ctx, g, "events", "", 0); len(hits) != 1 || hits[0].Ref != "api:default/payments-events" {
		t.Fatalf("text: %+v", hits)
	}
	if hits := SearchCatalog(ctx, g, "api", "", 0); len(hits) != 1 || hits[0].Why != "substring" || hits[0].Ref != "component:default/payments-api" {
		t.Fatalf("generic word fallback: %+v", hits)
	}
	if hits := SearchCatalog(ctx, g, "nothing-like-this", "", 0); len(hits) != 0 {
		t.Fatalf("no match: %+v", hits)
	}
}

// bsai serve over stdio, driven by mcp-go's client through pipes.
func TestServeStdio(t *testing.T) {
	s := pkgmcp.NewServer("test", Instructions, CatalogTools(catalogLoader())...)
	cin, sout := io.Pipe()
	sin, cout := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pkgmcp.ServeStdio(ctx, s, sin, sout) }()

	c := client.NewClient(transport.NewIO(cin, cout, io.NopCloser(strings.NewReader(""))))
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "catalog_get"
	req.Params.Arguments = map[string]any{"ref": "payments-api"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.IsError || !strings.Contains(textOf(res), `"title": "Payments API"`) {
		t.Fatalf("catalog_get: %q", textOf(res))
	}
	req.Params.Arguments = map[string]any{"ref": "paymnts-api"}
	res, err = c.CallTool(ctx, req)
	if err != nil || !res.IsError || !strings.Contains(textOf(res), "payments-api") {
		t.Fatalf("not found should be a tool error with a suggestion: %v %q", err, textOf(res))
	}
	cancel()
	_ = cout.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("ServeStdio did not return")
	}
}

// bsai serve --http, called through our own Registry: the same path a user
// of `bsai mcp call` takes against any remote server.
func TestServeHTTPRoundTrip(t *testing.T) {
	s := pkgmcp.NewServer("test", Instructions, CatalogTools(catalogLoader())...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- pkgmcp.ServeHTTP(ctx, s, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	addr := <-addrc
	r := pkgmcp.New(pkgmcp.Options{Servers: map[string]config.MCPServer{"bsai": {URL: "http://" + addr + "/mcp", Transport: "http"}}})
	defer r.Close()
	res, err := r.CallTool(ctx, "bsai", "catalog_search", map[string]any{"query": "payments", "kind": "Component"})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := res.StructuredContent.(map[string]any)
	results, _ := sc["results"].([]any)
	if len(results) != 1 || !strings.Contains(textOf(res), "component:default/payments-api") {
		t.Fatalf("search: %q %#v", textOf(res), sc)
	}
	_, err = r.CallTool(ctx, "bsai", "catalog_search", map[string]any{})
	if errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("missing query: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := pkgmcp.ServeHTTP(context.Background(), s, "0.0.0.0:0", nil); errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("non-loopback: %v", err)
	}
}

func textOf(r *mcp.CallToolResult) string {
	var b strings.Builder
	_ = pkgmcp.WriteResult(&b, r)
	return b.String()
}
