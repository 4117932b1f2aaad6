package retrieval_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// BenchmarkIndexCache is what one `bsai ask` pays for its index, with the
// graph already loaded: "baseline" is the path without the cache (Build
// and one Search every call), "warm" a cache hit (fingerprint, load,
// Search), "cold" a miss (fingerprint, Build, save, Search). scripts/bench.sh
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
		b.Run(fmt.Sprintf("cold/n=%d", n), func(b *testing.B) {
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				key := retrieval.Fingerprint(g)
				ix := retrieval.Build(g)
				if err := ix.Save(filepath.Join(dir, key+".idx"), key); err != nil {
					b.Fatal(err)
				}
				ix.Search(ctx, q, retrieval.Options{})
			}
			ratio(b, start, cpu0)
		})
		b.Run(fmt.Sprintf("warm/n=%d", n), func(b *testing.B) {
			key := retrieval.Fingerprint(g)
			path := filepath.Join(dir, key+".idx")
			if err := retrieval.Build(g).Save(path, key); err != nil {
				b.Fatal(err)
			}
			var fp, load time.Duration
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				t0 := time.Now()
				k := retrieval.Fingerprint(g)
				t1 := time.Now()
				ix, err := retrieval.LoadIndex(path, g, k)
				if err != nil {
					b.Fatal(err)
				}
				load += time.Since(t1)
				fp += t1.Sub(t0)
				ix.Search(ctx, q, retrieval.Options{})
			}
			ratio(b, start, cpu0)
			b.ReportMetric(float64(fp.Milliseconds())/float64(b.N), "fingerprint-ms/op")
			b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
		})
	}
}

// BenchmarkAskPath is the whole retrieval side of one `bsai ask` over a
// files catalog: load and parse the YAML, build the graph, get the index
// (baseline: Build every call; warm: from the cache; cold: a miss that
// builds and saves) and search. It shows how much of a warm ask is the
// catalog load, which the index cache does not touch.
func BenchmarkAskPath(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		src := b.TempDir()
		for i, data := range catalogtest.GenerateYAML(n, 42, 1000) {
			if err := os.WriteFile(filepath.Join(src, fmt.Sprintf("part-%04d.yaml", i)), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		cache := b.TempDir()
		q := benchQuestions[1]
		ask := func(b *testing.B, o retrieval.CacheOptions) {
			res, err := catalog.LoadFiles(ctx, []string{src})
			if err != nil {
				b.Fatal(err)
			}
			retrieval.ForCached(catalog.NewGraph(res.Entities), o).Search(ctx, q, retrieval.Options{})
		}
		for _, v := range []struct {
			name string
			o    retrieval.CacheOptions
		}{
			{"baseline", retrieval.CacheOptions{}},
			{"warm", retrieval.CacheOptions{Dir: cache}},
			{"cold", retrieval.CacheOptions{Dir: cache, Refresh: true}},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", v.name, n), func(b *testing.B) {
				ask(b, v.o) // the warm run starts from a saved index
				start := cpuTime()
				for b.Loop() {
					ask(b, v.o)
				}
				b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
}
