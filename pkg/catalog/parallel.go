package catalog

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// minPerWorker keeps small catalogs on one goroutine: below this many
// items the goroutine start-up costs more than it saves.
const minPerWorker = 2048

// workersFor is how many workers parallelRanges uses for n items.
func workersFor(n int) int {
	w := runtime.GOMAXPROCS(0)
	if m := n / minPerWorker; m < w {
		w = m
	}
	return max(w, 1)
}

// parallelRanges splits [0,n) into workersFor(n) contiguous ranges and
// runs fn(worker, lo, hi) for each concurrently, returning when all are
// done. Contiguous ranges let callers join per-worker results in order.
func parallelRanges(n int, fn func(w, lo, hi int)) {
	workers := workersFor(n)
	if workers == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(w, lo, hi)
		}()
	}
	wg.Wait()
}

// parallelEach runs fn(i) for every i in [0,n) on GOMAXPROCS goroutines
// that take indexes in small batches, so uneven items (big and small
// files, long and short documents) still keep every core busy.
func parallelEach(n, batch int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+batch-1)/batch)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(int64(batch))) - batch
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+batch, n); i++ {
					fn(i)
				}
			}
		}()
	}
	wg.Wait()
}
