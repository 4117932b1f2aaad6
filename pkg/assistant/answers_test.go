package assistant_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

func demo(t *testing.T) *assistant.Assistant {
	t.Helper()
	root := retrievaltest.RepoRoot(t)
	res, err := catalog.LoadFiles(context.Background(), []string{
		filepath.Join(root, "testdata", "catalogs", "backstage-demo"),
		filepath.Join(root, "testdata", "catalogs", "backstage-catalog-model-examples"),
	})
	if err != nil {
		t.Fatal(err)
	}
	g := catalog.NewGraph(res.Entities)
	return &assistant.Assistant{Graph: g, Index: retrieval.Build(g)}
}

// TestOfflineAnswerText: answers start with yes/no when asked so, name an
// owner the catalog has no entity for without citing it, say "not in the
// catalog" for what it lacks, and list every citation in retrieved.
func TestOfflineAnswerText(t *testing.T) {
	a := demo(t)
	ask := func(q string) *assistant.Answer {
		ans, err := a.Ask(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	for q, prefix := range map[string]string{
		"Is the backstage demo in production?": "No.",
		"Is the hello world API deprecated?":   "Yes.",
		"Does team B own the Spotify API?":     "No.",
		"Is there a Slack MCP server?":         "No. That is not in the catalog",
	} {
		if ans := ask(q); !strings.HasPrefix(ans.Answer, prefix) {
			t.Errorf("%q: answer does not start with %q:\n%s", q, prefix, ans.Answer)
		}
	}
	ans := ask("Who owns the GitHub MCP server?")
	if !strings.Contains(ans.Answer, "backstage/maintainers (group, not in the catalog)") || len(ans.UnknownRefs) > 0 {
		t.Errorf("owner without an entity: %q, unknown %v", ans.Answer, ans.UnknownRefs)
	}
	ans = ask("Who owns the Jenkins server?")
	if !strings.Contains(ans.Answer, "not in the catalog") || len(ans.Citations) > 0 || strings.Contains(ans.Answer, "payments") {
		t.Errorf("lacking: %q %v", ans.Answer, ans.Citations)
	}
	ans = ask("Who works in team-b?")
	have := map[string]bool{}
	for _, r := range ans.Retrieved {
		have[r.Ref] = true
	}
	for _, c := range ans.Citations {
		if !have[c] {
			t.Errorf("citation %s not in retrieved", c)
		}
	}
	if strings.Count(ans.Answer, "has 5 members") != 1 {
		t.Errorf("members: %s", ans.Answer)
	}
}

// TestYesNoOnRoadie: probes written outside the eval sets on Roadie's
// plugin catalog — a subject named in part, an owner with no entity, and
// "page" as a noun.
func TestYesNoOnRoadie(t *testing.T) {
	res, err := catalog.LoadFiles(context.Background(), []string{filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "roadie-backstage-plugins")})
	if err != nil {
		t.Fatal(err)
	}
	g := catalog.NewGraph(res.Entities)
	a := &assistant.Assistant{Graph: g, Index: retrieval.Build(g)}
	for q, prefix := range map[string]string{
		"Is the Jira plugin deprecated?":                   "No.",
		"Does the roadie group own the Jira plugin?":       "No.",
		"Does the open-source team own the iframe plugin?": "Yes.",
		"Which plugins are for the home page?":             "Backstage Plugin Home Markdown",
	} {
		ans, err := a.Ask(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(ans.Answer, prefix) {
			t.Errorf("%q: want %q first:\n%s", q, prefix, ans.Answer)
		}
	}
}

// TestKindFilterLeavingNothing: --kind that filters every match away says
// so instead of claiming the catalog lacks the subject.
func TestKindFilterLeavingNothing(t *testing.T) {
	a, _ := offline(t)
	ans, err := a.Ask(context.Background(), assistant.Question{Text: "Who owns the payments API?", Kind: "template"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ans.Answer, "No template in the catalog matches") || len(ans.Citations) > 0 {
		t.Errorf("answer %q citing %v", ans.Answer, ans.Citations)
	}
}

// TestCardsCarryAnnotationsAndSpecFields: a model sees what the offline
// answer shows — annotations people look up and spec fields of any kind —
// and never an absent owner as a ref.
func TestCardsCarryAnnotationsAndSpecFields(t *testing.T) {
	a := demo(t)
	e, ok := a.Graph.Get("api:default/github-mcp-server")
	if !ok {
		t.Fatal("mcp server not loaded")
	}
	card := assistant.Card(a.Graph, e)
	for _, want := range []string{"remotes: \"streamable-http, https://api.githubcopilot.com/mcp/\"", "owner: backstage/maintainers (group, not in the catalog)"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}
	e, _ = a.Graph.Get("component:default/backstage-demo")
	if card := assistant.Card(a.Graph, e); !strings.Contains(card, "backstage.io/techdocs-ref dir:.") {
		t.Errorf("card lacks the techdocs annotation:\n%s", card)
	}
}

// TestYesNoAboutTwoEntities: a yes/no question about how two named
// entities relate answers with the sentence linking them, not everything
// about each (probes outside the eval sets).
func TestYesNoAboutTwoEntities(t *testing.T) {
	a := demo(t)
	for q, want := range map[string]string{
		"Is team-d part of box office?":          "Yes.\nThe parent group of Team D (`group:default/team-d`) is Box Office (`group:default/boxoffice`).",
		"Does artist-lookup use the artists db?": "Yes.\nartist-lookup (`component:default/artist-lookup`) depends on artists-db (`resource:default/artists-db`).",
	} {
		ans, err := a.Ask(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Answer != want {
			t.Errorf("%q:\n%s\nwant\n%s", q, ans.Answer, want)
		}
	}
}

// TestShowcaseProbes: a yes/no naming one entity whole and the other by a
// word of its name states the real owner; "what is in X" about two
// entities of one name does not add "nothing inside" for the empty one.
func TestShowcaseProbes(t *testing.T) {
	res, err := catalog.LoadFiles(context.Background(), []string{filepath.Join(retrievaltest.RepoRoot(t), "testdata", "catalogs", "janus-idp-showcase")})
	if err != nil {
		t.Fatal(err)
	}
	g := catalog.NewGraph(res.Entities)
	a := &assistant.Assistant{Graph: g, Index: retrieval.Build(g)}
	for q, want := range map[string]string{
		"Is the showcase owned by the RHDH team?":  "No.\nJanus-IDP Authors (`group:default/janus-authors`) owns Backstage Showcase (`component:default/backstage-showcase`).",
		"What does Red Hat Developer Hub contain?": "Red Hat Developer Hub (`system:default/rhdh`) contains Red Hat Developer Hub (`component:default/rhdh`).",
	} {
		ans, err := a.Ask(context.Background(), assistant.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Answer != want {
			t.Errorf("%q:\n%s\nwant\n%s", q, ans.Answer, want)
		}
	}
}
