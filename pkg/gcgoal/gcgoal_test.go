package gcgoal

import (
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"testing"
)

func current() int {
	v := debug.SetGCPercent(-1)
	debug.SetGCPercent(v)
	return v
}

func TestHold(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	off := Hold(-1)
	raise := Hold(400)
	if got := current(); got != -1 {
		t.Fatalf("with an off hold: %d", got)
	}
	off() // released first: the one that saved 100 is gone
	if got := current(); got != 400 {
		t.Fatalf("with a 400 hold left: %d", got)
	}
	raise()
	raise() // a second release does nothing
	if got := current(); got != 100 {
		t.Fatalf("after both: %d, want 100", got)
	}
	low := Hold(50) // never below what the process had
	if got := current(); got != 100 {
		t.Fatalf("with a 50 hold: %d, want 100", got)
	}
	low()
	debug.SetGCPercent(-1) // GOGC=off stays off
	r := Hold(400)
	if got := current(); got != -1 {
		t.Fatalf("GOGC=off raised to %d", got)
	}
	r()
	if got := current(); got != -1 {
		t.Fatalf("GOGC=off restored as %d", got)
	}
}

func TestHoldConcurrent(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for range 200 {
				release := Hold([]int{-1, 400, 200}[r.IntN(3)])
				release()
			}
		}()
	}
	wg.Wait()
	if got := current(); got != 100 {
		t.Fatalf("after concurrent holds: %d, want 100", got)
	}
}
