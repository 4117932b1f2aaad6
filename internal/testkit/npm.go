package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// NPMServer is the entry file of the npm MCP server @modelcontextprotocol/pkg
// installed under test/mcp-servers (scripts/npm-setup.sh test/mcp-servers).
// When it or node is missing the test skips locally but fails under CI=true
// or BSAI_REQUIRE_NPM, so CI cannot pass without the real servers.
func NPMServer(t testing.TB, pkg string) string {
	t.Helper()
	p := filepath.Join(RepoRoot(), "test", "mcp-servers", "node_modules", "@modelcontextprotocol", pkg, "dist", "index.js")
	_, err := os.Stat(p)
	_, nodeErr := exec.LookPath("node")
	if err == nil && nodeErr == nil {
		return p
	}
	msg := "npm test servers missing (" + p + "); run scripts/npm-setup.sh test/mcp-servers"
	if nodeErr != nil {
		msg = "node is not installed"
	}
	if os.Getenv("CI") == "true" || os.Getenv("BSAI_REQUIRE_NPM") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}
