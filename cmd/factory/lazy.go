package factory

import (
	"context"
	"sync"
)

// lazyCtx runs a context-taking constructor once and remembers its result,
// except a result produced while the caller's context was done: a load the
// first caller cancelled (Ctrl-C in the CLI, a client cancelling an MCP
// tool call in `mcp serve`) is not the answer for later callers, who start
// a fresh load with their own context. Callers arriving while a load is in
// flight wait for it, or stop waiting when their own context ends.
type lazyCtx[T any] struct {
	mu       sync.Mutex
	done     bool
	v        T
	err      error
	inflight chan struct{} // closed when the running attempt ends
}

func (l *lazyCtx[T]) get(ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	for {
		l.mu.Lock()
		if l.done {
			v, err := l.v, l.err
			l.mu.Unlock()
			return v, err
		}
		if ch := l.inflight; ch != nil {
			l.mu.Unlock()
			select {
			case <-ch:
				continue // finished (or was cancelled): look again
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		ch := make(chan struct{})
		l.inflight = ch
		l.mu.Unlock()

		v, err := fn(ctx)

		l.mu.Lock()
		l.inflight = nil
		if err == nil || ctx.Err() == nil {
			l.done, l.v, l.err = true, v, err
		}
		l.mu.Unlock()
		close(ch)
		return v, err
	}
}
