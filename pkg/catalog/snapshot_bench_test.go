package catalog_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

// BenchmarkSnapshot: what a command pays for the catalog on a files source,
// parse (the baseline, every call before the snapshot) against a snapshot
// hit, both ending in the Graph the commands use (from a hit, entities
// decode as they are used: a question touches a few), at each size in the
// same run. ratio-hit/parse is the number to watch (BENCHMARKS.md).
func BenchmarkSnapshot(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			dir := b.TempDir()
			catalogtest.WriteFiles(b, dir, n, 42, 1000, catalogtest.Settled())
			opts := &catalog.SnapshotOptions{Dir: b.TempDir()}
			load := func(o *catalog.SnapshotOptions) *catalog.Graph {
				src := catalog.NewFilesSource(dir)
				src.Snapshot = o
				g, err := catalog.LoadGraph(context.Background(), src)
				if err != nil {
					b.Fatal(err)
				}
				return g
			}
			load(opts) // writes the snapshot
			var parse, hit time.Duration
			b.ResetTimer()
			for range b.N {
				t := time.Now()
				load(nil)
				parse += time.Since(t)
				t = time.Now()
				if g := load(opts); g.Len() != n {
					b.Fatalf("snapshot graph has %d entities, want %d", g.Len(), n)
				}
				hit += time.Since(t)
			}
			b.ReportMetric(float64(parse.Milliseconds())/float64(b.N), "parse-ms/op")
			b.ReportMetric(float64(hit.Milliseconds())/float64(b.N), "hit-ms/op")
			b.ReportMetric(float64(hit)/float64(parse), "ratio-hit/parse")
		})
	}
}
