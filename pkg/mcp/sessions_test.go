package mcp

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newSession initialises a session and uses it once, as a client that then
// vanishes without a DELETE.
func newSession(t testing.TB, url string) string {
	code, id := testkit.MCPPost(t, url, "", testkit.MCPInitialize)
	if code != http.StatusOK || id == "" {
		t.Fatalf("initialize: %d, session %q", code, id)
	}
	testkit.MCPPost(t, url, id, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	if code, _ := testkit.MCPPost(t, url, id, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`); code != http.StatusOK {
		t.Fatalf("tools/list: %d", code)
	}
	return id
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// Sessions of clients that left expire after the idle timeout (fake
// clock) and the session cap evicts the least recently used; afterwards the
// count is 0 and the heap is back near where it started.
func TestServeHTTPSessionsExpire(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	echo := server.ServerTool{Tool: mcp.NewTool("echo", mcp.WithString("message")),
		Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("message", "")), nil
		}}
	h := NewHTTPHandler(NewServer("test", "", echo),
		SessionOptions{IdleTimeout: time.Minute, MaxSessions: 300, Now: clock.Now})
	srv := httptest.NewServer(h)
	defer srv.Close()
	url := srv.URL + "/mcp"
	newSession(t, url) // warm up lazily built state
	clock.Add(2 * time.Minute)
	h.Sweep()
	base := heapInUse()

	var ids []string
	for i := 0; i < 400; i++ {
		ids = append(ids, newSession(t, url))
		clock.Add(time.Millisecond)
	}
	h.Sweep() // waits for the evictions' release too
	if n := h.Sessions(); n != 300 {
		t.Fatalf("%d sessions, want the cap of 300", n)
	}
	// The least recently used were evicted: their id is now unknown (404,
	// which tells a client to initialise again); the newest still works.
	if code, _ := testkit.MCPPost(t, url, ids[0], `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`); code != http.StatusNotFound {
		t.Fatalf("evicted session: %d, want 404", code)
	}
	if code, _ := testkit.MCPPost(t, url, ids[399], `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`); code != http.StatusOK {
		t.Fatalf("newest session: %d, want 200", code)
	}
	full := heapInUse()

	// A session in use is kept; the idle ones go.
	clock.Add(50 * time.Second)
	testkit.MCPPost(t, url, ids[399], `{"jsonrpc":"2.0","id":4,"method":"tools/list"}`)
	clock.Add(20 * time.Second)
	h.Sweep()
	if n := h.Sessions(); n != 1 {
		t.Fatalf("%d sessions after the idle timeout, want 1 (the one in use)", n)
	}
	clock.Add(2 * time.Minute)
	h.Sweep()
	if n := h.Sessions(); n != 0 {
		t.Fatalf("%d sessions after everyone left, want 0", n)
	}
	srv.CloseClientConnections()
	after := heapInUse()
	t.Logf("heap in use: baseline %d KiB, 300 sessions %d KiB, after expiry %d KiB", base>>10, full>>10, after>>10)
	if grown, held := int64(after)-int64(base), int64(full)-int64(base); held > 0 && grown > held/4 {
		t.Fatalf("heap not back near baseline: +%d KiB after expiry vs +%d KiB with 300 sessions", grown>>10, held>>10)
	}
}

// A request body over the message cap is refused without reading it all.
func TestServeHTTPRequestBodyCapped(t *testing.T) {
	h := NewHTTPHandler(NewServer("test", ""), SessionOptions{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	big := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"` + strings.Repeat("x", DefaultMaxMessageSize) + `"}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/mcp", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if !strings.Contains(b.String(), "too large") || h.Sessions() != 0 {
		t.Fatalf("%d %s (sessions %d)", resp.StatusCode, b.String(), h.Sessions())
	}
	newSession(t, srv.URL+"/mcp")
}
