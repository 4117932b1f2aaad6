package mcp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// headerRecorder remembers the Authorization header of every request.
type headerRecorder struct {
	mu   sync.Mutex
	seen []string
	next http.Handler
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Get("Authorization"))
	h.mu.Unlock()
	h.next.ServeHTTP(w, r)
}

func (h *headerRecorder) all(want string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range h.seen {
		if s != want {
			return false
		}
	}
	return len(h.seen) > 0
}

func TestHeadersReachStreamableHTTPServer(t *testing.T) {
	rec := &headerRecorder{next: server.NewStreamableHTTPServer(edgeServer())}
	ts := httptest.NewServer(rec)
	defer ts.Close()
	r := New(Options{Servers: map[string]config.MCPServer{
		"edge": {URL: ts.URL + "/mcp", Transport: config.MCPHTTP, Headers: map[string]string{"Authorization": "Bearer abc"}},
	}})
	defer r.Close()
	if _, err := r.CallTool(context.Background(), "edge", "fail", nil); err != nil {
		t.Fatal(err)
	}
	if !rec.all("Bearer abc") {
		t.Fatalf("headers seen: %q", rec.seen)
	}
}

// transport: sse speaks the old HTTP+SSE transport (GET /sse, POST
// /message), still used by many deployed servers.
func TestSSETransport(t *testing.T) {
	sse := server.NewSSEServer(edgeServer())
	rec := &headerRecorder{next: sse}
	ts := httptest.NewServer(rec)
	defer ts.Close()
	r := New(Options{Servers: map[string]config.MCPServer{
		"old": {URL: ts.URL + "/sse", Transport: config.MCPSSE, Headers: map[string]string{"Authorization": "Bearer old"}},
	}})
	res, err := r.CallTool(context.Background(), "old", "fail", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError || !strings.Contains(textOf(res), "it broke") {
		t.Fatalf("%q", textOf(res))
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !rec.all("Bearer old") {
		t.Fatalf("headers seen: %q", rec.seen)
	}
}

// A server that rejects the credentials is a config/auth problem (exit 4)
// with a hint, and the token is not echoed.
func TestUnauthorizedServerIsConfigError(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mcp"`)
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
	}))
	defer ts.Close()
	r := New(Options{Servers: map[string]config.MCPServer{
		"locked": {URL: ts.URL + "/mcp", Transport: config.MCPHTTP, Headers: map[string]string{"Authorization": "Bearer wrong-secret-token"}},
	}})
	defer r.Close()
	_, err := r.ListTools(context.Background(), "locked")
	if errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("want exit %d for a 401, got %d: %v", errs.ExitConfig, errs.ExitCode(err), err)
	}
	if strings.Contains(err.Error(), "wrong-secret-token") || strings.Contains(errs.HintOf(err), "wrong-secret-token") {
		t.Fatalf("token leaked: %v", err)
	}
}
