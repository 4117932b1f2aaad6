package retrieval_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// BenchmarkIndexCache is what one `bsai ask` pays for its index, with the
// graph already loaded: "baseline" is the path without the cache (Build
// and one Search every call), "warm" a cache hit through ForCached
// (fingerprint while loading, Search), "cold" a miss (--refresh:
// fingerprint while building, save, Search). scripts/bench.sh
// shows each as a ratio to the baseline of the same size, measured in the
// same run; the parts of a warm call are reported too, so a regression says
// where, and CPU time next to wall time because the build machine is shared.
func BenchmarkIndexCache(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		g := synthetic(n)
		dir := b.TempDir()
		q := benchQuestions[1]
		var rebuild float64
		b.Run(fmt.Sprintf("baseline/n=%d", n), func(b *testing.B) {
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				retrieval.Build(g).Search(ctx, q, retrieval.Options{})
			}
			rebuild = float64(time.Since(start)) / float64(b.N)
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
		ratio := func(b *testing.B, start time.Time, cpu0 time.Duration) {
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			if rebuild > 0 {
				b.ReportMetric(float64(time.Since(start))/float64(b.N)/rebuild, "vs-rebuild")
			}
		}
		// ForCached keeps one index per process; alternating between two
		// graphs of the same entities makes every call go to the disk.
		ents := g.All()
		same := make([]catalog.Entity, len(ents))
		for i, e := range ents {
			same[i] = *e
		}
		graphs := []*catalog.Graph{g, catalog.NewGraph(same)}
		for _, v := range []struct {
			name    string
			refresh bool
		}{{"cold", true}, {"warm", false}} {
			b.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(b *testing.B) {
				o := retrieval.CacheOptions{Dir: dir, Refresh: v.refresh}
				retrieval.ForCached(graphs[1], o) // warm starts from a saved index
				i := 0
				start, cpu0 := time.Now(), cpuTime()
				for b.Loop() {
					retrieval.ForCached(graphs[i%2], o).Search(ctx, q, retrieval.Options{})
					i++
				}
				ratio(b, start, cpu0)
			})
		}
		// Loading the saved index alone (read, checksum, validate), against
		// the rebuild it replaces.
		b.Run(fmt.Sprintf("load/n=%d", n), func(b *testing.B) {
			key := retrieval.Fingerprint(g)
			path := retrieval.CachePath(dir, g)
			if err := retrieval.Build(g).Save(path, key); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				if _, err := retrieval.LoadIndex(path, g, key); err != nil {
					b.Fatal(err)
				}
			}
			ratio(b, start, cpu0)
		})
		// The parts of a warm call, one after the other (ForCached runs
		// them concurrently).
		b.Run(fmt.Sprintf("warm-parts/n=%d", n), func(b *testing.B) {
			key := retrieval.Fingerprint(g)
			path := retrieval.CachePath(dir, g)
			if err := retrieval.Build(g).Save(path, key); err != nil {
				b.Fatal(err)
			}
			var fp, load time.Duration
			for b.Loop() {
				t0 := time.Now()
				retrieval.Fingerprint(g)
				t1 := time.Now()
				if _, err := retrieval.LoadIndex(path, g, key); err != nil {
					b.Fatal(err)
				}
				load += time.Since(t1)
				fp += t1.Sub(t0)
			}
			b.ReportMetric(float64(fp.Microseconds())/1000/float64(b.N), "fingerprint-ms/op")
			b.ReportMetric(float64(load.Microseconds())/1000/float64(b.N), "load-ms/op")
		})
	}
}

// BenchmarkAskPath is a whole offline `bsai ask` minus process start:
// load the files catalog into a graph, get the index, answer one search.
// "baseline" parses the YAML and builds the index every call (no caches),
// "warm" reads the catalog snapshot and the cached index (the CLI's hit),
// "cold" is --refresh: parse, build and save both. The files are dated an
// hour back so the snapshot may be written (a load of files changed within
// 2 s is not).
func BenchmarkAskPath(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		src := b.TempDir()
		catalogtest.WriteFiles(b, src, n, 42, 1000, catalogtest.Settled())
		snaps, cache := b.TempDir(), b.TempDir()
		q := benchQuestions[1]
		ask := func(b *testing.B, snap *catalog.SnapshotOptions, o retrieval.CacheOptions) {
			fs := catalog.NewFilesSource(src)
			fs.Snapshot = snap
			g, err := catalog.LoadGraph(ctx, fs)
			if err != nil {
				b.Fatal(err)
			}
			if res := retrieval.ForCached(g, o).Search(ctx, q, retrieval.Options{}); len(res.Hits) == 0 {
				b.Fatal("no hits")
			}
		}
		for _, v := range []struct {
			name string
			snap *catalog.SnapshotOptions
			o    retrieval.CacheOptions
		}{
			{"baseline", nil, retrieval.CacheOptions{}},
			{"warm", &catalog.SnapshotOptions{Dir: snaps}, retrieval.CacheOptions{Dir: cache}},
			{"cold", &catalog.SnapshotOptions{Dir: snaps, Refresh: true}, retrieval.CacheOptions{Dir: cache, Refresh: true}},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(b *testing.B) {
				ask(b, v.snap, v.o) // the warm run starts from saved files
				start := cpuTime()
				for b.Loop() {
					ask(b, v.snap, v.o)
				}
				b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
