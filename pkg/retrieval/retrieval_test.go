package retrieval_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

func TestTokens(t *testing.T) {
	for in, want := range map[string][]string{
		"payments-api":                   {"payment", "api"},
		"payments_api":                   {"payment", "api"},
		"paymentsAPI2":                   {"payment", "api", "2", "paymentsapi2"},
		"APIKeyRotation":                 {"api", "key", "rotation", "apikeyrotation"},
		"Who owns the Payments API?":     {"own", "payment", "api"},
		"What breaks if ledger-db dies":  {"break", "ledger", "db", "die"},
		"OAuth2/OIDC":                    {"o", "auth", "2", "oauth2", "oidc"},
		"gRPC and GraphQL APIs":          {"g", "rpc", "grpc", "graph", "ql", "graphql", "api"},
		"the artists database":           {"artist", "db"},
		"mapping maping planned billing": {"map", "map", "plan", "bill"},
		"Which APIs use DBs?":            {"api", "use", "db"},
	} {
		if got := retrieval.Tokens(in); !reflect.DeepEqual(got, want) {
			t.Errorf("Tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectIntents(t *testing.T) {
	I := func(xs ...retrieval.Intent) []retrieval.Intent { return xs }
	for q, want := range map[string][]retrieval.Intent{
		"Who owns the payments API?":                       I(retrieval.IntentOwner),
		"What does the data team own?":                     I(retrieval.IntentOwned),
		"What is owned by the SRE team?":                   I(retrieval.IntentOwned),
		"What does checkout-web depend on?":                I(retrieval.IntentDependencies),
		"Which services depend on the ledger database?":    I(retrieval.IntentDependents),
		"What is using the users database?":                I(retrieval.IntentDependents),
		"What breaks if payments-db goes down?":            I(retrieval.IntentDependents),
		"Who is on call for the auth service?":             I(retrieval.IntentOwner),
		"Which component provides the ledger API?":         I(retrieval.IntentProvides),
		"Which systems are in the commerce domain?":        I(retrieval.IntentMembers),
		"What system is the card gateway adapter part of?": I(retrieval.IntentPartOf),
		"Who should I page if the ledger db goes down?":    I(retrieval.IntentDependents, retrieval.IntentOwner),
		"Tell me about the fraud scorer":                   I(retrieval.IntentDescribe),
		"List all domains":                                 I(retrieval.IntentList),
		"Which teams exist?":                               I(retrieval.IntentList),
		"What email address does Team D use?":              nil,
		"What do we use for single sign-on?":               nil,
		"What is the petstore API and who owns it?":        I(retrieval.IntentOwner, retrieval.IntentDescribe),
		"Who works in team D?":                             I(retrieval.IntentMembers),
		"what does the checkout web app talk to":           I(retrieval.IntentDependencies),
		"Which groups are under infrastructure?":           I(retrieval.IntentMembers),
		"Who's in charge of the podcast system?":           I(retrieval.IntentOwner),
		"who are the people on team d":                     I(retrieval.IntentMembers),
		"Who do I talk to about the cart service?":         I(retrieval.IntentOwner),
		"What is the parent group of team A?":              I(retrieval.IntentPartOf),
		"Which APIs are part of the janus idp system?":     I(retrieval.IntentMembers),
	} {
		if got := retrieval.DetectIntents(q); !reflect.DeepEqual(got, want) {
			t.Errorf("DetectIntents(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestSearchBoostsExactRefsAndNames(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	ctx := context.Background()

	res := ix.Search(ctx, "tell me about resource:default/payment-events", retrieval.Options{})
	if len(res.Hits) == 0 || res.Hits[0].Ref != "resource:default/payment-events" || res.Hits[0].Why != "ref" {
		t.Fatalf("typed ref not first: %+v", res.Hits)
	}
	// A name in any spelling finds the entity.
	for _, q := range []string{"ledger_db", "LedgerDb", "the ledger database"} {
		res := ix.Search(ctx, q, retrieval.Options{})
		if len(res.Focus) == 0 || res.Focus[0] != "resource:default/ledger-db" {
			t.Errorf("%q: focus = %v, want resource:default/ledger-db", q, res.Focus)
		}
	}
}

func TestSearchKindFilterKeepsExpandedOwners(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	res := ix.Search(context.Background(), "Who owns the cart service?", retrieval.Options{Kind: "group"})
	if len(res.Hits) == 0 || res.Hits[0].Ref != "group:default/checkout-team" {
		t.Fatalf("hits = %+v, want group:default/checkout-team first", res.Hits)
	}
	for _, h := range res.Hits {
		if !strings.HasPrefix(h.Ref, "group:") {
			t.Errorf("kind filter let %s through", h.Ref)
		}
	}
}

func TestSearchDependentsViaProvidedAPI(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	// The component provides api:payments-api; its consumers are what breaks.
	res := ix.Search(context.Background(), "what breaks if component:default/payments-api goes down?", retrieval.Options{TopK: 10})
	got := refs(res.Hits)
	for _, want := range []string{"component:default/checkout-web", "component:default/order-service", "component:default/api-gateway"} {
		if !slices.Contains(got, want) {
			t.Errorf("dependents missing %s: %v", want, got)
		}
	}
}

func TestSearchNoMatch(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	for _, q := range []string{"Who owns the quantum teleporter?", "", "who owns it?"} {
		res := ix.Search(context.Background(), q, retrieval.Options{})
		if !res.NoMatch || len(res.Hits) != 0 {
			t.Errorf("%q: NoMatch=%v hits=%v, want no match", q, res.NoMatch, refs(res.Hits))
		}
	}
}

func refs(hs []retrieval.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Ref
	}
	return out
}

// fakeEmbedder embeds by a bag of hashed tokens and counts texts embedded.
type fakeEmbedder struct{ texts atomic.Int64 }

func (f *fakeEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.texts.Add(int64(len(texts)))
	out := make([][]float32, len(texts))
	for i, s := range texts {
		v := make([]float32, 64)
		for _, tok := range retrieval.Tokens(s) {
			h := 0
			for _, c := range tok {
				h = h*31 + int(c)
			}
			v[(h%64+64)%64]++
		}
		out[i] = v
	}
	return out, nil
}

func TestHybridEmbeddingsCachedByContentHash(t *testing.T) {
	g := retrievaltest.Examples(t)
	dir := t.TempDir()
	ctx := context.Background()

	emb := &fakeEmbedder{}
	ix := retrieval.Build(g)
	if err := ix.WithEmbeddings(ctx, emb, retrieval.EmbedOptions{CacheDir: dir, Model: "fake"}); err != nil {
		t.Fatal(err)
	}
	if got := emb.texts.Load(); got != int64(g.Len()) {
		t.Fatalf("first build embedded %d texts, want %d", got, g.Len())
	}
	if _, err := os.Stat(filepath.Join(dir, "fake.gob")); err != nil {
		t.Fatalf("no cache file: %v", err)
	}
	res := ix.Search(ctx, "card payments fraud risk", retrieval.Options{})
	if !res.Hybrid || len(res.Hits) == 0 {
		t.Fatalf("hybrid search: hybrid=%v hits=%v", res.Hybrid, refs(res.Hits))
	}

	// A second process reuses every vector: only the question is embedded.
	emb2 := &fakeEmbedder{}
	ix2 := retrieval.Build(g)
	if err := ix2.WithEmbeddings(ctx, emb2, retrieval.EmbedOptions{CacheDir: dir, Model: "fake"}); err != nil {
		t.Fatal(err)
	}
	if got := emb2.texts.Load(); got != 0 {
		t.Fatalf("cached build embedded %d texts, want 0", got)
	}
	ix2.Search(ctx, "who owns the ledger?", retrieval.Options{})
	if got := emb2.texts.Load(); got != 1 {
		t.Fatalf("query embedded %d texts, want 1", got)
	}
	// Named entities stay first under fusion.
	res = ix2.Search(ctx, "Who owns the payments database?", retrieval.Options{})
	if res.Hits[0].Ref != "resource:default/payments-db" {
		t.Errorf("hybrid top = %s, want resource:default/payments-db", res.Hits[0].Ref)
	}
}

func TestKindHint(t *testing.T) {
	testkit.StringCases(t, "KindHint", func(q string) string { return retrieval.KindHint(q) }, map[string]string{
		"Which components are experimental?": "component",
		"Which APIs are gRPC?":               "api",
		"Which services are deprecated?":     "component",
		"Which team owns the payments API?":  "",
		"what is deprecated?":                "",
	})
}

// TestConcurrentSearches: one index (built, or loaded from its file as
// mcp serve shares it) answers many goroutines at once, the same answer
// as alone (run with -race).
func TestConcurrentSearches(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.For(g)
	if retrieval.For(g) != ix {
		t.Fatal("For built a second index for the same graph")
	}
	path := filepath.Join(t.TempDir(), "x.idx")
	key := retrieval.Fingerprint(g)
	if err := ix.Save(path, key); err != nil {
		t.Fatal(err)
	}
	loaded, err := retrieval.LoadIndex(path, g, key)
	if err != nil {
		t.Fatal(err)
	}
	const q = "what breaks if the ledgre db goes down" // a typo: the vocabulary scan too
	want := refs(ix.Search(context.Background(), q, retrieval.Options{}).Hits)
	done := make(chan []string)
	for i := range 8 {
		go func() {
			var last []string
			for range 50 {
				last = refs([]*retrieval.Index{ix, loaded}[i%2].Search(context.Background(), q, retrieval.Options{}).Hits)
			}
			done <- last
		}()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Errorf("concurrent search got %v, want %v", got, want)
		}
	}
}

func TestTypos(t *testing.T) {
	g := retrievaltest.Examples(t)
	ix := retrieval.Build(g)
	for q, want := range map[string]string{
		"Who owns the paymnets API?":        "api:default/payments-api",
		"what breaks if the ledgre db dies": "resource:default/ledger-db",
		"recomendations owner":              "component:default/recommendations",
	} {
		res := ix.Search(context.Background(), q, retrieval.Options{})
		if len(res.Focus) == 0 || res.Focus[0] != want {
			t.Errorf("%q: focus %v, want %s", q, res.Focus, want)
		}
	}
}
