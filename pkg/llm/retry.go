package llm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bsai-dev/bsai/pkg/retry"
)

// RetryPolicy controls retries on 429, 5xx and dropped connections. Sleep,
// Now and Rand are injectable so tests check delays without waiting.
type RetryPolicy struct {
	MaxRetries int           // default 3; -1 disables retries
	BaseDelay  time.Duration // default 500ms, doubled per attempt
	MaxDelay   time.Duration // default 20s; a longer Retry-After gives up
	// Sleep waits d or until ctx is done (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Retry-After dates (default time.Now).
	Now func() time.Time
	// Rand returns a float in [0,1) for jitter (default math/rand).
	Rand func() float64
}

func (r RetryPolicy) withDefaults() RetryPolicy {
	if r.MaxRetries == 0 {
		r.MaxRetries = 3
	}
	if r.MaxRetries < 0 {
		r.MaxRetries = 0
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = 500 * time.Millisecond
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 20 * time.Second
	}
	if r.Sleep == nil {
		r.Sleep = retry.Sleep
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Rand == nil {
		r.Rand = rand.Float64
	}
	return r
}

// backoff is exponential with "equal jitter": half fixed, half random, so
// clients that failed together do not retry together.
func (r RetryPolicy) backoff(attempt int) time.Duration {
	d := r.BaseDelay << attempt
	if d > r.MaxDelay || d <= 0 {
		d = r.MaxDelay
	}
	half := d / 2
	return half + time.Duration(r.Rand()*float64(half))
}

// retryAfter says how long the server asks us to wait, from what vendors
// really send: Retry-After-Ms and Retry-After (retry.After, on the policy's
// clock), OpenAI's x-ratelimit-reset-requests/-tokens ("1s", "6m0s",
// "20ms"), and Gemini's google.rpc.RetryInfo retryDelay in the error body.
// ok=false if none.
func (r RetryPolicy) retryAfter(h http.Header, body []byte) (time.Duration, bool) {
	if d, ok := retry.After(h, r.Now); ok {
		return d, true
	}
	if d, ok := rateLimitReset(h); ok {
		return d, true
	}
	return retryInfoDelay(body)
}

// rateLimitReset reads OpenAI's x-ratelimit-reset-* headers: the reset of
// the exhausted limit (remaining 0), else the longer of the two.
func rateLimitReset(h http.Header) (time.Duration, bool) {
	var best time.Duration
	found := false
	for _, kind := range []string{"requests", "tokens"} {
		d, err := time.ParseDuration(strings.TrimSpace(h.Get("x-ratelimit-reset-" + kind)))
		if err != nil || d < 0 {
			continue
		}
		if h.Get("x-ratelimit-remaining-"+kind) == "0" {
			return d, true
		}
		if !found || d > best {
			best, found = d, true
		}
	}
	return best, found
}

// retryInfoDelay finds google.rpc.RetryInfo's retryDelay ("30s") in a
// Gemini error body ([{"error":{"details":[{"retryDelay":"30s"}]}}]).
func retryInfoDelay(body []byte) (time.Duration, bool) {
	i := bytes.Index(body, []byte(`"retryDelay"`))
	if i < 0 {
		return 0, false
	}
	rest := body[i+len(`"retryDelay"`):]
	q1 := bytes.IndexByte(rest, '"')
	if q1 < 0 {
		return 0, false
	}
	q2 := bytes.IndexByte(rest[q1+1:], '"')
	if q2 < 0 {
		return 0, false
	}
	d, err := time.ParseDuration(string(rest[q1+1 : q1+1+q2]))
	return d, err == nil && d >= 0
}

// attempts records what the doer did for one call, so the final error can
// say how often it tried and what the server asked for.
type attempts struct {
	mu         sync.Mutex
	n          int
	retryAfter time.Duration // last Retry-After seen (0 = none)
	gaveUp     bool          // Retry-After was longer than MaxDelay
}

type attemptsKey struct{}

func withAttempts(ctx context.Context) (context.Context, *attempts) {
	a := &attempts{}
	return context.WithValue(ctx, attemptsKey{}, a), a
}

func (a *attempts) get() (n int, ra time.Duration, gaveUp bool) {
	if a == nil {
		return 0, 0, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, a.retryAfter, a.gaveUp
}

// doer is the HTTP layer under go-openai: extra headers, retries with
// backoff, and attempt accounting. It retries only before a response body
// is handed out, so a stream is never replayed half-way.
type doer struct {
	client  *http.Client
	headers map[string]string
	policy  RetryPolicy
	sigs    toolExtras
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	body = d.sigs.restore(body)
	ctx := req.Context()
	info, _ := ctx.Value(attemptsKey{}).(*attempts)
	note := func(f func(a *attempts)) {
		if info != nil {
			info.mu.Lock()
			f(info)
			info.mu.Unlock()
		}
	}
	for attempt := 0; ; attempt++ {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			r.ContentLength = int64(len(body))
		}
		for k, v := range d.headers {
			r.Header.Set(k, v)
		}
		note(func(a *attempts) { a.n = attempt + 1 })
		resp, err := d.client.Do(r)
		var errBody []byte
		if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			// Gemini says how long to wait only in the body: read it
			// (bounded) and hand the same bytes on.
			errBody, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(errBody))
		}
		if resp != nil {
			if ra, ok := d.policy.retryAfter(resp.Header, errBody); ok {
				note(func(a *attempts) { a.retryAfter = ra })
			}
		}
		if resp != nil && err == nil && resp.StatusCode < 300 {
			d.sigs.watch(resp)
		}
		if attempt >= d.policy.MaxRetries || !retryable(ctx, resp, err) {
			return resp, err
		}
		wait := d.policy.backoff(attempt)
		if resp != nil {
			if ra, ok := d.policy.retryAfter(resp.Header, errBody); ok {
				if ra > d.policy.MaxDelay {
					// The server asks for longer than we are willing to
					// wait: report the 429 now instead of hanging.
					note(func(a *attempts) { a.gaveUp = true })
					return resp, nil
				}
				wait = ra
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if serr := d.policy.Sleep(ctx, wait); serr != nil {
			return nil, serr
		}
	}
}

func retryable(ctx context.Context, resp *http.Response, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if err != nil {
		// A dropped connection is worth another try; a refused one means
		// nothing listens there, and retrying only delays the message.
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
			errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.EPIPE)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout, 529:
		return true
	}
	return false
}
