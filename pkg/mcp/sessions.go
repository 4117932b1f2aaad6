package mcp

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/mark3labs/mcp-go/server"
)

// Defaults for `mcp serve --http` sessions.
const (
	DefaultSessionIdleTimeout = 30 * time.Minute
	DefaultMaxSessions        = 1000
)

// SessionOptions bound the sessions `mcp serve --http` keeps: each one holds
// mcp-go state (tools, log levels, pending requests) until it is ended, and
// clients that vanish without a DELETE would otherwise keep it forever.
type SessionOptions struct {
	// IdleTimeout ends a session nobody used for this long
	// (DefaultSessionIdleTimeout when 0).
	IdleTimeout time.Duration
	// MaxSessions caps live sessions; a new one beyond it ends the least
	// recently used (DefaultMaxSessions when 0).
	MaxSessions int
	// Now is the clock (time.Now when nil); tests pass a fake one.
	Now func() time.Time
}

// HTTPHandler is bsai's streamable HTTP endpoint with bounded sessions.
type HTTPHandler struct {
	http.Handler
	sessions *sessionManager
}

// NewHTTPHandler serves s at /mcp (mount it there) with sessions that
// expire after IdleTimeout and are capped at MaxSessions.
func NewHTTPHandler(s *server.MCPServer, o SessionOptions) *HTTPHandler {
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultSessionIdleTimeout
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &sessionManager{opts: o, last: map[string]time.Time{}}
	h := server.NewStreamableHTTPServer(s, server.WithSessionIdManager(m))
	m.release = func(id string) { endSession(h, id) }
	// A request body is one client message: the same cap as for servers'
	// messages (mcp-go reads the whole body into memory first).
	return &HTTPHandler{Handler: http.MaxBytesHandler(h, DefaultMaxMessageSize), sessions: m}
}

// Sessions is the number of live sessions.
func (h *HTTPHandler) Sessions() int {
	h.sessions.mu.Lock()
	defer h.sessions.mu.Unlock()
	return len(h.sessions.last)
}

// Sweep ends every session idle for longer than the timeout and waits
// until their state is released. ServeHTTP runs it periodically.
func (h *HTTPHandler) Sweep() {
	m := h.sessions
	m.mu.Lock()
	now := m.opts.Now()
	var expired []string
	for id, t := range m.last {
		if now.Sub(t) > m.opts.IdleTimeout {
			expired = append(expired, id)
			delete(m.last, id)
		}
	}
	m.mu.Unlock()
	for _, id := range expired {
		m.end(id)
	}
	m.pending.Wait()
}

// sweepEvery runs Sweep until ctx ends.
func (h *HTTPHandler) sweepEvery(ctx context.Context) {
	every := min(max(h.sessions.opts.IdleTimeout/4, time.Second), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			h.Sweep()
		}
	}
}

// sessionManager is mcp-go's SessionIdManager with a last-used time per
// session: unknown, expired and evicted ids get 404, which tells a client
// to initialise a new session (streamable HTTP spec).
type sessionManager struct {
	opts    SessionOptions
	mu      sync.Mutex
	last    map[string]time.Time
	release func(id string)
	pending sync.WaitGroup
}

const sessionPrefix = "mcp-session-"

func (m *sessionManager) Generate() string {
	id := sessionPrefix + uuid.NewString()
	m.mu.Lock()
	var evict []string
	for len(m.last) >= m.opts.MaxSessions {
		oldest, ot := "", time.Time{}
		for k, t := range m.last {
			if oldest == "" || t.Before(ot) {
				oldest, ot = k, t
			}
		}
		delete(m.last, oldest)
		evict = append(evict, oldest)
	}
	m.last[id] = m.opts.Now()
	m.mu.Unlock()
	for _, old := range evict {
		// Not inline: this runs inside mcp-go's initialize handler.
		m.pending.Add(1)
		go func(old string) {
			defer m.pending.Done()
			m.release(old)
		}(old)
	}
	return id
}

func (m *sessionManager) Validate(id string) (bool, error) {
	if !strings.HasPrefix(id, sessionPrefix) {
		return false, fmt.Errorf("invalid session id")
	}
	m.mu.Lock()
	t, ok := m.last[id]
	now := m.opts.Now()
	expired := ok && now.Sub(t) > m.opts.IdleTimeout
	switch {
	case !ok:
	case expired:
		delete(m.last, id)
	default:
		m.last[id] = now
	}
	m.mu.Unlock()
	if expired {
		m.end(id)
	}
	if !ok || expired {
		return false, fmt.Errorf("session not found or expired")
	}
	return false, nil
}

func (m *sessionManager) Terminate(id string) (bool, error) {
	m.mu.Lock()
	delete(m.last, id)
	m.mu.Unlock()
	return false, nil
}

// end releases mcp-go's state for a session in the background.
func (m *sessionManager) end(id string) {
	m.pending.Add(1)
	go func() {
		defer m.pending.Done()
		m.release(id)
	}()
}

// endSession releases mcp-go's per-session state the only way its API
// offers: a DELETE for the session, handed to the handler in process.
func endSession(h http.Handler, id string) {
	req, err := http.NewRequest(http.MethodDelete, "http://localhost/mcp", nil)
	if err != nil {
		return
	}
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Mcp-Session-Id", id)
	h.ServeHTTP(discardResponse{h: http.Header{}}, req)
}

type discardResponse struct{ h http.Header }

func (d discardResponse) Header() http.Header         { return d.h }
func (d discardResponse) Write(b []byte) (int, error) { return len(b), nil }
func (d discardResponse) WriteHeader(int)             {}
