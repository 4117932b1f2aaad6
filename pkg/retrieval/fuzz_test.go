package retrieval_test

import (
	"context"
	"testing"

	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// FuzzSearch: any question, however odd, ranks without panicking and
// returns hits that exist.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "?", "who owns", "what does depend on", "APIs", "ÄÖÜ straße", "a:b/c", "api:", ":/",
		"what breaks if component:default/payments-api goes down", "sIS", "ies", "\x00\xff", "does do did is are on"} {
		f.Add(s)
	}
	g := retrievaltest.Examples(f)
	ix := retrieval.Build(g)
	f.Fuzz(func(t *testing.T, q string) {
		retrieval.DetectIntents(q)
		retrieval.KindHint(q)
		res := ix.Search(context.Background(), q, retrieval.Options{TopK: 3})
		if len(res.Hits) > 3 {
			t.Fatalf("%d hits for top-k 3", len(res.Hits))
		}
		for _, h := range res.Hits {
			if _, ok := g.Get(h.Ref); !ok {
				t.Fatalf("hit %s not in the catalog", h.Ref)
			}
		}
	})
}
