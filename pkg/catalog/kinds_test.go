package catalog

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestDemoCatalogKinds loads Backstage's demo catalog (testdata/catalogs,
// real upstream files): its AiResource entities get ownedBy/partOf like
// built-in kinds, and its API of type mcp-server without spec.definition
// loads with a warning instead of being skipped.
func TestDemoCatalogKinds(t *testing.T) {
	res, err := LoadFiles(context.Background(), []string{"../../testdata/catalogs/backstage-demo"})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(res.Entities)
	mcp, ok := g.Get("api:default/github-mcp-server")
	if !ok {
		t.Fatalf("the mcp-server API did not load; problems:\n%s", problemsText(res.Problems))
	}
	if got := g.Related(mcp.Ref().String(), RelOwnedBy); !slices.Equal(got, []string{"group:backstage/maintainers"}) {
		t.Errorf("mcp server ownedBy = %v", got)
	}
	warned := false
	for _, p := range res.Problems {
		if p.Ref == "api:default/github-mcp-server" && strings.Contains(p.Message, "spec.definition") && p.Level == "warning" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning about the missing definition:\n%s", problemsText(res.Problems))
	}
	ref := "airesource:default/mui-to-bui-migration"
	if got := g.Related(ref, RelOwnedBy); !slices.Equal(got, []string{"group:backstage/maintainers"}) {
		t.Errorf("%s ownedBy = %v", ref, got)
	}
	if got := g.Related(ref, RelPartOf); !slices.Equal(got, []string{"system:default/backstage"}) {
		t.Errorf("%s partOf = %v", ref, got)
	}
	// An API with neither type nor definition is still invalid.
	bad := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "API", Metadata: Metadata{Name: "x"}, Spec: map[string]any{}}
	if errs := ValidateEntity(&bad); len(errs) == 0 {
		t.Error("an API without type, lifecycle and owner validated")
	}
}
