package retrieval_test

import (
	"runtime/debug"
	"sync"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// TestGCGoalRestoredAfterConcurrentLoads: loading a graph turns the
// collector off for a moment and loading an index raises its goal, each
// by saving the process-wide setting and restoring it afterwards. Two at
// once (mcp serve answering concurrent calls) restored each other's saved
// value, and could leave the collector off for the rest of a
// long-running process: memory without bound. The setting must be the
// original once every load is done.
func TestGCGoalRestoredAfterConcurrentLoads(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	ents := catalogtest.Generate(2500, 1) // above NewGraph's parallel threshold
	dir := t.TempDir()
	opts := retrieval.CacheOptions{Dir: dir, MinEntities: 1}
	retrieval.ForCached(catalog.NewGraph(ents), opts) // the file the loads below read
	for round := range 20 {
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				retrieval.ForCached(catalog.NewGraph(ents), opts)
			}()
		}
		wg.Wait()
		if got := debug.SetGCPercent(100); got != 100 {
			t.Fatalf("round %d: GOGC is %d after the loads, want 100", round, got)
		}
	}
}
