package testkit

import (
	"bytes"
	"net/http"
	"testing"
)

// MCPInitialize is an initialize request as a streamable HTTP client sends
// it first.
const MCPInitialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// MCPPost sends one JSON-RPC message as a streamable HTTP MCP client would
// (with the session's id and protocol version once it has one) and returns
// the status and the session id the server assigned. The body is drained
// so the connection can be reused.
func MCPPost(t testing.TB, url, session, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sink bytes.Buffer
	_, _ = sink.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header.Get("Mcp-Session-Id")
}
