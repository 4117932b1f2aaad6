package factory

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A load whose caller cancelled is not remembered; the next caller loads
// again and that result is kept.
func TestLazyCtxForgetsACancelledLoad(t *testing.T) {
	var l lazyCtx[int]
	var calls atomic.Int32
	load := func(ctx context.Context) (int, error) {
		n := calls.Add(1)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return int(n), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.get(ctx, load); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled first call: err %v", err)
	}
	for i := 0; i < 2; i++ {
		v, err := l.get(context.Background(), load)
		if err != nil || v != 2 {
			t.Fatalf("call %d after the cancelled one: %d %v, want 2 <nil>", i, v, err)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("load ran %d times, want 2", calls.Load())
	}
}

// An error that is not the caller's cancellation (a broken config, an
// unreachable backend) is remembered like a success.
func TestLazyCtxKeepsOtherErrors(t *testing.T) {
	var l lazyCtx[int]
	var calls atomic.Int32
	boom := errors.New("boom")
	load := func(context.Context) (int, error) { calls.Add(1); return 0, boom }
	for i := 0; i < 3; i++ {
		if _, err := l.get(context.Background(), load); !errors.Is(err, boom) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("load ran %d times, want 1", calls.Load())
	}
}

// Concurrent callers share one load; a waiter whose context ends stops
// waiting without disturbing the load.
func TestLazyCtxSharesAnInflightLoad(t *testing.T) {
	var l lazyCtx[int]
	var calls atomic.Int32
	release := make(chan struct{})
	load := func(context.Context) (int, error) { calls.Add(1); <-release; return 7, nil }

	var wg sync.WaitGroup
	results := make([]int, 4)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], _ = l.get(context.Background(), load) }()
	}
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.get(ctx, load); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("impatient waiter: %v", err)
	}
	close(release)
	wg.Wait()
	for i, v := range results {
		if v != 7 {
			t.Fatalf("caller %d got %d", i, v)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("load ran %d times, want 1", calls.Load())
	}
}
