package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
)

var benchSizes = []int{1_000, 10_000, 100_000}

// writeCatalog writes a synthetic catalog as files of 1000 entities.
func writeCatalog(b *testing.B, n int) (dir string, data [][]byte) {
	b.Helper()
	dir = b.TempDir()
	data = catalogtest.GenerateYAML(n, 42, 1000)
	for i, f := range data {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%04d.yaml", i)), f, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir, data
}

// baselineYAML is the floor for parsing: the same bytes decoded into
// generic maps by yaml.v3, sequentially, nothing else.
func baselineYAML(b *testing.B, data [][]byte) time.Duration {
	b.Helper()
	start := time.Now()
	docs := 0
	for _, f := range data {
		dec := yaml.NewDecoder(bytes.NewReader(f))
		for {
			var m map[string]any
			if err := dec.Decode(&m); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			docs++
		}
	}
	if docs == 0 {
		b.Fatal("baseline decoded nothing")
	}
	return time.Since(start)
}

// BenchmarkLoadAndGraph measures reading a folder of catalog YAML
// (read, split, decode, validation and placeholders in parallel per
// document; duplicates and problems in load order on one goroutine;
// relations) plus building the graph. Compare wall and CPU: the
// parallel stages lower wall time, not CPU time. Each iteration also runs the baseline (plain yaml.v3 over the same
// bytes) right before, so the reported ratios compare runs made under the
// same machine load; cpu ratios use getrusage and are the steadier number
// on a shared machine.
func BenchmarkLoadAndGraph(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			dir, data := writeCatalog(b, n)
			var g *catalog.Graph
			var baseWall, baseCPU, oursCPU time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				c0 := cpuTime()
				baseWall += baselineYAML(b, data)
				c1 := cpuTime()
				baseCPU += c1 - c0
				b.StartTimer()
				res, err := catalog.LoadFiles(context.Background(), []string{dir})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Problems) > 0 {
					b.Fatalf("problems: %v", res.Problems[0])
				}
				g = catalog.NewGraph(res.Entities)
				oursCPU += cpuTime() - c1
			}
			b.StopTimer()
			if g.Len() != n {
				b.Fatalf("graph has %d entities, want %d", g.Len(), n)
			}
			b.ReportMetric(float64(b.Elapsed())/float64(baseWall), "x_baseline_wall")
			b.ReportMetric(float64(oursCPU)/float64(baseCPU), "x_baseline_cpu")
			b.ReportMetric(float64(baseWall.Milliseconds())/float64(b.N), "baseline_ms/op")
			b.ReportMetric(float64(oursCPU.Milliseconds())/float64(b.N), "cpu_ms/op")
			reportRSS(b)
		})
	}
}

// cpuTime is the process's user+system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGraph measures NewGraph alone on loaded entities.
func BenchmarkGraph(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			ents := catalogtest.Generate(n, 42)
			catalog.ComputeRelations(ents)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if g := catalog.NewGraph(ents); g.Len() != n {
					b.Fatal(g.Len())
				}
			}
		})
	}
}

// BenchmarkComputeRelations measures the built-in relation processor.
func BenchmarkComputeRelations(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			ents := catalogtest.Generate(n, 42)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				catalog.ComputeRelations(ents)
			}
		})
	}
}

// BenchmarkPaging pages a synthetic catalog through the fake backend over
// loopback HTTP, 500 per page.
func BenchmarkPaging(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			srv := catalogtest.New(b, catalogtest.Generate(n, 42))
			src := catalog.NewBackstageSource(backstage.New(srv.URL, "", nil), 500)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ents, err := src.Entities(context.Background(), catalog.Query{})
				if err != nil {
					b.Fatal(err)
				}
				if len(ents) != n {
					b.Fatalf("got %d", len(ents))
				}
			}
		})
	}
}

// reportRSS reports the process's peak resident set (VmHWM) on Linux. It
// covers everything the benchmark binary did so far, so run one size alone
// (-bench 'LoadAndGraph/100000$') for a clean number.
func reportRSS(b *testing.B) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				if kb, err := strconv.Atoi(f[1]); err == nil {
					b.ReportMetric(float64(kb)/1024, "peak_rss_MB")
				}
			}
		}
	}
}

// BenchmarkGlobDoubleStar expands a Location-style target with k "**"
// segments that matches nothing over a 40-deep tree (the worst case for a
// backtracking matcher: 8 took 10 s and 12 minutes before doublestar).
// Time should grow about linearly with k; compare k=4 with k=12.
func BenchmarkGlobDoubleStar(b *testing.B) {
	dir := b.TempDir()
	deep := dir
	for i := 0; i < 40; i++ {
		deep = filepath.Join(deep, "d")
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(deep, "c.yaml"), []byte("kind: x\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, k := range []int{4, 8, 12} {
		target := "./" + strings.Repeat("**/d/", k) + "e/*.yaml"
		loc := fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\nspec: {targets: [%q]}\n", target)
		file := filepath.Join(dir, fmt.Sprintf("loc-%d.yaml", k))
		if err := os.WriteFile(file, []byte(loc), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("stars=%d", k), func(b *testing.B) {
			for b.Loop() {
				if _, err := catalog.LoadFiles(context.Background(), []string{file}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
