package retrieval_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// BenchmarkIndexCache is what one `bsai ask` pays for its index, with the
// graph already loaded: "rebuild" is today's path and the baseline (Build
// and one Search), "warm" a cache hit (fingerprint, load, Search), "cold" a
// miss (fingerprint, Build, save, Search). The parts are reported too, so
// a regression says where. vs-rebuild is the ratio to the baseline's
// time/op, measured in the same run.
func BenchmarkIndexCache(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10_000, 100_000} {
		g := synthetic(n)
		dir := b.TempDir()
		q := benchQuestions[1]
		var rebuild float64
		b.Run(fmt.Sprintf("rebuild/n=%d", n), func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				retrieval.Build(g).Search(ctx, q, retrieval.Options{})
			}
			rebuild = float64(time.Since(start)) / float64(b.N)
		})
		ratio := func(b *testing.B, start time.Time) {
			if rebuild > 0 {
				b.ReportMetric(float64(time.Since(start))/float64(b.N)/rebuild, "vs-rebuild")
			}
		}
		b.Run(fmt.Sprintf("cold/n=%d", n), func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				key := retrieval.Fingerprint(g)
				ix := retrieval.Build(g)
				if err := ix.Save(filepath.Join(dir, key+".idx"), key); err != nil {
					b.Fatal(err)
				}
				ix.Search(ctx, q, retrieval.Options{})
			}
			ratio(b, start)
		})
		b.Run(fmt.Sprintf("warm/n=%d", n), func(b *testing.B) {
			key := retrieval.Fingerprint(g)
			path := filepath.Join(dir, key+".idx")
			if err := retrieval.Build(g).Save(path, key); err != nil {
				b.Fatal(err)
			}
			var fp, load time.Duration
			start := time.Now()
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
			ratio(b, start)
			b.ReportMetric(float64(fp.Milliseconds())/float64(b.N), "fingerprint-ms/op")
			b.ReportMetric(float64(load.Milliseconds())/float64(b.N), "load-ms/op")
		})
	}
}
