package retrieval_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"

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

// FuzzLoadIndex: any bytes, as a whole file or as the body of a file with
// a valid header and checksum (so mutations reach the structure checks),
// either fail to decode or give an index every search runs on without a
// panic, returning hits with entities.
func FuzzLoadIndex(f *testing.F) {
	g := retrievaltest.Examples(f)
	file, err := os.ReadFile(savedIndex(f, g))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(file)
	f.Add(retrieval.IndexBody(file))
	f.Add(retrieval.IndexBody(file)[:len(file)/2])
	f.Add([]byte{})
	qs := []string{"who owns payments-api", "what depends on the ledger", "list all systems", "paymnets",
		"what does team-a own", "is there a slack mcp server", "component:default/payments-api", "OpenAPI APIs"}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, data := range [][]byte{b, retrieval.SealIndex(b)} {
			ix, err := retrieval.DecodeIndexBytes(data, g)
			if err != nil {
				continue
			}
			if ix.Len() != g.Len() {
				t.Fatalf("decoded %d entities for a catalog of %d", ix.Len(), g.Len())
			}
			for _, q := range qs {
				res := ix.Search(context.Background(), q, retrieval.Options{TopK: 5})
				for _, h := range res.Hits {
					// The refs are the file's: a body with a forged checksum
					// may rename them, but every hit still has an entity.
					if h.Entity == nil {
						t.Fatalf("hit %s without an entity", h.Ref)
					}
					ix.Has(h.Ref, "payment")
					ix.Coverage(h.Ref, q)
				}
				ix.AbsentOwner(q)
			}
		}
	})
}

// savedIndex saves g's index in a temp dir and returns the file.
func savedIndex(tb testing.TB, g *catalog.Graph) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "x.idx")
	if err := retrieval.Build(g).Save(path, retrieval.Fingerprint(g)); err != nil {
		tb.Fatal(err)
	}
	return path
}
