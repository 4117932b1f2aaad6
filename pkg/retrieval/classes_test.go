package retrieval_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// upstream loads Backstage's catalog-model examples (real upstream files,
// testdata/catalogs), whose names exercise the classes below.
func upstream(t *testing.T) *retrieval.Index {
	t.Helper()
	path := filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "backstage-catalog-model-examples")
	res, err := catalog.LoadFiles(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	return retrieval.Build(catalog.NewGraph(res.Entities))
}

// TestNameClasses: names typed differently from how they are stored still
// name the entity, and words that are names here are not dropped or
// treated as generic.
func TestNameClasses(t *testing.T) {
	ix := upstream(t)
	ctx := context.Background()
	for q, want := range map[string]string{
		"Which teams are under the Box Office department?": "group:default/boxoffice", // spaced vs joined
		"What is the parent group of team A?":              "group:default/team-a",    // "a" is a stopword elsewhere
		"How do I reach the Backstage group?":              "group:default/backstage", // "backstage" is generic elsewhere
		"who owns artistlookup":                            "component:default/artist-lookup",
		"Who can I ask about the artists database?":        "resource:default/artists-db", // database/db
	} {
		res := ix.Search(ctx, q, retrieval.Options{TopK: 5})
		if !slices.Contains(res.Focus, want) {
			t.Errorf("%q: focus %v, want %s", q, res.Focus, want)
		}
	}
}

// TestLocationsNeverOutrank: Location entities are plumbing; "apis" (a
// Location's name) must not become the subject of an API question.
func TestLocationsNeverOutrank(t *testing.T) {
	ix := upstream(t)
	res := ix.Search(context.Background(), "Is the petstore API experimental?", retrieval.Options{TopK: 10})
	for _, h := range res.Hits {
		if h.Entity.Kind == "Location" {
			t.Errorf("location hit %s", h.Ref)
		}
	}
}

// TestListAndTypes: "list all X" / "which X are Y" return every entity of
// the kind with the other words; camel-case types match spec.type.
func TestListAndTypes(t *testing.T) {
	ix := upstream(t)
	ctx := context.Background()
	refs := func(q string) []string {
		var out []string
		for _, h := range ix.Search(ctx, q, retrieval.Options{TopK: 5}).Hits {
			out = append(out, h.Ref)
		}
		slices.Sort(out)
		return out
	}
	for q, want := range map[string][]string{
		"List all domains":                  {"domain:default/artists", "domain:default/playback"},
		"Which teams exist?":                {"group:default/team-a", "group:default/team-b", "group:default/team-c", "group:default/team-d"},
		"Which APIs are gRPC?":              {"api:default/hello-world"},
		"Which services are written in Go?": {"component:default/queue-proxy", "component:default/searcher", "component:default/shuffle-api"},
		"What libraries do we have?":        {"component:default/playback-sdk"}, // a kind word that is a spec.type here
	} {
		if got := refs(q); !slices.Equal(got, want) {
			t.Errorf("%q = %v, want %v", q, got, want)
		}
	}
}

// TestLackingThings: a question about something the catalog does not have
// finds nothing, even when one of its words matches ("server", "mcp").
func TestLackingThings(t *testing.T) {
	ix := upstream(t)
	for _, q := range []string{"Who owns our Jenkins server?", "Is there a Redis cache?", "Who is on call for the Kafka cluster?"} {
		if res := ix.Search(context.Background(), q, retrieval.Options{}); !res.NoMatch {
			t.Errorf("%q matched %v", q, res.Hits)
		}
	}
}

// TestPartialNamesAndCatalogWideWords on Roadie's plugin catalog, where
// every entity is a "Backstage Plugin …" owned by a group defined
// elsewhere: a part of a name names the entity, words nearly every entity
// has do not make a match for a plugin the catalog lacks, and an owner
// without an entity still answers "what does X own".
func TestPartialNamesAndCatalogWideWords(t *testing.T) {
	path := filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "roadie-backstage-plugins")
	res, err := catalog.LoadFiles(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	ix := retrieval.Build(catalog.NewGraph(res.Entities))
	ctx := context.Background()
	if r := ix.Search(ctx, "Is the AWS auth plugin experimental?", retrieval.Options{}); !slices.Equal(r.Focus, []string{"component:default/backstage-plugin-aws-auth"}) {
		t.Errorf("partial name: focus %v", r.Focus)
	}
	if r := ix.Search(ctx, "Who owns the github insights plugin?", retrieval.Options{}); !slices.Equal(r.Focus, []string{"component:default/backstage-plugin-github-insights"}) {
		t.Errorf("a name part must not pull in entities sharing one word: focus %v", r.Focus)
	}
	if r := ix.Search(ctx, "What does the roadie backstage plugins component contain?", retrieval.Options{}); !slices.Equal(r.Focus, []string{"component:default/roadie-backstage-plugins"}) {
		t.Errorf("the Location of the same name must not be a subject: focus %v", r.Focus)
	}
	for _, q := range []string{"Where is the npm package of the Vault plugin?", "Is there a Slack plugin?"} {
		if r := ix.Search(ctx, q, retrieval.Options{}); !r.NoMatch {
			t.Errorf("%q matched %v", q, r.Hits)
		}
	}
	r := ix.Search(ctx, "What does the engineering group own?", retrieval.Options{})
	if r.Owner != "group:default/engineering" || len(r.Hits) != 1 || r.Hits[0].Ref != "component:default/github-auth-utils-react" {
		t.Errorf("absent owner: %q %v", r.Owner, r.Hits)
	}
}

// TestRareNameWord: "the showcase" names backstage-showcase, whose name
// alone has that rare word, even next to an entity titled "GitHub Showcase
// repository".
func TestRareNameWord(t *testing.T) {
	path := filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "janus-idp-showcase")
	res, err := catalog.LoadFiles(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	ix := retrieval.Build(catalog.NewGraph(res.Entities))
	r := ix.Search(context.Background(), "What is the image repository of the showcase?", retrieval.Options{})
	if !slices.Contains(r.Focus, "component:default/backstage-showcase") {
		t.Errorf("focus %v", r.Focus)
	}
}

// TestListBySpecType: "what skills exist?" lists by a spec.type value of
// the catalog (the demo's AiResources), not by one entity that says "skill".
func TestListBySpecType(t *testing.T) {
	path := filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "backstage-demo")
	res, err := catalog.LoadFiles(context.Background(), []string{path})
	if err != nil {
		t.Fatal(err)
	}
	ix := retrieval.Build(catalog.NewGraph(res.Entities))
	// A system no entity defines, which entities say they are part of.
	if r := ix.Search(context.Background(), "What is in the backstage system?", retrieval.Options{}); r.Owner != "system:default/backstage" || len(r.Hits) != 6 {
		t.Errorf("absent system: %q %d hits", r.Owner, len(r.Hits))
	}
	// A spec.type word names what is asked about even when most entities have it.
	if r := ix.Search(context.Background(), "Who owns the skills?", retrieval.Options{}); r.NoMatch {
		t.Error("'the skills' found nothing")
	}
	r := ix.Search(context.Background(), "What skills exist?", retrieval.Options{})
	if len(r.Hits) != 6 {
		t.Errorf("hits %v", r.Hits)
	}
	for _, h := range r.Hits {
		if h.Entity.SpecString("type") != "skill" {
			t.Errorf("%s is not a skill", h.Ref)
		}
	}
}
