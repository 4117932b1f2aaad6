package mcp

import (
	"context"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/catalog"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/mcpserve"
)

// blockingSource answers once release is closed, or fails with the
// caller's context.
type blockingSource struct{ release chan struct{} }

func (s blockingSource) Entities(ctx context.Context, _ catalog.Query) ([]catalog.Entity, error) {
	select {
	case <-s.release:
		return []catalog.Entity{{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: "svc-one"}}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s blockingSource) Entity(ctx context.Context, r catalog.Ref) (*catalog.Entity, error) {
	return nil, nil
}

// A client that cancels the call which triggers the (once per process)
// catalog load must not leave the server with a cancelled catalog: the
// factory does not keep a load its caller cancelled.
func TestCatalogLoadSurvivesACancelledFirstCall(t *testing.T) {
	src := blockingSource{release: make(chan struct{})}
	f := factory.New("test", "", "")
	f.CatalogSource = func() (catalog.Source, error) { return src, nil }
	reg := pkgmcp.New(pkgmcp.Options{})
	reg.AddInProcess("bsai", mcpserve.NewServer("test", mcpserve.Deps{Catalog: f.Catalog}))
	defer reg.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if res, err := reg.CallTool(ctx, "bsai", "catalog_get", map[string]any{"ref": "svc-one"}); err == nil && !res.IsError {
		t.Fatal("the first call should have been cancelled")
	}
	close(src.release)
	res, err := reg.CallTool(context.Background(), "bsai", "catalog_get", map[string]any{"ref": "svc-one"})
	if err != nil || res.IsError {
		t.Fatalf("after a cancelled first call: %v %+v", err, res)
	}
}
