package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

func hopStrings(hs []retrieval.Hop) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = fmt.Sprintf("%d %s <- %s", h.Depth, h.Ref, h.From)
		if h.API != "" {
			out[i] += " (" + h.API + ")"
		}
	}
	return out
}

// The case: payments-db has one direct dependent, payments-api,
// whose Payments API is consumed by three more components; order-service's
// Orders API leads back to entities already reached (no duplicates).
func TestDependentsTransitive(t *testing.T) {
	g := retrievaltest.Examples(t)
	got := hopStrings(retrieval.Dependents(g, "resource:default/payments-db", 0, 0))
	want := []string{
		"1 component:default/payments-api <- resource:default/payments-db",
		"2 component:default/api-gateway <- component:default/payments-api (api:default/payments-api)",
		"2 component:default/checkout-web <- component:default/payments-api (api:default/payments-api)",
		"2 component:default/order-service <- component:default/payments-api (api:default/payments-api)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Dependents(payments-db):\n got %q\nwant %q", got, want)
	}
	// Bounded by hops and by count.
	if again := hopStrings(retrieval.Dependents(g, "resource:default/payments-db", 1, 0)); !slices.Equal(again, want[:1]) {
		t.Errorf("maxHops 1 = %q, want only the direct dependent", again)
	}
	if capped := retrieval.Dependents(g, "resource:default/payments-db", 3, 2); len(capped) != 2 {
		t.Errorf("limit 2 returned %d hops", len(capped))
	}
}

// An API's consumers are direct; their own consumers come at depth 2.
func TestDependentsOfAnAPI(t *testing.T) {
	g := retrievaltest.Examples(t)
	hs := retrieval.Dependents(g, "api:default/ledger-api", 0, 0)
	if len(hs) == 0 || hs[0].Ref != "component:default/payments-api" || hs[0].Depth != 1 {
		t.Fatalf("first hop = %q, want payments-api at depth 1", hopStrings(hs))
	}
	for _, h := range hs {
		if h.Ref == "component:default/ledger-service" {
			t.Errorf("the provider of an API does not break when the API does: %q", hopStrings(hs))
		}
	}
}

// hasPart is not a dependency, cycles terminate, and each entity appears
// once at its shortest distance.
func TestDependentsIgnoresHasPartAndCycles(t *testing.T) {
	comp := func(name string, spec map[string]any) catalog.Entity {
		return catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: catalog.Metadata{Name: name, Namespace: "default"}, Spec: spec}
	}
	ents := []catalog.Entity{
		comp("a", map[string]any{"type": "service", "owner": "t", "lifecycle": "production", "dependsOn": []any{"component:b"}, "system": "sys"}),
		comp("b", map[string]any{"type": "service", "owner": "t", "lifecycle": "production", "dependsOn": []any{"component:c"}}),
		comp("c", map[string]any{"type": "service", "owner": "t", "lifecycle": "production", "dependsOn": []any{"component:a"}}),
		{APIVersion: "backstage.io/v1alpha1", Kind: "System", Metadata: catalog.Metadata{Name: "sys", Namespace: "default"}, Spec: map[string]any{"owner": "t"}},
	}
	catalog.ComputeRelations(ents)
	g := catalog.NewGraph(ents)
	got := hopStrings(retrieval.Dependents(g, "component:default/a", 10, 0))
	want := []string{"1 component:default/c <- component:default/a", "2 component:default/b <- component:default/c"}
	if !slices.Equal(got, want) {
		t.Errorf("cycle: got %q, want %q", got, want)
	}
	if hs := retrieval.Dependents(g, "system:default/sys", 0, 0); len(hs) != 0 {
		t.Errorf("a system's parts are not its dependents: %q", hopStrings(hs))
	}
}

func TestDependenciesTransitive(t *testing.T) {
	g := retrievaltest.Examples(t)
	got := hopStrings(retrieval.Dependencies(g, "component:default/recommendations", 0, 0))
	want := []string{
		"1 resource:default/feature-store <- component:default/recommendations",
		"1 api:default/search-api <- component:default/recommendations",
		"1 component:default/search-service <- component:default/recommendations (api:default/search-api)",
		"2 resource:default/search-index <- component:default/search-service",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Dependencies(recommendations):\n got %q\nwant %q", got, want)
	}
}

// Retrieval ranks the subject, then its direct dependents, then the
// indirect ones, all within top 5.
func TestSearchRanksIndirectDependentsAfterDirect(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	res := ix.Search(context.Background(), "What breaks if payments-db goes down?", retrieval.Options{})
	got := refsOf(res.Hits)
	want := []string{"resource:default/payments-db", "component:default/payments-api",
		"component:default/api-gateway", "component:default/checkout-web", "component:default/order-service"}
	if !slices.Equal(got, want) {
		t.Errorf("top 5 = %q, want %q", got, want)
	}
	if w := res.Hits[2].Why; w != "dependents via component:default/payments-api" {
		t.Errorf("why = %q", w)
	}
	// Without the dependents intent nothing indirect is pulled in.
	res = ix.Search(context.Background(), "Tell me about payments-db", retrieval.Options{})
	for _, h := range res.Hits {
		if h.Ref == "component:default/api-gateway" {
			t.Errorf("indirect dependent retrieved for a describe question: %q", refsOf(res.Hits))
		}
	}
}
