package mcp_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// tinyServer is an mcp-go server with one tool, echo.
func tinyServer() *server.MCPServer {
	s := server.NewMCPServer("tiny", "1")
	s.AddTool(mcp.NewTool("echo", mcp.WithString("message")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("message", "")), nil
		})
	return s
}

// Secrets a config can hold for MCP servers; none may reach the output.
const (
	secretAuth   = "Bearer auth-secret-value-1a2b3c"
	secretAPIKey = "apikey-secret-value-4d5e6f"
	secretCustom = "custom-secret-value-7g8h9i"
	secretQuery  = "query-secret-value-0j1k2l"
	secretArg    = "ghp_argsecretvalue3m4n5o"
	secretFlag   = "flag-secret-value-6p7q8r"
)

var allSecrets = []string{secretAuth, strings.TrimPrefix(secretAuth, "Bearer "), secretAPIKey, secretCustom, secretQuery, secretArg, secretFlag}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Fatalf("%s shows the secret %q:\n%s", what, sec, s)
		}
	}
}

// headerRecorder remembers every header value a fake origin received.
type headerRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (h *headerRecorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		for k, vs := range r.Header {
			h.seen = append(h.seen, k+": "+strings.Join(vs, ","))
		}
		h.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (h *headerRecorder) all() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.seen, "\n")
}

func TestMCPSecretsNeverPrinted(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	t.Setenv("XDG_CACHE_HOME", cache)

	// An origin that fails every request with a body echoing the request's
	// headers and URL, as debugging proxies and some gateways do.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("upstream failed for " + r.URL.String() + " with headers:"))
		for k, vs := range r.Header {
			_, _ = w.Write([]byte(" " + k + "=" + strings.Join(vs, ",")))
		}
	}))
	defer echo.Close()

	// A real MCP server on another origin (another port), and an origin that
	// redirects every request there.
	other := &headerRecorder{}
	target := httptest.NewServer(other.wrap(server.NewStreamableHTTPServer(tinyServer())))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/mcp", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()

	// A port nothing listens on: the connection error names the URL.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + l.Addr().String()
	l.Close()

	headers := `        headers:
          Authorization: "` + secretAuth + `"
          X-Api-Key: "` + secretAPIKey + `"
          X-Custom: "` + secretCustom + `"
`
	cfg := filepath.Join(dir, "app-config.yaml")
	body := "bsai:\n  mcp:\n    servers:\n" +
		"      echo:\n        url: " + echo.URL + "/mcp\n" + headers +
		"      redirect:\n        url: " + redirect.URL + "/mcp\n" + headers +
		"      closed:\n        url: " + closed + "/mcp?access_token=" + secretQuery + "&api_key=" + secretQuery + "&sig=" + secretQuery + "&page=2\n" +
		"      tokens:\n        command: sh\n        args: [\"-c\", \"echo token is $API_TOKEN, flag is $1 >&2; exit 3\", \"--token\", \"" + secretFlag + "\", \"" + secretArg + "\", \"--api-key=" + secretFlag + "\"]\n" +
		"        env:\n          GITHUB_TOKEN: \"" + secretArg + "\"\n          API_TOKEN: \"" + secretCustom + "\"\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("error body echoing headers", func(t *testing.T) {
		code, out, errOut := runBsai(t, "", "-c", cfg, "mcp", "tools", "echo")
		if code == 0 || !strings.Contains(errOut, "500") {
			t.Fatalf("exit %d, want a failure naming the status\n%s", code, errOut)
		}
		assertNoSecret(t, "the error", out+errOut)
		if !strings.Contains(errOut, "<redacted>") {
			t.Fatalf("the echoed values must be replaced, not the whole body dropped:\n%s", errOut)
		}
	})
	t.Run("cross-origin redirect", func(t *testing.T) {
		code, out, errOut := runBsai(t, "", "-c", cfg, "mcp", "tools", "redirect")
		assertNoSecret(t, "the output", out+errOut)
		assertNoSecret(t, "the other origin's request headers", other.all())
		if code != 0 || !strings.Contains(out, "echo") {
			t.Fatalf("the redirected server should still answer (without the headers): exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("token in url query", func(t *testing.T) {
		code, out, errOut := runBsai(t, "", "-c", cfg, "mcp", "tools", "closed")
		if code == 0 {
			t.Fatalf("exit 0 for a closed port")
		}
		assertNoSecret(t, "the connection error", out+errOut)
		if !strings.Contains(errOut, "page=2") {
			t.Fatalf("harmless query values should stay readable:\n%s", errOut)
		}
	})
	t.Run("mcp servers", func(t *testing.T) {
		for _, format := range []string{"text", "json"} {
			code, out, errOut := runBsai(t, "", "-c", cfg, "mcp", "servers", "-o", format)
			if code != 0 || !strings.Contains(out, "tokens") || !strings.Contains(out, "closed") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			assertNoSecret(t, "mcp servers -o "+format, out+errOut)
		}
	})
	t.Run("config show", func(t *testing.T) {
		code, out, errOut := runBsai(t, "", "-c", cfg, "config", "show")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		// config show hides secret-named keys, credential-shaped values and
		// credential query values in URLs (non-secret headers stay visible).
		for _, sec := range []string{secretAuth, secretAPIKey, secretQuery, secretArg} {
			if strings.Contains(out+errOut, sec) {
				t.Fatalf("config show prints %q:\n%s", sec, out)
			}
		}
	})
	t.Run("server log", func(t *testing.T) {
		_, out, errOut := runBsai(t, "", "-c", cfg, "mcp", "tools", "tokens")
		assertNoSecret(t, "the start error", out+errOut)
		b, err := os.ReadFile(filepath.Join(cache, "bsai", "mcp", "tokens.log"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "bsai started sh") || !strings.Contains(string(b), "token is <redacted>, flag is") {
			t.Fatalf("log header missing:\n%s", b)
		}
		assertNoSecret(t, "the server log", string(b))
	})
}

// With -v, a server's log notifications are shown redacted like its stderr.
func TestVerboseServerLogsRedacted(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	cfg := hostileConfig(t, dir, map[string]string{"API_TOKEN": secretCustom}, "")
	code, out, errOut := runBsai(t, "", "-c", cfg, "-v", "mcp", "call", "hostile", "log-secret")
	if code != 0 || !strings.Contains(errOut, "[hostile] info: \"connected with <redacted>\"") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	assertNoSecret(t, "-v output", out+errOut)
}
