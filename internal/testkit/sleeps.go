// Package testkit holds plumbing shared by tests in several packages: fakes
// for the clock and similar, so each test package does not grow its own copy.
// Only test files may import it (see internal/archtest).
package testkit

import (
	"context"
	"sync"
	"time"
)

// Sleeps records the delays a retrying client asks for instead of sleeping,
// so retry tests run instantly and can assert the back-off schedule.
// Its Sleep method fits the Sleep hooks of llm.RetryPolicy and backstage.
type Sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

// Sleep records d and returns at once; it fails only when ctx is done.
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// All is a copy of the delays recorded so far, in order.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}
