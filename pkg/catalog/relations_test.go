package catalog

import (
	"strings"

	"context"
	"github.com/bsai-dev/bsai/pkg/errs"
	"reflect"
	"testing"
)

// TestRelationsOnUpstreamExamples checks ComputeRelations on Backstage's
// own example catalog against relations derived by hand from the spec
// fields, following BuiltinKindsEntityProcessor (default kinds per field,
// the entity's namespace as default namespace, both directions, de-duped).
func TestRelationsOnUpstreamExamples(t *testing.T) {
	res, err := LoadFiles(context.Background(), []string{"../../testdata/catalogs/backstage-catalog-model-examples.location.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings(res.Problems)) != 0 {
		t.Fatalf("problems:\n%s", problemsText(res.Problems))
	}
	if len(res.Entities) != 58 { // 57 upstream + the root Location
		t.Errorf("got %d entities", len(res.Entities))
	}
	g := NewGraph(res.Entities)
	want := map[string][]string{
		"component:default/artist-lookup": {
			"dependsOn resource:default/artists-db", "ownedBy group:default/team-a", "partOf system:default/artist-engagement-portal"},
		"resource:default/artists-db": {
			"dependencyOf component:default/artist-lookup", "ownedBy group:default/team-a", "partOf system:default/artist-engagement-portal"},
		"group:default/team-a": {
			"childOf group:default/backstage",
			"hasMember user:default/breanna.davison", "hasMember user:default/guest",
			"hasMember user:default/janelle.dawe", "hasMember user:default/nigel.manning",
			"ownerOf api:default/spotify", "ownerOf api:default/wayback-archive", "ownerOf api:default/wayback-search",
			"ownerOf component:default/artist-lookup", "ownerOf component:default/wayback-archive",
			"ownerOf component:default/wayback-archive-storage", "ownerOf component:default/wayback-search",
			"ownerOf component:default/www-artist", "ownerOf domain:default/artists",
			"ownerOf resource:default/artists-db", "ownerOf system:default/artist-engagement-portal"},
		// parentOf comes from both the children list and each child's
		// parent field; it appears once.
		"group:default/backstage": {
			"childOf group:default/infrastructure", "parentOf group:default/team-a", "parentOf group:default/team-b"},
		"group:default/acme-corp": {"parentOf group:default/infrastructure"},
		"user:default/guest": {
			"memberOf group:default/team-a", "ownerOf component:default/playback-order",
			"ownerOf component:default/searcher", "ownerOf component:default/shuffle-api"},
		"component:default/wayback-archive": {
			"hasPart component:default/wayback-archive-ingestion", "hasPart component:default/wayback-archive-storage",
			"ownedBy group:default/team-a", "providesApi api:default/wayback-archive"},
		"component:default/wayback-archive-ingestion": {
			"ownedBy group:default/team-d", "partOf component:default/wayback-archive"},
		"api:default/wayback-archive": {
			"apiConsumedBy component:default/wayback-search", "apiProvidedBy component:default/wayback-archive",
			"ownedBy group:default/team-a"},
		"system:default/audio-playback": {
			"hasPart component:default/playback-order", "hasPart component:default/playback-sdk",
			"hasPart component:default/shuffle-api", "ownedBy group:default/team-c", "partOf domain:default/playback"},
		"domain:default/playback": {
			"hasPart system:default/audio-playback", "hasPart system:default/podcast", "ownedBy user:default/frank.tiernan"},
		"location:default/acme-corp": nil,
	}
	for ref, w := range want {
		e, ok := g.Get(ref)
		if !ok {
			t.Errorf("%s missing", ref)
			continue
		}
		if got := relsOf(e); !reflect.DeepEqual(got, w) {
			t.Errorf("%s relations:\n got %v\nwant %v", ref, got, w)
		}
	}
	if got := g.Owners("component:default/wayback-archive-ingestion"); !reflect.DeepEqual(got,
		[]string{"group:default/team-d", "group:default/boxoffice", "group:default/infrastructure", "group:default/acme-corp"}) {
		t.Errorf("Owners = %v", got)
	}
}

func TestComputeRelationsNamespacesAndKinds(t *testing.T) {
	ents := []Entity{
		{APIVersion: "backstage.io/v1alpha1", Kind: "Component", Metadata: Metadata{Name: "c", Namespace: "ns1"},
			Spec: map[string]any{"owner": "user:other/u", "system": "s", "dependencyOf": "component:x", "consumesApis": []any{"a", "a"}}},
		{APIVersion: "backstage.io/v1alpha1", Kind: "Domain", Metadata: Metadata{Name: "sub", Namespace: "ns1"},
			Spec: map[string]any{"owner": "g", "subdomainOf": "top"}},
		{APIVersion: "backstage.io/v1alpha1", Kind: "Group", Metadata: Metadata{Name: "g", Namespace: "ns1"},
			Spec: map[string]any{"members": []any{"m"}}},
		// Kinds are case-sensitive upstream: no relations for "component".
		{APIVersion: "backstage.io/v1alpha1", Kind: "component", Metadata: Metadata{Name: "lower"},
			Spec: map[string]any{"owner": "g"}},
		{APIVersion: "backstage.io/v1alpha1", Kind: "Template", Metadata: Metadata{Name: "t"},
			Spec: map[string]any{"owner": "g"}},
	}
	probs := ComputeRelations(ents)
	if len(probs) != 0 {
		t.Errorf("problems: %v", probs)
	}
	want := [][]string{
		{"consumesApi api:ns1/a", "dependencyOf component:ns1/x", "ownedBy user:other/u", "partOf system:ns1/s"},
		{"ownedBy group:ns1/g", "partOf domain:ns1/top"},
		{"hasMember user:ns1/m", "ownerOf domain:ns1/sub"},
		nil,
		{"ownedBy group:default/g"},
	}
	for i, w := range want {
		if got := relsOf(&ents[i]); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: got %v want %v", ents[i].Ref(), got, w)
		}
	}
}

func TestGraphResolve(t *testing.T) {
	res, err := LoadFiles(context.Background(), []string{"../../testdata/catalogs/backstage-catalog-model-examples.location.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGraph(res.Entities)
	for in, want := range map[string]string{
		"artist-lookup":                   "component:default/artist-lookup",
		"Component:Default/Artist-Lookup": "component:default/artist-lookup",
		"component:artist-lookup":         "component:default/artist-lookup",
		"default/team-a":                  "group:default/team-a",
	} {
		e, err := g.Resolve(in)
		if err != nil || e.Ref().String() != want {
			t.Errorf("Resolve(%q) = %v, %v; want %s", in, e, err, want)
		}
	}
	// petstore is both a Component and an API.
	if _, err := g.Resolve("petstore"); err == nil || !contains(err.Error(), "api:default/petstore") || !contains(err.Error(), "component:default/petstore") {
		t.Errorf("ambiguous: %v", err)
	}
	_, err = g.Resolve("artist-lookpu")
	if err == nil || !contains(hintOf(err), "component:default/artist-lookup") {
		t.Errorf("suggestion: %v (hint %q)", err, hintOf(err))
	}
	if _, err := g.Resolve("api:artist-lookup"); err == nil {
		t.Error("wrong kind should not resolve")
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func hintOf(err error) string { return errs.HintOf(err) }
