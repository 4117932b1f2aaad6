package mcp

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
)

// A client that cancels the call which triggers the (once per process)
// catalog load must not leave the server with a cancelled catalog.
func TestCatalogLoadSurvivesACancelledFirstCall(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	var g *catalog.Graph
	var loadErr error
	// Like factory.New: the first caller's context loads, the result
	// (error included) is kept.
	load := func(ctx context.Context) (*catalog.Graph, error) {
		once.Do(func() {
			select {
			case <-release:
				g = catalog.NewGraph([]catalog.Entity{{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
					Metadata: catalog.Metadata{Name: "payments-api"}}})
			case <-ctx.Done():
				loadErr = ctx.Err()
			}
		})
		return g, loadErr
	}
	reg := pkgmcp.New(pkgmcp.Options{})
	reg.AddInProcess("bsai", pkgmcp.NewServer("test", pkgmcp.CatalogTools(detachCatalog(load))...))
	defer reg.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if res, err := reg.CallTool(ctx, "bsai", "catalog_get", map[string]any{"ref": "payments-api"}); err == nil && !res.IsError {
		t.Fatal("the first call should have been cancelled")
	}
	close(release)
	res, err := reg.CallTool(context.Background(), "bsai", "catalog_get", map[string]any{"ref": "payments-api"})
	if err != nil || res.IsError {
		t.Fatalf("after a cancelled first call: %v %+v", err, res)
	}
}
