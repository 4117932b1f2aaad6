// Package gcgoal lets a load that allocates mostly what it keeps (a graph,
// a snapshot, an index file) turn the collector off or raise its goal
// while it runs. debug.SetGCPercent is process-wide: two loads that each
// saved and restored it (mcp serve answering calls at once) restored each
// other's saved value and could leave the collector off for the rest of
// the process. Holds are counted instead: the setting is the most lenient
// of the active holds, never below what the process had, and what the
// process had once the last hold is released.
package gcgoal

import (
	"runtime/debug"
	"slices"
	"sync"
)

var (
	mu    sync.Mutex
	base  int   // the setting before the first active hold
	holds []int // the active holds' percents (-1: off)
)

// Hold asks for a collector goal of at least pct percent (-1: off) until
// release is called (once; later calls do nothing).
func Hold(pct int) (release func()) {
	mu.Lock()
	if len(holds) == 0 {
		base = debug.SetGCPercent(-1)
	}
	holds = append(holds, pct)
	apply()
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			i := slices.Index(holds, pct)
			holds = slices.Delete(holds, i, i+1)
			if len(holds) == 0 {
				debug.SetGCPercent(base)
				return
			}
			apply()
		})
	}
}

// apply sets the goal the active holds ask for (mu held).
func apply() {
	eff := base
	for _, h := range holds {
		if eff < 0 || h < 0 {
			eff = -1 // off (asked for, or GOGC=off already) wins
			break
		}
		eff = max(eff, h)
	}
	debug.SetGCPercent(eff)
}
