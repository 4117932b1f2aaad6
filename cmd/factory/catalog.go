package factory

import (
	"context"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// newCatalogSource builds the entity source from --catalog or bsai.catalog.
// TODO(issue 4): files and backstage sources.
func newCatalogSource(f *Factory) (catalog.Source, error) {
	return nil, errs.Failure("catalog sources are not implemented yet")
}

// newCatalogGraph loads every entity into a graph (with the on-disk cache).
func newCatalogGraph(ctx context.Context, f *Factory) (*catalog.Graph, error) {
	src, err := f.CatalogSource()
	if err != nil {
		return nil, err
	}
	ents, err := src.Entities(ctx, catalog.Query{})
	if err != nil {
		return nil, err
	}
	return catalog.NewGraph(ents), nil
}
