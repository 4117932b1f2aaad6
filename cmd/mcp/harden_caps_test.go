package mcp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A hostile server can send any number of bytes: one endless line on
// stdout, a 300 MB tool result, or stderr without newlines under -v. bsai
// must stop at the per-message cap (10 MiB by default) with an error naming
// it, exit 1 (a failing server), and keep its own memory far below what the
// server sent. Peak RSS is read from the child's rusage.
func TestHostileServerOutputIsCapped(t *testing.T) {
	const sent = 300 << 20
	const rssLimit = 150 << 20 // the data is 2x this; today's code holds it all
	cases := []struct {
		name  string
		tool  string
		extra []string
		want  string // in stderr
		code  int
	}{
		{"stdout without newlines", "flood-stdout", nil, "10 MiB", 1},
		{"huge tool result", "big-result", nil, "10 MiB", 1},
		{"stderr without newlines under -v", "flood-stderr", []string{"-v"}, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_BYTES": itoa(sent)}, "")
			args := append([]string{"-c", cfg}, tc.extra...)
			args = append(args, "mcp", "call", "hostile", tc.tool, "--timeout", "60s")
			res := runBsaiChild(t, []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}, args...)
			t.Logf("exit %d, peak RSS %d MiB", res.code, res.maxRSSBytes>>20)
			if res.code != tc.code {
				t.Fatalf("exit %d, want %d\nstderr: %.2000s", res.code, tc.code, res.stderr)
			}
			if tc.want != "" && (!strings.Contains(res.stderr, "maxMessageSize") || !strings.Contains(res.stderr, tc.want)) {
				t.Fatalf("the error must name the cap (%s) and how to change it:\n%.2000s", tc.want, res.stderr)
			}
			if res.maxRSSBytes > rssLimit {
				t.Fatalf("peak RSS %d MiB for %d MiB from the server (limit %d MiB)", res.maxRSSBytes>>20, sent>>20, rssLimit>>20)
			}
			if len(res.stderr) > 1<<20 {
				t.Fatalf("stderr is %d bytes: the flood went through", len(res.stderr))
			}
		})
	}
}

// The cap is configurable per server (and bsai.mcp.maxMessageSize for all):
// a 2 MiB result fails under a 1 MiB cap and passes under the default.
func TestMaxMessageSizeConfigurable(t *testing.T) {
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	big := map[string]string{"HOSTILE_BYTES": itoa(2 << 20)}
	cfg := hostileConfig(t, dir, big, "")
	if res := runBsaiChild(t, env, "-c", cfg, "mcp", "call", "hostile", "big-result"); res.code != 0 {
		t.Fatalf("2 MiB under the default cap: exit %d\n%.2000s", res.code, res.stderr)
	}
	cfg = hostileConfig(t, dir, big, "        maxMessageSize: 1MiB\n")
	res := runBsaiChild(t, env, "-c", cfg, "mcp", "call", "hostile", "big-result")
	if res.code != 1 || !strings.Contains(res.stderr, "1 MiB") || !strings.Contains(res.stderr, "bsai.mcp.servers.hostile.maxMessageSize") {
		t.Fatalf("per-server cap: exit %d\n%.2000s", res.code, res.stderr)
	}
	cfg = hostileConfig(t, dir, big, "    maxMessageSize: 1048576\n")
	res = runBsaiChild(t, env, "-c", cfg, "mcp", "call", "hostile", "big-result")
	if res.code != 1 || !strings.Contains(res.stderr, "1 MiB") {
		t.Fatalf("global cap: exit %d\n%.2000s", res.code, res.stderr)
	}
	cfg = hostileConfig(t, dir, big, "        maxMessageSize: lots\n")
	res = runBsaiChild(t, env, "-c", cfg, "mcp", "servers")
	if res.code != 4 || !strings.Contains(res.stderr, "maxMessageSize") {
		t.Fatalf("bad size: exit %d\n%.2000s", res.code, res.stderr)
	}
}

// The server log (~/.cache/bsai/mcp/<id>.log) stays within its 4 MiB cap
// while the server writes, not only when it is opened.
func TestServerLogCapEnforcedWhileWriting(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_BYTES": itoa(40 << 20)}, "")
	res := runBsaiChild(t, []string{"XDG_CACHE_HOME=" + cache}, "-c", cfg, "mcp", "call", "hostile", "stderr-lines")
	if res.code != 0 {
		t.Fatalf("exit %d\n%.2000s", res.code, res.stderr)
	}
	st, err := os.Stat(filepath.Join(cache, "bsai", "mcp", "hostile.log"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 4<<20 {
		t.Fatalf("log is %d bytes after a 40 MiB stderr flood (cap 4 MiB)", st.Size())
	}
	if st.Size() < 1<<20 {
		t.Fatalf("log is only %d bytes: recent stderr must be kept", st.Size())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// hostileHTTP is a streamable HTTP MCP server (JSON-RPC over POST, replies
// as application/json or text/event-stream, per the spec) whose tool
// results are n bytes long.
func hostileHTTP(t *testing.T, n int) *httptest.Server {
	chunk := []byte(strings.Repeat("x", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     any            `json:"id"`
			Method string         `json:"method"`
			Params map[string]any `json:"params"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if req.ID == nil {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		reply := func(result any) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result})
		}
		switch req.Method {
		case "initialize":
			w.Header().Set("Mcp-Session-Id", "mcp-session-hostile")
			reply(map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "hostile-http", "version": "1"}})
		case "tools/list":
			reply(map[string]any{"tools": []any{
				map[string]any{"name": "big-json", "inputSchema": map[string]any{"type": "object"}},
				map[string]any{"name": "big-sse", "inputSchema": map[string]any{"type": "object"}},
			}})
		case "tools/call":
			id, _ := json.Marshal(req.ID)
			prefix := `{"jsonrpc":"2.0","id":` + string(id) + `,"result":{"content":[{"type":"text","text":"`
			if req.Params["name"] == "big-sse" {
				w.Header().Set("Content-Type", "text/event-stream")
				prefix = "event: message\ndata: " + prefix
			} else {
				w.Header().Set("Content-Type", "application/json")
			}
			if _, err := io.WriteString(w, prefix); err != nil {
				return
			}
			for left := n; left > 0; left -= len(chunk) {
				if _, err := w.Write(chunk[:min(left, len(chunk))]); err != nil {
					return // the client stopped reading
				}
			}
			_, _ = io.WriteString(w, `"}]}}`+"\n\n")
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The same cap holds for HTTP: a 300 MiB JSON body or SSE event from a
// streamable HTTP server fails at 10 MiB with bounded memory.
func TestHostileHTTPServerOutputIsCapped(t *testing.T) {
	const sent = 300 << 20
	srv := hostileHTTP(t, sent)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "app-config.yaml")
	if err := os.WriteFile(cfg, []byte("bsai:\n  mcp:\n    servers:\n      web:\n        url: "+srv.URL+"/mcp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"big-json", "big-sse"} {
		t.Run(tool, func(t *testing.T) {
			res := runBsaiChild(t, []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}, "-c", cfg, "mcp", "call", "web", tool, "--timeout", "60s")
			t.Logf("exit %d, peak RSS %d MiB", res.code, res.maxRSSBytes>>20)
			if strings.Contains(res.stderr, "ERROR") {
				t.Fatalf("transport log noise on stderr without -v:\n%s", res.stderr)
			}
			if res.code != 1 || !strings.Contains(res.stderr, "larger than the 10 MiB cap") || !strings.Contains(res.stderr, "maxMessageSize") {
				t.Fatalf("exit %d\n%.2000s", res.code, res.stderr)
			}
			if res.maxRSSBytes > 150<<20 {
				t.Fatalf("peak RSS %d MiB for %d MiB from the server", res.maxRSSBytes>>20, sent>>20)
			}
		})
	}
}

// A server that stops reading its stdin makes a large request's write
// block inside mcp-go, which ignores the context there; --timeout and
// Ctrl-C must still end the call (exit 1 naming the timeout), not hang.
func TestTimeoutWhileServerStopsReading(t *testing.T) {
	dir := t.TempDir()
	cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_STOP_READING": "1"}, "")
	args := `{"pad": "` + strings.Repeat("x", 1<<20) + `"}`
	argFile := filepath.Join(dir, "args.json")
	if err := os.WriteFile(argFile, []byte(args), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runBsaiChildWithin(t, 30*time.Second, []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")},
		"-c", cfg, "mcp", "call", "hostile", "ok", "--args", "@"+argFile, "--timeout", "2s")
	if res.hung {
		t.Fatal("bsai hung past --timeout 2s writing to a server that stopped reading")
	}
	if res.code != 1 || !strings.Contains(res.stderr, "timed out after 2s") {
		t.Fatalf("exit %d\n%.2000s", res.code, res.stderr)
	}
}

// `mcp serve` on stdio reads its client's messages through the same cap: a
// line over 10 MiB ends the server with an error naming the cap (exit 1)
// instead of being buffered whole.
func TestServeStdioClientMessageCapped(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "app-config.yaml")
	if err := os.WriteFile(cfg, []byte("bsai: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"` + strings.Repeat("x", 11<<20) + `"}}` + "\n"
	code, _, errOut := runBsai(t, huge, "-c", cfg, "--offline", "mcp", "serve")
	if code != 1 || !strings.Contains(errOut, "larger than the 10 MiB cap") {
		t.Fatalf("exit %d\n%.2000s", code, errOut)
	}
}
