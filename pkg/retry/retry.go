// Package retry holds the pieces every HTTP client of bsai shares when it
// waits between attempts: a context-aware sleep and the Retry-After parser.
// The backoff policies stay with their clients (Backstage and model
// providers are tuned differently).
package retry

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Sleep waits d, or returns ctx's error as soon as ctx is done, so Ctrl-C
// never waits out a backoff.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// After parses the wait a server asks for: Retry-After-Ms (Azure, OpenAI)
// first, since it is the more precise of the two when both are sent, then
// Retry-After (seconds, possibly fractional, or an HTTP date). ok is false
// when neither is present and readable. Dates in the past give 0.
func After(h http.Header, now func() time.Time) (d time.Duration, ok bool) {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now()), 0), true
	}
	return 0, false
}
